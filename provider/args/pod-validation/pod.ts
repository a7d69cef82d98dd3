/**
 * Pod-level pass-through fields, modelled on kubernetes/kubernetes
 * pkg/apis/core/validation/validation.go ValidatePodTemplateSpec (ValidateLabels,
 * ValidateAnnotations, ValidatePodSpecificAnnotations, ValidatePodSpec) for the fields the
 * component passes through: metadata labels and annotations, nodeSelector (ValidateLabels),
 * tolerations (ValidateTolerations), securityContext (validatePodSpecSecurityContext), affinity
 * (validateAffinity), priorityClassName (ValidatePriorityClassName), runtimeClassName
 * (ValidateRuntimeClassName), serviceAccountName (ValidateServiceAccountName), dnsPolicy
 * (validateDNSPolicy), dnsConfig (validatePodDNSConfig), resourceClaims
 * (validatePodResourceClaims), imagePullSecrets (validateImagePullSecrets).
 *
 * Pod-specific annotations (ValidatePodSpecificAnnotations): the mirror-pod annotation (needs
 * spec.nodeName, never set in a template), the tolerations annotation
 * (ValidateTolerationsInPodAnnotations), pod-deletion-cost (helper GetDeletionCostFromPodAnnotations:
 * a 32-bit integer without '+' or leading zeros), seccomp annotations (ValidateSeccompPodAnnotations
 * / ValidateSeccompProfile) and AppArmor annotations (ValidateAppArmorPodAnnotations: the container
 * must exist, the profile must be runtime/default, unconfined or localhost/<name>).
 */
import { at } from "../errors";
import { ResolvedPodTemplate } from "../workload";
import { asObject, Issues, show, stringAt, stringsAt, arrayAt } from "./issues";
import {
    isDNS1123Label,
    isDNS1123SubdomainWithUnderscore,
    isValidIPForLegacyField,
    keyPath,
    nameIsDNSSubdomain,
    validateAnnotations,
    validateLabels,
} from "./names";
import { validateAffinity, validateTolerations } from "./scheduling";
import { validatePodSecurityContext } from "./security";

type Data = Record<string, unknown>;

const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const MIRROR = "kubernetes.io/config.mirror";
const TOLERATIONS = "scheduler.alpha.kubernetes.io/tolerations";
const DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
const SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_CONTAINER = "container.apparmor.security.beta.kubernetes.io/";

function seccompAnnotation(value: string, path: string, issues: Issues): void {
    if (["runtime/default", "docker/default", "unconfined"].includes(value)) return;
    if (value.startsWith("localhost/")) {
        const rel = value.slice("localhost/".length);
        if (rel.startsWith("/") || rel.split(/[\\/]/).includes(".."))
            issues.add(path, `must name a relative path without '..', got ${show(value)}`);
        return;
    }
    issues.add(path, `must be a valid seccomp profile (runtime/default, unconfined or localhost/<path>), got ${show(value)}`);
}

function podSpecificAnnotations(annotations: Record<string, string>, containers: readonly string[], path: string, issues: Issues): void {
    for (const [k, v] of Object.entries(annotations)) {
        const p = keyPath(path, k);
        if (k === MIRROR) issues.add(p, "marks a mirror (static) pod and needs spec.nodeName; it cannot be set on a workload's pods");
        if (k === TOLERATIONS && v !== "") {
            let parsed: unknown;
            try {
                parsed = JSON.parse(v);
            } catch {
                issues.add(p, "must be a JSON list of tolerations");
                continue;
            }
            if (Array.isArray(parsed)) validateTolerations(parsed, p, issues);
            else if (parsed !== null) issues.add(p, "must be a JSON list of tolerations");
        }
        if (k === DELETION_COST && (!/^(0|-[0-9]+|[1-9][0-9]*)$/.test(v) || Number(v) > 2 ** 31 - 1 || Number(v) < -(2 ** 31))) {
            issues.add(p, `must be a 32-bit integer without '+' or leading zeros, got ${show(v)}`);
        }
        if (k === SECCOMP_POD || k.startsWith(SECCOMP_CONTAINER)) seccompAnnotation(v, p, issues);
        if (k.startsWith(APPARMOR_CONTAINER)) {
            const name = k.slice(APPARMOR_CONTAINER.length);
            if (!containers.includes(name))
                issues.add(p, `names container ${show(name)}, which the pod does not have (its containers: ${containers.join(", ")})`);
            if (v !== "" && v !== "runtime/default" && v !== "unconfined" && !v.startsWith("localhost/")) {
                issues.add(p, `must be runtime/default, unconfined or localhost/<profile>, got ${show(v)}`);
            }
        }
    }
}

