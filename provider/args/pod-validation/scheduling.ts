/**
 * Scheduling fields, modelled on kubernetes/kubernetes pkg/apis/core/validation/validation.go:
 * ValidateTolerations, validateTaintEffect, validateAffinity, validateNodeAffinity,
 * ValidateNodeSelector, ValidateNodeSelectorTerm, ValidateNodeSelectorRequirement,
 * ValidateNodeFieldSelectorRequirement, ValidatePreferredSchedulingTerms, validatePodAffinity,
 * validatePodAntiAffinity, validatePodAffinityTerm(s), validateWeightedPodAffinityTerms,
 * ValidatePodAffinityTermSelector, validateMatchLabelKeysAndMismatchLabelKeys, validateLabelKeys;
 * and kubernetes/apimachinery pkg/apis/meta/v1/validation/validation.go ValidateLabelSelector,
 * ValidateLabelSelectorRequirement.
 */
import { at } from "../errors";
import { arrayAt, asObject, integerAt, Issues, objectAt, show, stringAt, stringMapAt, stringsAt } from "./issues";
import { isDNS1123Label, isLabelValue, nameIsDNSSubdomain, validateLabelName, validateLabels } from "./names";

type Data = Record<string, unknown>;

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** ValidateTolerations. Problems with the value are reported at `.value` (upstream names `.operator`). */
export function validateTolerations(list: unknown[], path: string, issues: Issues): void {
    list.forEach((item, i) => {
        const p = at(path, i);
        const t = asObject(item, p, issues);
        if (t === undefined) return;
        const key = stringAt(t, "key", p, issues) ?? "";
        const operator = stringAt(t, "operator", p, issues) ?? "";
        const value = stringAt(t, "value", p, issues) ?? "";
        const effect = stringAt(t, "effect", p, issues) ?? "";
        const seconds = integerAt(t, "tolerationSeconds", p, issues, -(2 ** 63), 2 ** 63);
        if (key.length > 0) validateLabelName(key, at(p, "key"), issues);
        if (key.length === 0 && operator !== "Exists") {
            issues.add(at(p, "operator"), 'must be Exists when "key" is empty (an empty key with Exists matches every taint)');
        }
        if (seconds !== undefined && effect !== "NoExecute") {
            issues.add(at(p, "effect"), 'must be NoExecute when "tolerationSeconds" is set');
        }
        if (operator === "Equal" || operator === "") {
            for (const m of isLabelValue(value)) issues.add(at(p, "value"), `${show(value)} ${m}`);
        } else if (operator === "Exists") {
            if (value.length > 0) issues.add(at(p, "value"), `must be empty when "operator" is Exists, got ${show(value)}`);
        } else {
            issues.add(at(p, "operator"), `must be Equal or Exists, got ${show(operator)}`);
        }
        if (effect.length > 0 && !TAINT_EFFECTS.includes(effect)) {
            issues.add(at(p, "effect"), `must be one of ${TAINT_EFFECTS.join(", ")} (or empty for all effects), got ${show(effect)}`);
        }
    });
}

