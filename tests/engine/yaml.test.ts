/**
 * The YAML example (examples/yaml) run by the real Pulumi CLI and the real YAML language host
 * (pulumi-language-yaml, built from github.com/pulumi/pulumi-yaml by scripts/engine/build.sh) against
 * the control plane: `pulumi preview`, `pulumi up`, a second preview, `pulumi destroy`.
 *
 * The example's `packages: isbsvc: ../..` makes the CLI load this repository as a source plugin
 * (pulumi sdk/go/common/resource/plugin/host.go `projectPluginsFromProject` → plugin.go `newPlugin`:
 * a folder with PulumiPlugin.yaml is run through `ctx.Host.LanguageRuntime(<its runtime>)`), i.e.
 * through pulumi-language-nodejs, which cannot be built here (scripts/engine/README.md). The second
 * `describe` pins that. The tested program is a copy of the example without the `packages` entry
 * and with `skipAwait: true` (no kubelet); the engine then finds the isbsvc plugin on PATH
 * (support/plugin, which runs the same package.json `main` the nodejs host would run), and the YAML
 * host resolves `isbsvc:InterStepBufferService` from that plugin's schema.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as automation from "@pulumi/pulumi/automation";
import { Cluster, ROOT } from "./support/cluster";
import { cleanupOnInterrupt, Engine, requireBinaries } from "./support/engine";
import { CONTRACT } from "./support/programs";

const PLUGIN = path.join(__dirname, "support/plugin");
const EXAMPLE = path.join(ROOT, "examples/yaml/Pulumi.yaml");
const NS = "pipelines";
const verbose = process.env.ENGINE_VERBOSE ? (s: string) => process.stdout.write(s) : undefined;

/** `text` with `from` replaced by `to`; fails when the example no longer contains `from`. */
function edit(text: string, from: string, to: string): string {
    assert.ok(text.includes(from), `examples/yaml/Pulumi.yaml no longer contains ${JSON.stringify(from)}`);
    return text.replace(from, to);
}

/** A project folder holding `text` as Pulumi.yaml. */
function project(engine: Engine, name: string, text: string): string {
    const dir = path.join(engine.dir, "yaml", name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), text);
    return dir;
}

async function yamlStack(engine: Engine, workDir: string, config: Record<string, automation.ConfigValue>): Promise<automation.Stack> {
    const stack = await automation.LocalWorkspace.createOrSelectStack(
        { stackName: "dev", workDir },
        { pulumiCommand: await engine.pulumi(), envVars: engine.env },
    );
    await stack.setAllConfig(config);
    return stack;
}

