/**
 * Default pod topology spread (issue 13, item 3): spread the pods of one ISB service over nodes and
 * zones. Rendered into the pod spec before the user's pod template is applied, so a
 * `topologySpreadConstraints` the user sets (even `[]`) replaces it (render/pod-template.ts passes
 * the field through).
 *
 * Choices, with their sources:
 * - Both constraints are `ScheduleAnyway` (a scheduling preference). For zones, so single-zone and
 *   unlabelled clusters still schedule. For nodes, to match the default *soft* pod anti-affinity
 *   (render/pod-template.ts `renderAffinity`): a `DoNotSchedule` node constraint would count nodes
 *   the pods cannot use as empty domains — `nodeTaintsPolicy` defaults to `Ignore` (Kubernetes
 *   `pkg/apis/core/types.go` `TopologySpreadConstraint.NodeTaintsPolicy`), so a tainted control-plane
 *   node keeps the minimum at 0 — and refuse to place a third pod on two usable nodes. A hard
 *   one-pod-per-node rule is `antiAffinity: "hard"` (required anti-affinity), which has no such
 *   domain counting.
 * - `antiAffinity: "none"` drops the node constraint (the user asked for no spreading over nodes);
 *   the zone preference stays.
 * - No `minDomains`: Kubernetes accepts it only with `DoNotSchedule` (`pkg/apis/core/validation/
 *   validation.go` `validateMinDomains`: "can only use minDomains if whenUnsatisfiable=DoNotSchedule").
 * - No `matchLabelKeys`: not needed (the label selector already names one ISB service) and, with
 *   `controller-revision-hash`, a rolling update would compute the spread only among pods of the new
 *   revision; it is also beta only from Kubernetes 1.27, older API servers drop it.
 * - Only fields of `core/v1` `TopologySpreadConstraint` that exist since Kubernetes 1.19 (GA):
 *   `maxSkew`, `topologyKey`, `whenUnsatisfiable`, `labelSelector`.
 */
import { AntiAffinity } from "../args/options";

export const HOSTNAME_TOPOLOGY_KEY = "kubernetes.io/hostname";
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";

/** The default constraints over the pods selected by `selector`; undefined with a single pod. */
export function defaultTopologySpread(
    selector: Record<string, string>,
    replicas: number,
    antiAffinity: AntiAffinity,
): Record<string, unknown>[] | undefined {
    if (replicas < 2) return undefined;
    const constraint = (topologyKey: string) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { ...selector } },
    });
    return [...(antiAffinity === "none" ? [] : [constraint(HOSTNAME_TOPOLOGY_KEY)]), constraint(ZONE_TOPOLOGY_KEY)];
}

/** `{ topologySpreadConstraints }` when there are defaults, to spread into a pod spec. */
export function withTopologySpread(c: Record<string, unknown>[] | undefined): { topologySpreadConstraints?: Record<string, unknown>[] } {
    return c ? { topologySpreadConstraints: c } : {};
}
