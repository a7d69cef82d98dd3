/**
 * `retainOnDelete` (issue 10, defect 3). A retained object's delete only forgets it (pulumi
 * `pkg/resource/deploy/step.go` `DeleteStep.Apply`); pulumi-kubernetes then creates the replacement
 * with a plain Create that fails with AlreadyExists unless the provider has `upsertExistingObjects`
 * (`provider/pkg/await/await.go` `Creation`, CHANGELOG 4.29.0). Objects that keep their name are
 * replaced delete-before-replace (`provider/pkg/provider/provider.go` `Diff`, `naming.go` `IsNamed`):
 * the client/auth Secret (fixed: other stacks reference it) on a password rotation, TLS toggle or
 * certificate renewal, the JetStream ConfigMap and server Secret on settings/credential changes, the
 * Redis TLS Secret (the StatefulSet's claim template never changes: render/statefulset.ts). So with
 * `retainOnDelete` the component requires `upsertExistingObjects: true` on the default Kubernetes
 * provider (the create then adopts the retained object, forced: resources/k8s-object.ts
 * `forceOnRecreate`), read as `Configure` reads it: `kubernetes:upsertExistingObjects`
 * config, else env `PULUMI_K8S_UPSERT_EXISTING_OBJECTS`. An explicit provider's setting cannot be
 * read at construction, so that combination is rejected too.
 */
import * as pulumi from "@pulumi/pulumi";
import { explicitKubernetesProvider } from "./namespace";

/** Whether the default Kubernetes provider upserts existing objects (`Configure`). */
export function defaultProviderUpserts(): boolean {
    const fromConfig = new pulumi.Config("kubernetes").get("upsertExistingObjects");
    if (fromConfig) return fromConfig === "true";
    return process.env.PULUMI_K8S_UPSERT_EXISTING_OBJECTS === "true";
}

/** Throws when `retainOnDelete` is set on a service whose replacements would leave the stack stuck. */
export function checkRetainOnDelete(opts: pulumi.ComponentResourceOptions | undefined, createsObjects: boolean): void {
    if (!opts?.retainOnDelete || !createsObjects) return;
    const why =
        "retainOnDelete is set, and a password rotation, TLS change, certificate renewal or settings change replaces " +
        "Kubernetes objects that keep their name (delete, then create): a retained object is not deleted, so the create " +
        "fails with AlreadyExists and the stack is stuck.";
    if (explicitKubernetesProvider(opts)) {
        throw new Error(
            `InterStepBufferService: ${why} With an explicit Kubernetes provider the component cannot check its ` +
                "upsertExistingObjects setting; use the default provider with `pulumi config set kubernetes:upsertExistingObjects true`, " +
                "or drop retainOnDelete (protect: true guards against deletion instead).",
        );
    }
    if (!defaultProviderUpserts()) {
        throw new Error(
            `InterStepBufferService: ${why} Set \`pulumi config set kubernetes:upsertExistingObjects true\` ` +
                "(the create then adopts the retained object), or drop retainOnDelete (protect: true guards against deletion instead).",
        );
    }
}
