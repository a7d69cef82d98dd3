/**
 * random and tls replacement rules (rules/bridged.ts) against the upstream schemas and plan
 * modifiers: terraform-provider-random v3.9.0 `internal/provider/resource_password.go`,
 * `internal/planmodifiers/map/mapplanmodifiers.go`; terraform-provider-tls (d72d90e1)
 * `internal/provider/resource_self_signed_cert.go`, `resource_locally_signed_cert.go`,
 * `common_cert.go` `modifyPlanIfCertificateReadyForRenewal`, `attribute_plan_modifier_bool/default_value.go`,
 * and their tests (`resource_locally_signed_cert_test.go` `TestResourceLocallySignedCert_DetectExpiringAndExpired`,
 * `_ReadyForRenewal_EarlyRenewalGreaterThanValidityPeriod`, `_EarlyRenewalEqualsValidityPeriod`).
 */
import * as assert from "assert";
import { alwaysRenews, diffBridged, readyForRenewal } from "../../rules/bridged";
import { PropertyMap, UNKNOWN } from "../../rules/values";

const PW = "random:index/randomPassword:RandomPassword";
const CERT = "tls:index/locallySignedCert:LocallySignedCert";
const now = new Date("2026-12-02T00:00:00Z");
const pw = (extra: PropertyMap = {}): PropertyMap => ({ length: 32, special: false, ...extra });
const cert = (extra: PropertyMap = {}): PropertyMap => ({
    caCertPem: "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n",
    certRequestPem: "csr",
    caPrivateKeyPem: "key",
    validityPeriodHours: 8760,
    earlyRenewalHours: 720,
    allowedUses: ["server_auth"],
    ...extra,
});
const validUntil = (iso: string): PropertyMap => ({ validityEndTime: iso });

describe("rules: random (terraform-provider-random v3.9.0)", () => {
    it("replaces on length and on any other string option", () => {
        assert.deepStrictEqual(diffBridged(PW, pw(), undefined, pw({ length: 40 }), now).replaceKeys, ["length"]);
        assert.deepStrictEqual(diffBridged(PW, pw(), undefined, pw({ special: true }), now).replaceKeys, ["special"]);
    });
    it("replaces on an unknown input (planned value unknown: checkRequiresReplace)", () => {
        assert.deepStrictEqual(diffBridged(PW, pw({ keepers: { v: "1" } }), undefined, pw({ keepers: UNKNOWN }), now).replaceKeys, [
            "keepers",
        ]);
    });
    it("keepers: a changed or removed key replaces, an added null-valued key does not (RequiresReplaceIfValuesNotNull)", () => {
        const old = pw({ keepers: { v: "1" } });
        assert.deepStrictEqual(diffBridged(PW, old, undefined, pw({ keepers: { v: "2" } }), now).replaceKeys, ["keepers"]);
        assert.deepStrictEqual(diffBridged(PW, old, undefined, pw({ keepers: {} }), now).replaceKeys, ["keepers"]);
        const d = diffBridged(PW, old, undefined, pw({ keepers: { v: "1", w: null } }), now);
        assert.deepStrictEqual([d.changes, d.replaceKeys], ["some", []]);
    });
    it('overrideSpecial "" → null does not replace (RequiresReplaceUnlessEmptyStringToNull)', () => {
        assert.deepStrictEqual(diffBridged(PW, pw({ overrideSpecial: "" }), undefined, pw({ overrideSpecial: null }), now).replaceKeys, []);
        assert.deepStrictEqual(diffBridged(PW, pw({ overrideSpecial: "" }), undefined, pw({ overrideSpecial: "!" }), now).replaceKeys, [
            "overrideSpecial",
        ]);
    });
    it("no change: none", () => {
        assert.strictEqual(diffBridged(PW, pw(), undefined, pw(), now).changes, "none");
    });
});

describe("rules: tls (terraform-provider-tls)", () => {
    it("earlyRenewalHours alone is an in-place update (no RequiresReplace)", () => {
        const d = diffBridged(CERT, cert(), validUntil("2027-12-01T00:00:00Z"), cert({ earlyRenewalHours: 100 }), now);
        assert.deepStrictEqual([d.changes, d.replaceKeys], ["some", []]);
    });
    it("validityPeriodHours and PEM inputs replace", () => {
        const d = diffBridged(
            CERT,
            cert(),
            validUntil("2027-12-01T00:00:00Z"),
            cert({ validityPeriodHours: 100, certRequestPem: UNKNOWN }),
            now,
        );
        assert.deepStrictEqual(d.replaceKeys.sort(), ["certRequestPem", "validityPeriodHours"]);
    });
    it("inside the early-renewal window the certificate is replaced (readyForRenewal) with unchanged inputs", () => {
        assert.strictEqual(readyForRenewal(validUntil("2026-12-20T00:00:00Z"), cert(), now), true); // 18 days < 720 h
        const d = diffBridged(CERT, cert(), validUntil("2026-12-20T00:00:00Z"), cert(), now);
        assert.deepStrictEqual([d.changes, d.replaceKeys], ["some", ["readyForRenewal"]]);
    });
    it("outside the window nothing happens", () => {
        assert.strictEqual(diffBridged(CERT, cert(), validUntil("2027-06-01T00:00:00Z"), cert(), now).changes, "none");
    });
    it("earlyRenewalHours ≥ validityPeriodHours renews always (ReadyForRenewal plan modifier)", () => {
        assert.strictEqual(alwaysRenews(cert({ earlyRenewalHours: 8760 })), true);
        assert.strictEqual(alwaysRenews(cert()), false);
    });
});
