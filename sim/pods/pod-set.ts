/**
 * What every bed of pods has in common, whatever runs in them: the pods of a component's
 * StatefulSet materialised under a fresh harness network (`pod-files.ts`), one network namespace
 * per pod with its DNS names, the host mount points the bind mounts need, and per pod and
 * container the processes started in it, with their logs. {@link PodSet.open} sets all this up
 * and cleans up again when the start fails; {@link PodSet.destroy} removes it.
 *
 * The flavour beds (`jetstream-pods.ts`, `redis-pods.ts`, the benchmark's `bench/nats-bed.ts`)
 * extend {@link PodSet} with what they run: which containers, which binaries, how a container
 * is launched, and how readiness is judged.
 */
import * as path from "node:path";
import { PodNetwork } from "./netns";
import { ExecResult, Pod, PodProcess } from "./pod";
import { requireBinary, requireRoot } from "./requirements";
import {
    acquireMountPoints,
    ChildResource,
    ContainerLaunch,
    describePods,
    writePodFiles,
    isFileVolume,
    materialisePods,
    MountPoint,
    PodDescription,
    releaseMountPoints,
} from "./pod-files";

/** Options every pod set is started with. */
export interface PodSetOptions {
    /** Id of the harness network (1-5 chars of `[a-z0-9]`); resources are named `isbt-<id>-...`. */
    id: string;
    /** Cluster DNS domain for the pods' long names; default `cluster.local`. */
    clusterDomain?: string;
    /** Keep the network's temp dir (logs, pod files, data) after {@link PodSet.destroy}. */
    keepLogs?: boolean;
    /**
     * Called once per pod right after its network namespace exists and before any container of it
     * starts (e.g. to apply NetworkPolicy rules, `network-policy.ts`).
     */
    onPodCreated?(name: string, pod: Pod, network: PodNetwork): Promise<void>;
}

/**
 * The containers run in each pod: the name a bed gives a container (also the name of its
 * processes and log files) → the container of the pod template it is (undefined: `main`, else the first).
 */
export type ContainerMap<C extends string> = Record<C, string | undefined>;

/** One pod: its container descriptions, its namespace once created, and the processes started in each container. */
export interface PodState<C extends string> {
    name: string;
    descs: Record<C, PodDescription>;
    pod?: Pod;
    procs: Record<C, PodProcess[]>;
}

/** What {@link PodSet.open} needs to know of a bed. */
export interface PodSetSetup<C extends string, T> {
    /** Executables that must be installed; found as absolute paths in `make`'s `binaries`. */
    binaries: readonly string[];
    containers: ContainerMap<C>;
    /** Directory under the network's temp dir holding the pods' files; default `pods`. */
    filesDir?: string;
    /** The host mount points to acquire before the bed exists; default none. */
    mountPoints?(states: PodState<C>[], binaries: Record<string, string>): MountPoint[];
    /** Makes the bed (nothing started yet). */
    make(network: PodNetwork, states: PodState<C>[], mountPoints: MountPoint[], binaries: Record<string, string>): T;
    /** Creates and starts the pods; a failure destroys the bed. */
    start(bed: T): Promise<void>;
    /** Append the last lines of each pod's log to the message of a start failure. */
    logTailsOnError?: boolean;
}

/** Describes and writes every container's view of every pod under `root`. */
function materialiseContainers<C extends string>(
    children: ChildResource[],
    containers: ContainerMap<C>,
    root: string,
    clusterDomain?: string,
): PodState<C>[] {
    const names = Object.keys(containers) as C[];
    const byContainer = names.map((c) => materialisePods(children, { root, clusterDomain, container: containers[c] }));
    return byContainer[0].map((d, i) => ({
        name: d.name,
        descs: Object.fromEntries(names.map((c, k) => [c, byContainer[k][i]])) as Record<C, PodDescription>,
        procs: Object.fromEntries(names.map((c) => [c, []])) as unknown as Record<C, PodProcess[]>,
    }));
}

/** Every distinct mount path of the containers (host mount points the bind mounts need). */
export function mountPointsOf<C extends string>(states: PodState<C>[]): MountPoint[] {
    const paths = new Set(
        states.flatMap((s) => (Object.values(s.descs) as PodDescription[]).flatMap((d) => d.mounts.map((m) => m.podPath))),
    );
    return [...paths].map((p) => ({ path: p, kind: "dir" as const }));
}

/** The pods of one component and the processes run in them. Always {@link PodSet.destroy}. */
export class PodSet<C extends string> {
    private destroyed = false;
    /** See {@link PodSetOptions.onPodCreated}. */
    private podCreated?: PodSetOptions["onPodCreated"];
    /** The container names, in the order of the {@link ContainerMap}. */
    protected readonly containers: readonly C[];

