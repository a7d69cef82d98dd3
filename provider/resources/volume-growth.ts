/**
 * Grows the PersistentVolumeClaims of a running StatefulSet in place when `persistence.volumeSize`
 * grows (issue 10, defect 4): one `kubernetes:core/v1:PersistentVolumeClaimPatch` per ordinal
 * 0..replicas-1, on the claim `<template>-<statefulset>-<ordinal>` (render/volume-patch.ts).
 *
 * Semantics of Patch resources this relies on (pulumi/pulumi-kubernetes 94977969d, ≈ 4.32–4.34;
 * modelled in rules/kubernetes.ts):
 * - Create and update are server-side applies under the resource's own field manager
 *   (`await/await.go` `Creation`: `ServerSideApply && IsPatchResource` → `client.Patch(ApplyPatchType)`;
 *   `ssaUpdate`). An apply to a claim that does not exist would *create* it, and a claim holding
 *   only a size is invalid (`spec.accessModes: Required value`). Day 1: the claims do not exist
 *   until the StatefulSet controller creates each with its pod. So every patch `dependsOn` the
 *   StatefulSet, whose await (not skipped) ends only when every replica is ready, i.e. every claim
 *   exists; a replicas increase likewise creates the new ordinals' patches after the update's
 *   await. With `skipAwait` that order is not guaranteed, so no patches are made (the preview
 *   warning says volumes are then not grown).
 * - Diff: only `.metadata.name`/`.metadata.namespace` force replacement (`provider.go` `Diff`:
 *   "Patch resources can be updated in place for all other properties"), so a size change is an
 *   update. At preview an update with known inputs is a server-side dry run (`Update` → `ssaUpdate`
 *   with `DryRun: All`): a smaller size is refused by the API server then ("field can not be less
 *   than previous value", kubernetes `ValidatePersistentVolumeClaimUpdate`), and a larger one on a
 *   StorageClass without `allowVolumeExpansion` by the `PersistentVolumeClaimResize` admission
 *   plugin — `pulumi preview` fails with that message and nothing is changed.
 * - Delete relinquishes the fields (`await.go` `Deletion` → `ssa/actions.go` `Relinquish`: an empty
 *   apply). After a growth this manager is the only owner of the size, so the apply removes a
 *   required field and the API server refuses it (`provider.go` `Delete`,
 *   `IsDeleteRequiredFieldErr`: "Either set the `retainOnDelete` resource option..."). Hence every
 *   patch is `retainOnDelete`: removing one (replicas decrease, destroy) only forgets it and the
 *   claim keeps its size, as the StatefulSet's `persistentVolumeClaimRetentionPolicy: Retain` keeps
 *   the claim itself.
 * - Requires server-side apply (`Check`: "patch resources require Server-Side Apply mode"), the
 *   default of pulumi-kubernetes 4; with `kubernetes:enableServerSideApply false` on the default
 *   provider no patches are made.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ResolvedPersistence } from "../args/workload";
import { claimName, renderVolumeSizePatch } from "../render/volume-patch";
import { ChildOptions } from "./child-options";
import { objectArgs } from "./k8s-object";

/** What the volume patches of one StatefulSet need. */
export interface VolumeGrowth {
    /** Pulumi name prefix, e.g. `<n>-js`: patches are `<prefix>-data-<ordinal>`. */
    prefix: string;
    statefulSetName: string;
    claimTemplate: string;
    replicas: number;
    namespace: pulumi.Input<string>;
    persistence?: ResolvedPersistence;
    skipAwait: boolean;
}

/** Whether the default Kubernetes provider applies server side (`provider.go` `Configure`, default true). */
export function defaultProviderUsesServerSideApply(): boolean {
    const fromConfig = new pulumi.Config("kubernetes").get("enableServerSideApply");
    if (fromConfig) return fromConfig === "true";
    const env = process.env.PULUMI_K8S_ENABLE_SERVER_SIDE_APPLY;
    return env === undefined || env === "true";
}

/** Whether the component patches the claims of this StatefulSet (see the file comment). */
export function growsVolumes(g: Omit<VolumeGrowth, "prefix" | "statefulSetName" | "claimTemplate" | "namespace">): boolean {
    return g.persistence !== undefined && !g.skipAwait && defaultProviderUsesServerSideApply();
}

/** Creates the claim patches (none when {@link growsVolumes} says no). */
export function createVolumeGrowth(g: VolumeGrowth, statefulSet: pulumi.Resource, child: ChildOptions): void {
    if (!growsVolumes(g) || !g.persistence) return;
    const size = g.persistence.volumeSize;
    for (let i = 0; i < g.replicas; i++) {
        const claim = claimName(g.claimTemplate, g.statefulSetName, i);
        new k8s.core.v1.PersistentVolumeClaimPatch(
            `${g.prefix}-data-${i}`,
            objectArgs(g.namespace, (ns) => renderVolumeSizePatch(claim, ns, size)),
            { ...child, dependsOn: [statefulSet], retainOnDelete: true },
        );
    }
}
