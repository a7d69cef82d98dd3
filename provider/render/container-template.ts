/**
 * Applies a user's container template to a generated container, with the upstream
 * `ApplyToContainer` semantics (reference §2.5) and one fix: probe overrides only patch timing
 * fields of probes the container has, and every probe the component defines can be tuned.
 */
import { ResolvedContainerTemplate, ResolvedProbe } from "../args/workload";
import { Container } from "./k8s-types";

/** Security context of every generated container unless the template replaces it. */
export const DEFAULT_CONTAINER_SECURITY_CONTEXT = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
};

function patchProbe(probe: Record<string, unknown> | undefined, override: ResolvedProbe | undefined): Record<string, unknown> | undefined {
    if (probe === undefined || override === undefined) return probe;
    return { ...probe, ...override };
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
    out.securityContext = tpl.securityContext ?? DEFAULT_CONTAINER_SECURITY_CONTEXT;
    if (tpl.env.length) out.env = [...(container.env ?? []), ...tpl.env];
    if (tpl.envFrom.length) out.envFrom = [...(container.envFrom ?? []), ...tpl.envFrom];
    const readiness = patchProbe(container.readinessProbe, tpl.readinessProbe);
    const liveness = patchProbe(container.livenessProbe, tpl.livenessProbe);
    if (readiness) out.readinessProbe = readiness;
    if (liveness) out.livenessProbe = liveness;
    return out;
}
