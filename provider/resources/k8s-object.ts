/**
 * Turns a rendered object (possibly still an Output, e.g. waiting for a namespace) into
 * `@pulumi/kubernetes` resource arguments.
 */
import * as pulumi from "@pulumi/pulumi";
import { K8sObject } from "../render/k8s-types";
import { ChildOptions } from "./child-options";

/** Splits `rendered` into per-field Inputs (resource args must be an object, not an Output). */
export function objectArgs<F extends string>(
    rendered: pulumi.Output<K8sObject>,
    fields: F[],
): Record<F | "apiVersion" | "kind" | "metadata", pulumi.Output<any>> {
    const args = {} as Record<F | "apiVersion" | "kind" | "metadata", pulumi.Output<any>>;
    for (const field of ["apiVersion", "kind", "metadata", ...fields] as const) {
        args[field] = rendered.apply((o) => o[field]);
    }
    return args;
}

/**
 * Secret args: `data` is secret; metadata and type are not (they depend on generated values only
 * by timing, and must stay readable: the namespace feeds every URL).
 */
export function secretArgs(rendered: pulumi.Output<K8sObject>): Record<string, pulumi.Output<any>> {
    const args = objectArgs(pulumi.unsecret(rendered), ["type"]);
    return { ...args, data: pulumi.secret(rendered.apply((o) => o.data)) };
}

/** Adds `pulumi.com/skipAwait: "true"` to an object's annotations when `skip` is set. */
export function skipAwait(obj: K8sObject, skip: boolean): K8sObject {
    if (!skip) return obj;
    return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, "pulumi.com/skipAwait": "true" } } };
}

/** Resource options of the StatefulSet: the component's custom timeouts. */
export function statefulSetOptions(child: ChildOptions, timeouts: pulumi.CustomTimeouts): pulumi.CustomResourceOptions {
    return { ...child, customTimeouts: timeouts };
}
