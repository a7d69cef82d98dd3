/**
 * The update-plan model's prediction (rules/update-plan.ts through tests/rules/plan-harness.ts) for
 * transitions of the engine tests, computed in a child process: the harness needs the mock runtime
 * (sim/runtime/mock-runtime.ts), which must not be installed in the process that serves the real
 * engine's inline programs.
 *
 *   node -r ts-node/register/transpile-only tests/engine/support/model-plan.ts < requests.json
 *
 * stdin: ModelRequest[]; stdout (last line): ModelAnswer[] as JSON.
 */
import { installMocks } from "../../../sim/runtime/mock-runtime";
import { planTransition, Transition } from "../../rules/plan-harness";
import type { InterStepBufferServiceArgs } from "../../../provider";

const { setConfig } = require("@pulumi/pulumi/runtime/config");

export interface ModelRequest {
    id: string;
    mode: "preview" | "up";
    name: string;
    before: InterStepBufferServiceArgs;
    after: InterStepBufferServiceArgs;
    /** Pulumi resource names to `--replace`. */
    replace?: string[];
    retainOnDelete?: boolean;
    /** `kubernetes:*` stack config of the default provider (namespace, upsertExistingObjects). */
    config: Record<string, string>;
}

export interface ModelAnswer {
    id: string;
    /** Planned step kind (and the resource's type) by resource name. */
    steps: Record<string, { kind: string; type: string }>;
    problems: string[];
    error?: string;
}

async function main(): Promise<void> {
    const requests: ModelRequest[] = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    await installMocks();
    const answers: ModelAnswer[] = [];
    for (const r of requests) {
        for (const [k, v] of Object.entries(r.config)) setConfig(k, v);
        const t: Transition = {
            name: r.name,
            before: r.before,
            after: r.after,
            replace: r.replace,
            ...(r.retainOnDelete && { options: { retainOnDelete: true } }),
            kubernetes: {
                defaultNamespace: r.config["kubernetes:namespace"] ?? "default",
                upsertExistingObjects: r.config["kubernetes:upsertExistingObjects"] === "true",
            },
        };
        try {
            const tp = await planTransition(t, r.mode);
            const names = new Map([...tp.olds, ...tp.news].map((x) => [x.urn, x.name]));
            const types = new Map([...tp.olds, ...tp.news].map((x) => [x.urn, x.type]));
            answers.push({
                id: r.id,
                steps: Object.fromEntries(tp.plan.steps.map((s) => [names.get(s.urn)!, { kind: s.kind, type: types.get(s.urn)! }])),
                problems: tp.plan.problems.map((p) => `${p.code} ${names.get(p.urn)}: ${p.message}`),
            });
        } catch (e) {
            answers.push({ id: r.id, steps: {}, problems: [], error: String((e as Error)?.stack ?? e) });
        } finally {
            for (const k of Object.keys(r.config)) setConfig(k, "");
        }
    }
    process.stdout.write(`\n${JSON.stringify(answers)}\n`);
}

main().then(
    () => process.exit(0),
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
