/**
 * Turns rendered objects into `@pulumi/kubernetes` resource arguments, keeping every field a plain
 * value unless it really depends on something unknown until deployment.
 *
 * Why it matters: the engine records, per top-level input property, which resources it depends on,
 * and at preview an unknown Output makes its whole property unknown (`@pulumi/pulumi`
 * `runtime/rpc.ts` `serializeProperty`). An unknown `metadata` is a replace in pulumi-kubernetes'
 * `Diff` (`metadata.name` / `.namespace` are force-new: `provider/pkg/provider/diff.go`
 * `forceNewProperties`), and a property depending on a resource replaced delete-before-replace is
 * re-diffed as unknown by the engine (`step_generator.go` `calculateDependentReplacements`), which
 * deletes the object first. So `metadata` never depends on another resource (only, when the user
 * passes one, on the user's namespace Output), and a generated value that only one leaf needs (a
 * pod-template checksum) is nested at that leaf, where the SDK sends the unknown sentinel only
 * there and the Diff sees an update of a non-force-new path.
 */
import * as pulumi from "@pulumi/pulumi";
import { isDeepStrictEqual } from "util";
import { K8sObject } from "../render/k8s-types";
import { CLAIM_TEMPLATE_IGNORE_CHANGES } from "../render/statefulset";
import { PATCH_FORCE_ANNOTATION as PATCH_FORCE } from "../render/volume-patch";
import { ChildOptions } from "./child-options";

type Args = Record<string, pulumi.Input<any>>;

/**
 * Resource args of the object `render(namespace)` renders. With a string namespace every field is
 * a plain value. With the user's namespace Output, `metadata` and the fields listed in `nsFields`
 * (whose content contains the namespace, e.g. a ConfigMap's `data`) are Outputs of it; every other
 * field is rendered without it (checked: rendering under two namespaces must agree).
 */
export function objectArgs(namespace: pulumi.Input<string>, render: (ns: string) => K8sObject, nsFields: string[] = []): Args {
    if (typeof namespace === "string") return { ...render(namespace) };
    const a = render("isbsvc-probe-a");
    const b = render("isbsvc-probe-b");
    const ns = pulumi.output(namespace);
    const args: Args = {};
    for (const field of Object.keys(a)) {
        if (field === "metadata" || nsFields.includes(field)) {
            args[field] = ns.apply((n) => render(n)[field]);
        } else {
            if (!isDeepStrictEqual(a[field], b[field])) throw new Error(`${a.kind} ${field} depends on the namespace: list it in nsFields`);
            args[field] = a[field];
        }
    }
    return args;
}

/**
 * Secret args: `data` (generated: passwords, keys, certificates) is a secret Output of its own
 * property; metadata and type are plain (rendered with empty data). A Secret's data change replaces
 * it under its fixed name, so it gets {@link forceOnRecreate}.
 */
export function secretArgs(
    namespace: pulumi.Input<string>,
    render: (ns: string, data: Record<string, string>) => K8sObject,
    data: pulumi.Input<Record<string, string>>,
    child: ChildOptions,
): Args {
    return { ...objectArgs(namespace, (ns) => forceOnRecreate(render(ns, {}), child)), data: pulumi.secret(data) };
}

/**
 * With `retainOnDelete`, `pulumi.com/patchForce: "true"` on an object that a change replaces
 * delete-before-replace under its fixed name (a Secret or ConfigMap whose data changes: force-new
 * in pulumi-kubernetes `diff.go` `forceNewProperties`). The delete of a retained object only
 * forgets it (pulumi `step.go` `DeleteStep.Apply`) and, with `upsertExistingObjects` (required:
 * args/retain.ts), the create is a server-side apply onto it under a new field manager, which
 * conflicts with the old manager's changed fields unless forced (`await/await.go` `Creation` →
 * `patchForce`, which reads this annotation on every kind; rules/kubernetes.ts `forcesConflicts`).
 * Forced, the new manager takes those fields over. Without `retainOnDelete` the delete is real and
 * nothing conflicts, so the objects stay as they were.
 */
export function forceOnRecreate(obj: K8sObject, child: ChildOptions): K8sObject {
    if (!child.retainOnDelete) return obj;
    return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [PATCH_FORCE]: "true" } } };
}

/**
 * Puts `value` (possibly an Output) at `spec.template.metadata.annotations[key]` of StatefulSet args
 * whose `spec` is a plain value. The Output stays nested: an unknown checksum at preview is an
 * update of that one annotation, never an unknown `spec` (which would be a replace).
 */
export function withPodAnnotation(args: Args, key: string, value: pulumi.Input<string>): Args & { spec: any } {
    const spec = args.spec as Record<string, any>;
    if (pulumi.Output.isInstance(spec) || typeof spec !== "object") throw new Error("withPodAnnotation: spec must be a plain value");
    const template = spec.template ?? {};
    const metadata = template.metadata ?? {};
    return {
        ...args,
        spec: { ...spec, template: { ...template, metadata: { ...metadata, annotations: { ...metadata.annotations, [key]: value } } } },
    };
}

/** Adds `pulumi.com/skipAwait: "true"` to an object's annotations when `skip` is set. */
export function skipAwait(obj: K8sObject, skip: boolean): K8sObject {
    if (!skip) return obj;
    return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, "pulumi.com/skipAwait": "true" } } };
}

/**
 * Resource options of the StatefulSet: the component's custom timeouts, and the claim template
 * fixed at creation (render/statefulset.ts `CLAIM_TEMPLATE_IGNORE_CHANGES`).
 */
export function statefulSetOptions(child: ChildOptions, timeouts: pulumi.CustomTimeouts): pulumi.CustomResourceOptions {
    return { ...child, customTimeouts: timeouts, ignoreChanges: CLAIM_TEMPLATE_IGNORE_CHANGES };
}