describe("engine: examples/yaml through the real CLI and the YAML language host", function () {
    let cluster: Cluster;
    let engine: Engine;
    const example = fs.readFileSync(EXAMPLE, "utf8");

    before(async function () {
        requireBinaries(["pulumi", "pulumi-language-yaml", "pulumi-resource-kubernetes", "kube-apiserver", "kube-controller-manager"]);
        cleanupOnInterrupt(() => {
            cluster?.stop();
            engine?.remove();
        });
        cluster = Cluster.start();
        engine = new Engine();
        engine.env.PATH = [PLUGIN, engine.env.PATH].join(path.delimiter);
        await cluster.createRestrictedNamespace(NS);
    });

    after(function () {
        cluster?.stop();
        engine?.remove();
    });

    describe("the example as written (`packages: isbsvc: ../..`)", function () {
        it("pulumi preview needs the nodejs language host to run the local package (not built here)", async function () {
            // The example's folder layout: this repository as the package (an absolute path, the
            // project being a copy elsewhere). The isbsvc plugin is on PATH, but a project package wins.
            let text = edit(example, "  isbsvc: ../..\n", `  isbsvc: ${ROOT}\n`);
            text = edit(text, "      namespace: pipelines\n", "      namespace: pipelines\n      skipAwait: true\n");
            const stack = await yamlStack(engine, project(engine, "isbsvc-yaml-packages", text), cluster.providerConfig());
            let output = "";
            await assert.rejects(stack.preview({ onOutput: (s) => (output += s) }), (e: Error) => {
                output += e.message;
                return true;
            });
            assert.match(
                output,
                /failed to load plugin \S+\/pulumi-resource-isbsvc: loading runtime: no language plugin 'pulumi-language-nodejs' found in the workspace or on your \$PATH/,
            );
        });
    });

    describe("the example without `packages` (isbsvc plugin on PATH)", function () {
        let stack: automation.Stack;

        before(async function () {
            let text = edit(example, "packages:\n  isbsvc: ../..\n", "");
            text = edit(text, "      namespace: pipelines\n", "      namespace: pipelines\n      skipAwait: true\n");
            stack = await yamlStack(engine, project(engine, "isbsvc-yaml", text), cluster.providerConfig());
        });

        it("pulumi preview plans the component and its objects", async function () {
            const preview = await stack.preview({ onOutput: verbose });
            assert.ok((preview.changeSummary.create ?? 0) > 5, JSON.stringify(preview.changeSummary));
        });

        it("pulumi up: outputs match the component's contract; the StatefulSet exists on the API server", async function () {
            const up = await stack.up({ onOutput: verbose });
            assert.equal(up.summary.result, "succeeded");
            for (const k of [...CONTRACT, "credentialsRevision", "tlsNotAfter"]) assert.ok(k in up.outputs, `output ${k} missing`);
            const expected: Record<string, unknown> = {
                type: "jetstream",
                url: `nats://isbsvc-default-js-svc.${NS}.svc:4222`,
                sentinelUrl: "",
                masterName: "",
                clusterMode: false,
                tlsEnabled: true,
                namespace: NS,
                serviceName: "isbsvc-default-js-svc",
                credentialsSecretName: "isbsvc-default-js-client-auth",
            };
            for (const [k, v] of Object.entries(expected)) assert.deepEqual(up.outputs[k].value, v, `output ${k}`);
            assert.equal(up.outputs.password.secret, true, "password is secret");
            assert.match(up.outputs.password.value, /^[A-Za-z0-9]{32}$/);
            assert.match(up.outputs.user.value, /^[a-z0-9]{12}$/);
            assert.match(up.outputs.caCertPem.value, /^-----BEGIN CERTIFICATE-----/);
            assert.match(up.outputs.streamConfig.value, /maxmsgs: 50000/);

            // The component is the remote one (served by the plugin), under the YAML program's stack.
            const state = await stack.exportStack();
            const types = (state.deployment.resources ?? []).map((r: any) => r.type as string);
            assert.ok(types.includes("isbsvc:index:InterStepBufferService"), types.join(", "));
            const sts = await cluster.get(`/apis/apps/v1/namespaces/${NS}/statefulsets/isbsvc-default-js`);
            assert.equal(sts.spec.replicas, 3);
            const secret = await cluster.get(`/api/v1/namespaces/${NS}/secrets/isbsvc-default-js-client-auth`);
            const stored = Object.values(secret.data as Record<string, string>).map((b) => Buffer.from(b, "base64").toString());
            assert.ok(stored.includes(up.outputs.password.value), "credentials Secret holds the output password");
        });

        it("a second pulumi preview shows no changes", async function () {
            const preview = await stack.preview({ onOutput: verbose });
            const changes = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
            assert.deepEqual(changes, [], JSON.stringify(preview.changeSummary));
        });

        it("pulumi destroy empties the stack and removes the StatefulSet", async function () {
            await stack.destroy({ onOutput: verbose });
            const state = await stack.exportStack();
            assert.equal((state.deployment.resources ?? []).length, 0, "stack state empty");
            const r = await cluster.request("GET", `/apis/apps/v1/namespaces/${NS}/statefulsets/isbsvc-default-js`);
            assert.equal(r.status, 404);
        });
    });
});
