/**
 * Who may read and write the files of a pod's volumes: a model of what the kubelet does with
 * `defaultMode`, item `mode` and `fsGroup`, and of the identity it gives each container process.
 * Used at construction (a user security context under which a server could not read its files is
 * rejected) and by the live pod bed (`sim/pods/pod-files.ts` gives the files these owners and
 * modes, and runs each process as {@link processIdentity}).
 *
 * Upstream, as read in kubernetes/kubernetes (master, 2025):
 * - Secret, ConfigMap, downward API and projected volumes: the payload is written by
 *   `pkg/volume/util/atomic_writer.go` (`AtomicWriter.Write`, `writePayloadToDir`): each file with
 *   its mode (`os.WriteFile` + `os.Chmod`), owned by the kubelet (root), in a timestamped directory
 *   made 0755 (`newTimestampDir`). The mode of a file is the item's `mode`, else the volume's
 *   `defaultMode`, else 0644 (`pkg/volume/secret/secret.go` `MakePayload`, `pkg/volume/configmap/
 *   configmap.go` `MakePayload`, `pkg/volume/projected/projected.go` `collectData`; the API
 *   defaults `defaultMode` to 0644: `pkg/apis/core/v1/defaults.go` `SetDefaults_SecretVolumeSource`,
 *   `SetDefaults_ConfigMapVolumeSource`, `SetDefaults_ProjectedVolumeSource`).
 * - Then `pkg/volume/volume_linux.go` `SetVolumeOwnership` → `changeFilePermission`, only when the
 *   pod has an `fsGroup`: every file and directory (not symlinks) gets group `fsGroup`, and its mode
 *   OR-ed with 0440 for a read-only volume (`roMask`: Secret, ConfigMap, downward API, projected
 *   report `GetAttributes().ReadOnly`) or 0660 (`rwMask`: emptyDir, PVC); directories also get
 *   setgid and 0110 (`execMask`). Without `fsGroup` nothing changes: files stay root:root.
 * - emptyDir: `pkg/volume/emptydir/empty_dir.go` `setupDir` creates the directory 0777.
 * - A PVC's root directory is whatever the file system has; a fresh ext4 or xfs gives root:root
 *   0755, so without `fsGroup` only root can write it (the reason upstream adds a root init
 *   container `chown`ing it; we set `fsGroup` instead).
 * - The container process: uid `runAsUser`, gid `runAsGroup` (container's, else the pod's), and the
 *   supplementary groups `fsGroup` and `supplementalGroups` (`pkg/kubelet/kuberuntime/
 *   security_context.go` `convertToRuntimeSecurityContext` / `determineEffectiveSecurityContext`,
 *   `pkg/kubelet/kuberuntime/kuberuntime_sandbox.go` supplemental groups). A unset `runAsUser` or
 *   `runAsGroup` means the image's user; here taken as 0 (the images we use start as root). Root
 *   keeps CAP_DAC_OVERRIDE (reads and writes anything) unless the container drops it.
 */

/** The mode the API server gives `defaultMode` when it is not set. */
export const KUBELET_DEFAULT_MODE = 0o644;
/** Mode of AtomicWriter's payload directory and of its subdirectories. */
export const PAYLOAD_DIR_MODE = 0o755;
/** Mode `setupDir` gives an emptyDir. */
export const EMPTY_DIR_MODE = 0o777;
/** Mode taken for the root directory of a fresh persistent volume (a new ext4 or xfs file system). */
export const FRESH_VOLUME_MODE = 0o755;

const RO_MASK = 0o440;
const RW_MASK = 0o660;
const EXEC_MASK = 0o110;
const SETGID = 0o2000;

/** Owner and mode of one file or directory. */
export interface Ownership {
    uid: number;
    gid: number;
    mode: number;
}

/**
 * Ownership of a file or directory of a volume after the kubelet set the volume up: as written
 * (`written`), then `changeFilePermission` when the pod has an `fsGroup`.
 */
export function afterSetVolumeOwnership(written: Ownership, isDir: boolean, fsGroup: number | undefined, readOnly: boolean): Ownership {
    if (fsGroup === undefined) return written;
    const mask = (readOnly ? RO_MASK : RW_MASK) | (isDir ? SETGID | EXEC_MASK : 0);
    return { uid: written.uid, gid: fsGroup, mode: written.mode | mask };
}

/** The identity a container's process runs with. */
export interface ProcessIdentity {
    uid: number;
    gid: number;
    /** Supplementary groups (`fsGroup`, `supplementalGroups`). */
    groups: number[];
    /** Capabilities the process may hold (bounding set); empty with `drop: [ALL]`. */
    capabilities: string[];
    /** `allowPrivilegeEscalation: false` (no_new_privs). */
    noNewPrivileges: boolean;
    /** `readOnlyRootFilesystem`. */
    readOnlyRoot: boolean;
}