    protected constructor(
        /** The harness network the pods live in (add further pods to it, e.g. an intruder). */
        readonly network: PodNetwork,
        protected readonly states: PodState<C>[],
        /** Host mount points this bed holds (released by {@link destroy}). */
        protected mountPoints: MountPoint[],
    ) {
        this.containers = Object.keys(states[0]?.procs ?? {}) as C[];
    }

    /**
     * Checks the requirements (root, the binaries), creates the harness network, materialises the
     * pods of the StatefulSet among `children` under it, acquires the mount points, makes the bed
     * and starts it. @throws Error (after cleaning up) when anything of that fails.
     */
    protected static async open<C extends string, T extends PodSet<C>>(
        children: ChildResource[],
        opts: PodSetOptions,
        setup: PodSetSetup<C, T>,
    ): Promise<T> {
        requireRoot();
        // setpriv and mount launch every container process (pod-files.ts `containerLaunch`).
        ["setpriv", "mount"].forEach(requireBinary);
        const binaries = Object.fromEntries(setup.binaries.map((b) => [b, requireBinary(b)]));
        const network = await PodNetwork.create({ id: opts.id, keepLogs: opts.keepLogs });
        let bed: T | undefined;
        try {
            const root = path.join(network.logDir, setup.filesDir ?? "pods");
            const states = materialiseContainers(children, setup.containers, root, opts.clusterDomain);
            const points = setup.mountPoints?.(states, binaries) ?? [];
            if (points.length > 0) acquireMountPoints(points);
            bed = setup.make(network, states, points, binaries);
            bed.podCreated = opts.onPodCreated;
            await setup.start(bed);
            return bed;
        } catch (err) {
            const tails = (setup.logTailsOnError && bed?.logTails()) || "";
            if (bed) await bed.destroy();
            else await network.destroy();
            if (setup.logTailsOnError) throw Object.assign(err as Error, { message: `${(err as Error).message}${tails}` });
            throw err;
        }
    }

    // ------------------------------------------------------------------------------ pods

    /** Pod names in ordinal order. */
    podNames(): string[] {
        return this.states.map((s) => s.name);
    }

    /** Number of replicas of the StatefulSet. */
    get replicas(): number {
        return this.states.length;
    }

    /** The description (files, mounts, env, command, container spec) of a container of pod `name`. */
    describe(name: string, container: C = this.containers[0]): PodDescription {
        return this.state(name).descs[container];
    }

    /** The pod's address on the harness bridge. @throws before the pod is created. */
    address(name: string): string {
        return this.created(name).address;
    }

    /** Creates the pod's network namespace with its DNS names (once). */
    protected async addPod(name: string): Promise<Pod> {
        const s = this.state(name);
        if (!s.pod) {
            s.pod = await this.network.addPod(name, s.descs[this.containers[0]].hostnames);
            await this.podCreated?.(name, s.pod, this.network);
        }
        return s.pod;
    }

    /** Host directories of the emptyDir/PVC volumes of a pod (its data). */
    dataDirs(name: string): string[] {
        const s = this.state(name);
        return this.containers.flatMap((c) => s.descs[c].mounts.filter((m) => !isFileVolume(m.kind)).map((m) => m.hostDir));
    }

    /**
     * A new revision of the StatefulSet's pod template (`children` of a rebuilt component, same
     * StatefulSet): pod `name` gets the new containers' descriptions (command, env, mounts) and its
     * file volumes are written from the new objects, as for a pod the controller re-creates; data
     * volumes keep their content. Only while its containers are stopped (see `rolling.ts`). A volume
     * the old template did not mount (e.g. the Redis TLS Secret when TLS is turned on) gets its
     * mount point on the host, held until {@link destroy}, as the kubelet mounts every volume of the
     * new pod.
     * @throws when a container runs.
     */
    reviseTemplate(name: string, children: ChildResource[]): void {
        const s = this.state(name);
        if (this.containers.some((c) => this.running(name, c))) throw new Error(`pod ${name} still has running containers`);
        const paths = new Set(this.containers.flatMap((c) => s.descs[c].mounts.map((m) => m.podPath)));
        for (const c of this.containers) {
            const old = s.descs[c];
            const prefix = `${old.name}.${old.service}.${old.namespace}.svc.`;
            const clusterDomain = old.hostnames.find((h) => h.startsWith(prefix))?.slice(prefix.length);
            const fresh = describePods(children, {
                root: path.dirname(old.podRoot),
                clusterDomain,
                container: old.container.name,
                ...(old.podIP !== undefined && { podIPs: { [name]: old.podIP } }),
            }).find((d) => d.name === name);
            if (!fresh) throw new Error(`the new template has no pod ${name}`);
            const held = new Set(this.mountPoints.map((m) => m.path));
            const extra: MountPoint[] = fresh.mounts
                .filter((m) => !paths.has(m.podPath) && !held.has(m.podPath))
                .map((m) => ({ path: m.podPath, kind: "dir" }));
            if (extra.length > 0) {
                acquireMountPoints(extra);
                this.mountPoints = [...this.mountPoints, ...extra];
            }
            writePodFiles(fresh, children);
            s.descs[c] = fresh;
        }
    }

