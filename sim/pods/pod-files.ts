/**
 * Materialises the pods of a StatefulSet rendered by the component, without a cluster: for each
 * pod, the files its volumes would hold (ConfigMap and Secret items written exactly as kubelet
 * writes them), its data directories, the container environment after Kubernetes `$(VAR)`
 * expansion, its command, and the DNS names it has behind the headless Service.
 *
 * Everything is driven by the StatefulSet's container, volume and claim definitions and by the
 * ConfigMaps and Secrets among the component's children; nothing here knows about NATS, so the
 * same code materialises any flavour's pods.
 *
 * Host layout: `<root>/<pod>/<mountPath>` for every volume the container mounts, e.g.
 * `<root>/isbsvc-x-js-0/etc/nats-config/nats-js.conf`. {@link podLaunch} then bind-mounts each
 * of these directories at its `mountPath` inside the pod's private mount namespace, so the
 * process sees the files at the same absolute paths as in Kubernetes.
 *
 * Identity and permissions as the kubelet gives them (the model is provider/render/volume-access.ts):
 * every file and directory of a volume gets the owner and mode the kubelet would give it (files
 * root-owned with their `mode`/`defaultMode`, then group `fsGroup` and the group bits when the pod
 * has one), and {@link containerLaunch} runs the process as the container's uid and gid with the
 * supplementary groups `fsGroup` and `supplementalGroups`, with the capabilities the container
 * keeps (none with `drop: [ALL]`), no_new_privs with `allowPrivilegeEscalation: false`, and the
 * root file system read-only outside its volume mounts with `readOnlyRootFilesystem`.
 *
 * Deviations from a real pod, on purpose and documented: no PID/UTS/user namespaces; the root file
 * system outside the mounts is the host's, not the image's; an unset `runAsUser`/`runAsGroup` is
 * taken as 0 (no image `/etc/passwd` to look up); seccomp and AppArmor profiles are not applied; no
 * service-link environment variables (`enableServiceLinks`); `limits.*`
 * resource references without a limit are left out (kubelet would use the node's allocatable);
 * a headless Service name resolves to pod 0 only (a hosts file maps a name to one address; DNS
 * would return every pod). `subPath` mounts are refused.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { sleepSync } from "./sys";
import {
    afterSetVolumeOwnership,
    EMPTY_DIR_MODE,
    FRESH_VOLUME_MODE,
    processIdentity,
    ProcessIdentity,
} from "../../provider/render/volume-access";

// ---------------------------------------------------------------------------------------- types

/** A child resource of a component as the mock runtime records it (`Registered` satisfies it); inputs are unwrapped. */
export interface ChildResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

/** Kind of volume behind a mount. */
export type VolumeKind = "projected" | "configMap" | "secret" | "downwardAPI" | "emptyDir" | "persistentVolumeClaim";

/** One volume mount of the container, with the host directory that stands in for the volume. */
export interface PodMount {
    /** Volume name in the pod spec. */
    volume: string;
    kind: VolumeKind;
    /** Host directory holding the volume's content: `<root>/<pod>/<podPath>`. */
    hostDir: string;
    /** Absolute mount path inside the container. */
    podPath: string;
    /** Mounted read-only (always for ConfigMap, Secret, projected and downward API volumes, as kubelet does). */
    readOnly: boolean;
    /** The volume definition from the pod spec (for file volumes: the sources to project). */
    source: Record<string, any>;
}

/** Everything needed to run one pod of the StatefulSet on this machine. */
export interface PodDescription {
    /** Pod name, `<statefulset>-<index>`. */
    name: string;
    index: number;
    namespace: string;
    /** Name of the headless Service of the StatefulSet (`spec.serviceName`). */
    service: string;
    /**
     * DNS names of the pod: `<pod>.<svc>`, `<pod>.<svc>.<ns>`, `<pod>.<svc>.<ns>.svc` and
     * `<pod>.<svc>.<ns>.svc.<clusterDomain>`; pod 0 also carries {@link serviceHostnames}.
     */
    hostnames: string[];
    /**
     * Names of the Services selecting the pods (`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`, with the cluster
     * domain). DNS would answer them with every pod address; a hosts file can only map them to pod 0.
     */
    serviceHostnames: string[];
    /** `<root>/<pod>`: everything of this pod on the host. */
    podRoot: string;
    /** Host directory of the first file volume (ConfigMap/Secret/projected) the container mounts. */
    filesDir: string;
    mounts: PodMount[];
    /** Container environment after `envFrom`, `env` and `$(VAR)` expansion. */
    env: Record<string, string>;
    /** Container command followed by its args, `$(VAR)`-expanded. */
    command: string[];
    /** Working directory (`workingDir`, else `/`). */
    workingDir: string;
    /** The container definition the description was made from. */
    container: Record<string, any>;
    /** uid, gid, groups, capabilities and root file system of the container's process (volume-access.ts). */
    identity: ProcessIdentity;
    /** The pod's `fsGroup`, which the kubelet gives every volume. */
    fsGroup?: number;
    /** Pod address given in {@link DescribeOptions.podIPs}, if any. */
    podIP?: string;
}

