/**
 * The StatefulSet, PersistentVolumeClaim template and PodDisruptionBudget shapes both flavours
 * share; each flavour supplies its pods.
 */
import { ResolvedPersistence } from "../args/workload";
import { K8sObject, PodSpec } from "./k8s-types";

/** What a flavour decides about its StatefulSet. */
export interface StatefulSetParts {
    metadata: K8sObject["metadata"];
    replicas: number;
    serviceName: string;
    podManagementPolicy: "Parallel" | "OrderedReady";
    selector: Record<string, string>;
    podLabels: Record<string, string>;
    podAnnotations: Record<string, string>;
    podSpec: PodSpec;
    persistence?: ResolvedPersistence;
    volumeClaimName: string;
}

/** One PVC template per pod: the data volume. */
export function volumeClaimTemplate(p: ResolvedPersistence, name: string, selector: Record<string, string>): Record<string, unknown> {
    return {
        metadata: { name, labels: selector },
        spec: {
            accessModes: [p.accessMode],
            volumeMode: "Filesystem",
            ...(p.storageClassName !== undefined && { storageClassName: p.storageClassName }),
            resources: { requests: { storage: p.volumeSize } },
        },
    };
}

/**
 * `ignoreChanges` of the StatefulSet resource: the claim template's `spec` (size, class, access
 * mode) stays what the StatefulSet was created with, for its whole life.
 *
 * Why: `spec.volumeClaimTemplates` is immutable in Kubernetes and force-new in pulumi-kubernetes
 * (`diff.go` `forceNewProperties`), so changing it replaced the StatefulSet — delete-before-replace
 * (same name), which needed `pulumi.com/deletionPropagationPolicy: orphan` to keep the pods, and
 * pulumi-kubernetes reads that annotation on every delete, `pulumi destroy` included (pods left
 * running, orphaned); and the replacement cannot be previewed (the dry-run apply of the new
 * StatefulSet against the old one is refused). A changed template never reached the existing
 * claims anyway (the StatefulSet controller re-adopts them by name). With the template fixed:
 * - the engine resets the path to the old state's value before Check and Diff (pulumi
 *   `step_generator.go` `processIgnoreChanges`, modelled in rules/ignore-changes.ts), so a size,
 *   class or mode change is no diff of the StatefulSet at all: no replacement, no orphaning, no
 *   annotation; the state keeps the template of the first create;
 * - a larger `volumeSize` reaches the claims through their patches (resources/volume-growth.ts):
 *   the existing ones, and the claims of ordinals added later, which the controller creates from
 *   the original template (original size) and their patch then grows;
 * - `storageClassName` and `accessMode` changes reach no claim, existing or new (warned at preview);
 * - turning persistence on or off adds or removes the whole list: `Reset` cannot reset index 0 of a
 *   missing array (a path failure, the engine lets the new value through), so that is still a
 *   force-new change: the StatefulSet is deleted (its pods with it) and re-created (warned).
 * The index path also keeps pulumi-kubernetes' SSA update from reading the field back from the live
 * object (`await.go` `handleSSAIgnoreFields` splits the path on "." and finds no field
 * `volumeClaimTemplates[0]`), so the apply carries the template of the state, as it always did.
 */
export const CLAIM_TEMPLATE_IGNORE_CHANGES = ["spec.volumeClaimTemplates[0].spec"];

export function renderStatefulSet(parts: StatefulSetParts): K8sObject {
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: parts.metadata,
        spec: {
            replicas: parts.replicas,
            serviceName: parts.serviceName,
            podManagementPolicy: parts.podManagementPolicy,
            updateStrategy: { type: "RollingUpdate" },
            selector: { matchLabels: parts.selector },
            // Retain: a replaced StatefulSet (persistence turned off and on again, an upgrade that
            // replaces it) finds its data again, and scaling down keeps the removed ordinals' data.
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            template: {
                metadata: {
                    labels: parts.podLabels,
                    ...(Object.keys(parts.podAnnotations).length > 0 && { annotations: parts.podAnnotations }),
                },
                spec: parts.podSpec,
            },
            ...(parts.persistence && {
                volumeClaimTemplates: [volumeClaimTemplate(parts.persistence, parts.volumeClaimName, parts.selector)],
            }),
        },
    };
}

/** A PodDisruptionBudget over the pods selected by `selector`. */
export function renderDisruptionBudget(
    metadata: K8sObject["metadata"],
    maxUnavailable: number,
    selector: Record<string, string>,
): K8sObject {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata,
        spec: { maxUnavailable, selector: { matchLabels: selector } },
    };
}
