/**
 * Planned steps of a change, from the real engine: runs `pulumi preview --diff --json` of an inline
 * program against a stack and returns each resource's step.
 *
 *   const plan = await plannedSteps(engine, stack, programWith(changedArgs));
 *   plan.get("isbsvc-default-js")            // e.g. { op: "update", type: "kubernetes:apps/v1:StatefulSet", ... }
 *
 * Keys are the resource names (the URN's last part), values carry `op`: same, create, update, delete,
 * or replace for any of the CLI's replacement ops (replace, create-replacement, delete-replaced; with
 * `--show-replacement-steps` a delete-before-replace prints delete-replaced before the replacement,
 * reported here as `deleteBeforeReplace: true`), and `ops`, every op printed (pulumi pkg/display/json.go
 * `ShowPreviewDigest`, pkg/engine/steps: `OpSame`, `OpUpdate`, `OpReplace`, `OpCreateReplacement`,
 * `OpDeleteReplaced`; the JSON step carries `op`, `urn`, `diffReasons`, `replaceReasons`,
 * `detailedDiff`).
 */
import { spawn } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import type * as automation from "@pulumi/pulumi/automation";
import type { Engine } from "./engine";

// Not in the package's typings, but exported by @pulumi/pulumi/automation/server.js: the language
// runtime server that the Automation API itself serves inline programs with.
const { LanguageServer } = require("@pulumi/pulumi/automation/server") as { LanguageServer: new (p: automation.PulumiFn) => any };
const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb");

export interface PlannedStep {
    op: string;
    /** Every `op` the JSON printed for this resource, in order (e.g. delete-replaced, replace, create-replacement). */
    ops: string[];
    urn: string;
    type: string;
    name: string;
    /** True when the replacement deletes the old object first. */
    deleteBeforeReplace: boolean;
    diffReasons: string[];
    replaceReasons: string[];
    detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }>;
}

/** Runs `pulumi preview --diff --json` of `program` on `stack` (`--replace` each of `replace`); returns the steps by resource name. */
export async function plannedSteps(
    engine: Engine,
    stack: automation.Stack,
    program: automation.PulumiFn,
    replace: string[] = [],
): Promise<Map<string, PlannedStep>> {
    const json = await previewJson(engine, stack, program, replace);
    return stepsOf(json.steps ?? []);
}

/**
 * Steps by resource name from the engine's step records (`pulumi preview --json` steps, or the
 * `resourcePreEvent.metadata` of `pulumi up` events: both carry `op`, `urn` and the diff fields).
 */
export function stepsOf(records: any[]): Map<string, PlannedStep> {
    const out = new Map<string, PlannedStep>();
    for (const s of records) {
        const urn: string = s.urn;
        const name = urn.split("::").pop()!;
        const type = urn.split("::")[2].split("$").pop()!;
        const prev = out.get(name);
        const ops = [...(prev?.ops ?? []), s.op as string];
        // A retained resource's delete is a `discard` (`discard-replaced` in a replacement): it only forgets it.
        const deleteOf = (o: string) => (o === "discard-replaced" ? "delete-replaced" : o === "discard" ? "delete" : o);
        const plain = ops.map(deleteOf);
        // A delete-before-replace shows its delete-replaced step before the replacement is created.
        const dbr =
            plain.indexOf("delete-replaced") >= 0 &&
            plain.indexOf("delete-replaced") < Math.max(plain.indexOf("create-replacement"), plain.indexOf("replace"));
        const op = plain.some((o) => o === "replace" || o === "create-replacement" || o === "delete-replaced") ? "replace" : deleteOf(s.op);
        out.set(name, {
            op,
            ops,
            urn,
            type,
            name,
            deleteBeforeReplace: dbr,
            diffReasons: s.diffReasons ?? prev?.diffReasons ?? [],
            replaceReasons: s.replaceReasons ?? prev?.replaceReasons ?? [],
            detailedDiff: s.detailedDiff ?? prev?.detailedDiff,
        });
    }
    return out;
}

/** The parsed output of `pulumi preview --diff --json` (the program is served from this process). */
export async function previewJson(
    engine: Engine,
    stack: automation.Stack,
    program: automation.PulumiFn,
    replace: string[] = [],
): Promise<any> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 1 << 30 });
    const language = new LanguageServer(program);
    server.addService(langrpc.LanguageRuntimeService, language);
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    const pulumi = await engine.pulumi();
    const args = [
        "preview",
        "--diff",
        "--json",
        "--show-sames",
        "--show-replacement-steps",
        "--non-interactive",
        "--stack",
        stack.name,
        `--client=127.0.0.1:${port}`,
        ...replace.flatMap((urn) => ["--replace", urn]),
    ];
    let failed = true;
    try {
        const { code, stdout, stderr } = await run(pulumi.command, args, stack.workspace.workDir, { ...process.env, ...engine.env });
        failed = code !== 0;
        let parsed: any;
        try {
            parsed = JSON.parse(stdout);
        } catch {
            /* below */
        }
        if (!parsed) throw new Error(`pulumi ${args.join(" ")}: exit ${code}\n${stderr}\n${stdout.slice(0, 4000)}`);
        if (failed) {
            const errors = (parsed.diagnostics ?? [])
                .filter((d: any) => d.severity === "error")
                .map((d: any) => `${d.urn ?? ""} ${d.message}`.trim());
            throw new Error(
                `pulumi preview failed (exit ${code}):\n${errors.join("\n") || JSON.stringify(parsed).slice(0, 4000)}\n${stderr}`,
            );
        }
        return parsed;
    } finally {
        language.onPulumiExit(failed);
        server.forceShutdown();
    }
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const p = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "",
            stderr = "";
        p.stdout.on("data", (d) => (stdout += d));
        p.stderr.on("data", (d) => (stderr += d));
        p.on("error", reject);
        p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
}