/** Options of {@link describePods}. */
export interface DescribeOptions {
    /** Host directory under which every pod gets `<root>/<pod>`. */
    root: string;
    /** Kubernetes cluster DNS domain; default `cluster.local`. */
    clusterDomain?: string;
    /** Container to run; default `main`, else the first container. */
    container?: string;
    /** StatefulSet (`metadata.name`) to use when the children hold several. */
    statefulSet?: string;
    /** Pod addresses by pod name, for `status.podIP` references. */
    podIPs?: Record<string, string>;
}

// ------------------------------------------------------------------------------ finding objects

/** The Kubernetes objects of kind `kind` among `children` (by the rendered `kind`, so any type token works). */
export function objectsOfKind(children: ChildResource[], kind: string): ChildResource[] {
    return children.filter((c) => c.type.startsWith("kubernetes:") && c.inputs.kind === kind);
}

/** The StatefulSet among `children`: the one called `name`, or the only one. */
export function findStatefulSet(children: ChildResource[], name?: string): ChildResource {
    const all = objectsOfKind(children, "StatefulSet").filter((s) => name === undefined || s.inputs.metadata.name === name);
    if (all.length !== 1) throw new Error(`expected one StatefulSet${name ? ` named ${name}` : ""}, found ${all.length}`);
    return all[0];
}

/** Decoded content of a Secret (`data` is base64, `stringData` plain) or ConfigMap (`data` plain, `binaryData` base64). */
export function objectData(obj: ChildResource): Record<string, Buffer> {
    const out: Record<string, Buffer> = {};
    const plain = obj.inputs.kind === "Secret" ? obj.inputs.stringData : obj.inputs.data;
    const b64 = obj.inputs.kind === "Secret" ? obj.inputs.data : obj.inputs.binaryData;
    for (const [k, v] of Object.entries((b64 ?? {}) as Record<string, string>)) out[k] = Buffer.from(v, "base64");
    for (const [k, v] of Object.entries((plain ?? {}) as Record<string, string>)) out[k] = Buffer.from(v, "utf8");
    return out;
}

// ----------------------------------------------------------------------------- env & expansion

/**
 * Kubernetes `$(VAR)` expansion (as in command, args and env values): `$(NAME)` becomes the value
 * of a variable defined so far, `$$` becomes `$`, and a reference to an unknown variable stays as written.
 */
export function expandK8sVars(input: string, vars: Record<string, string>): string {
    let out = "";
    for (let i = 0; i < input.length; i++) {
        const next = input[i + 1];
        if (input[i] !== "$" || next === undefined) {
            out += input[i];
        } else if (next === "$") {
            out += "$";
            i++;
        } else if (next === "(" && input.indexOf(")", i + 2) > i + 2) {
            const close = input.indexOf(")", i + 2);
            const name = input.slice(i + 2, close);
            out += Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : `$(${name})`;
            i = close;
        } else {
            out += "$";
        }
    }
    return out;
}

