/** Kubernetes object shapes used by the render layer: plain JSON values, no Outputs. */

type PlainObject = { [key: string]: any };

/** A container of a pod spec. */
export type Container = PlainObject;
/** A pod spec. */
export type PodSpec = PlainObject;

/** A rendered Kubernetes object: apiVersion, kind, metadata and the rest of its body. */
export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [field: string]: any;
}
