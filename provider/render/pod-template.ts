/**
 * Pod-level rendering shared by the flavours: the user's pod template fields, and the default
 * anti-affinity that spreads pods over nodes.
 */
import { AntiAffinity } from "../args/options";
import { ResolvedPodTemplate } from "../args/workload";
import { PodSpec } from "./k8s-types";

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

/** Copies the pod template fields that are set onto a pod spec (they pass straight through). */
export function applyPodTemplate(spec: PodSpec, tpl: ResolvedPodTemplate, affinity: Record<string, unknown> | undefined): PodSpec {
    const fields: Array<keyof ResolvedPodTemplate> = [
        "nodeSelector",
        "tolerations",
        "securityContext",
        "imagePullSecrets",
        "priorityClassName",
        "priority",
        "serviceAccountName",
        "runtimeClassName",
        "dnsPolicy",
        "dnsConfig",
        "resourceClaims",
    ];
    const out: PodSpec = { ...spec, automountServiceAccountToken: tpl.automountServiceAccountToken };
    for (const f of fields) {
        if (tpl[f] !== undefined) out[f] = tpl[f];
    }
    if (affinity) out.affinity = affinity;
    return out;
}

/** Pod labels: the user's, with the component's selector labels on top. */
export function podLabels(tpl: ResolvedPodTemplate, selector: Record<string, string>): Record<string, string> {
    return { ...tpl.labels, ...selector };
}
