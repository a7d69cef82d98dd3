/**
 * Pass-through pod-template input is validated at construction as the apiserver validates a
 * StatefulSet's pod template (provider/args/pod-validation, each rule citing
 * kubernetes/kubernetes pkg/apis/core/validation/validation.go or kubernetes/apimachinery):
 * a corpus of invalid inputs, each refused naming the field, all problems of a spec reported
 * together in one SpecError (a Pulumi InputPropertiesError) with nothing registered; and a corpus
 * of valid real-world inputs, plus the examples' specs, that must still be accepted (the checks
 * must not be stricter than the apiserver).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { InterStepBufferService, SpecError } from "../../provider";
import { resolveSpec } from "../../provider/args/resolve";
import { compare, parseQuantity } from "../../provider/args/pod-validation/quantity";
import { isValidIP, isQualifiedName } from "../../provider/args/pod-validation/names";
import { registry } from "../../sim/runtime/mock-runtime";
import { build, K8S } from "../../sim/runtime/build";
import { renderedPodTemplateIssues } from "../../provider/args/pod-validation/rendered";

import { AA_TERM, ct, INVALID, js, rn, VALID } from "../support/pod-validation-corpus";

function constructError(args: any): { error: unknown; registered: number } {
    const before = registry().length;
    try {
        new InterStepBufferService("default", args);
    } catch (e) {
        return { error: e, registered: registry().length - before };
    }
    return { error: undefined, registered: registry().length - before };
}

describe("pod-template validation: invalid pass-through input is refused at construction", () => {
    for (const c of INVALID) {
        it(`refuses ${c.title}, naming ${c.field}`, () => {
            const { error, registered } = constructError(c.args);
            assert.ok(error instanceof SpecError, `expected a SpecError, got ${String(error)}`);
            const issue = error.issues.find((i) => i.field === c.field);
            assert.ok(issue, `no problem names ${c.field}; got: ${error.issues.map((i) => `${i.field}: ${i.problem}`).join(" | ")}`);
            assert.match(issue.problem, c.message);
            assert.match(error.message, new RegExp(`"${c.field.replace(/[.[\]()*+?^$|{}\\/]/g, "\\$&")}"`));
            assert.equal(registered, 0, "no resource may be registered for invalid input");
        });
    }

    it("has a corpus of distinct cases, at least the issue's nine plus 60 more", () => {
        assert.ok(INVALID.length >= 69, `${INVALID.length} cases`);
        assert.equal(new Set(INVALID.map((c) => c.title)).size, INVALID.length);
    });

    it("reports every problem of one spec together, as a Pulumi InputPropertiesError", () => {
        const args = js({
            tolerations: [{ key: "k", operator: "Exists", value: "v" }],
            metadata: { labels: { team: "x".repeat(64) }, annotations: { "bad key": "1" } },
            priorityClassName: "High_Priority",
            dnsPolicy: "None",
            affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {} }] } },
            containerTemplate: {
                livenessProbe: { successThreshold: 2 },
                resources: { requests: { memory: "2Gi" }, limits: { memory: "1Gi" } },
                env: [{ name: "X", valueFrom: { secretKeyRef: { name: "s", key: "k" }, fieldRef: { fieldPath: "metadata.name" } } }],
            },
            metricsContainerTemplate: { resources: { limits: { cpu: "-1" } } },
        });
        const { error, registered } = constructError(args);
        assert.equal(registered, 0);
        assert.ok(error instanceof SpecError);
        assert.ok(pulumi.InputPropertiesError.isInstance(error), "the engine prints an InputPropertiesError field by field");
        const expected = [
            "jetstream.tolerations[0].value",
            "jetstream.metadata.labels.team",
            "jetstream.metadata.annotations.bad key",
            "jetstream.priorityClassName",
            "jetstream.dnsConfig",
            `${AA_TERM}.topologyKey`,
            "jetstream.containerTemplate.livenessProbe.successThreshold",
            "jetstream.containerTemplate.resources.requests.memory",
            "jetstream.containerTemplate.env[0].valueFrom",
            "jetstream.metricsContainerTemplate.resources.limits.cpu",
        ];
        assert.deepEqual(new Set(error.issues.map((i) => i.field)), new Set(expected));
        assert.deepEqual(
            error.errors.map((e) => e.propertyPath),
            error.issues.map((i) => i.field),
        );
        assert.match(error.message, new RegExp(`^invalid InterStepBufferService spec: ${expected.length} problems:`));
        for (const f of expected) assert.ok(error.message.includes(`"${f}"`), f);
    });

    it("reports pod-template problems together with a structural problem elsewhere in the spec", () => {
        const cases: { args: any; fields: string[] }[] = [
            {
                args: js({ replicas: 2, tolerations: [{ operator: "Exists", value: "x" }] }),
                fields: ["jetstream.replicas", "jetstream.tolerations[0].value"],
            },
            {
                args: { ...js({ priorityClassName: "Bad_Name" }), podDisruptionBudget: { maxUnavailable: 0 } },
                fields: ["jetstream.priorityClassName", "podDisruptionBudget.maxUnavailable"],
            },
            {
                // A type error in one container template does not hide the other templates' problems.
                args: js({
                    containerTemplate: { resources: "lots" },
                    metricsContainerTemplate: { livenessProbe: { successThreshold: 2 } },
                }),
                fields: ["jetstream.containerTemplate.resources", "jetstream.metricsContainerTemplate.livenessProbe.successThreshold"],
            },
            {
                args: rn({
                    version: "0.0.1",
                    tolerations: [{ key: "k", operator: "In" }],
                    redisContainerTemplate: { resources: { limits: { cpu: "-1" } } },
                }),
                fields: [
                    "redis.native.version",
                    "redis.native.tolerations[0].operator",
                    "redis.native.redisContainerTemplate.resources.limits.cpu",
                ],
            },
        ];
        for (const c of cases) {
            const { error, registered } = constructError(c.args);
            assert.equal(registered, 0);
            assert.ok(error instanceof SpecError, String(error));
            assert.deepEqual(
                error.issues.map((i) => i.field),
                c.fields,
            );
        }
    });

    it("never echoes an env value's secret in a message", () => {
        const secret = "S3cr3t-Value-Do-Not-Print";
        const { error } = constructError(ct({ env: [{ name: "X", value: secret, valueFrom: {} }] }));
        assert.ok(error instanceof SpecError);
        assert.ok(!error.message.includes(secret));
    });
});

/** The InterStepBufferService specs of the TypeScript and YAML examples (and the root program's default). */
function exampleSpecs(): Record<string, any> {
    const root = path.join(__dirname, "..", "..");
    const out: Record<string, any> = {};
    for (const dir of fs.readdirSync(path.join(root, "examples"))) {
        const file = path.join(root, "examples", dir, "index.ts");
        if (fs.existsSync(file)) {
            const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2020, true);
            const visit = (node: ts.Node): void => {
                if (ts.isNewExpression(node) && node.expression.getText() === "InterStepBufferService" && node.arguments?.[1]) {
                    const spec = node.arguments[1];
                    if (!ts.isObjectLiteralExpression(spec)) return;
                    // The flavour's literal (the pass-through fields live there); namespace and
                    // secrets come from config or Outputs in the examples.
                    for (const p of spec.properties) {
                        if (ts.isPropertyAssignment(p) && ["jetstream", "redis"].includes(p.name.getText())) {
                            const text = p.initializer.getText();
                            if (/config\.|\.metadata\./.test(text)) continue;
                            out[`examples/${dir}`] = { namespace: "pipelines", [p.name.getText()]: new Function(`return (${text});`)() };
                        }
                    }
                }
                ts.forEachChild(node, visit);
            };
            visit(source);
        }
        const yamlFile = path.join(root, "examples", dir, "Pulumi.yaml");
        const doc = fs.existsSync(yamlFile) ? (yaml.load(fs.readFileSync(yamlFile, "utf8")) as any) : undefined;
        for (const r of Object.values<any>(doc?.resources ?? {})) {
            if (r.type === "isbsvc:InterStepBufferService") out[`examples/${dir}/Pulumi.yaml`] = r.properties;
        }
    }
    return out;
}

