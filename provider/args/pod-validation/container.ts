/**
 * A container template's pass-through fields, modelled on kubernetes/kubernetes
 * pkg/apis/core/validation/validation.go validateContainerCommon and validateContainers: ValidateEnv
 * with validateEnvVarValueFrom (validateObjectFieldSelector, validateContainerResourceFieldSelector,
 * validateContainerResourceDivisor, validateConfigMapKeySelector, validateSecretKeySelector),
 * ValidateEnvFrom (validateConfigMapEnvSource, validateSecretEnvSource), validatePullPolicy,
 * ValidateContainerResourceRequirements (resources.ts), ValidateSecurityContext (security.ts) and
 * validateProbe / validateLivenessProbe / validateReadinessProbe for the timing the template may
 * override (the handler is always the component's own, exactly one per probe).
 *
 * Env values may carry secrets: no message here echoes an env value.
 */
import { at } from "../errors";
import { DEFAULT_CONTAINER_SECURITY_CONTEXT } from "../../render/container-template";
import { ResolvedContainerTemplate } from "../workload";
import { Issues, objectAt, show, stringAt } from "./issues";
import { isConfigMapKey, isQualifiedName, isRelaxedEnvVarName, nameIsDNSSubdomain } from "./names";
import { equalsLiteral, parseQuantity } from "./quantity";
import { validateResources } from "./resources";
import { validateContainerSecurityContext } from "./security";

type Data = Record<string, unknown>;

/** validEnvDownwardAPIFieldPathExpressions (after the v1 field label conversion). */
const ENV_FIELD_PATHS = [
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];
const RESOURCE_FIELD_PATHS = [
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
];
const MEMORY_DIVISORS = ["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"];

/** validateObjectFieldSelector for env (apiVersion defaults to v1; pods only convert v1 field labels). */
function fieldRef(ref: Data, p: string, issues: Issues): void {
    // An empty apiVersion is defaulted to v1 (SetDefaults_ObjectFieldSelector).
    const apiVersion = stringAt(ref, "apiVersion", p, issues) || "v1";
    const given = stringAt(ref, "fieldPath", p, issues) ?? "";
    if (given === "") return issues.add(at(p, "fieldPath"), "is required");
    // pods.ConvertDownwardAPIFieldLabel turns the v1 client's spec.host into spec.nodeName.
    const fieldPath = given === "spec.host" ? "spec.nodeName" : given;
    if (apiVersion !== "v1") return issues.add(at(p, "apiVersion"), `must be v1 for a pod field, got ${show(apiVersion)}`);
    const sub = /^(metadata\.labels|metadata\.annotations)\['(.*)'\]$/.exec(fieldPath);
    if (sub) {
        const key = sub[1] === "metadata.annotations" ? sub[2].toLowerCase() : sub[2];
        for (const m of isQualifiedName(key)) issues.add(at(p, "fieldPath"), `key ${show(sub[2])}: ${m}`);
    } else if (!ENV_FIELD_PATHS.includes(fieldPath)) {
        issues.add(
            at(p, "fieldPath"),
            `must be one of ${ENV_FIELD_PATHS.join(", ")}, metadata.labels['<key>'] or metadata.annotations['<key>'], got ${show(fieldPath)}`,
        );
    }
}

/** validateContainerResourceFieldSelector (volume = false) and validateContainerResourceDivisor. */
function resourceFieldRef(ref: Data, p: string, issues: Issues): void {
    stringAt(ref, "containerName", p, issues);
    const resource = stringAt(ref, "resource", p, issues) ?? "";
    const hugePages = resource.startsWith("requests.hugepages-") || resource.startsWith("limits.hugepages-");
    if (resource === "") issues.add(at(p, "resource"), "is required");
    else if (!RESOURCE_FIELD_PATHS.includes(resource) && !hugePages) {
        issues.add(
            at(p, "resource"),
            `must be one of ${RESOURCE_FIELD_PATHS.join(", ")} or requests./limits.hugepages-<size>, got ${show(resource)}`,
        );
    }
    const raw = ref.divisor;
    if (raw === undefined || raw === null) return;
    const divisor = typeof raw === "string" || typeof raw === "number" ? parseQuantity(raw) : undefined;
    if (divisor === undefined) return issues.add(at(p, "divisor"), `must be a Kubernetes quantity, got ${show(raw)}`);
    if (divisor.digits === 0n) return;
    // validateContainerResourceDivisor checks only the resources it knows.
    const allowed = resource.endsWith(".cpu") ? ["1m", "1"] : RESOURCE_FIELD_PATHS.includes(resource) || hugePages ? MEMORY_DIVISORS : [];
    if (allowed.length > 0 && !allowed.some((d) => equalsLiteral(divisor, d))) {
        issues.add(at(p, "divisor"), `must be one of ${allowed.join(", ")} for ${resource}, got ${show(raw)}`);
    }
}

/** validateConfigMapKeySelector / validateSecretKeySelector. */
function keySelector(ref: Data, p: string, issues: Issues): void {
    const name = stringAt(ref, "name", p, issues) ?? "";
    for (const m of nameIsDNSSubdomain(name)) issues.add(at(p, "name"), `${show(name)} ${m}`);
    const key = stringAt(ref, "key", p, issues) ?? "";
    if (key === "") issues.add(at(p, "key"), "is required");
    else for (const m of isConfigMapKey(key)) issues.add(at(p, "key"), `${show(key)} ${m}`);
}

