/**
 * The construct path: the component as a Python, Go or YAML program gets it. The engine sends the
 * program's inputs to the plugin's `construct`; the nodejs provider server deserializes them
 * (`deserializeInputs`) and the ComponentProvider (the one the plugin host starts) instantiates the
 * class and returns its URN and `state`, read from the instance's output fields. These tests feed
 * inputs exactly as the engine marshals them (literals, secrets, output values with dependencies,
 * unknowns) through the same deserializer and compare with the TypeScript class used directly.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { COMPONENT_TOKEN, ROOT, SECRET_OUTPUTS, inferredSchema, sharedComponentProvider } from "../../scripts/gen-schema";
import { build, Built } from "../../sim/runtime/build";
import { installMocks, registry, Registered } from "../../sim/runtime/mock-runtime";
import { settle, valueOf } from "../../sim/runtime/outputs";
import { decodedInputs, generatedValues, maskGenerated } from "../../sim/runtime/generated";
import { CredentialMaterial, credentialsRevision } from "../../provider/outputs/credentials-revision";
import { parseRfc3339 } from "../../provider/outputs/certificate-expiry";

// SDK internals the provider server uses (they have no public typings).

const server = require("@pulumi/pulumi/provider/server");

const rpc = require("@pulumi/pulumi/runtime/rpc");

const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

/** A secret as the engine marshals it (Pulumi YAML `fn::secret`, `pulumi.Output.secret(...)` in Python). */
const secret = (value: unknown) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });
/** An output value: a value that depends on other resources, possibly secret, or unknown (no value) in preview. */
function outputValue(value: unknown, dependencies: string[], isSecret = false): Record<string, unknown> {
    return {
        [rpc.specialSigKey]: rpc.specialOutputValueSig,
        ...(value === undefined ? {} : { value }),
        ...(isSecret ? { secret: true } : {}),
        dependencies,
    };
}

const NAMESPACE_URN = "urn:pulumi:test::isbsvc-test::kubernetes:core/v1:Namespace::pipelines";

/** Deserializes inputs as the provider server does for a ConstructRequest (inputs + inputDependencies). */
async function engineInputs(props: Record<string, unknown>, dependencies: Record<string, string[]> = {}): Promise<Record<string, any>> {
    const deps = new Map(Object.entries(dependencies).map(([k, urns]) => [k, { getUrnsList: () => urns }]));
    return server.deserializeInputs(Struct.fromJavaScript(props), deps);
}

/** Resource options as the provider server rebuilds them from a ConstructRequest. */
function constructOptions(providers: Record<string, pulumi.ProviderResource> = {}): pulumi.ComponentResourceOptions {
    return {
        aliases: [],
        dependsOn: [],
        protect: false,
        providers,
        parent: undefined,
        ignoreChanges: [],
        replaceOnChanges: [],
        customTimeouts: undefined,
        retainOnDelete: false,
    };
}

interface Constructed {
    urn: string;
    state: Record<string, any>;
    component: Registered;
    children: Registered[];
}

/** Runs the provider's construct as the engine does and collects what it registered. */
async function construct(
    name: string,
    inputs: Record<string, any>,
    providers?: Record<string, pulumi.ProviderResource>,
): Promise<Constructed> {
    await inferredSchema(); // construct needs the schema (the output names): fail with the analyzer's advice first
    const before = new Set(registry());
    const result = await sharedComponentProvider().construct(name, COMPONENT_TOKEN, inputs, constructOptions(providers));
    const urn = await valueOf(result.urn as pulumi.Output<string>);
    for (const v of Object.values(result.state)) await valueOf(v, 2_000).catch(() => undefined); // unknowns never resolve
    await settle();
    const fresh = registry().filter((r) => !before.has(r));
    const component = fresh.find((r) => r.type === COMPONENT_TOKEN && r.name === name);
    if (!component) throw new Error(`component ${name} was not registered`);
    return { urn, state: result.state as Record<string, any>, component, children: fresh.filter((r) => r.parent === component.urn) };
}

/** Children keyed by `type::name`, inputs canonical with generated values (keys, passwords) masked. */
function snapshot(children: Registered[]): Map<string, string> {
    const values = generatedValues({ children } as unknown as Built);
    return new Map(children.map((c) => [`${c.type}::${c.name}`, JSON.stringify(maskGenerated(decodedInputs(c.type, c.inputs), values))]));
}

