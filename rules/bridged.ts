/**
 * Replacement rules of the Terraform-bridged providers we use: @pulumi/random 4.21.2
 * (terraform-provider-random v3.9.0) and @pulumi/tls 5.6.1 (terraform-provider-tls, read at
 * d72d90e1 ≈ v4.2.1; 5.6.1 pins a May 2026 commit that adds write-only `*Wo` inputs, not modelled).
 * Both are plugin-framework providers bridged by pulumi-terraform-bridge `pkg/pf/tfbridge/provider_diff.go`
 * `DiffWithContext`: replace keys are the RequiresReplace paths whose planned value is unknown or
 * differs (`checkRequiresReplace`); DBR only from `ResourceInfo.DeleteBeforeReplace` (set by neither).
 * Pure: no Pulumi imports.
 */
import { PropertyMap, Value, deepEqual, isObject, isUnknown } from "./values";

export interface BridgedDiff {
    changes: "none" | "some";
    replaceKeys: string[];
    changedKeys: string[];
}

interface BridgedRule {
    /** Inputs with RequiresReplace (or a RequiresReplaceIf that holds for every real change). */
    replaceOn: string[];
    /** Tags a certificate with early renewal (`ModifyPlan` → `modifyPlanIfCertificateReadyForRenewal`). */
    renews?: boolean;
}

const RANDOM_STRING = [
    "length",
    "special",
    "upper",
    "lower",
    "number",
    "numeric",
    "minNumeric",
    "minUpper",
    "minLower",
    "minSpecial",
    "keepers",
    "overrideSpecial",
];

/**
 * Upstream `internal/provider/resource_*.go` `Schema` of each resource (attribute plan modifiers).
 * random v3.9.0: `resource_password.go`, `resource_string.go`, `resource_bytes.go`.
 * tls: `resource_private_key.go`, `resource_self_signed_cert.go`, `resource_locally_signed_cert.go`,
 * `resource_cert_request.go`; PEM inputs via `common.go` `requireReplaceIfStateContainsPEMString`.
 * `earlyRenewalHours` has no RequiresReplace: changing it alone is an update.
 */
const RULES: Record<string, BridgedRule> = {
    "random:index/randomPassword:RandomPassword": { replaceOn: RANDOM_STRING },
    "random:index/randomString:RandomString": { replaceOn: RANDOM_STRING },
    "random:index/randomBytes:RandomBytes": { replaceOn: ["keepers", "length"] },
    "tls:index/privateKey:PrivateKey": { replaceOn: ["algorithm", "rsaBits", "ecdsaCurve"] },
    "tls:index/selfSignedCert:SelfSignedCert": {
        replaceOn: [
            "privateKeyPem",
            "validityPeriodHours",
            "allowedUses",
            "dnsNames",
            "ipAddresses",
            "uris",
            "isCaCertificate",
            "maxPathLength",
            "setSubjectKeyId",
            "setAuthorityKeyId",
            "subject",
        ],
        renews: true,
    },
    "tls:index/locallySignedCert:LocallySignedCert": {
        replaceOn: [
            "caCertPem",
            "caPrivateKeyPem",
            "certRequestPem",
            "validityPeriodHours",
            "allowedUses",
            "isCaCertificate",
            "maxPathLength",
            "setSubjectKeyId",
        ],
        renews: true,
    },
    "tls:index/certRequest:CertRequest": { replaceOn: ["privateKeyPem", "dnsNames", "ipAddresses", "uris", "subject"] },
};

export function isBridged(type: string): boolean {
    return type in RULES;
}

/**
 * random `keepers`: `internal/planmodifiers/map/mapplanmodifiers.go` `RequiresReplaceIfValuesNotNull`
 * (adding only null-valued keys does not replace; a removed key does); `override_special`:
 * `RequiresReplaceUnlessEmptyStringToNull`.
 */
function randomChangeReplaces(key: string, old: Value | undefined, news: Value | undefined): boolean {
    if (key === "overrideSpecial") return !(old === "" && (news === null || news === undefined));
    if (key !== "keepers") return true;
    const n = isObject(news) ? news : {};
    if (!isObject(old)) return Object.values(n).some((v) => v !== null);
    const changed = Object.entries(n).some(([k, v]) => !(v === null && !(k in old)) && !deepEqual(v, old[k]));
    return changed || Object.keys(old).some((k) => !(k in n));
}

/**
 * Early renewal. `common_cert.go` `modifyPlanIfCertificateReadyForRenewal`: when
 * now ≥ validity_end_time − early_renewal_hours, `ready_for_renewal` is planned unknown and
 * RequiresReplace → replace key `readyForRenewal`, at every preview/up inside the window.
 */
export function readyForRenewal(oldOutputs: PropertyMap | undefined, newInputs: PropertyMap, now: Date): boolean {
    const end = oldOutputs?.validityEndTime;
    if (typeof end !== "string") return false;
    const early = typeof newInputs.earlyRenewalHours === "number" ? newInputs.earlyRenewalHours : 0;
    return now.getTime() >= Date.parse(end) - early * 3600_000;
}

/**
 * `attribute_plan_modifier_bool/default_value.go` `ReadyForRenewal`: early ≥ validity (or validity 0)
 * plans `ready_for_renewal = true` — the certificate is in its renewal window from birth and is
 * replaced on every up.
 */
export function alwaysRenews(inputs: PropertyMap): boolean {
    const validity = inputs.validityPeriodHours,
        early = inputs.earlyRenewalHours;
    return validity === 0 || (typeof validity === "number" && typeof early === "number" && early >= validity);
}

function changedKeys(oldInputs: PropertyMap, newInputs: PropertyMap): string[] {
    const keys = new Set([...Object.keys(oldInputs), ...Object.keys(newInputs)]);
    return [...keys].filter((k) => !deepEqual(oldInputs[k] ?? null, newInputs[k] ?? null)).sort();
}

/** Diff of a random/tls resource: its old inputs (and outputs, for validity) against new inputs. */
export function diffBridged(
    type: string,
    oldInputs: PropertyMap,
    oldOutputs: PropertyMap | undefined,
    newInputs: PropertyMap,
    now: Date,
): BridgedDiff {
    const rule = RULES[type];
    const changed = changedKeys(oldInputs, newInputs);
    const replaceKeys = changed.filter(
        (k) => rule.replaceOn.includes(k) && (isUnknown(newInputs[k]) || randomChangeReplaces(k, oldInputs[k], newInputs[k])),
    );
    if (rule.renews && readyForRenewal(oldOutputs, newInputs, now)) replaceKeys.push("readyForRenewal");
    const some = changed.length > 0 || replaceKeys.length > 0;
    return { changes: some ? "some" : "none", replaceKeys, changedKeys: changed };
}
