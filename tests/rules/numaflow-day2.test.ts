/**
 * Day 2 with `provisioner: "numaflow"`, planned by the update-plan model (rules/) for the component
 * as built (plan-harness.ts), as `pulumi preview` and `pulumi up`:
 * - the InterStepBufferService resource is never replaced nor deleted as a dependent of a Secret's
 *   delete-before-replace (it depends on the Secrets through `dependsOn` only, not through an input
 *   property: pulumi `step_generator.go` `calculateDependentReplacements` re-diffs only properties
 *   whose dependencies are being replaced);
 * - a credentials change replaces the Secrets' content and changes the pod-template revision
 *   (`spec.jetstream.metadata.annotations["isbsvc/credentials-revision"]`), which is what makes the
 *   controller update its StatefulSet and roll the pods; a change that keeps the credentials leaves
 *   the revision alone.
 */
import * as assert from "assert";
import { planTransition, Transition, TransitionPlan } from "./plan-harness";
import { PlannedStep } from "../../rules/update-plan";

const CR = "kubernetes:numaflow.numaproj.io/v1alpha1:InterStepBufferService";
const REVISION = "isbsvc/credentials-revision";

interface Case {
    change: string;
    before?: Record<string, unknown>;
    after?: Record<string, unknown>;
    replace?: string[];
    hoursLater?: number;
    /** Whether the Secrets are replaced (new content). */
    secrets: boolean;
    /** Whether the revision on the pod template changes (the controller rolls the pods). */
    revision: boolean;
}

const CASES: Case[] = [
    { change: "password rotation (`--replace <n>-js-password`)", replace: ["default-js-password"], secrets: true, revision: true },
    { change: "TLS off → on", before: { tls: false }, after: { tls: true }, secrets: true, revision: true },
    {
        change: "certificate renewal (inside the early-renewal window)",
        before: { tls: true },
        after: { tls: true },
        hoursLater: 8100,
        secrets: true,
        revision: true,
    },
    { change: "settings (`max_payload`)", after: { settings: "max_payload: 8MB" }, secrets: false, revision: false },
    { change: "replicas 3 → 5", before: { replicas: 3 }, after: { replicas: 5 }, secrets: false, revision: false },
];

function args(side: Record<string, unknown> | undefined): any {
    return { namespace: "pipelines", provisioner: "numaflow", jetstream: { version: "2.10.29", replicas: 3, ...side } };
}

function nameOf(tp: TransitionPlan, urn: string): string {
    return [...tp.olds, ...tp.news].find((r) => r.urn === urn)?.name ?? urn;
}

function step(tp: TransitionPlan, name: string): PlannedStep {
    const s = tp.plan.steps.find((x) => nameOf(tp, x.urn) === name);
    assert.ok(s, `no step for ${name}`);
    return s;
}

function revisionOf(inputs: any): unknown {
    return inputs?.spec?.jetstream?.metadata?.annotations?.[REVISION];
}

describe("rules: day 2 with provisioner numaflow", function () {
    this.timeout(600_000);
    for (const c of CASES) {
        it(c.change, async () => {
            const t: Transition = {
                name: "default",
                before: args(c.before),
                after: args(c.after),
                replace: c.replace,
                now: c.hoursLater ? new Date(Date.now() + c.hoursLater * 3600_000) : undefined,
            };
            const kinds: Record<string, string[]> = {};
            for (const mode of ["preview", "up"] as const) {
                const tp = await planTransition(t, mode);
                const p = tp.plan;
                assert.deepStrictEqual(p.dependentDeletes, [], `${mode}: dependent deletions`);
                assert.deepStrictEqual(
                    p.problems.map((x) => `${x.code} ${nameOf(tp, x.urn)}`),
                    [],
                    `${mode}: problems`,
                );
                const cr = step(tp, "default-isbsvc");
                assert.ok(["same", "update"].includes(cr.kind), `${mode}: InterStepBufferService ${cr.kind}`);
                for (const s of ["default-js-server", "default-js-client-auth"]) {
                    const k = step(tp, s).kind;
                    if (c.secrets) assert.ok(["delete-before-replace", "same", "update"].includes(k), `${mode}: ${s} ${k}`);
                    else assert.strictEqual(k, "same", `${mode}: ${s}`);
                }
                if (c.secrets) assert.strictEqual(step(tp, "default-js-server").kind, "delete-before-replace", `${mode}: server Secret`);
                const oldCr = tp.olds.find((r) => r.type === CR)!;
                if (mode === "up") {
                    const changed = revisionOf(oldCr.inputs) !== revisionOf(cr.inputs);
                    assert.strictEqual(changed, c.revision, `${mode}: revision changes`);
                    if (c.revision) assert.strictEqual(cr.kind, "update");
                }
                kinds[mode] = tp.plan.steps.map((s) => `${nameOf(tp, s.urn)} ${s.kind}`).sort();
            }
            assert.deepStrictEqual(kinds.preview, kinds.up, "preview plans what up does");
        });
    }

    it("password rotation with the provider's enableSecretMutable: the Secrets are updated in place (no delete window)", async () => {
        for (const mode of ["preview", "up"] as const) {
            const tp = await planTransition(
                {
                    name: "default",
                    before: args(undefined),
                    after: args(undefined),
                    replace: ["default-js-password"],
                    kubernetes: { enableSecretMutable: true },
                },
                mode,
            );
            assert.deepStrictEqual(tp.plan.dependentDeletes, [], `${mode}: dependent deletions`);
            for (const s of ["default-js-server", "default-js-client-auth"])
                assert.strictEqual(step(tp, s).kind, "update", `${mode}: ${s}`);
            assert.strictEqual(step(tp, "default-isbsvc").kind, "update", `${mode}: InterStepBufferService`);
        }
    });
});
