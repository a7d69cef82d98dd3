/**
 * The mechanism the component's hooks (provider/resources/hooks.ts) rely on, in the real engine and
 * without Kubernetes: resource hooks registered by a component provider's `Construct` (a plugin
 * process, support/hook-plugin) on one of its children are called by the engine with the child's
 * old and new inputs before it is updated, at preview (`onDryRun`) and at `up`; a failing hook fails
 * the preview with `before hook "<name>" failed: <message>`, a failing `ignoreErrors` hook is printed
 * as `warning: BeforeUpdate hook "<name>" failed: <message>` and the preview succeeds.
 * (pulumi/pulumi v3.248.0 pkg/resource/deploy/step.go `UpdateStep.Apply`, deployment.go `RunHooks`.)
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as automation from "@pulumi/pulumi/automation";
import { Engine } from "./support/engine";

const PLUGIN = path.join(__dirname, "support/hook-plugin");
const verbose = process.env.ENGINE_VERBOSE ? (s: string) => process.stdout.write(s) : undefined;

describe("engine: resource hooks registered by a component provider's Construct", function () {
    let engine: Engine;
    let stack: automation.Stack;
    const program = (size: number) => async () => {
        new pulumi.ComponentResource("hookprobe:index:Probe", "p", { size }, {}, true);
        return {};
    };
    const op = async (kind: "preview" | "up", size: number) => {
        let out = "";
        stack.workspace.program = program(size);
        const onOutput = (s: string) => {
            out += s;
            verbose?.(s);
        };
        try {
            await (kind === "preview" ? stack.preview({ onOutput }) : stack.up({ onOutput }));
            return { ok: true, output: out };
        } catch (e) {
            return { ok: false, output: out + String((e as Error).message) };
        }
    };

    before(async function () {
        engine = new Engine();
        engine.env.PATH = [PLUGIN, engine.env.PATH].join(path.delimiter);
        stack = await engine.stack("isbsvc-engine-hook-mechanism", "probe", program(8));
        const up = await op("up", 8);
        assert.ok(up.ok, up.output);
    });

    after(async function () {
        await stack?.destroy({ onOutput: verbose }).catch(() => undefined);
        engine?.remove();
    });

    it("preview of a larger size: the ignoreErrors hook is printed as a warning, the preview succeeds", async function () {
        const r = await op("preview", 10);
        assert.ok(r.ok, r.output);
        assert.match(r.output, /warning: BeforeUpdate hook "hookprobe:p:warn" failed: size 8 → 10 noted/);
    });

    it("preview and up of a smaller size fail with the refusing hook's message", async function () {
        for (const kind of ["preview", "up"] as const) {
            const r = await op(kind, 6);
            assert.equal(r.ok, false, r.output);
            assert.match(r.output, /before hook "hookprobe:p:refuse" failed: size 8 → 6 refused/);
        }
    });
});
