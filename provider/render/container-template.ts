/**
 * Applies a user's container template to a generated container, with the upstream
 * `ApplyToContainer` semantics (reference §2.5) and one fix: probe overrides only patch timing
 * fields of probes the container has, and every probe the component defines can be tuned.
 */
import { ResolvedContainerTemplate, ResolvedProbe } from "../args/workload";
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

export function applyContainerTemplate(container: Container, tpl: ResolvedContainerTemplate): Container {
    const out: Container = { ...container };
    if (tpl.resources) {
        const base = container.resources ?? {};
        out.resources = {
            ...((base.limits || tpl.resources.limits) && { limits: { ...base.limits, ...tpl.resources.limits } }),
            ...((base.requests || tpl.resources.requests) && { requests: { ...base.requests, ...tpl.resources.requests } }),
        };
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