const QUANTITY = /^([+-]?\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;
const SUFFIX: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/** Parses a Kubernetes quantity (`512Mi`, `1.5`, `250m`) into a number. @throws on invalid input. */
export function parseQuantity(q: string | number): number {
    const m = QUANTITY.exec(String(q).trim());
    if (!m) throw new Error(`invalid Kubernetes quantity ${JSON.stringify(q)}`);
    return Number(m[1]) * SUFFIX[m[2] ?? ""];
}

/** Context in which container references (fieldRef, secretKeyRef, ...) and volume payloads are resolved. */
export interface PodContext {
    podName: string;
    namespace: string;
    children: ChildResource[];
    podSpec: Record<string, any>;
    podMeta: Record<string, any>;
    podIP?: string;
}

/** Value of a downward-API `fieldRef` for the pod. @throws for fields this machine cannot answer. */
function fieldRefValue(fieldPath: string, ctx: PodContext): string {
    const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
    if (labelOrAnnotation) return String(ctx.podMeta[labelOrAnnotation[1]]?.[labelOrAnnotation[2]] ?? "");
    switch (fieldPath) {
        case "metadata.name":
            return ctx.podName;
        case "metadata.namespace":
            return ctx.namespace;
        case "spec.serviceAccountName":
            return String(ctx.podSpec.serviceAccountName ?? "default");
        case "status.podIP":
            if (ctx.podIP === undefined) throw new Error(`fieldRef ${fieldPath} of ${ctx.podName} needs podIPs in the options`);
            return ctx.podIP;
        default:
            throw new Error(`fieldRef ${fieldPath} is not supported by the local pod materialiser`);
    }
}

/** Value of a `resourceFieldRef` (ceil(value / divisor), as kubelet computes it); undefined for an unset limit. */
function resourceFieldValue(ref: Record<string, any>, container: Record<string, any>, ctx: PodContext): string | undefined {
    const target = ref.containerName
        ? ((ctx.podSpec.containers as Record<string, any>[]).find((c) => c.name === ref.containerName) ?? container)
        : container;
    const [section, resource] = String(ref.resource).split(".");
    const raw = target.resources?.[section]?.[resource];
    if (raw === undefined) return section === "limits" ? undefined : "0";
    return String(Math.ceil(parseQuantity(raw) / parseQuantity(ref.divisor ?? 1)));
}

/** Value of a key of a Secret or ConfigMap; undefined when it is missing and the reference is optional. */
function keyRefValue(kind: "Secret" | "ConfigMap", ref: Record<string, any>, ctx: PodContext): string | undefined {
    const obj = objectsOfKind(ctx.children, kind).find((c) => c.inputs.metadata?.name === ref.name);
    const value = obj ? objectData(obj)[ref.key] : undefined;
    if (value === undefined && !ref.optional) {
        throw new Error(`${kind} ${ref.name} key ${ref.key} is missing: the container of ${ctx.podName} would not start`);
    }
    return value?.toString("utf8");
}

/** Resolves an env entry's `valueFrom`; undefined means the variable is left out. */
function valueFrom(from: Record<string, any>, container: Record<string, any>, ctx: PodContext): string | undefined {
    if (from.fieldRef) return fieldRefValue(from.fieldRef.fieldPath, ctx);
    if (from.resourceFieldRef) return resourceFieldValue(from.resourceFieldRef, container, ctx);
    if (from.secretKeyRef) return keyRefValue("Secret", from.secretKeyRef, ctx);
    if (from.configMapKeyRef) return keyRefValue("ConfigMap", from.configMapKeyRef, ctx);
    throw new Error(`unsupported valueFrom ${JSON.stringify(from)}`);
}

/** Variables from `envFrom` (ConfigMap/Secret refs with an optional prefix). */
function envFromVars(container: Record<string, any>, ctx: PodContext): Record<string, string> {
    const vars: Record<string, string> = {};
    for (const src of (container.envFrom ?? []) as Record<string, any>[]) {
        const [kind, ref] = src.secretRef ? ["Secret", src.secretRef] : ["ConfigMap", src.configMapRef];
        const obj = objectsOfKind(ctx.children, kind).find((c) => c.inputs.metadata?.name === ref.name);
        if (!obj && !ref.optional) throw new Error(`envFrom ${kind} ${ref.name} is missing`);
        for (const [k, v] of Object.entries(obj ? objectData(obj) : {})) vars[`${src.prefix ?? ""}${k}`] = v.toString("utf8");
    }
    return vars;
}

/**
 * The container environment kubelet would give the process: `HOSTNAME` and the default `PATH`, then
 * `envFrom`, then `env` in order, each `value` expanded against the variables defined before it.
 */
export function containerEnv(container: Record<string, any>, ctx: PodContext): Record<string, string> {
    const vars: Record<string, string> = {
        PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        HOSTNAME: ctx.podName,
        ...envFromVars(container, ctx),
    };
    for (const e of (container.env ?? []) as Record<string, any>[]) {
        const value = e.valueFrom ? valueFrom(e.valueFrom, container, ctx) : expandK8sVars(String(e.value ?? ""), vars);
        if (value !== undefined) vars[e.name] = value;
    }
    return vars;
}

/** Container command and args, `$(VAR)`-expanded. @throws when the container relies on the image's entrypoint. */
export function containerCommand(container: Record<string, any>, env: Record<string, string>): string[] {
    if (!Array.isArray(container.command) || container.command.length === 0) {
        throw new Error(`container ${container.name} has no command; the image's entrypoint is unknown here`);
    }
    return [...container.command, ...(container.args ?? [])].map((a: string) => expandK8sVars(String(a), env));
}

/** Port of the container port called `name`. @throws when the container declares none. */
export function containerPort(desc: PodDescription, name: string): number {
    const port = ((desc.container.ports ?? []) as { name?: string; containerPort: number }[]).find((p) => p.name === name);
    if (!port) throw new Error(`container ${desc.container.name} has no port named ${name}`);
    return port.containerPort;
}

// ------------------------------------------------------------------------------ pods & volumes

/** Names of every Service among `children` whose selector matches the pod labels, plus `serviceName`. */
function servicesOfPods(children: ChildResource[], sts: ChildResource): string[] {
    const labels: Record<string, string> = sts.inputs.spec.template.metadata?.labels ?? {};
    const matching = objectsOfKind(children, "Service")
        .filter((s) => {
            const sel: Record<string, string> = s.inputs.spec?.selector ?? {};
            return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
        })
        .map((s) => s.inputs.metadata.name as string);
    return [...new Set([sts.inputs.spec.serviceName as string, ...matching])];
}

/** DNS names of `svc` in `ns`: short, namespaced, `.svc` and with the cluster domain. */
function dnsForms(name: string, ns: string, clusterDomain: string): string[] {
    return [name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.${clusterDomain}`];
}

/** Which kind of volume `vol` is, and the claim template it uses (for PVCs). */
function volumeKind(vol: Record<string, any>): VolumeKind {
    const kinds: VolumeKind[] = ["projected", "configMap", "secret", "downwardAPI", "emptyDir", "persistentVolumeClaim"];
    const kind = kinds.find((k) => vol[k] !== undefined);
    if (!kind) throw new Error(`volume ${vol.name} has a type the local pod materialiser does not support`);
    return kind;
}

/** True for volumes whose content kubelet writes from API objects. */
export function isFileVolume(kind: VolumeKind): boolean {
    return kind === "projected" || kind === "configMap" || kind === "secret" || kind === "downwardAPI";
}

/**
 * The pod volume behind a mount: a pod-spec volume, or a `volumeClaimTemplates` entry (which the
 * StatefulSet turns into one PVC per pod).
 */
function volumeFor(name: string, sts: ChildResource): Record<string, any> {
    const spec = sts.inputs.spec;
    const vol = (spec.template.spec.volumes ?? []).find((v: Record<string, any>) => v.name === name);
    if (vol) return vol;
    const claim = (spec.volumeClaimTemplates ?? []).find((t: Record<string, any>) => t.metadata?.name === name);
    if (claim) return { name, persistentVolumeClaim: { claimName: name, template: claim } };
    throw new Error(`volume ${name} is mounted but neither a pod volume nor a claim template`);
}

/** The container's mounts, each with its host directory under `podRoot`. */
function podMounts(container: Record<string, any>, sts: ChildResource, podRoot: string): PodMount[] {
    return ((container.volumeMounts ?? []) as Record<string, any>[]).map((m) => {
        if (m.subPath || m.subPathExpr) throw new Error(`mount ${m.name} uses subPath, which is not supported`);
        const source = volumeFor(m.name, sts);
        const kind = volumeKind(source);
        return {
            volume: m.name,
            kind,
            podPath: m.mountPath,
            source,
            hostDir: path.join(podRoot, m.mountPath),
            readOnly: Boolean(m.readOnly) || isFileVolume(kind),
        };
    });
}

/** The container to run: `name`, else `main`, else the first. */
function pickContainer(podSpec: Record<string, any>, name?: string): Record<string, any> {
    const containers = (podSpec.containers ?? []) as Record<string, any>[];
    const found = containers.find((c) => c.name === (name ?? "main")) ?? (name === undefined ? containers[0] : undefined);
    if (!found) throw new Error(`container ${name ?? "main"} not found in the pod template`);
    return found;
}

/**
 * Describes every pod of the StatefulSet among `children` (nothing is written). Pods are
 * `<statefulset>-0` .. `<statefulset>-<replicas-1>`.
 */
export function describePods(children: ChildResource[], opts: DescribeOptions): PodDescription[] {
    const sts = findStatefulSet(children, opts.statefulSet);
    const spec = sts.inputs.spec;
    const namespace: string = sts.inputs.metadata.namespace ?? "default";
    const clusterDomain = opts.clusterDomain ?? "cluster.local";
    const podSpec = spec.template.spec;
    const container = pickContainer(podSpec, opts.container);
    const serviceHostnames = servicesOfPods(children, sts).flatMap((s) => dnsForms(s, namespace, clusterDomain));
    return Array.from({ length: spec.replicas ?? 1 }, (_, index) => {
        const name = `${sts.inputs.metadata.name}-${index}`;
        const podRoot = path.join(opts.root, name);
        const ctx: PodContext = {
            podName: name,
            namespace,
            children,
            podSpec,
            podMeta: spec.template.metadata ?? {},
            podIP: opts.podIPs?.[name],
        };
        const env = containerEnv(container, ctx);
        const mounts = podMounts(container, sts, podRoot);
        const podForms = dnsForms(`${name}.${spec.serviceName}`, namespace, clusterDomain);
        return {
            name,
            index,
            namespace,
            service: spec.serviceName,
            hostnames: [...podForms, ...(index === 0 ? serviceHostnames : [])],
            serviceHostnames,
            podRoot,
            filesDir: mounts.find((m) => isFileVolume(m.kind))?.hostDir ?? "",
            mounts,
            env,
            command: containerCommand(container, env),
            workingDir: container.workingDir ?? "/",
            container,
            identity: processIdentity(podSpec, container),
            fsGroup: typeof podSpec.securityContext?.fsGroup === "number" ? podSpec.securityContext.fsGroup : undefined,
            podIP: opts.podIPs?.[name],
        };
    });
}

// ------------------------------------------------------------------ file volumes (AtomicWriter)

/** One file of a file volume: relative path, content and mode. */
export interface VolumeFile {
    path: string;
    content: Buffer;
    mode: number;
}

/**
 * Items of a ConfigMap/Secret source: the listed `items` (key → path), or every key under its own
 * name. A missing object or key fails the pod unless the source (or item) is optional.
 */
function sourceItems(
    obj: ChildResource | undefined,
    items: Record<string, any>[] | undefined,
    mode: number,
    optional: boolean,
    what: string,
): VolumeFile[] {
    if (!obj) {
        if (optional) return [];
        throw new Error(`${what} is missing: the pod would not start`);
    }
    const data = objectData(obj);
    const list: Record<string, any>[] =
        items ??
        Object.keys(data)
            .sort()
            .map((key) => ({ key, path: key }));
    const files: VolumeFile[] = [];
    for (const it of list) {
        if (data[it.key] !== undefined) files.push({ path: it.path, content: data[it.key], mode: it.mode ?? mode });
        else if (!optional && !it.optional) throw new Error(`${what} has no key ${it.key}: the pod would not start`);
    }
    return files;
}

/** Files of a `configMap` or `secret` source (of a volume or of a projection). */
function keyedFiles(kind: "ConfigMap" | "Secret", src: Record<string, any>, mode: number, ctx: PodContext): VolumeFile[] {
    const name = kind === "Secret" ? (src.secretName ?? src.name) : src.name;
    const obj = objectsOfKind(ctx.children, kind).find((c) => c.inputs.metadata?.name === name);
    return sourceItems(obj, src.items, src.defaultMode ?? mode, Boolean(src.optional), `${kind} ${name}`);
}

/** Files of a downward API source (fieldRef items only). */
function downwardFiles(src: Record<string, any>, mode: number, ctx: PodContext): VolumeFile[] {
    return ((src.items ?? []) as Record<string, any>[]).map((it) => {
        if (!it.fieldRef) throw new Error(`downwardAPI item ${it.path}: only fieldRef is supported`);
        return { path: it.path, content: Buffer.from(fieldRefValue(it.fieldRef.fieldPath, ctx)), mode: it.mode ?? mode };
    });
}

/** Every file a file volume holds, as kubelet computes the payload. */
export function volumePayload(vol: Record<string, any>, ctx: PodContext): VolumeFile[] {
    const KUBE_DEFAULT_MODE = 0o644;
    if (vol.configMap) return keyedFiles("ConfigMap", vol.configMap, KUBE_DEFAULT_MODE, ctx);
    if (vol.secret) return keyedFiles("Secret", vol.secret, KUBE_DEFAULT_MODE, ctx);
    if (vol.downwardAPI) return downwardFiles(vol.downwardAPI, vol.downwardAPI.defaultMode ?? KUBE_DEFAULT_MODE, ctx);
    const mode = vol.projected.defaultMode ?? KUBE_DEFAULT_MODE;
    return (vol.projected.sources as Record<string, any>[]).flatMap((src) => {
        if (src.configMap) return keyedFiles("ConfigMap", { ...src.configMap, defaultMode: undefined }, mode, ctx);
        if (src.secret) return keyedFiles("Secret", { ...src.secret, defaultMode: undefined }, mode, ctx);
        if (src.downwardAPI) return downwardFiles(src.downwardAPI, mode, ctx);
        throw new Error(`projected source ${Object.keys(src).join(",")} is not supported`);
    });
}

/** kubelet's timestamped payload directory name, `..YYYY_MM_DD_HH_MM_SS.<random>`. */
function payloadDirName(): string {
    const t = new Date().toISOString().replace(/[-T:]/g, "_").replace(/\..*$/, "");
    return `..${t}.${crypto.randomBytes(5).readUInt32BE(0)}`;
}

/** The relative paths currently visible in an AtomicWriter directory (empty when never written). */
function currentPayloadDir(dir: string): string | undefined {
    try {
        return fs.readlinkSync(path.join(dir, "..data"));
    } catch {
        return undefined;
    }
}

/**
 * Writes `files` into `dir` as kubelet's AtomicWriter does: the files go into a fresh
 * `..<timestamp>` directory, the `..data` symlink is switched to it with one atomic rename, each
 * top-level name is a symlink into `..data`, and the previous payload directory is removed. A
 * process reading `dir/<file>` sees either the whole old or the whole new payload.
 */
export function writeAtomically(dir: string, files: VolumeFile[]): void {
    fs.mkdirSync(dir, { recursive: true });
    const old = currentPayloadDir(dir);
    const tsName = payloadDirName();
    const tsDir = path.join(dir, tsName);
    fs.mkdirSync(tsDir, { mode: 0o755 });
    for (const f of files) {
        const target = path.join(tsDir, f.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, f.content, { mode: f.mode });
        fs.chmodSync(target, f.mode);
    }
    const tmpLink = path.join(dir, "..data_tmp");
    fs.rmSync(tmpLink, { force: true });
    fs.symlinkSync(tsName, tmpLink);
    fs.renameSync(tmpLink, path.join(dir, "..data"));
    const top = new Set(files.map((f) => f.path.split("/")[0]));
    for (const name of top) {
        if (!fs.existsSync(path.join(dir, name))) fs.symlinkSync(path.join("..data", name), path.join(dir, name));
    }
    for (const name of fs.readdirSync(dir)) {
        if (!name.startsWith("..") && !top.has(name)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
    if (old !== undefined && old !== tsName) fs.rmSync(path.join(dir, old), { recursive: true, force: true });
}

/** Reads the files currently visible in an AtomicWriter directory, by relative path. */
export function readVolumeFiles(dir: string): Record<string, Buffer> {
    const out: Record<string, Buffer> = {};
    const data = path.join(dir, "..data");
    const walk = (rel: string): void => {
        for (const e of fs.readdirSync(path.join(data, rel), { withFileTypes: true })) {
            const r = rel ? `${rel}/${e.name}` : e.name;
            if (e.isDirectory()) walk(r);
            else out[r] = fs.readFileSync(path.join(data, r));
        }
    };
    if (fs.existsSync(data)) walk("");
    return out;
}

// -------------------------------------------------------------------------------- writing pods

/** The resolution context of pod `desc` for `children` (whose StatefulSet must match the description). */
function contextOf(desc: PodDescription, children: ChildResource[]): PodContext {
    const sts = findStatefulSet(children, desc.name.replace(/-\d+$/, ""));
    return {
        podName: desc.name,
        namespace: desc.namespace,
        children,
        podIP: desc.podIP,
        podSpec: sts.inputs.spec.template.spec,
        podMeta: sts.inputs.spec.template.metadata ?? {},
    };
}

/**
 * Creates the host side of every mount of the pod: file volumes written as kubelet does, empty
 * directories for emptyDir and PVC volumes (existing content is kept).
 */
export function writePodFiles(desc: PodDescription, children: ChildResource[]): void {
    const ctx = contextOf(desc, children);
    for (const m of desc.mounts) {
        if (isFileVolume(m.kind)) {
            createVolumeRoot(m.hostDir, EMPTY_DIR_MODE);
            writeAtomically(m.hostDir, volumePayload(m.source, ctx));
        } else {
            createVolumeRoot(m.hostDir, m.kind === "emptyDir" ? EMPTY_DIR_MODE : FRESH_VOLUME_MODE);
        }
        setVolumeOwnership(m.hostDir, desc.fsGroup, volumeReadOnly(m));
    }
}

/**
 * Creates a volume's host directory with the mode the kubelet gives a new one (`empty_dir.go`
 * `setupDir`: 0777, also for the emptyDir wrapped around Secret and ConfigMap volumes; a fresh
 * persistent volume 0755); an existing one (a PVC's data) is left as it is.
 */
function createVolumeRoot(dir: string, mode: number): void {
    if (fs.existsSync(dir)) return;
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, mode);
}

/** Whether the kubelet treats the volume as read-only when setting its ownership (`GetAttributes().ReadOnly`). */
function volumeReadOnly(m: PodMount): boolean {
    return isFileVolume(m.kind) || m.source.persistentVolumeClaim?.readOnly === true;
}

/**
 * What the kubelet does after writing or mounting a volume (`volume_linux.go` `SetVolumeOwnership`,
 * modelled by volume-access.ts `afterSetVolumeOwnership`): with an `fsGroup`, every file and
 * directory under `dir` (symlinks skipped) gets that group and the group permission bits; without
 * one, nothing changes.
 */
export function setVolumeOwnership(dir: string, fsGroup: number | undefined, readOnly: boolean): void {
    if (fsGroup === undefined) return;
    const visit = (p: string): void => {
        const st = fs.lstatSync(p);
        if (st.isSymbolicLink()) return;
        const o = afterSetVolumeOwnership({ uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 }, st.isDirectory(), fsGroup, readOnly);
        fs.lchownSync(p, o.uid, o.gid);
        fs.chmodSync(p, o.mode);
        if (st.isDirectory()) fs.readdirSync(p).forEach((e) => visit(path.join(p, e)));
    };
    visit(dir);
}

/** Describes the pods of the StatefulSet among `children` and writes their files under `opts.root`. */
export function materialisePods(children: ChildResource[], opts: DescribeOptions): PodDescription[] {
    const pods = describePods(children, opts);
    pods.forEach((p) => writePodFiles(p, children));
    return pods;
}

/** Options of {@link refreshPodFiles}. */
export interface RefreshOptions {
    /** Only take these volume-relative paths from `children`; every other file keeps its current content. */
    only?: string[];
}

/**
 * Simulates kubelet refreshing the pod's file volumes after a ConfigMap or Secret changed: each
 * volume's payload is recomputed from `children` and swapped in atomically.
 * @returns the relative paths (per volume, `<volume>/<path>`) whose content changed.
 */
export function refreshPodFiles(desc: PodDescription, children: ChildResource[], opts: RefreshOptions = {}): string[] {
    const ctx = contextOf(desc, children);
    const changed: string[] = [];
    for (const m of desc.mounts.filter((x) => isFileVolume(x.kind))) {
        const current = readVolumeFiles(m.hostDir);
        const fresh = volumePayload(m.source, ctx);
        const next = fresh.map((f) =>
            opts.only && !opts.only.includes(f.path) && current[f.path] !== undefined ? { ...f, content: current[f.path] } : f,
        );
        next.filter((f) => !current[f.path]?.equals(f.content)).forEach((f) => changed.push(`${m.volume}/${f.path}`));
        writeAtomically(m.hostDir, next);
        // The kubelet sets the ownership again after every write (AtomicWriter's setPerms hook).
        setVolumeOwnership(m.hostDir, desc.fsGroup, true);
    }
    return changed;
}

/**
 * Simulates deleting and recreating the pod: emptyDir volumes start empty again, persistent
 * volume claims keep their data (with the ownership a new mount gives them), file volumes are left
 * as they are.
 */
export function resetEphemeralVolumes(desc: PodDescription): void {
    for (const m of desc.mounts.filter((x) => !isFileVolume(x.kind))) {
        if (m.kind === "emptyDir") fs.rmSync(m.hostDir, { recursive: true, force: true });
        createVolumeRoot(m.hostDir, m.kind === "emptyDir" ? EMPTY_DIR_MODE : FRESH_VOLUME_MODE);
        // The new pod's kubelet sets the volume up again: a PVC's existing files get fsGroup too.
        setVolumeOwnership(m.hostDir, desc.fsGroup, volumeReadOnly(m));
    }
}

// --------------------------------------------------------------------------------- launching

/** Maps an image's executable (as the container command names it) to a binary installed on this machine. */
export type ExecutableMap = Record<string, string>;

/** A shell command line that starts something with a container's view of the file system. */
export interface ContainerLaunch {
    /** `sh`. */
    cmd: string;
    /** `-c <script> sh <argv...>`. */
    args: string[];
    /** The container environment (pass as the spawn environment). */
    env: Record<string, string>;
}

/** How to start a pod's process with {@link podLaunch}. */
export interface PodLaunch extends ContainerLaunch {
    /** Paths that must exist on the host as mount points: directories, and files for mapped executables. */
    mountPoints: MountPoint[];
}

/** Quotes `s` for a POSIX shell. */
export function shQuote(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that runs `argv` inside the pod's network namespace (whose `ip netns exec` already
 * gives it a private mount namespace) with the container's view: bind-mounts each volume's host
 * directory at its `mountPath` (read-only where Kubernetes does), then each of `binds`, makes the
 * root file system read-only when the container asks for it, changes to the working directory,
 * removes every inherited variable that is not part of the container environment, and execs
 * `argv` unchanged as the container's user ({@link asContainerUser}).
 * @param inheritedEnv - names of the variables the spawner passes down besides `desc.env` (they are unset).
 * @param binds - further host paths to bind-mount at pod paths (an installed binary over an image's executable).
 */
export function containerLaunch(
    desc: PodDescription,
    argv: string[],
    inheritedEnv: string[],
    binds: { hostPath: string; podPath: string }[] = [],
): ContainerLaunch {
    const lines = ["set -e"];
    for (const m of desc.mounts) {
        lines.push(`mount --bind ${shQuote(m.hostDir)} ${shQuote(m.podPath)}`);
        if (m.readOnly) lines.push(`mount -o remount,bind,ro ${shQuote(m.podPath)}`);
    }
    for (const b of binds) lines.push(`mount --bind ${shQuote(b.hostPath)} ${shQuote(b.podPath)}`);
    // readOnlyRootFilesystem: the root mount of this private mount namespace becomes read-only; the
    // volume mounts above are mounts of their own and keep their mode (/proc, /sys, /dev too).
    if (desc.identity.readOnlyRoot) lines.push("mount -o remount,bind,ro /");
    lines.push(`cd ${shQuote(desc.workingDir)}`);
    const unset = inheritedEnv
        .filter((n) => !(n in desc.env))
        .map((n) => `-u ${shQuote(n)}`)
        .join(" ");
    lines.push(`exec ${asContainerUser(desc.identity)} env ${unset} "$@"`);
    return { cmd: "sh", args: ["-c", lines.join("\n"), "sh", ...argv], env: { ...desc.env } };
}

/**
 * The `setpriv` (util-linux) command that execs the rest of the command line as the container's
 * process: its uid and gid, exactly its supplementary groups, a capability bounding set of the
 * capabilities it keeps (none with `drop: [ALL]`; a non-root uid holds no effective capabilities
 * anyway), no inheritable capabilities, and no_new_privs with `allowPrivilegeEscalation: false`.
 */
export function asContainerUser(who: ProcessIdentity): string {
    const groups = who.groups.length ? `--groups=${who.groups.join(",")}` : "--clear-groups";
    const bounding = ["-all", ...who.capabilities.map((c) => `+${c.toLowerCase()}`)].join(",");
    return [
        "setpriv",
        `--reuid=${who.uid}`,
        `--regid=${who.gid}`,
        groups,
        "--inh-caps=-all",
        `--bounding-set=${bounding}`,
        ...(who.noNewPrivileges ? ["--no-new-privs"] : []),
        "--",
    ].join(" ");
}

/**
 * The {@link containerLaunch} of the pod's container command, with one substitution: the image
 * executable. An absolute image path (`/nats-server`) gets the installed binary bind-mounted over
 * it, so the command line is exactly the container's; a bare name (`nats-server` from the image's
 * PATH) is replaced by the installed binary's path.
 * @param inheritedEnv - names of the variables the spawner passes down besides `desc.env` (they are unset).
 */
export function podLaunch(desc: PodDescription, executables: ExecutableMap, inheritedEnv: string[]): PodLaunch {
    const [exe, ...rest] = desc.command;
    const hostBinary = executables[exe];
    if (hostBinary === undefined) throw new Error(`no installed binary mapped for the image executable ${exe}`);
    const absolute = exe.startsWith("/");
    const binds = absolute ? [{ hostPath: hostBinary, podPath: exe }] : [];
    return {
        ...containerLaunch(desc, [absolute ? exe : hostBinary, ...rest], inheritedEnv, binds),
        mountPoints: [
            ...desc.mounts.map((m) => ({ path: m.podPath, kind: "dir" as const })),
            ...(absolute ? [{ path: exe, kind: "file" as const }] : []),
        ],
    };
}

// ------------------------------------------------------------------------ host mount points

/** Directory of the cross-process bookkeeping of mount points on the host root filesystem. */
export const MOUNT_POINT_STATE_DIR = "/run/isbt-mountpoints";
const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

/** A path on the host root filesystem at which a pod mounts something. */
export interface MountPoint {
    path: string;
    kind: "dir" | "file";
}

interface MountPointState {
    /** Host paths created by live tests (not there before), in creation order. */
    created: string[];
}

/** Runs `fn` holding an exclusive lock file (O_EXCL), breaking a lock older than 10 s. */
function withLock<T>(fn: () => T): T {
    fs.mkdirSync(path.join(MOUNT_POINT_STATE_DIR, "users"), { recursive: true });
    const lock = path.join(MOUNT_POINT_STATE_DIR, "lock");
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
        try {
            fs.closeSync(fs.openSync(lock, "wx"));
            break;
        } catch {
            const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
            if (age > LOCK_STALE_MS) fs.rmSync(lock, { force: true });
            if (Date.now() > deadline) throw new Error(`could not lock ${lock} within ${LOCK_WAIT_MS}ms`);
            sleepSync(20);
        }
    }
    try {
        return fn();
    } finally {
        fs.rmSync(lock, { force: true });
    }
}

function readState(): MountPointState {
    try {
        return JSON.parse(fs.readFileSync(path.join(MOUNT_POINT_STATE_DIR, "created"), "utf8")) as MountPointState;
    } catch {
        return { created: [] };
    }
}

function writeState(state: MountPointState): void {
    fs.writeFileSync(path.join(MOUNT_POINT_STATE_DIR, "created"), JSON.stringify(state));
}

/** Paths used by live processes other than this one. */
function pathsInUseByOthers(): Set<string> {
    const users = path.join(MOUNT_POINT_STATE_DIR, "users");
    const inUse = new Set<string>();
    for (const pid of fs.readdirSync(users)) {
        const alive = Number(pid) !== process.pid && fs.existsSync(`/proc/${pid}`);
        if (!alive) {
            if (Number(pid) !== process.pid) fs.rmSync(path.join(users, pid), { force: true });
            continue;
        }
        try {
            (JSON.parse(fs.readFileSync(path.join(users, pid), "utf8")) as string[]).forEach((p) => inUse.add(p));
        } catch {
            // being rewritten by its owner under the lock cannot happen; a torn file means a dead owner
        }
    }
    return inUse;
}

/** The missing ancestors of `p` (and `p`), outermost first. */
function missingPrefixes(p: string): string[] {
    const parts = path.resolve(p).split("/").filter(Boolean);
    const missing: string[] = [];
    for (let i = 1; i <= parts.length; i++) {
        const prefix = `/${parts.slice(0, i).join("/")}`;
        if (!fs.existsSync(prefix)) missing.push(prefix);
    }
    return missing;
}

/** Removes a mount point we created, only if it is still empty (never deletes content). */
function removeIfEmpty(p: string): void {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return;
    try {
        if (st.isDirectory()) fs.rmdirSync(p);
        else if (st.isFile() && st.size === 0) fs.unlinkSync(p);
    } catch {
        // not empty (someone else put something there): leave it
    }
}

const held = new Map<string, number>();
let exitHookInstalled = false;

/** Mount points this process currently holds (empty once every pod set is destroyed). */
export function heldMountPoints(): string[] {
    return [...held.keys()];
}

function writeUsers(): void {
    const mine = [...held.entries()].filter(([, n]) => n > 0).map(([p]) => p);
    const file = path.join(MOUNT_POINT_STATE_DIR, "users", String(process.pid));
    if (mine.length > 0) fs.writeFileSync(file, JSON.stringify(mine));
    else fs.rmSync(file, { force: true });
}

/**
 * Makes sure the mount points exist on the host root filesystem, creating missing ones (and
 * their missing parents) and remembering that tests created them. Reference-counted within the
 * process and recorded per process, so concurrent test runs never remove each other's.
 */
export function acquireMountPoints(points: MountPoint[]): void {
    withLock(() => {
        const state = readState();
        for (const pt of points) {
            const missing = missingPrefixes(pt.path);
            missing.forEach((m, i) => {
                if (i === missing.length - 1 && pt.kind === "file") fs.writeFileSync(m, "", { mode: 0o755 });
                else fs.mkdirSync(m);
                state.created.push(m);
            });
            held.set(pt.path, (held.get(pt.path) ?? 0) + 1);
        }
        writeState(state);
        writeUsers();
    });
    if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on("exit", () =>
            releaseMountPoints(
                [...held.keys()].map((p) => ({ path: p })),
                true,
            ),
        );
    }
}

/**
 * Releases mount points taken with {@link acquireMountPoints}. When no process uses a mount point
 * that tests created any more, it is removed (if still empty), deepest first, together with the
 * parents tests created for it.
 * @param all - release every reference this process holds (exit handler).
 */
export function releaseMountPoints(points: { path: string }[], all = false): void {
    withLock(() => {
        for (const pt of points) {
            const n = (held.get(pt.path) ?? 0) - 1;
            if (n <= 0 || all) held.delete(pt.path);
            else held.set(pt.path, n);
        }
        writeUsers();
        const inUse = new Set([...pathsInUseByOthers(), ...held.keys()]);
        const state = readState();
        const busy = (p: string): boolean => [...inUse].some((u) => u === p || u.startsWith(`${p}/`));
        const removable = state.created.filter((p) => !busy(p)).sort((a, b) => b.length - a.length);
        removable.forEach(removeIfEmpty);
        writeState({ created: state.created.filter((p) => fs.existsSync(p)) });
    });
}
