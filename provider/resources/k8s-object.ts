/**
 * Turns a rendered object (possibly still an Output, e.g. waiting for a namespace) into
 * `@pulumi/kubernetes` resource arguments.
 */
import * as pulumi from "@pulumi/pulumi";
import { K8sObject } from "../render/k8s-types";

/** Splits `rendered` into per-field Inputs (resource args must be an object, not an Output). */
export function objectArgs<F extends string>(
    rendered: pulumi.Output<K8sObject>, fields: F[],
): Record<F | "apiVersion" | "kind" | "metadata", pulumi.Output<any>> {
    const args = {} as Record<F | "apiVersion" | "kind" | "metadata", pulumi.Output<any>>;
    for (const field of ["apiVersion", "kind", "metadata", ...fields] as const) {
        args[field] = rendered.apply((o) => o[field]);
    }
    return args;
}