/** ValidateEnv: relaxed names (names.ts) and validateEnvVarValueFrom. */
function validateEnv(env: ResolvedContainerTemplate["env"], path: string, issues: Issues): void {
    env.forEach((ev, i) => {
        const p = at(path, i);
        for (const m of isRelaxedEnvVarName(ev.name)) issues.add(at(p, "name"), m);
        const vf = ev.valueFrom;
        if (vf === undefined) return;
        const vp = at(p, "valueFrom");
        const sources: string[] = [];
        const f = objectAt(vf, "fieldRef", vp, issues);
        if (f) {
            sources.push("fieldRef");
            fieldRef(f, at(vp, "fieldRef"), issues);
        }
        const r = objectAt(vf, "resourceFieldRef", vp, issues);
        if (r) {
            sources.push("resourceFieldRef");
            resourceFieldRef(r, at(vp, "resourceFieldRef"), issues);
        }
        for (const kind of ["configMapKeyRef", "secretKeyRef"]) {
            const s = objectAt(vf, kind, vp, issues);
            if (s) {
                sources.push(kind);
                keySelector(s, at(vp, kind), issues);
            }
        }
        if (sources.length === 0)
            issues.add(vp, "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
        else if (ev.value !== undefined && ev.value.length > 0) issues.add(vp, "may not be specified when `value` is not empty");
        else if (sources.length > 1) issues.add(vp, `may not have more than one source, got ${sources.join(" and ")}`);
    });
}

/** ValidateEnvFrom. */
function validateEnvFrom(list: Data[], path: string, issues: Issues): void {
    list.forEach((ev, i) => {
        const p = at(path, i);
        const prefix = stringAt(ev, "prefix", p, issues);
        if (prefix) for (const m of isRelaxedEnvVarName(prefix)) issues.add(at(p, "prefix"), m);
        const sources = ["configMapRef", "secretRef"].filter((kind) => {
            const ref = objectAt(ev, kind, p, issues);
            if (ref === undefined) return false;
            const name = stringAt(ref, "name", at(p, kind), issues) ?? "";
            if (name === "") issues.add(at(at(p, kind), "name"), "is required");
            else for (const m of nameIsDNSSubdomain(name, true)) issues.add(at(at(p, kind), "name"), `${show(name)} ${m}`);
            return true;
        });
        if (sources.length === 0) issues.add(p, "must specify one of: `configMapRef` or `secretRef`");
        else if (sources.length > 1) issues.add(p, "may not have more than one field specified at a time");
    });
}

const PROBE_FIELDS = ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "failureThreshold", "successThreshold"] as const;

/**
 * validateProbe's timing checks (ValidateNonnegativeField; 0 is defaulted by the apiserver:
 * timeoutSeconds 1, periodSeconds 10, successThreshold 1, failureThreshold 3) and
 * validateLivenessProbe's successThreshold, which must be 1 (or 0, defaulted to 1).
 */
function validateProbe(probe: Data | undefined, path: string, liveness: boolean, issues: Issues): void {
    if (probe === undefined) return;
    for (const f of PROBE_FIELDS) {
        const v = probe[f];
        if (typeof v === "number" && v < 0) issues.add(at(path, f), `must be greater than or equal to 0, got ${v}`);
    }
    const success = probe.successThreshold;
    if (liveness && typeof success === "number" && success > 1) {
        issues.add(at(path, "successThreshold"), `must be 1 for a liveness probe, got ${success}`);
    }
}

const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];

/** A container template's pass-through fields; `path` is the template's field path. */
export function validateContainerTemplate(tpl: ResolvedContainerTemplate, path: string, issues: Issues): void {
    if (tpl.imagePullPolicy !== undefined && tpl.imagePullPolicy !== "" && !PULL_POLICIES.includes(tpl.imagePullPolicy)) {
        issues.add(at(path, "imagePullPolicy"), `must be one of ${PULL_POLICIES.join(", ")}, got ${show(tpl.imagePullPolicy)}`);
    }
    // Checked as rendered: the template's resources merge over the default cpu and memory requests
    // every container gets (render/default-resources.ts; found by tests/engine/pod-validation.test.ts:
    // the API server accepts hugepages in a template without cpu or memory).
    validateResources(tpl.resources, at(path, "resources"), issues, ["cpu", "memory"]);
    if (tpl.securityContext !== undefined) {
        // Checked as rendered: merged field by field over the component's hardening
        // (render/container-template.ts applyContainerTemplate), reported at the user's fields.
        const merged = { ...DEFAULT_CONTAINER_SECURITY_CONTEXT, ...tpl.securityContext };
        validateContainerSecurityContext(merged, at(path, "securityContext"), issues);
    }
    validateEnv(tpl.env, at(path, "env"), issues);
    validateEnvFrom(tpl.envFrom, at(path, "envFrom"), issues);
    validateProbe(tpl.readinessProbe as Data | undefined, at(path, "readinessProbe"), false, issues);
    validateProbe(tpl.livenessProbe as Data | undefined, at(path, "livenessProbe"), true, issues);
}
