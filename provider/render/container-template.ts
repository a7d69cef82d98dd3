/**
 * Applies a user's container template to a generated container, with the upstream
 * `ApplyToContainer` semantics (reference §2.5) and one fix: probe overrides only patch timing
 * fields of probes the container has, and every probe the component defines can be tuned.
 */
import { ResolvedContainerTemplate, ResolvedProbe } from "../args/workload";
import { compare, parseQuantity } from "../args/pod-validation/quantity";
import { Container } from "./k8s-types";
import { DEFAULT_CONTAINER_SECURITY_CONTEXT, mergeSecurityContext } from "./security-context";

export { DEFAULT_CONTAINER_SECURITY_CONTEXT };

function patchProbe(probe: Record<string, unknown> | undefined, override: ResolvedProbe | undefined): Record<string, unknown> | undefined {
    if (probe === undefined || override === undefined) return probe;
    return { ...probe, ...override };
}

/**
 * Our env with the template's entries merged by name: an entry naming one of ours replaces it in
 * place (validation only lets tuning defaults such as GOMEMLIMIT through), the others are appended.
 * Every name stays unique: `env` is a list keyed by name (rules/ssa-list-maps.ts).
 */
function mergeEnv(ours: Record<string, unknown>[], theirs: ResolvedContainerTemplate["env"]): Record<string, unknown>[] {
    const byName = new Map(theirs.map((e) => [e.name, e]));
    const merged = ours.map((e) => byName.get(e.name as string) ?? e);
    const ourNames = new Set(ours.map((e) => e.name));
    return [...merged, ...theirs.filter((e) => !ourNames.has(e.name))];
}

/**
 * Our default requests with the template's requests over them, then capped by the template's limits:
 * a limit the user sets below one of our default requests (and no request of that name) lowers the
 * request to the limit. The API server refuses a request above its limit (k8s
 * pkg/apis/core/validation/validation.go `ValidateResourceRequirements`: "must be less than or
 * equal to ... limit"; found by tests/engine/pod-validation.test.ts), and a limit without a request
 * is what Kubernetes itself turns into a request of the same value (pkg/apis/core/v1/defaults.go
 * `SetDefaults_Pod`), so the user gets what they would get without our defaults.
 */
function mergeRequests(
    ours: Record<string, string> | undefined,
    theirs: Record<string, string> | undefined,
    limits: Record<string, string> | undefined,
): Record<string, string> | undefined {
    if (!ours && !theirs) return undefined;
    const out: Record<string, string> = { ...ours, ...theirs };
    for (const [name, limit] of Object.entries(limits ?? {})) {
        if (theirs && Object.prototype.hasOwnProperty.call(theirs, name)) continue;
        if (!Object.prototype.hasOwnProperty.call(out, name)) continue;
        const l = parseQuantity(limit);
        const r = parseQuantity(out[name]);
        if (l && r && compare(r, l) > 0) out[name] = limit;
    }
    return out;
}

export function applyContainerTemplate(container: Container, tpl: ResolvedContainerTemplate): Container {
    const out: Container = { ...container };
    if (tpl.resources) {
        const base = container.resources ?? {};
        const limits = (base.limits || tpl.resources.limits) && { ...base.limits, ...tpl.resources.limits };
        const requests = mergeRequests(base.requests, tpl.resources.requests, limits);
        out.resources = { ...(limits && { limits }), ...(requests && { requests }) };
    }
    if (tpl.imagePullPolicy) out.imagePullPolicy = tpl.imagePullPolicy;
    // Field by field over ours (security-context.ts): a template that sets one field keeps our other hardening.
    out.securityContext = mergeSecurityContext(
        { ...DEFAULT_CONTAINER_SECURITY_CONTEXT, ...container.securityContext },
        tpl.securityContext,
    );
    if (tpl.env.length) out.env = mergeEnv(container.env ?? [], tpl.env);
    if (tpl.envFrom.length) out.envFrom = [...(container.envFrom ?? []), ...tpl.envFrom];
    const readiness = patchProbe(container.readinessProbe, tpl.readinessProbe);
    const liveness = patchProbe(container.livenessProbe, tpl.livenessProbe);
    if (readiness) out.readinessProbe = readiness;
    if (liveness) out.livenessProbe = liveness;
    return out;
}
