/**
 * Server-side apply's list-map rule: a list declared `+listType=map` is merged by its key fields,
 * and an applied object whose list holds two entries with the same key is refused ("duplicate
 * entries for key"). pulumi-kubernetes applies server-side by default, so every keyed list we
 * render must be free of duplicates.
 *
 * Keys from the `+listType=map` / `+listMapKey=` markers of k8s.io/api `core/v1/types.go`
 * (`PodSpec.Volumes`, `.InitContainers`, `.Containers`, `.EphemeralContainers`, `.ImagePullSecrets`,
 * `.HostAliases`, `.TopologySpreadConstraints`, `.ResourceClaims`, `.SchedulingGates`;
 * `Container.Ports`, `.Env`, `.VolumeMounts`, `.VolumeDevices`; `ServiceSpec.Ports`) and the merge
 * of such lists in sigs.k8s.io/structured-merge-diff `typed/merge.go` (`mergeListMap`, which
 * returns the duplicate-key error). A key field the schema defaults (`protocol`, `+default="TCP"`
 * on `ContainerPort` and `ServicePort`) counts with its default when absent, as structured-merge-diff
 * reads key fields with the schema's defaults; so `{port: 80}` and `{port: 80, protocol: TCP}`
 * collide. (Not yet checked against a real apiserver here.)
 */

/** Keyed lists of a pod spec, by field, with their key fields. */
const POD_SPEC_LISTS: Record<string, string[]> = {
    volumes: ["name"],
    initContainers: ["name"],
    containers: ["name"],
    ephemeralContainers: ["name"],
    imagePullSecrets: ["name"],
    hostAliases: ["ip"],
    topologySpreadConstraints: ["topologyKey", "whenUnsatisfiable"],
    resourceClaims: ["name"],
    schedulingGates: ["name"],
};

/** Keyed lists of a container. */
const CONTAINER_LISTS: Record<string, string[]> = {
    ports: ["containerPort", "protocol"],
    env: ["name"],
    volumeMounts: ["mountPath"],
    volumeDevices: ["devicePath"],
};

/** Fields whose absence the apiserver fills with a default before the list is merged. */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: "TCP" };

/** One duplicate: the list's path and the repeated key. */
export interface DuplicateKey {
    path: string;
    key: string;
}

function duplicatesIn(list: unknown, keys: string[], path: string): DuplicateKey[] {
    if (!Array.isArray(list)) return [];
    const seen = new Set<string>();
    const out: DuplicateKey[] = [];
    for (const entry of list) {
        const key = JSON.stringify(keys.map((k) => (entry as Record<string, unknown>)?.[k] ?? KEY_DEFAULTS[k] ?? null));
        if (seen.has(key)) out.push({ path, key });
        seen.add(key);
    }
    return out;
}

function podSpecDuplicates(spec: any, path: string): DuplicateKey[] {
    if (spec === undefined || spec === null) return [];
    const out = Object.entries(POD_SPEC_LISTS).flatMap(([f, keys]) => duplicatesIn(spec[f], keys, `${path}.${f}`));
    for (const f of ["initContainers", "containers", "ephemeralContainers"]) {
        (Array.isArray(spec[f]) ? spec[f] : []).forEach((c: any, i: number) => {
            for (const [l, keys] of Object.entries(CONTAINER_LISTS)) out.push(...duplicatesIn(c?.[l], keys, `${path}.${f}[${i}].${l}`));
        });
    }
    return out;
}

/** Every duplicate key in a keyed list of a Kubernetes object we render (Pod templates, Services). */
export function duplicateListMapKeys(obj: { kind?: string; spec?: any }): DuplicateKey[] {
    switch (obj.kind) {
        case "Pod":
            return podSpecDuplicates(obj.spec, "spec");
        case "StatefulSet":
        case "Deployment":
        case "DaemonSet":
        case "ReplicaSet":
        case "Job":
            return podSpecDuplicates(obj.spec?.template?.spec, "spec.template.spec");
        case "Service":
            return duplicatesIn(obj.spec?.ports, ["port", "protocol"], "spec.ports");
        default:
            return [];
    }
}