/** meta/v1 ValidateLabelSelector (AllowInvalidLabelValueInSelector false, unknown operators refused). */
export function validateLabelSelector(sel: Data, path: string, issues: Issues): void {
    const matchLabels = stringMapAt(sel, "matchLabels", path, issues);
    if (matchLabels) validateLabels(matchLabels, at(path, "matchLabels"), issues);
    (arrayAt(sel, "matchExpressions", path, issues) ?? []).forEach((item, i) => {
        const p = at(at(path, "matchExpressions"), i);
        const r = asObject(item, p, issues);
        if (r === undefined) return;
        const operator = stringAt(r, "operator", p, issues) ?? "";
        const values = stringsAt(r, "values", p, issues) ?? [];
        if (operator === "In" || operator === "NotIn") {
            if (values.length === 0) issues.add(at(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'");
        } else if (operator === "Exists" || operator === "DoesNotExist") {
            if (values.length > 0) issues.add(at(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
        } else {
            issues.add(at(p, "operator"), `must be In, NotIn, Exists or DoesNotExist, got ${show(operator)}`);
        }
        validateLabelName(stringAt(r, "key", p, issues) ?? "", at(p, "key"), issues);
        values.forEach((v, j) => {
            for (const m of isLabelValue(v)) issues.add(at(at(p, "values"), j), `${show(v)} ${m}`);
        });
    });
}

/** ValidateNodeSelectorRequirement; `checkValues` false for preferred terms (invalid values allowed there). */
function validateNodeSelectorRequirement(r: Data, p: string, checkValues: boolean, issues: Issues): void {
    const operator = stringAt(r, "operator", p, issues) ?? "";
    const values = stringsAt(r, "values", p, issues) ?? [];
    switch (operator) {
        case "In":
        case "NotIn":
            if (values.length === 0) issues.add(at(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'");
            break;
        case "Exists":
        case "DoesNotExist":
            if (values.length > 0) issues.add(at(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
            break;
        case "Gt":
        case "Lt":
            if (values.length !== 1) issues.add(at(p, "values"), "must be a single value when `operator` is 'Lt' or 'Gt'");
            break;
        default:
            issues.add(at(p, "operator"), `must be In, NotIn, Exists, DoesNotExist, Gt or Lt, got ${show(operator)}`);
    }
    validateLabelName(stringAt(r, "key", p, issues) ?? "", at(p, "key"), issues);
    if (checkValues) {
        values.forEach((v, j) => {
            for (const m of isLabelValue(v)) issues.add(at(at(p, "values"), j), `${show(v)} ${m}`);
        });
    }
}

/** ValidateNodeFieldSelectorRequirement: only metadata.name, In or NotIn with exactly one node name. */
function validateNodeFieldSelectorRequirement(r: Data, p: string, issues: Issues): void {
    const operator = stringAt(r, "operator", p, issues) ?? "";
    const values = stringsAt(r, "values", p, issues) ?? [];
    if (operator === "In" || operator === "NotIn") {
        if (values.length !== 1)
            issues.add(at(p, "values"), "must be exactly one value when `operator` is 'In' or 'NotIn' for a node field selector");
    } else {
        issues.add(at(p, "operator"), `must be In or NotIn for a node field selector, got ${show(operator)}`);
    }
    const key = stringAt(r, "key", p, issues) ?? "";
    if (key !== "metadata.name") {
        issues.add(at(p, "key"), `must be metadata.name (the only node field selector key), got ${show(key)}`);
    } else {
        values.forEach((v, j) => {
            for (const m of nameIsDNSSubdomain(v)) issues.add(at(at(p, "values"), j), `node name ${show(v)} ${m}`);
        });
    }
}

function validateNodeSelectorTerm(term: Data, p: string, checkValues: boolean, issues: Issues): void {
    (arrayAt(term, "matchExpressions", p, issues) ?? []).forEach((item, j) => {
        const rp = at(at(p, "matchExpressions"), j);
        const r = asObject(item, rp, issues);
        if (r) validateNodeSelectorRequirement(r, rp, checkValues, issues);
    });
    (arrayAt(term, "matchFields", p, issues) ?? []).forEach((item, j) => {
        const rp = at(at(p, "matchFields"), j);
        const r = asObject(item, rp, issues);
        if (r) validateNodeFieldSelectorRequirement(r, rp, issues);
    });
}

function validateWeight(obj: Data, p: string, issues: Issues): void {
    const w = obj.weight;
    if (typeof w !== "number" || !Number.isInteger(w) || w <= 0 || w > 100) {
        issues.add(at(p, "weight"), `must be in the range 1-100, got ${show(w)}`);
    }
}

function validateNodeAffinity(na: Data, path: string, issues: Issues): void {
    const required = objectAt(na, "requiredDuringSchedulingIgnoredDuringExecution", path, issues);
    if (required) {
        const rp = at(path, "requiredDuringSchedulingIgnoredDuringExecution");
        const terms = arrayAt(required, "nodeSelectorTerms", rp, issues) ?? [];
        if (terms.length === 0) issues.add(at(rp, "nodeSelectorTerms"), "must have at least one node selector term");
        terms.forEach((item, i) => {
            const tp = at(at(rp, "nodeSelectorTerms"), i);
            const t = asObject(item, tp, issues);
            if (t) validateNodeSelectorTerm(t, tp, true, issues);
        });
    }
    (arrayAt(na, "preferredDuringSchedulingIgnoredDuringExecution", path, issues) ?? []).forEach((item, i) => {
        const tp = at(at(path, "preferredDuringSchedulingIgnoredDuringExecution"), i);
        const t = asObject(item, tp, issues);
        if (t === undefined) return;
        validateWeight(t, tp, issues);
        const pref = objectAt(t, "preference", tp, issues);
        if (pref) validateNodeSelectorTerm(pref, at(tp, "preference"), false, issues);
    });
}

/** validatePodAffinityTerm with ValidatePodAffinityTermSelector and the match/mismatch label key rules. */
function validatePodAffinityTerm(term: Data, p: string, issues: Issues): void {
    const labelSelector = objectAt(term, "labelSelector", p, issues);
    if (labelSelector) validateLabelSelector(labelSelector, at(p, "labelSelector"), issues);
    const namespaceSelector = objectAt(term, "namespaceSelector", p, issues);
    if (namespaceSelector) validateLabelSelector(namespaceSelector, at(p, "namespaceSelector"), issues);
    (stringsAt(term, "namespaces", p, issues) ?? []).forEach((ns, i) => {
        for (const m of isDNS1123Label(ns)) issues.add(at(at(p, "namespaces"), i), `namespace ${show(ns)} ${m}`);
    });
    const matchLabelKeys = stringsAt(term, "matchLabelKeys", p, issues) ?? [];
    const mismatchLabelKeys = stringsAt(term, "mismatchLabelKeys", p, issues) ?? [];
    for (const [name, keys] of [
        ["matchLabelKeys", matchLabelKeys],
        ["mismatchLabelKeys", mismatchLabelKeys],
    ] as const) {
        if (keys.length === 0) continue;
        if (labelSelector === undefined) issues.add(at(p, name), "must not be specified when labelSelector is not set");
        else keys.forEach((k, i) => validateLabelName(k, at(at(p, name), i), issues));
    }
    if (labelSelector) {
        const selectorKeys = new Set(Object.keys((labelSelector.matchLabels as Data | undefined) ?? {}));
        const exprs = Array.isArray(labelSelector.matchExpressions) ? labelSelector.matchExpressions : [];
        for (const e of exprs) {
            const key = e && typeof e === "object" ? (e as Data).key : undefined;
            if (typeof key !== "string") continue;
            const i = matchLabelKeys.indexOf(key);
            if (i >= 0 && selectorKeys.has(key))
                issues.add(at(at(p, "matchLabelKeys"), i), `${show(key)} exists in both matchLabelKeys and labelSelector`);
            selectorKeys.add(key);
        }
    }
    matchLabelKeys.forEach((k, i) => {
        if (mismatchLabelKeys.includes(k))
            issues.add(at(at(p, "matchLabelKeys"), i), `${show(k)} exists in both matchLabelKeys and mismatchLabelKeys`);
    });
    const topologyKey = stringAt(term, "topologyKey", p, issues) ?? "";
    if (topologyKey.length === 0) issues.add(at(p, "topologyKey"), "is required (e.g. kubernetes.io/hostname)");
    else validateLabelName(topologyKey, at(p, "topologyKey"), issues);
}

function validatePodAffinity(pa: Data, path: string, issues: Issues): void {
    (arrayAt(pa, "requiredDuringSchedulingIgnoredDuringExecution", path, issues) ?? []).forEach((item, i) => {
        const p = at(at(path, "requiredDuringSchedulingIgnoredDuringExecution"), i);
        const t = asObject(item, p, issues);
        if (t) validatePodAffinityTerm(t, p, issues);
    });
    (arrayAt(pa, "preferredDuringSchedulingIgnoredDuringExecution", path, issues) ?? []).forEach((item, i) => {
        const p = at(at(path, "preferredDuringSchedulingIgnoredDuringExecution"), i);
        const t = asObject(item, p, issues);
        if (t === undefined) return;
        validateWeight(t, p, issues);
        const term = objectAt(t, "podAffinityTerm", p, issues);
        if (term) validatePodAffinityTerm(term, at(p, "podAffinityTerm"), issues);
        else issues.add(at(p, "podAffinityTerm"), "is required (with its topologyKey)");
    });
}

/** validateAffinity. */
export function validateAffinity(affinity: Data, path: string, issues: Issues): void {
    const na = objectAt(affinity, "nodeAffinity", path, issues);
    if (na) validateNodeAffinity(na, at(path, "nodeAffinity"), issues);
    const pa = objectAt(affinity, "podAffinity", path, issues);
    if (pa) validatePodAffinity(pa, at(path, "podAffinity"), issues);
    const paa = objectAt(affinity, "podAntiAffinity", path, issues);
    if (paa) validatePodAffinity(paa, at(path, "podAntiAffinity"), issues);
}