describe("pod-template validation: valid input is accepted (not stricter than the apiserver)", () => {
    for (const [title, args] of Object.entries(VALID)) {
        it(`accepts ${title}`, () => {
            assert.doesNotThrow(
                () => resolveSpec("default", args),
                (e: unknown) => String(e),
            );
        });
    }

    const examples = exampleSpecs();
    it("finds the specs of the examples (TypeScript and YAML)", () => {
        for (const name of ["examples/jetstream", "examples/redis-native", "examples/yaml/Pulumi.yaml"]) assert.ok(examples[name], name);
    });
    for (const [name, args] of Object.entries(examples)) {
        it(`accepts the spec of ${name}`, () => {
            assert.doesNotThrow(() => resolveSpec("default", args));
        });
    }
});

describe("pod-template validation: the formats it relies on", () => {
    it("compares quantities exactly across units (quantity.go Cmp)", () => {
        const q = (s: string) => parseQuantity(s)!;
        assert.equal(compare(q("1.5Gi"), q("1536Mi")), 0);
        assert.equal(compare(q("1e3"), q("1k")), 0);
        assert.equal(compare(q("0.5"), q("500m")), 0);
        assert.equal(compare(q("1001m"), q("1")), 1);
        assert.equal(compare(q("1Ki"), q("1k")), 1);
        assert.equal(compare(q("-1"), q("0")), -1);
        assert.equal(compare(q("100n"), q("1u")), -1);
        for (const bad of ["", "1 Gi", "1GB", "1K", "1e", "1.2.3", "Gi1", "1ki"]) assert.equal(parseQuantity(bad), undefined, bad);
    });

    it("checks IP addresses as ip.go IsValidIP", () => {
        assert.deepEqual(isValidIP("10.0.0.1"), []);
        assert.deepEqual(isValidIP("2001:db8::ffff"), []);
        assert.deepEqual(isValidIP("::1"), []);
        assert.match(isValidIP("2001:0db8::1")[0], /canonical/);
        assert.match(isValidIP("::ffff:1.2.3.4")[0], /IPv4-mapped/);
        assert.match(isValidIP("1.2.3")[0], /valid IP/);
    });

    it("checks qualified names as content/kube.go IsLabelKey", () => {
        assert.deepEqual(isQualifiedName("app.kubernetes.io/name"), []);
        assert.deepEqual(isQualifiedName("A_b.c"), []);
        assert.ok(isQualifiedName("/name").length > 0);
        assert.ok(isQualifiedName("example.com/").length > 0);
        assert.ok(isQualifiedName("a".repeat(64)).length > 0);
        assert.ok(isQualifiedName(`${"a".repeat(254)}/b`).length > 0);
    });
});

