/**
 * Growing the existing data volumes (issue 10, defect 4): one server-side-apply patch per pod's
 * PersistentVolumeClaim, carrying only the storage request.
 *
 * The StatefulSet controller names the claim of pod `i` `<template>-<statefulset>-<i>`
 * (kubernetes `pkg/controller/statefulset/stateful_set_utils.go` `getPersistentVolumeClaimName`)
 * and never changes an existing claim when the claim template changes, so the component patches
 * each claim itself. What is in the patch, and why (pulumi-kubernetes 4.34, read at
 * pulumi/pulumi-kubernetes 94977969d):
 * - Only `spec.resources.requests.storage`: a Patch resource's field manager owns exactly the fields
 *   it sends. `storageClassName`, `accessModes` and `volumeMode` are immutable on a PVC, so they are
 *   never sent (a changed class or mode applies only to claims created later, which the preview
 *   warning says).
 * - `pulumi.com/patchForce: "true"`: the StatefulSet controller created the claim (field manager
 *   `kube-controller-manager`) and co-owns the size; a new value conflicts unless forced
 *   (`await/await.go` `patchForce`, `ssaUpdate`).
 */
import { K8sObject } from "./k8s-types";

/** The annotation that makes a Patch resource force field conflicts (pulumi-kubernetes `metadata.AnnotationPatchForce`). */
export const PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce";

/** Name of the claim the StatefulSet controller creates for pod `ordinal` from claim template `template`. */
export function claimName(template: string, statefulSet: string, ordinal: number): string {
    return `${template}-${statefulSet}-${ordinal}`;
}

/** The storage-request patch of one claim (the body of a `kubernetes:core/v1:PersistentVolumeClaimPatch`). */
export function renderVolumeSizePatch(name: string, namespace: string, volumeSize: string): K8sObject {
    return {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name, namespace, annotations: { [PATCH_FORCE_ANNOTATION]: "true" } },
        spec: { resources: { requests: { storage: volumeSize } } },
    };
}
