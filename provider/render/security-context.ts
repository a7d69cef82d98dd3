/**
 * Security contexts: our PodSecurity "restricted" defaults for every pod and container, and the
 * field-by-field merge of a user's security context over them.
 *
 * The defaults satisfy every check of the "restricted" level of the PodSecurity admission
 * (kubernetes `staging/src/k8s.io/pod-security-admission/policy/check_*.go`, modelled and tested in
 * `rules/pod-security.ts`): `runAsNonRoot: true` and a non-zero `runAsUser` at pod level
 * (`check_runAsNonRoot.go`, `check_runAsUser.go`), `seccompProfile: RuntimeDefault` at pod level
 * (`check_seccompProfile_restricted.go`), and in every container `allowPrivilegeEscalation: false`
 * (`check_allowPrivilegeEscalation.go`) and `capabilities.drop: [ALL]`
 * (`check_capabilities_restricted.go`). `fsGroup` makes every volume usable by the pod's uid: the
 * kubelet gives the files and directories of each volume this group and the group permission bits
 * (`provider/render/volume-access.ts`), and adds the group to every container process.
 */

/** Security context of every generated container (merged under a container template's). */
export const DEFAULT_CONTAINER_SECURITY_CONTEXT: Readonly<Record<string, unknown>> = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
};

/** uid and gid the NATS containers run as (the images have no user of their own; any non-zero uid works). */
export const NATS_UID = 1000;

/** Pod security context of a flavour whose processes run as `uid` (gid and fsGroup the same number). */
export function defaultPodSecurityContext(uid: number): Record<string, unknown> {
    return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

/** Fields whose value is an object merged field by field in turn (`capabilities.add` and `.drop` separately). */
const NESTED_MERGE = new Set(["capabilities"]);

/**
 * `theirs` merged over `ours` field by field: a field the user sets replaces ours, a field set to
 * `null` removes ours (the way to relax a default, e.g. `readOnlyRootFilesystem: null` or
 * `fsGroup: null`), every other field of ours stays. `capabilities` is merged one level deeper, so
 * `capabilities: { add: ["NET_BIND_SERVICE"] }` keeps `drop: [ALL]`. Other object fields
 * (`seccompProfile`, `seLinuxOptions`, ...) are replaced whole: their fields belong together.
 */
export function mergeSecurityContext(
    ours: Readonly<Record<string, unknown>>,
    theirs: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
    const out: Record<string, unknown> = { ...ours };
    for (const [key, value] of Object.entries(theirs ?? {})) {
        if (value === null || value === undefined) delete out[key];
        else if (NESTED_MERGE.has(key) && isObject(value) && isObject(out[key])) out[key] = mergeSecurityContext(out[key], value);
        else out[key] = value;
    }
    return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
