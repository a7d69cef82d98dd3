/**
 * Certificate warnings and `tlsNotAfter` on a running service (issue 13, item 6), planned by the
 * update-plan model: a preview some time after `up` (the model's clock and the component's moved
 * together). Outside the early-renewal window the certificates are unchanged (`same`): their
 * lifetimes are known and the component warns when fewer than 30 days are left. Inside the window
 * terraform-provider-tls plans a replacement (`modifyPlanIfCertificateReadyForRenewal`): at preview
 * the replaced certificates' outputs are unknown, so the component says nothing about them and the
 * preview lists their replacement.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { planTransition, Transition, TransitionPlan } from "./plan-harness";
import { CLOCK } from "../../provider/outputs/derived";
import { InterStepBufferServiceArgs } from "../../provider";

const HOUR = 3_600_000;

/** A TLS cluster whose server certificates renew only in their last 24 hours. */
const ARGS: InterStepBufferServiceArgs = {
    namespace: "pipelines",
    certificates: { validityHours: 8760, earlyRenewalHours: 24 },
    jetstream: { version: "2.10.29", tls: true },
};

async function previewAt(hoursLater: number): Promise<{ plan: TransitionPlan; warnings: string[] }> {
    const now = Date.now() + hoursLater * HOUR;
    const t: Transition = { name: "default", before: ARGS, after: ARGS, now: new Date(now) };
    const warnings: string[] = [];
    const original = pulumi.log.warn;
    const originalNow = CLOCK.now;
    (pulumi.log as any).warn = (msg: string) => {
        warnings.push(msg);
        return Promise.resolve();
    };
    CLOCK.now = () => now;
    try {
        return { plan: await planTransition(t, "preview"), warnings };
    } finally {
        (pulumi.log as any).warn = original;
        CLOCK.now = originalNow;
    }
}

function stepOf(tp: TransitionPlan, name: string): string {
    const res = tp.news.find((r) => r.name === name);
    assert.ok(res, `no resource ${name}`);
    return tp.plan.steps.find((s) => s.urn === res.urn)!.kind;
}

describe("rules: certificate warnings at preview (issue 13, item 6)", function () {
    this.timeout(600_000);

    it("10 days before expiry, outside a 24-hour renewal window: certificates unchanged, a warning for each server certificate", async () => {
        const { plan, warnings } = await previewAt(8760 - 240);
        assert.strictEqual(stepOf(plan, "default-server-cert"), "same");
        assert.strictEqual(stepOf(plan, "default-route-cert"), "same");
        const certWarnings = warnings.filter((w) => /^certificate /.test(w));
        assert.deepStrictEqual(certWarnings.map((w) => w.split(" ")[1]).sort(), ["default-route-cert", "default-server-cert"]);
        for (const w of certWarnings) assert.match(w, /\(in 10\.0 days\)\. Certificates renew only when `pulumi up` runs/);
    });

    it("inside the renewal window: the preview replaces the server certificates, which have no known lifetime and no warning", async () => {
        const { plan, warnings } = await previewAt(8760 - 12);
        assert.strictEqual(stepOf(plan, "default-server-cert"), "replace");
        assert.strictEqual(stepOf(plan, "default-route-cert"), "replace");
        assert.strictEqual(stepOf(plan, "default-ca"), "same", "the 10-year CA is not renewed");
        assert.deepStrictEqual(
            warnings.filter((w) => /^certificate /.test(w)),
            [],
        );
    });

    it("a year before expiry: no warning", async () => {
        const { warnings } = await previewAt(1);
        assert.deepStrictEqual(
            warnings.filter((w) => /^certificate /.test(w)),
            [],
        );
    });
});
