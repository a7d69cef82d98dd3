/**
 * The options beyond the upstream spec, resolved directly (no component): defaults that depend on
 * other values, and the exact boundaries of every check — the value at a limit is accepted, one
 * past it is rejected naming the field.
 */
import { strict as assert } from "assert";
import { SpecError } from "../../provider/args/errors";
import { resolveAntiAffinity, resolveAwait, resolveCertificates, resolveDisruptionBudget } from "../../provider/args/options";

function rejects(fn: () => unknown, field: string, message: RegExp): void {
    assert.throws(fn, (e: unknown) => e instanceof SpecError && e.field === field && message.test(e.message));
}

const MAX_HOURS = 876000; // 100 years

describe("args: certificates", () => {
    it("defaults to ECDSA, a 10-year CA, 1-year leaves renewed 30 days early", () => {
        assert.deepEqual(resolveCertificates(undefined, "certificates"), {
            keyAlgorithm: "ECDSA",
            caValidityHours: 87600,
            validityHours: 8760,
            earlyRenewalHours: 720,
        });
    });

    it("renews short-lived leaves halfway (rounded down) when earlyRenewalHours is not given", () => {
        assert.equal(resolveCertificates({ validityHours: 100 }, "c").earlyRenewalHours, 50);
        assert.equal(resolveCertificates({ validityHours: 1001 }, "c").earlyRenewalHours, 500);
        assert.equal(resolveCertificates({ validityHours: 1440 }, "c").earlyRenewalHours, 720);
        assert.equal(resolveCertificates({ validityHours: 1442 }, "c").earlyRenewalHours, 720);
    });

    it("accepts validity hours from 24 to 100 years and an early renewal from 0 to validity - 1", () => {
        assert.deepEqual(resolveCertificates({ keyAlgorithm: "RSA", caValidityHours: 24, validityHours: 24, earlyRenewalHours: 23 }, "c"), {
            keyAlgorithm: "RSA",
            caValidityHours: 24,
            validityHours: 24,
            earlyRenewalHours: 23,
        });
        assert.equal(resolveCertificates({ caValidityHours: MAX_HOURS, validityHours: MAX_HOURS }, "c").validityHours, MAX_HOURS);
        assert.equal(resolveCertificates({ earlyRenewalHours: 0 }, "c").earlyRenewalHours, 0);
    });

    it("rejects each limit crossed by one, naming the field", () => {
        rejects(() => resolveCertificates({ caValidityHours: 23 }, "c"), "c.caValidityHours", /between 24 and 876000, got 23/);
        rejects(() => resolveCertificates({ caValidityHours: MAX_HOURS + 1 }, "c"), "c.caValidityHours", /between 24 and 876000/);
        rejects(() => resolveCertificates({ validityHours: 23 }, "c"), "c.validityHours", /between 24 and 876000, got 23/);
        rejects(() => resolveCertificates({ earlyRenewalHours: -1 }, "c"), "c.earlyRenewalHours", /between 0 and 876000, got -1/);
        rejects(
            () => resolveCertificates({ validityHours: 100, earlyRenewalHours: 100 }, "c"),
            "c.earlyRenewalHours",
            /^invalid InterStepBufferService spec: "c.earlyRenewalHours" \(100\) must be less than validityHours \(100\), or every run would renew the certificates$/,
        );
        rejects(
            () => resolveCertificates({ caValidityHours: 100, validityHours: 101 }, "c"),
            "c.validityHours",
            /^invalid InterStepBufferService spec: "c.validityHours" \(101\) must not exceed caValidityHours \(100\)$/,
        );
        assert.equal(resolveCertificates({ caValidityHours: 100, validityHours: 100 }, "c").validityHours, 100);
        rejects(() => resolveCertificates({ keyAlgorithm: "DSA" }, "c"), "c.keyAlgorithm", /must be "ECDSA" or "RSA", got "DSA"/);
        rejects(() => resolveCertificates({ keyAlgorithm: 5 }, "c"), "c.keyAlgorithm", /must be a string/);
        rejects(
            () => resolveCertificates({ keySize: 1 }, "c"),
            "c.keySize",
            /known fields are: keyAlgorithm, caValidityHours, validityHours, earlyRenewalHours$/,
        );
    });
});

describe("args: disruption budget, anti-affinity, await", () => {
    it("creates a budget from 3 replicas on, with maxUnavailable 1 by default", () => {
        assert.equal(resolveDisruptionBudget(undefined, "pdb", 1), undefined);
        assert.equal(resolveDisruptionBudget(undefined, "pdb", 2), undefined);
        assert.deepEqual(resolveDisruptionBudget(undefined, "pdb", 3), { maxUnavailable: 1 });
        assert.equal(resolveDisruptionBudget({ enabled: false }, "pdb", 5), undefined);
        assert.deepEqual(resolveDisruptionBudget({ enabled: true, maxUnavailable: 2 }, "pdb", 3), { maxUnavailable: 2 });
    });

    it("rejects a budget that protects nothing, and maxUnavailable outside 1..1000", () => {
        rejects(
            () => resolveDisruptionBudget({ maxUnavailable: 3 }, "pdb", 3),
            "pdb.maxUnavailable",
            /^invalid InterStepBufferService spec: "pdb.maxUnavailable" \(3\) must be less than the number of replicas \(3\), or the budget protects nothing$/,
        );
        rejects(() => resolveDisruptionBudget({ maxUnavailable: 0 }, "pdb", 3), "pdb.maxUnavailable", /between 1 and 1000, got 0/);
        rejects(() => resolveDisruptionBudget({ enabled: "yes" }, "pdb", 3), "pdb.enabled", /must be a boolean/);
        rejects(() => resolveDisruptionBudget({ maxUnavailable: 1001 }, "pdb", 3), "pdb.maxUnavailable", /between 1 and 1000, got 1001/);
        assert.deepEqual(resolveDisruptionBudget({ maxUnavailable: 1000 }, "pdb", 1001), { maxUnavailable: 1000 });
        assert.equal(resolveDisruptionBudget({ enabled: false, maxUnavailable: 5 }, "pdb", 3), undefined, "checked only when enabled");
    });

    it("spreads pods softly from 3 replicas on, and accepts only soft, hard and none", () => {
        assert.equal(resolveAntiAffinity(undefined, "a", 2), "none");
        assert.equal(resolveAntiAffinity(undefined, "a", 3), "soft");
        assert.equal(resolveAntiAffinity("soft", "a", 1), "soft");
        assert.equal(resolveAntiAffinity("hard", "a", 1), "hard");
        assert.equal(resolveAntiAffinity("none", "a", 5), "none");
        rejects(() => resolveAntiAffinity("strict", "a", 3), "a", /must be "soft", "hard" or "none", got "strict"/);
    });

    it("waits 20 minutes to create and update by default; each timeout can be set, null keeps the default", () => {
        assert.deepEqual(resolveAwait(undefined, undefined), { skipAwait: false, customTimeouts: { create: "20m", update: "20m" } });
        assert.deepEqual(resolveAwait(true, { create: "1h", update: null, delete: "5m" }), {
            skipAwait: true,
            customTimeouts: { create: "1h", update: "20m", delete: "5m" },
        });
        rejects(() => resolveAwait(undefined, { create: "soon" }), "customTimeouts.create", /must be a duration/);
        rejects(() => resolveAwait(undefined, { read: "1m" }), "customTimeouts.read", /known fields are: create, update, delete$/);
        rejects(() => resolveDisruptionBudget({ min: 1 }, "pdb", 3), "pdb.min", /known fields are: enabled, maxUnavailable$/);
    });
});