/** validatePodDNSConfig, with the dnsPolicy the apiserver defaults to (ClusterFirst) when unset. */
function dnsConfig(cfg: Data | undefined, policy: string, path: string, issues: Issues): void {
    if (policy === "None") {
        if (cfg === undefined) return issues.add(path, 'is required when "dnsPolicy" is None');
        const ns = cfg.nameservers;
        if (!Array.isArray(ns) || ns.length === 0)
            return issues.add(at(path, "nameservers"), 'must hold at least one DNS server when "dnsPolicy" is None');
    }
    if (cfg === undefined) return;
    const nameservers = stringsAt(cfg, "nameservers", path, issues) ?? [];
    if (nameservers.length > 3) issues.add(at(path, "nameservers"), `must not have more than 3 nameservers, got ${nameservers.length}`);
    nameservers.forEach((s, i) => {
        for (const m of isValidIPForLegacyField(s)) issues.add(at(at(path, "nameservers"), i), `${show(s)} ${m}`);
    });
    const searches = stringsAt(cfg, "searches", path, issues) ?? [];
    if (searches.length > 32) issues.add(at(path, "searches"), `must not have more than 32 search paths, got ${searches.length}`);
    if (searches.join(" ").length > 2048)
        issues.add(at(path, "searches"), "must not have more than 2048 characters (including spaces) in the search list");
    // AllowRelaxedDNSSearchValidation (RelaxedDNSSearchValidation, on by default in 1.34): "." alone,
    // underscores; the strict subdomain rule of older servers is a subset.
    searches.forEach((s, i) => {
        if (s === ".") return;
        for (const m of isDNS1123SubdomainWithUnderscore(s.replace(/\.$/, ""))) issues.add(at(at(path, "searches"), i), `${show(s)} ${m}`);
    });
    (arrayAt(cfg, "options", path, issues) ?? []).forEach((o, i) => {
        const p = at(at(path, "options"), i);
        const opt = asObject(o, p, issues);
        if (opt === undefined) return;
        const name = stringAt(opt, "name", p, issues) ?? "";
        stringAt(opt, "value", p, issues);
        if (name === "") issues.add(at(p, "name"), "is required");
    });
}

/** validatePodResourceClaims. */
function resourceClaims(list: Data[], path: string, issues: Issues): void {
    const names = new Set<string>();
    list.forEach((c, i) => {
        const p = at(path, i);
        const name = stringAt(c, "name", p, issues) ?? "";
        if (name === "") issues.add(at(p, "name"), "is required");
        else if (names.has(name)) issues.add(at(p, "name"), `names ${show(name)} a second time`);
        else {
            for (const m of isDNS1123Label(name)) issues.add(at(p, "name"), `${show(name)} ${m}`);
            names.add(name);
        }
        const claim = stringAt(c, "resourceClaimName", p, issues);
        const template = stringAt(c, "resourceClaimTemplateName", p, issues);
        if (claim !== undefined && template !== undefined)
            issues.add(p, "may set at most one of `resourceClaimName` or `resourceClaimTemplateName`");
        if (claim === undefined && template === undefined)
            issues.add(p, "must set one of `resourceClaimName` or `resourceClaimTemplateName`");
        if (claim !== undefined) for (const m of nameIsDNSSubdomain(claim)) issues.add(at(p, "resourceClaimName"), `${show(claim)} ${m}`);
        if (template !== undefined)
            for (const m of nameIsDNSSubdomain(template)) issues.add(at(p, "resourceClaimTemplateName"), `${show(template)} ${m}`);
    });
}

function subdomainName(value: string | undefined, path: string, issues: Issues, required = false): void {
    if (value === undefined || (value === "" && !required)) return;
    for (const m of nameIsDNSSubdomain(value)) issues.add(path, `${show(value)} ${m}`);
}

/**
 * The pod template fields of a flavour (`path`: `jetstream` or `redis.native`); `containers`: the
 * names of the pod's containers (for AppArmor annotations).
 */
export function validatePodTemplate(tpl: ResolvedPodTemplate, containers: readonly string[], path: string, issues: Issues): void {
    const meta = at(path, "metadata");
    validateLabels(tpl.labels, at(meta, "labels"), issues);
    validateAnnotations(tpl.annotations, at(meta, "annotations"), issues);
    podSpecificAnnotations(tpl.annotations, containers, at(meta, "annotations"), issues);
    if (tpl.nodeSelector) validateLabels(tpl.nodeSelector, at(path, "nodeSelector"), issues);
    if (tpl.tolerations) validateTolerations(tpl.tolerations, at(path, "tolerations"), issues);
    if (tpl.securityContext) validatePodSecurityContext(tpl.securityContext, at(path, "securityContext"), issues);
    if (tpl.affinity) validateAffinity(tpl.affinity, at(path, "affinity"), issues);
    // The apiserver does not check these names' format (validateImagePullSecrets only refuses other
    // fields); a name no Secret can have is refused here all the same, as it was before.
    // validateImagePullSecrets checks only that nothing but `name` is set, not the name itself (kubernetes
    // 1.34.4; found by tests/engine/pod-validation.test.ts: "reg_cred" is accepted).
    subdomainName(tpl.priorityClassName, at(path, "priorityClassName"), issues);
    subdomainName(tpl.serviceAccountName, at(path, "serviceAccountName"), issues);
    subdomainName(tpl.runtimeClassName, at(path, "runtimeClassName"), issues, true);
    // An unset or empty dnsPolicy is defaulted to ClusterFirst before validation.
    const policy = tpl.dnsPolicy || "ClusterFirst";
    if (!DNS_POLICIES.includes(policy)) issues.add(at(path, "dnsPolicy"), `must be one of ${DNS_POLICIES.join(", ")}, got ${show(policy)}`);
    dnsConfig(tpl.dnsConfig, policy, at(path, "dnsConfig"), issues);
    if (tpl.resourceClaims) resourceClaims(tpl.resourceClaims, at(path, "resourceClaims"), issues);
}
