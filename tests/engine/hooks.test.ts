/**
 * The resource hooks of provider/resources/hooks.ts against the real engine.
 *
 * Issue 16, item 11: a JetStream scale-down is refused by `pulumi preview`
 * and `pulumi up` (the StatefulSet's beforeUpdate resource hook, provider/resources/hooks.ts),
 * a one-replica step acknowledged by `jetstream.allowScaleDown` is only warned, and a scale-up is
 * silent. Run twice: with the component in the program (as a TypeScript program imports it) and as a
 * remote component served by the isbsvc plugin's `Construct` (support/plugin: the path of every
 * other language and of `pulumi package add`), where the hooks are registered from the plugin process.
 *
 * `skipAwait: true` as everywhere here (no kubelet). Checked on the API server: the StatefulSet keeps
 * its replicas when the up is refused.
 *
 * Issue 10: a native Redis `tls` toggle is warned by `pulumi preview` (component served by the plugin),
 * and a change that keeps `tls` is not.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import { Cluster } from "./support/cluster";
import { Engine } from "./support/engine";
import { producer, remoteProducer } from "./support/programs";
import type { InterStepBufferServiceArgs } from "../../provider";

const PROJECT = "isbsvc-engine-hooks";
const PLUGIN = path.join(__dirname, "support/plugin");
const verbose = process.env.ENGINE_VERBOSE ? (s: string) => process.stdout.write(s) : undefined;

const REFUSED_5_3 =
    /before hook "isbsvc:sd-js:scale-down-refuse(#\d+)?" failed: jetstream\.replicas 5 → 3: scale down one replica at a time/;
const REFUSED_4_3 =
    /before hook "isbsvc:sd-js:scale-down-refuse(#\d+)?" failed: jetstream\.replicas 4 → 3 deletes server isbsvc-sd-js-3: .*Set jetstream\.allowScaleDown: true/;
const WARNED_5_4 =
    /warning: BeforeUpdate hook "isbsvc:sd-js:scale-down-warn(#\d+)?" failed: jetstream\.replicas 5 → 4 \(allowed by jetstream\.allowScaleDown\) deletes server isbsvc-sd-js-4: .*\{"peer":"isbsvc-sd-js-4"\}/;

/** Output of a CLI run, also on failure (the Automation API's CommandError carries stdout and stderr). */
async function run(what: () => Promise<unknown>): Promise<{ ok: boolean; output: string }> {
    let output = "";
    try {
        await what();
        return { ok: true, output };
    } catch (e) {
        output += String((e as Error).message ?? e);
        return { ok: false, output };
    }
}