/** The properties of the YAML example's component: what a YAML program sends as literals. */
function yamlExampleProperties(): Record<string, any> {
    const program = yaml.load(fs.readFileSync(path.join(ROOT, "examples/yaml/Pulumi.yaml"), "utf8")) as any;
    return program.resources.default.properties;
}

/** Whether an Output's value is known (an internal field of Output). */
async function isKnown(o: pulumi.Output<unknown>): Promise<boolean> {
    return (o as any).isKnown;
}

describe("construct (the component from Python, Go and YAML)", () => {
    it("delivers literal inputs plain, and secret, dependent or unknown ones as Outputs", async () => {
        const literal = await engineInputs({ namespace: "pipelines", jetstream: { version: "2.10.29", tls: true } });
        assert.equal(literal.namespace, "pipelines");
        assert.deepEqual(literal.jetstream, { version: "2.10.29", tls: true });

        // YAML `namespace: ${ns.metadata.name}`: known during an update, but wrapped with its dependency.
        const dependent = await engineInputs({ namespace: outputValue("pipelines", [NAMESPACE_URN]) }, { namespace: [NAMESPACE_URN] });
        assert.ok(pulumi.Output.isInstance(dependent.namespace));
        assert.equal(await valueOf(dependent.namespace), "pipelines");

        // A secret sent as an output value (what current SDKs send for a secret Output) stays nested.
        const secretValue = await engineInputs({ jetstream: { version: "2.10.29", tls: outputValue(true, [], true) } });
        assert.ok(!pulumi.Output.isInstance(secretValue.jetstream));
        assert.equal(await pulumi.isSecret(secretValue.jetstream.tls), true);

        // A plain secret anywhere in an argument makes the whole top-level argument one secret Output.
        const secretNested = await engineInputs({ jetstream: { version: "2.10.29", tls: secret(true) } });
        assert.ok(pulumi.Output.isInstance(secretNested.jetstream));
        assert.equal(await pulumi.isSecret(secretNested.jetstream), true);
        assert.deepEqual(await valueOf(secretNested.jetstream), { version: "2.10.29", tls: true });

        // A nested output value stays an Output inside a plain object.
        const nested = await engineInputs(
            { jetstream: { version: "2.10.29", replicas: outputValue(3, [NAMESPACE_URN]) } },
            { jetstream: [NAMESPACE_URN] },
        );
        assert.ok(!pulumi.Output.isInstance(nested.jetstream));
        assert.ok(pulumi.Output.isInstance(nested.jetstream.replicas));

        // Preview: a value computed from a resource not created yet.
        const unknown = await engineInputs({ namespace: outputValue(undefined, [NAMESPACE_URN]) }, { namespace: [NAMESPACE_URN] });
        assert.ok(pulumi.Output.isInstance(unknown.namespace));
        assert.equal(await isKnown(unknown.namespace), false);
    });

    it("literal inputs (the YAML example) create the same children, with the same inputs, as the TypeScript class", async () => {
        const props = yamlExampleProperties();
        const direct = await build("cx", JSON.parse(JSON.stringify(props)), { providers: { kubernetes: new k8s.Provider("cluster-ts") } });
        const viaConstruct = await construct("cx", await engineInputs(props), { kubernetes: new k8s.Provider("cluster-cx") });

        const a = snapshot(direct.children);
        const b = snapshot(viaConstruct.children);
        assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
        for (const [k, v] of a) assert.equal(b.get(k), v, `${k} differs between construct and the TypeScript class`);
        assert.ok(b.has("kubernetes:apps/v1:StatefulSet::cx-js"));

        assert.equal(viaConstruct.urn, viaConstruct.component.urn);
        const sts = viaConstruct.children.find((c) => c.type === "kubernetes:apps/v1:StatefulSet")!;
        assert.match(sts.provider, /pulumi:providers:kubernetes::cluster-cx::/, "the providers the engine passes reach the children");
    });

    it("returns every schema output in state, equal to the TypeScript outputs; only password is secret", async () => {
        const props = yamlExampleProperties();
        const direct = await build("cxout", JSON.parse(JSON.stringify(props)));
        const viaConstruct = await construct("cxout", await engineInputs(props));
        const outputNames = Object.keys((await inferredSchema()).resources[COMPONENT_TOKEN].properties);
        assert.deepEqual(Object.keys(viaConstruct.state).sort(), [...outputNames].sort());

        const directValues = generatedValues(direct);
        const constructValues = generatedValues({ children: viaConstruct.children } as unknown as Built);
        for (const k of outputNames) {
            const out = viaConstruct.state[k];
            assert.ok(pulumi.Output.isInstance(out), `state.${k} is an Output`);
            assert.equal(await pulumi.isSecret(out), SECRET_OUTPUTS.includes(k), `state.${k} secret`);
            if (k === "credentialsRevision") {
                // Derived from generated values: the revision of this build's own credentials.
                const o = Object.fromEntries(
                    await Promise.all(
                        ["user", "password", "tlsEnabled", "caCertPem"].map(async (f) => [f, await valueOf(viaConstruct.state[f])]),
                    ),
                );
                assert.equal(await valueOf(out), credentialsRevision(o as CredentialMaterial), "state.credentialsRevision");
                continue;
            }
            if (k === "tlsNotAfter") {
                // Derived from the clock: the certificates of both builds were made within seconds of each other.
                const delta = parseRfc3339(await valueOf(out as pulumi.Output<string>))! - parseRfc3339(direct.outputs.tlsNotAfter)!;
                assert.ok(Math.abs(delta) < 120_000, `state.tlsNotAfter ${delta} ms from the TypeScript output`);
                continue;
            }
            assert.deepEqual(
                maskGenerated(await valueOf(out), constructValues),
                maskGenerated((direct.outputs as any)[k], directValues),
                `state.${k}`,
            );
            assert.equal(await pulumi.isSecret(out), SECRET_OUTPUTS.includes(k), `state.${k} secret`);
        }
        assert.equal(await valueOf(viaConstruct.state.url), "nats://isbsvc-cxout-js-svc.pipelines.svc:4222");

        // What the provider server sends back to the engine.
        const [serialized] = await rpc.serializeResourceProperties("construct(test)", viaConstruct.state);
        for (const k of outputNames) {
            const isSecret = serialized[k]?.[rpc.specialSigKey] === rpc.specialSecretSig;
            assert.equal(isSecret, SECRET_OUTPUTS.includes(k), `serialized ${k} secret`);
        }
        assert.equal(serialized.password.value, await valueOf(viaConstruct.state.password));
    });

    it("a namespace depending on another resource arrives as an Output and is used", async () => {
        const inputs = await engineInputs(
            { namespace: outputValue("streams", [NAMESPACE_URN]), jetstream: { version: "2.10.29" } },
            { namespace: [NAMESPACE_URN] },
        );
        const c = await construct("cxdep", inputs);
        assert.equal(await valueOf(c.state.url), "nats://isbsvc-cxdep-js-svc.streams.svc:4222");
        for (const child of c.children.filter((r) => r.type.startsWith("kubernetes:"))) {
            assert.equal(child.inputs.metadata.namespace, "streams");
        }
    });

    it("a spec value depending on another resource arrives as an Output and is rejected, naming the field", async () => {
        const inputs = await engineInputs(
            { namespace: "pipelines", jetstream: { version: outputValue("2.10.29", [NAMESPACE_URN]) } },
            { jetstream: [NAMESPACE_URN] },
        );
        await assert.rejects(
            sharedComponentProvider().construct("cxdepv", COMPONENT_TOKEN, inputs, constructOptions()),
            /invalid InterStepBufferService spec: "jetstream(\.version)?" must be a plain value known at construction time/,
        );
        await settle();
        assert.deepEqual(
            registry().filter((r) => r.name.startsWith("cxdepv")),
            [],
            "nothing is registered",
        );
    });

    it("a secret sent as an output value (current SDKs) stays nested: a spec field rejects it, naming the field", async () => {
        const inputs = await engineInputs({ jetstream: { version: "2.10.29", settings: outputValue("max_payload: 8MB", [], true) } });
        assert.ok(!pulumi.Output.isInstance(inputs.jetstream));
        await assert.rejects(
            sharedComponentProvider().construct("cxsecret", COMPONENT_TOKEN, inputs, constructOptions()),
            /"jetstream\.settings" must be a plain value known at construction time/,
        );
    });

    it("a secret sent as a plain secret makes the whole top-level argument an Output: rejected at the argument", async () => {
        const inputs = await engineInputs({ jetstream: { version: "2.10.29", settings: secret("max_payload: 8MB") } });
        assert.ok(pulumi.Output.isInstance(inputs.jetstream));
        await assert.rejects(
            sharedComponentProvider().construct("cxsecret2", COMPONENT_TOKEN, inputs, constructOptions()),
            /"jetstream" must be a plain value known at construction time/,
        );
    });

    it("an external Redis password sent as a secret output value is accepted and stays secret", async () => {
        const external = { url: "redis://redis.example:6379", password: outputValue("S3cret-pw", [], true) };
        const c = await construct("cxredis", await engineInputs({ namespace: "pipelines", redis: { external } }));
        assert.equal(await valueOf(c.state.password), "S3cret-pw");
        assert.equal(await pulumi.isSecret(c.state.password), true);
        assert.equal(await valueOf(c.state.url), "redis://redis.example:6379");
        assert.equal(await pulumi.isSecret(c.state.url), false);
    });

    it("an external Redis password sent as a plain secret makes all of `redis` an Output: rejected at `redis`", async () => {
        const external = { url: "redis://redis.example:6379", password: secret("S3cret-pw") };
        const inputs = await engineInputs({ namespace: "pipelines", redis: { external } });
        await assert.rejects(
            sharedComponentProvider().construct("cxredis2", COMPONENT_TOKEN, inputs, constructOptions()),
            /"redis" must be a plain value known at construction time/,
        );
    });

    it("a nested dependent value is rejected at its own field", async () => {
        const inputs = await engineInputs(
            { jetstream: { version: "2.10.29", replicas: outputValue(3, [NAMESPACE_URN]) } },
            { jetstream: [NAMESPACE_URN] },
        );
        await assert.rejects(
            sharedComponentProvider().construct("cxnested", COMPONENT_TOKEN, inputs, constructOptions()),
            /"jetstream\.replicas" must be a plain value known at construction time/,
        );
    });

    it("rejects a token of another package or class", async () => {
        await assert.rejects(
            sharedComponentProvider().construct("x", "other:index:InterStepBufferService", {}, constructOptions()),
            /Invalid package name other, expected 'isbsvc'/,
        );
        await assert.rejects(
            sharedComponentProvider().construct("x", "isbsvc:index:Nope", {}, constructOptions()),
            /Component class not found for 'Nope'/,
        );
    });

    describe("in preview", () => {
        before(async () => installMocks(true));
        after(async () => installMocks(false));

        it("literal inputs construct the same children as in an update", async () => {
            assert.equal(pulumi.runtime.isDryRun(), true);
            const props = yamlExampleProperties();
            const direct = await build("cxprev", JSON.parse(JSON.stringify(props)));
            const viaConstruct = await construct("cxprev", await engineInputs(props));
            assert.deepEqual(
                viaConstruct.children.map((c) => `${c.type}::${c.name}`).sort(),
                direct.children.map((c) => `${c.type}::${c.name}`).sort(),
            );
            assert.equal(await pulumi.isSecret(viaConstruct.state.password), true);
        });

        it("an unknown namespace previews: the resources are planned and the URL stays unknown", async () => {
            const inputs = await engineInputs(
                { namespace: outputValue(undefined, [NAMESPACE_URN]), jetstream: { version: "2.10.29" } },
                { namespace: [NAMESPACE_URN] },
            );
            const result = await sharedComponentProvider().construct("cxunknown", COMPONENT_TOKEN, inputs, constructOptions());
            assert.equal(await (result.state.url as any).isKnown, false);
            assert.equal(await valueOf(result.state.type), "jetstream");
        });

        it("an unknown spec value fails the preview, naming the field", async () => {
            const inputs = await engineInputs(
                { namespace: "pipelines", jetstream: { version: outputValue(undefined, [NAMESPACE_URN]) } },
                { jetstream: [NAMESPACE_URN] },
            );
            await assert.rejects(
                sharedComponentProvider().construct("cxunknownv", COMPONENT_TOKEN, inputs, constructOptions()),
                /"jetstream(\.version)?" must be a plain value known at construction time/,
            );
        });

        it("a raw unknown (an engine that sends no output values) also fails, naming the field", async () => {
            const inputs = await engineInputs({ namespace: "pipelines", jetstream: { version: rpc.unknownValue } });
            assert.ok(pulumi.isUnknown(inputs.jetstream.version));
            await assert.rejects(
                sharedComponentProvider().construct("cxraw", COMPONENT_TOKEN, inputs, constructOptions()),
                /invalid InterStepBufferService spec: "jetstream\.version" must be/,
            );
        });
    });
});
