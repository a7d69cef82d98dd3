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
 * Always on the StatefulSet: deleting it (a replacement after a claim-template change, force-new in
 * pulumi-kubernetes `diff.go` `forceNewProperties`) orphans the pods instead of deleting them, and
 * the new StatefulSet adopts them by label. pulumi-kubernetes reads it from the **old** state's
 * inputs (`provider.go` `Delete` → `await.go` `Deletion`, `metadata/overrides.go`
 * `DeletionPropagation`, 4.12+), so it must be in place before the change that replaces the object.
 */
export const DELETION_PROPAGATION_ANNOTATION = "pulumi.com/deletionPropagationPolicy";

export function renderStatefulSet(parts: StatefulSetParts): K8sObject {
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { ...parts.metadata, annotations: { ...parts.metadata.annotations, [DELETION_PROPAGATION_ANNOTATION]: "orphan" } },
        spec: {
            replicas: parts.replicas,
            serviceName: parts.serviceName,
            podManagementPolicy: parts.podManagementPolicy,
            updateStrategy: { type: "RollingUpdate" },
            selector: { matchLabels: parts.selector },
            // Retain: a replaced StatefulSet (e.g. after a volume size change) finds its data again.
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