for (const mode of ["in the program", "remote (plugin Construct)"] as const) {
    describe(`engine: JetStream scale-down guard, component ${mode}`, function () {
        const ns = mode === "in the program" ? "sd-local" : "sd-remote";
        let cluster: Cluster;
        let engine: Engine;
        let stack: automation.Stack;

        const program = (replicas: number, allowScaleDown?: boolean) => {
            const args = {
                namespace: ns,
                skipAwait: true,
                jetstream: { version: "2.10.29", replicas, ...(allowScaleDown && { allowScaleDown }) },
            } as unknown as InterStepBufferServiceArgs;
            return mode === "in the program"
                ? producer({ kubeconfig: cluster.kubeconfig, name: "sd", args })
                : remoteProducer({ kubeconfig: cluster.kubeconfig, name: "sd", args });
        };
        const withOutput = async (op: "preview" | "up", prog: automation.PulumiFn) => {
            let out = "";
            const onOutput = (s: string) => {
                out += s;
                verbose?.(s);
            };
            stack.workspace.program = prog;
            const r = await run(() => (op === "preview" ? stack.preview({ onOutput }) : stack.up({ onOutput })));
            return { ok: r.ok, output: out + r.output };
        };
        const replicasOnServer = async () =>
            (await cluster.get(`/apis/apps/v1/namespaces/${ns}/statefulsets/isbsvc-sd-js`)).spec.replicas as number;

        before(async function () {
            cluster = Cluster.start();
            engine = new Engine();
            if (mode !== "in the program") engine.env.PATH = [PLUGIN, engine.env.PATH].join(path.delimiter);
            await cluster.createRestrictedNamespace(ns);
            stack = await engine.stack(PROJECT, ns, program(5), {});
            const up = await withOutput("up", program(5));
            assert.ok(up.ok, up.output);
            assert.equal(await replicasOnServer(), 5);
        });

        after(async function () {
            if (stack) await run(() => stack.destroy({ onOutput: verbose }));
            cluster?.stop();
            engine?.remove();
        });

        it("preview of 5 → 3 fails with the refusal", async function () {
            const r = await withOutput("preview", program(3));
            assert.equal(r.ok, false, r.output);
            assert.match(r.output, REFUSED_5_3);
        });

        it("5 → 3 with allowScaleDown: preview still fails (more than one replica)", async function () {
            const r = await withOutput("preview", program(3, true));
            assert.equal(r.ok, false, r.output);
            assert.match(r.output, REFUSED_5_3);
            assert.match(r.output, /allows one replica per update only/);
        });

        it("5 → 4 with allowScaleDown: preview and up succeed with the warning naming the peer-remove", async function () {
            const p = await withOutput("preview", program(4, true));
            assert.ok(p.ok, p.output);
            assert.match(p.output, WARNED_5_4);
            const u = await withOutput("up", program(4, true));
            assert.ok(u.ok, u.output);
            assert.match(u.output, WARNED_5_4);
            assert.equal(await replicasOnServer(), 4);
        });

        it("up of 4 → 3 without allowScaleDown fails (the hook runs at up too) and leaves 4 replicas", async function () {
            const u = await withOutput("up", program(3));
            assert.equal(u.ok, false, u.output);
            assert.match(u.output, REFUSED_4_3);
            assert.equal(await replicasOnServer(), 4);
        });

        it("4 → 5 (scale-up): preview and up succeed with no scale-down message", async function () {
            for (const op of ["preview", "up"] as const) {
                const r = await withOutput(op, program(5));
                assert.ok(r.ok, r.output);
                assert.doesNotMatch(r.output, /scale-down|jetstream\.replicas/);
            }
            assert.equal(await replicasOnServer(), 5);
        });
    });
}

describe("engine: Redis tls toggle warning, component remote (plugin Construct)", function () {
    const ns = "rt-remote";
    let cluster: Cluster;
    let engine: Engine;
    let stack: automation.Stack;
    const program = (tls: boolean, replicas = 3) =>
        remoteProducer({
            kubeconfig: cluster.kubeconfig,
            name: "rt",
            args: {
                namespace: ns,
                skipAwait: true,
                redis: { native: { version: "7.0.15", replicas, tls } },
            } as unknown as InterStepBufferServiceArgs,
        });
    const preview = async (prog: automation.PulumiFn) => {
        let out = "";
        stack.workspace.program = prog;
        const r = await run(() =>
            stack.preview({
                onOutput: (s) => {
                    out += s;
                    verbose?.(s);
                },
            }),
        );
        return { ok: r.ok, output: out + r.output };
    };

    before(async function () {
        cluster = Cluster.start();
        engine = new Engine();
        engine.env.PATH = [PLUGIN, engine.env.PATH].join(path.delimiter);
        await cluster.createRestrictedNamespace(ns);
        stack = await engine.stack(PROJECT, ns, program(false), {});
        stack.workspace.program = program(false);
        const up = await run(() => stack.up({ onOutput: verbose }));
        assert.ok(up.ok, up.output);
    });

    after(async function () {
        if (stack) await run(() => stack.destroy({ onOutput: verbose }));
        cluster?.stop();
        engine?.remove();
    });

    it("preview of tls false → true succeeds with the warning naming the procedure", async function () {
        const r = await preview(program(true));
        assert.ok(r.ok, r.output);
        assert.match(
            r.output,
            /warning: BeforeUpdate hook "isbsvc:rt-redis:tls-toggle-warn(#\d+)?" failed: redis\.native\.tls false → true: this does not complete as a rolling restart.*kubectl delete pod -n rt-remote -l /,
        );
    });

    it("preview of replicas 3 → 5 (tls unchanged) has no tls warning", async function () {
        const r = await preview(program(false, 5));
        assert.ok(r.ok, r.output);
        assert.doesNotMatch(r.output, /tls-toggle-warn|redis\.native\.tls/);
    });
});
