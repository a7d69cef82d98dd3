/**
 * Labels of every object of an ISB service. The selector labels are the ones the upstream UI
 * and docs rely on (`app.kubernetes.io/component=isbsvc`, `numaflow.numaproj.io/isbsvc-name`);
 * they never change, because a StatefulSet selector is immutable.
 */

export type IsbType = "jetstream" | "redis";

/** Labels that select the pods of one ISB service. */
export function selectorLabels(name: string, type: IsbType): Record<string, string> {
    return {
        "app.kubernetes.io/component": "isbsvc",
        "app.kubernetes.io/part-of": "numaflow",
        "numaflow.numaproj.io/isbsvc-name": name,
        "numaflow.numaproj.io/isbsvc-type": type,
    };
}

/** Selector labels plus the ones that say who manages the object. */
export function objectLabels(name: string, type: IsbType): Record<string, string> {
    return { ...selectorLabels(name, type), "app.kubernetes.io/managed-by": "isbsvc-pulumi" };
}