/** containerd's and CRI-O's default capability set (`oci.DefaultCapabilities`, containerd `pkg/oci/spec.go` `defaultUnixCaps`). */
export const RUNTIME_DEFAULT_CAPABILITIES = [
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

type Obj = Record<string, any>;

function int(v: unknown): number | undefined {
    return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

/** The identity of `container`'s process in a pod with `podSpec` (container fields over pod fields). */
export function processIdentity(podSpec: Obj, container: Obj): ProcessIdentity {
    const pod: Obj = podSpec.securityContext ?? {};
    const c: Obj = container.securityContext ?? {};
    const fsGroup = int(pod.fsGroup);
    const supplemental = Array.isArray(pod.supplementalGroups) ? (pod.supplementalGroups as unknown[]).map(int) : [];
    const caps = c.capabilities ?? {};
    const drop: string[] = (caps.drop ?? []).map(String);
    const add: string[] = (caps.add ?? []).map(String);
    const kept = drop.includes("ALL") ? [] : RUNTIME_DEFAULT_CAPABILITIES.filter((x) => !drop.includes(x));
    return {
        uid: int(c.runAsUser) ?? int(pod.runAsUser) ?? 0,
        gid: int(c.runAsGroup) ?? int(pod.runAsGroup) ?? 0,
        groups: [...new Set([...(fsGroup === undefined ? [] : [fsGroup]), ...supplemental.filter((g): g is number => g !== undefined)])],
        capabilities: [...new Set([...kept, ...add.filter((x) => x !== "ALL")])],
        noNewPrivileges: c.allowPrivilegeEscalation === false,
        readOnlyRoot: c.readOnlyRootFilesystem === true,
    };
}

/** Whether `who` may read (`r`), write (`w`) or search/execute (`x`) a file with `f` (POSIX permission check). */
export function mayAccess(who: ProcessIdentity, f: Ownership, access: "r" | "w" | "x"): boolean {
    if (who.uid === 0 && who.capabilities.includes("DAC_OVERRIDE")) return true;
    const bit = { r: 4, w: 2, x: 1 }[access];
    if (who.uid === f.uid) return ((f.mode >> 6) & bit) !== 0;
    if (who.gid === f.gid || who.groups.includes(f.gid)) return ((f.mode >> 3) & bit) !== 0;
    return (f.mode & bit) !== 0;
}

/** The items (relative path, mode) a Secret, ConfigMap or downward API source projects, `keys` when it lists none. */
function sourceModes(src: Obj, defaultMode: number): { path: string; mode: number }[] {
    const items: Obj[] | undefined = src.items;
    if (!items) return [{ path: "*", mode: defaultMode }];
    return items.map((it) => ({ path: String(it.path), mode: int(it.mode) ?? defaultMode }));
}

/** Files of a file volume and their modes as written (before `fsGroup`); `*` stands for every key of a source without items. */
export function fileVolumeModes(vol: Obj): { path: string; mode: number }[] {
    for (const kind of ["secret", "configMap", "downwardAPI"]) {
        if (vol[kind]) return sourceModes(vol[kind], int(vol[kind].defaultMode) ?? KUBELET_DEFAULT_MODE);
    }
    if (vol.projected) {
        const mode = int(vol.projected.defaultMode) ?? KUBELET_DEFAULT_MODE;
        return (vol.projected.sources as Obj[]).flatMap((s) => {
            const src = s.secret ?? s.configMap ?? s.downwardAPI;
            return src ? sourceModes(src, mode) : [];
        });
    }
    return [];
}

/** A volume the process could not use as the pod needs it. */
export interface AccessProblem {
    container: string;
    volume: string;
    mountPath: string;
    /** What is wrong, e.g. `cannot read auth.conf (mode 0440, owner 0:0) as uid 1000 gid 1000 groups []`. */
    problem: string;
}

function octal(mode: number): string {
    return `0${(mode & 0o7777).toString(8)}`;
}

function describeIdentity(who: ProcessIdentity): string {
    return `uid ${who.uid} gid ${who.gid} groups [${who.groups.join(",")}]`;
}

/**
 * Every mount of every container (and init container) of `podSpec` the container's process could
 * not use: a file of a Secret, ConfigMap, downward API or projected volume it cannot read, an
 * emptyDir or persistent volume mounted read-write it cannot write. `claimNames` are the volume
 * claim templates (their volumes are not in `podSpec.volumes`).
 */
export function volumeAccessProblems(podSpec: Obj, claimNames: string[] = []): AccessProblem[] {
    const fsGroup = int(podSpec.securityContext?.fsGroup);
    const volumes = new Map(((podSpec.volumes ?? []) as Obj[]).map((v) => [v.name as string, v]));
    const problems: AccessProblem[] = [];
    for (const container of [...((podSpec.initContainers ?? []) as Obj[]), ...((podSpec.containers ?? []) as Obj[])]) {
        const who = processIdentity(podSpec, container);
        for (const m of (container.volumeMounts ?? []) as Obj[]) {
            const vol = volumes.get(m.name) ?? (claimNames.includes(m.name) ? { name: m.name, persistentVolumeClaim: {} } : undefined);
            if (!vol) continue;
            const report = (problem: string) =>
                problems.push({ container: container.name, volume: m.name, mountPath: m.mountPath, problem });
            const files = fileVolumeModes(vol);
            if (files.length > 0 || vol.secret || vol.configMap || vol.projected || vol.downwardAPI) {
                const dir = afterSetVolumeOwnership({ uid: 0, gid: 0, mode: PAYLOAD_DIR_MODE }, true, fsGroup, true);
                if (!mayAccess(who, dir, "x")) report(`cannot enter the volume (mode ${octal(dir.mode)}) as ${describeIdentity(who)}`);
                const unreadable = files
                    .map((f) => ({ f, o: afterSetVolumeOwnership({ uid: 0, gid: 0, mode: f.mode }, false, fsGroup, true) }))
                    .filter(({ o }) => !mayAccess(who, o, "r"))
                    .map(({ f, o }) => `${f.path === "*" ? "its files" : f.path} (mode ${octal(o.mode)}, owner ${o.uid}:${o.gid})`);
                if (unreadable.length) report(`cannot read ${unreadable.join(", ")} as ${describeIdentity(who)}`);
            } else if (!m.readOnly && (vol.emptyDir || vol.persistentVolumeClaim)) {
                const base = vol.emptyDir ? EMPTY_DIR_MODE : FRESH_VOLUME_MODE;
                const o = afterSetVolumeOwnership({ uid: 0, gid: 0, mode: base }, true, fsGroup, false);
                if (!mayAccess(who, o, "w") || !mayAccess(who, o, "x")) {
                    report(`cannot write it (mode ${octal(o.mode)}, owner ${o.uid}:${o.gid}) as ${describeIdentity(who)}`);
                }
            }
        }
    }
    return problems;
}

/** Whether a process of `from` may signal one of `to` (kernel `kill_ok_by_cred`: same uid, or CAP_KILL). */
export function maySignal(from: ProcessIdentity, to: ProcessIdentity): boolean {
    return from.uid === to.uid || (from.uid === 0 && from.capabilities.includes("KILL"));
}

/** Where a container's security context comes from in the spec. */
export interface ContainerOrigin {
    /** Spec path of the container template, e.g. `jetstream.reloaderContainerTemplate`. */
    template: string;
    /** The template's security context, if any. */
    securityContext?: Record<string, unknown>;
}

const IDENTITY_FIELDS = ["runAsUser", "runAsGroup", "capabilities", "runAsNonRoot"];

/**
 * Rejects (SpecError-style, through `fail`) a pod whose containers could not use their volumes or
 * signal each other as they must: `signals` lists `[sender, receiver]` container pairs (the
 * JetStream reloader sends nats-server SIGHUP). The error names the container template's
 * `securityContext` when it sets the uid, gid or capabilities, else the pod's (`<base>.securityContext`).
 */
export function assertPodUsable(
    podSpec: Obj,
    claimNames: string[],
    base: string,
    origins: Record<string, ContainerOrigin>,
    signals: [string, string][],
    fail: (field: string, problem: string) => never,
): void {
    const fieldOf = (container: string): string => {
        const o = origins[container];
        const own = o?.securityContext && IDENTITY_FIELDS.some((f) => o.securityContext![f] !== undefined);
        return own ? `${o.template}.securityContext` : `${base}.securityContext`;
    };
    const byField = new Map<string, string[]>();
    const add = (field: string, text: string) => byField.set(field, [...(byField.get(field) ?? []), text]);
    for (const p of volumeAccessProblems(podSpec, claimNames))
        add(fieldOf(p.container), `container ${p.container} ${p.problem} at ${p.mountPath}`);
    const containers = (podSpec.containers ?? []) as Obj[];
    // The kubelet refuses to start a container with runAsNonRoot whose uid is 0, or unset while the
    // image's user is root (ours are): pkg/kubelet/kuberuntime/security_context_others.go verifyRunAsNonRoot.
    for (const c of containers) {
        const nonRoot = c.securityContext?.runAsNonRoot ?? podSpec.securityContext?.runAsNonRoot;
        const uid = int(c.securityContext?.runAsUser) ?? int(podSpec.securityContext?.runAsUser);
        if (nonRoot === true && !uid)
            add(
                fieldOf(c.name),
                `container ${c.name} sets runAsNonRoot but runs as uid 0 (${uid === 0 ? "runAsUser: 0" : "no runAsUser, and the image's user is root"}): the kubelet would not start it`,
            );
    }
    for (const [from, to] of signals) {
        const a = containers.find((c) => c.name === from);
        const b = containers.find((c) => c.name === to);
        if (!a || !b) continue;
        const ia = processIdentity(podSpec, a);
        const ib = processIdentity(podSpec, b);
        if (!maySignal(ia, ib))
            add(
                fieldOf(from),
                `container ${from} (uid ${ia.uid}) could not signal container ${to} (uid ${ib.uid}): give both the same runAsUser`,
            );
    }
    const first = [...byField.entries()][0];
    if (first) {
        fail(
            first[0],
            `leaves the pod unable to work: ${first[1].join("; ")}. Keep fsGroup (the kubelet then gives every volume file that group) or run the containers as one uid/gid that can read them`,
        );
    }
}