describe("pod-template validation: the rendered pod templates pass the same rules", () => {
    const specs: Record<string, any> = {
        "JetStream defaults": js({}),
        "JetStream standalone with TLS": js({ replicas: 1, tls: true }),
        "JetStream with TLS, encryption, persistence": js({ tls: true, encryption: true, persistence: { volumeSize: "10Gi" } }),
        "JetStream hard anti-affinity": { ...js({}), antiAffinity: "hard" },
        "native Redis defaults": rn({}),
        "native Redis with TLS and persistence": rn({ tls: true, persistence: { volumeSize: "1Gi" } }),
        ...Object.fromEntries(Object.entries(VALID).map(([k, v]) => [`valid input: ${k}`, v])),
        ...Object.fromEntries(Object.entries(exampleSpecs()).map(([k, v]) => [`example: ${k}`, v])),
    };
    Object.entries(specs).forEach(([title, args], i) => {
        it(`renders a valid pod template for ${title}`, async () => {
            const b = await build(`rendered-${i}`, args);
            const spec = b.child(K8S.statefulSet).inputs.spec;
            const claims = (spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name);
            assert.deepEqual(renderedPodTemplateIssues(spec.template, claims), []);
        });
    });

    it("finds the defects the apiserver would refuse in a rendered template", () => {
        const issues = renderedPodTemplateIssues({
            metadata: { labels: { app: "x".repeat(64) } },
            spec: {
                volumes: [{ name: "data", emptyDir: {}, secret: { secretName: "s" } }],
                containers: [
                    {
                        name: "Main",
                        image: "nats",
                        ports: [{ name: "client-port-name", containerPort: 70000 }],
                        env: [
                            { name: "A", value: "1" },
                            { name: "A", value: "2" },
                        ],
                        volumeMounts: [{ name: "missing", mountPath: "/data" }],
                        livenessProbe: { exec: { command: ["true"] }, tcpSocket: { port: 4222 }, successThreshold: 2 },
                        readinessProbe: { httpGet: { path: "/", port: "http", scheme: "FTP" } },
                    },
                    { name: "Main", image: "" },
                ],
            },
        }).map((i) => i.field);
        for (const f of [
            "spec.template.metadata.labels.app",
            "spec.template.spec.volumes[0]",
            "spec.template.spec.containers[0].name",
            "spec.template.spec.containers[0].ports[0].name",
            "spec.template.spec.containers[0].ports[0].containerPort",
            "spec.template.spec.containers[0].env[1].name",
            "spec.template.spec.containers[0].volumeMounts[0].name",
            "spec.template.spec.containers[0].livenessProbe.tcpSocket",
            "spec.template.spec.containers[0].livenessProbe.successThreshold",
            "spec.template.spec.containers[0].readinessProbe.httpGet.scheme",
            "spec.template.spec.containers[1].name",
            "spec.template.spec.containers[1].image",
        ]) {
            assert.ok(issues.includes(f), `${f} not reported; got ${issues.join(", ")}`);
        }
    });
});