    // ------------------------------------------------------------------------------- DNS

    /** The address of a pod DNS name, as the pods' hosts files answer it (undefined when unknown). */
    resolve(host: string): string | undefined {
        return this.network.resolve(host);
    }

    /**
     * What cluster DNS plus Service routing would give for `host`: every created pod's address
     * for a Service name (the headless Service publishes all pods; a ClusterIP Service routes to
     * any), the pod's address for a pod name, else nothing.
     */
    resolveAll(host: string): string[] {
        const wanted = host.toLowerCase().replace(/\.$/, "");
        if (this.describe(this.states[0].name).serviceHostnames.includes(wanted)) {
            return this.states.filter((s) => s.pod).map((s) => s.pod!.address);
        }
        const one = this.resolve(wanted);
        return one === undefined ? [] : [one];
    }

    // ------------------------------------------------------------------------- processes

    /** The current (last started) process of a container of the pod, if any. */
    process(name: string, container: C = this.containers[0]): PodProcess | undefined {
        return this.state(name).procs[container].at(-1);
    }

    /** True while the container's current process runs. */
    running(name: string, container: C = this.containers[0]): boolean {
        return this.process(name, container)?.running ?? false;
    }

    /** Starts `launch` as the container's process in its pod. @throws when the pod does not exist or the container runs. */
    protected spawnIn(name: string, container: C, launch: ContainerLaunch, cwd = "/"): PodProcess {
        const pod = this.created(name);
        if (this.running(name, container)) throw new Error(`${this.label(name, container)} is already running`);
        const proc = pod.spawn(container, launch.cmd, launch.args, { env: launch.env, cwd });
        this.state(name).procs[container].push(proc);
        return proc;
    }

    /** Runs `launch` to its end in the pod (probes, hooks, clients). */
    protected execIn(name: string, launch: ContainerLaunch, timeoutMs: number): Promise<ExecResult> {
        return this.created(name).exec(launch.cmd, launch.args, { env: launch.env, timeoutMs });
    }

    // ------------------------------------------------------------------------------ logs

    /** Everything a container's processes logged, oldest first. */
    logs(name: string, container: C = this.containers[0]): string {
        return this.state(name)
            .procs[container].map((p) => p.logs())
            .join("\n");
    }

    /** The last lines the current process of every pod's first container logged, for error messages (the logs go with the network). */
    protected logTails(lines = 15): string {
        const c = this.containers[0];
        return this.states
            .map((s) => `\n----- ${s.name} -----\n` + (s.procs[c].at(-1)?.logs() ?? "").split("\n").slice(-lines).join("\n"))
            .join("");
    }

    /** Writes every container's logs to stderr (for failed tests). */
    dumpLogs(): void {
        for (const s of this.states) {
            for (const c of this.containers) {
                s.procs[c].forEach((p) => process.stderr.write(`----- ${this.label(s.name, c)} (pid ${p.pid}) -----\n${p.logs()}\n`));
            }
        }
    }

    // -------------------------------------------------------------------------- teardown

    /** Stops every process, removes the network, pod files and data, and the mount points tests created. Idempotent. */
    async destroy(): Promise<void> {
        if (this.destroyed) return;
        this.destroyed = true;
        try {
            await this.network.destroy();
        } finally {
            if (this.mountPoints.length > 0) releaseMountPoints(this.mountPoints);
        }
    }

    protected state(name: string): PodState<C> {
        const s = this.states.find((x) => x.name === name);
        if (!s) throw new Error(`no pod ${name}; pods are ${this.podNames().join(", ")}`);
        return s;
    }

    /** The pod's namespace. @throws before the pod is created. */
    private created(name: string): Pod {
        const pod = this.state(name).pod;
        if (!pod) throw new Error(`pod ${name} has not been created`);
        return pod;
    }

    /** `<pod>` when the pods run one container, else `<pod>/<container>` (in messages and log headers). */
    private label(name: string, container: C): string {
        return this.containers.length === 1 ? name : `${name}/${container}`;
    }
}
