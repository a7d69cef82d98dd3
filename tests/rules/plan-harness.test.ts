/**
 * What the update-plan model says the current component plans for day-2 changes. These tests
 * print the plan; they assert only that the harness saw every resource (not a verdict on the code).
 */
import * as assert from "assert";
import { describePlan, planTransition, Transition, TransitionPlan } from "./plan-harness";

const JS_NO_NS = { jetstream: { version: "2.10.29" } };
const JS_NS = { namespace: "pipelines", jetstream: { version: "2.10.29" } };

function show(title: string, tp: TransitionPlan): void {
    console.log(`\n  ${title}\n${describePlan(tp)}`);
    const custom = tp.news
        .filter((r) => r.custom !== false)
        .map((r) => r.urn)
        .sort();
    assert.deepStrictEqual(
        tp.plan.steps
            .filter((s) => custom.includes(s.urn))
            .map((s) => s.urn)
            .sort(),
        custom,
    );
}

describe("rules: plan harness (prints what the model plans for the current component)", function () {
    this.timeout(120_000);
    const rotate = (name: string, args: object): Transition => ({ name, before: args, after: args, replace: [`${name}-js-password`] });

    it("password rotation (pulumi up --replace <n>-js-password), namespace omitted: preview and up", async () => {
        show("preview, namespace omitted", await planTransition(rotate("default", JS_NO_NS), "preview"));
        show("up, namespace omitted", await planTransition(rotate("default", JS_NO_NS), "up"));
    });

    it('the same rotation with namespace "pipelines": preview and up', async () => {
        show("preview, namespace pipelines", await planTransition(rotate("default", JS_NS), "preview"));
        show("up, namespace pipelines", await planTransition(rotate("default", JS_NS), "up"));
    });

    it("TLS on, 8100 h later (inside the 720 h early-renewal window of the 8760 h server certificates): preview", async () => {
        const args = { namespace: "pipelines", jetstream: { version: "2.10.29", tls: true } };
        const t: Transition = { name: "default", before: args, after: args, now: new Date(Date.now() + 8100 * 3600_000) };
        show("preview, certificates due for renewal", await planTransition(t, "preview"));
    });

    it('a settings change (max_payload) with namespace "pipelines": up', async () => {
        const t: Transition = {
            name: "default",
            before: JS_NS,
            after: { namespace: "pipelines", jetstream: { version: "2.10.29", settings: "max_payload: 8MB" } },
        };
        show("up, settings change", await planTransition(t, "up"));
    });
});
