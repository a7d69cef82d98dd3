/**
 * Pod-level rendering shared by the flavours: the user's pod template fields, and the default
 * anti-affinity that spreads pods over nodes.
 */
import { AntiAffinity } from "../args/options";
import { POD_TEMPLATE_FIELDS, ResolvedPodTemplate } from "../args/workload";
import { PodSpec } from "./k8s-types";
import { mergeSecurityContext } from "./security-context";

/** Pod affinity: the user's, else the default anti-affinity for `selector`, else none. */
export function renderAffinity(
    tpl: ResolvedPodTemplate,
    mode: AntiAffinity,
    selector: Record<string, string>,
): Record<string, unknown> | undefined {
    if (tpl.affinity) return tpl.affinity;
    const term = { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } };
    if (mode === "soft") {
        return { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
    }
    if (mode === "hard") {
        return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
    }
    return undefined;
}

/** Fields with rules of their own: metadata goes to the template, affinity and the security context are merged. */
const NOT_PASSED_THROUGH: readonly string[] = ["metadata", "affinity", "securityContext"];

/** Pod template fields that pass straight through to the pod spec when set. */
const PASS_THROUGH = POD_TEMPLATE_FIELDS.filter((f) => !NOT_PASSED_THROUGH.includes(f)) as Array<keyof ResolvedPodTemplate>;

/**
 * Copies the pod template fields that are set onto a pod spec; the user's security context is
 * merged field by field over ours (setting one field keeps our other defaults, `null` removes one:
 * security-context.ts).
 */
export function applyPodTemplate(spec: PodSpec, tpl: ResolvedPodTemplate, affinity: Record<string, unknown> | undefined): PodSpec {
    const out: PodSpec = { ...spec };
    for (const f of PASS_THROUGH) {
        if (tpl[f] !== undefined) out[f] = tpl[f];
    }
    if (spec.securityContext !== undefined || tpl.securityContext !== undefined) {
        out.securityContext = mergeSecurityContext((spec.securityContext ?? {}) as Record<string, unknown>, tpl.securityContext);
    }
    if (affinity) out.affinity = affinity;
    return out;
}

/** Pod labels: the user's, with the component's selector labels on top. */
export function podLabels(tpl: ResolvedPodTemplate, selector: Record<string, string>): Record<string, string> {
    return { ...tpl.labels, ...selector };
}
