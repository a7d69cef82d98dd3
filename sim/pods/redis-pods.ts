/**
 * Runs the native Redis StatefulSet of a component built under the mocks as real `redis-server`
 * and `redis-sentinel` processes: one "pod" per network namespace of the live-test harness, with
 * the real pod DNS names, and in each pod the two containers `redis` and `sentinel`, each running
 * its own rendered command (`/bin/sh /etc/isbsvc/scripts/start-node.sh`,
 * `/bin/sh /etc/isbsvc/scripts/start-sentinel.sh`) with its own mounts and environment.
 *
 * Fidelity to Kubernetes:
 * - Files: `pod-files.ts` writes every volume as kubelet would (ConfigMaps, the TLS Secret, the
 *   emptyDirs), under `<network tmp>/pods/<pod>/<mountPath>`. A volume that both containers mount
 *   (config, scripts, tls) is the same host directory for both, as in a pod.
 * - Each container process gets its own private mount namespace (every `ip netns exec` makes one)
 *   in which its mounts are bind-mounted at their `mountPath`s, read-only where Kubernetes mounts
 *   them so. Nothing is substituted: the scripts find `redis-server`, `redis-sentinel`,
 *   `redis-cli`, `getent` and `timeout` on the container's PATH, which here are the installed ones.
 * - Environment: exactly the container environment (`POD_NAME` from the downward API,
 *   `REDIS_PASSWORD` from the auth Secret, kubelet's `PATH` and `HOSTNAME`); inherited variables
 *   are removed.
 * - Pod management as the StatefulSet's `podManagementPolicy` says: `Parallel` creates every pod
 *   at once and waits until all are ready; `OrderedReady` creates pod i+1 only when both
 *   containers of pod i are ready. Ready: their startup
 *   probe passed once, then their readiness probe passes. The probes are the rendered probe
 *   commands run inside the container's mounts (polled every 250 ms instead of `periodSeconds`,
 *   to keep tests short). A pod's DNS names exist from its creation on (the headless Service
 *   publishes not-ready addresses).
 * - Container restart (a crashed container): the same pod and files; emptyDirs (`/data`,
 *   `/run/isbsvc`, `/sentinel`) keep their content. Pod recreation: emptyDirs start empty.
 * - Graceful deletion as kubelet does it: every container concurrently runs its own preStop hook,
 *   then gets SIGTERM, and SIGKILL when `terminationGracePeriodSeconds` (or the given grace) runs out.
 *
 * - Identity: every process (servers, probes, hooks) runs as the container's uid/gid (999 by
 *   default) with the supplementary group `fsGroup`, no capabilities and no_new_privs, on a
 *   read-only root file system; the volume files have the kubelet's owners and modes
 *   (`pod-files.ts` `containerLaunch`, `setVolumeOwnership`).
 *
 * Deviations, on purpose: no PID/UTS namespaces; outside its mounts a container sees the host's
 * root file system, read-only (not an image); seccomp is not applied; the
 * `metrics` container is not run; the client Service names (`isbsvc-<n>-redis-svc.<ns>.svc`, and
 * the headless Service's own name) are mapped in the hosts files to pod 0 only, since a hosts
 * file gives a name one address. Test clients therefore use {@link RedisPods.resolveAll}, which
 * answers a Service name with every pod's address, as a ClusterIP Service would route to any pod.
 *
 * The second half holds client helpers that use only the component outputs (`sentinelUrl`,
 * `masterName`, `password`, `tlsEnabled`, `caCertPem`).
 */
import Redis, { RedisOptions } from "ioredis";
import { PodNetwork } from "./netns";
import { ExecResult, PodProcess } from "./pod";
import { sleep, waitFor } from "./wait";
import { ChildResource, containerLaunch, containerPort, findStatefulSet, MountPoint, resetEphemeralVolumes } from "./pod-files";
import { mountPointsOf, PodSet, PodSetOptions, PodState } from "./pod-set";

/** The containers of a Redis pod this module runs (`metrics` is not run). */
export type ContainerName = "redis" | "sentinel";
/** Both containers, in pod-spec order. */
export const CONTAINERS: readonly ContainerName[] = ["redis", "sentinel"];
/** Executables the rendered scripts call from PATH; each must be installed. */
export const SCRIPT_BINARIES = ["sh", "mount", "redis-server", "redis-sentinel", "redis-cli", "getent", "timeout"] as const;

/** Options of {@link RedisPods.start}. */
export interface RedisPodsOptions extends PodSetOptions {
    /** Bound on each pod becoming ready during the ordered start; default 60 s. */
    readyTimeoutMs?: number;
}

/** Probe kinds of a container. */
export type ProbeKind = "startup" | "readiness" | "liveness";

const PROBE_POLL_MS = 250;
const DEFAULT_READY_MS = 60_000;
const HOOK_TIMEOUT_MS = 90_000;

/** The exec command of a container's probe or preStop hook, or undefined when it has none. */
function execCommand(handler: Record<string, any> | undefined): string[] | undefined {
    const cmd = handler?.exec?.command;
    return Array.isArray(cmd) && cmd.length > 0 ? cmd.map(String) : undefined;
}

/** The Redis pods of one component. Create with {@link RedisPods.start}; always {@link RedisPods.destroy}. */
export class RedisPods extends PodSet<ContainerName> {
    private constructor(
        network: PodNetwork,
        states: PodState<ContainerName>[],
        mountPoints: MountPoint[],
        private readonly readyTimeoutMs: number,
        /** The pod spec's `terminationGracePeriodSeconds` (default 30) in ms. */
        readonly terminationGraceMs: number,
    ) {
        super(network, states, mountPoints);
    }

    /**
     * Materialises the pods of the component's StatefulSet and creates them as its
     * `podManagementPolicy` does: all at once (Parallel), or in ordinal order, each only after the
     * previous one's containers are ready (OrderedReady).
     * @throws Error (after cleaning up) when a binary is missing or a pod does not become ready.
     */
    static start(children: ChildResource[], opts: RedisPodsOptions): Promise<RedisPods> {
        return PodSet.open(children, opts, {
            binaries: SCRIPT_BINARIES,
            containers: { redis: "redis", sentinel: "sentinel" },
            mountPoints: mountPointsOf,
            make: (network, states, points) => {
                const grace = findStatefulSet(children).inputs.spec.template.spec.terminationGracePeriodSeconds ?? 30;
                return new RedisPods(network, states, points, opts.readyTimeoutMs ?? DEFAULT_READY_MS, grace * 1000);
            },
            start: async (pods) => {
                if (findStatefulSet(children).inputs.spec.podManagementPolicy === "Parallel") await pods.createPods(pods.podNames());
                else for (const name of pods.podNames()) await pods.createPod(name);
            },
        });
    }

    // ------------------------------------------------------------------------------ naming

    /** The pod's DNS name behind the headless Service, `<pod>.<headless>.<ns>.svc` (what the scripts announce). */
    fqdn(name: string): string {
        const d = this.describe(name, "redis");
        return `${d.name}.${d.service}.${d.namespace}.svc`;
    }

    /** The pod whose {@link fqdn} (or any of its DNS names) is `host`. @throws when none is. */
    podOf(host: string): string {
        const wanted = host.toLowerCase().replace(/\.$/, "");
        const s = this.states.find((x) => x.descs.redis.hostnames.slice(0, 4).includes(wanted));
        if (!s) throw new Error(`${host} is not the name of a pod`);
        return s.name;
    }

    /** The pod having `address`. @throws when no pod has it. */
    podAt(address: string): string {
        const s = this.states.find((x) => x.pod?.address === address.replace(/^::ffff:/, ""));
        if (!s) throw new Error(`no pod has address ${address}`);
        return s.name;
    }

    /** Port of the named container port (`redis` 6379, `sentinel` 26379). */
    port(container: ContainerName): number {
        return containerPort(this.states[0].descs[container], container);
    }

    // -------------------------------------------------------------------------- containers

    /** Starts a container's command in its pod. @throws when the pod does not exist or the container runs. */
    startContainer(name: string, container: ContainerName): PodProcess {
        const desc = this.describe(name, container);
        return this.spawnIn(name, container, containerLaunch(desc, desc.command, Object.keys(process.env)));
    }

    /** SIGKILL of a container's process group (a crash, the OOM killer). No-op when it is not running. */
    async killContainer(name: string, container: ContainerName): Promise<void> {
        await this.process(name, container)?.kill();
    }

    /**
     * Stops a container as kubelet does: its preStop hook (bounded by the grace period), SIGTERM,
     * SIGKILL when the grace period is over. @returns the preStop result (undefined without a hook).
     */
    async stopContainer(name: string, container: ContainerName, graceMs: number): Promise<ExecResult | undefined> {
        const proc = this.process(name, container);
        if (!proc?.running) return undefined;
        const started = Date.now();
        const hook = execCommand(this.describe(name, container).container.lifecycle?.preStop);
        const result = hook ? await this.exec(name, container, hook, graceMs) : undefined;
        await proc.stop("SIGTERM", Math.max(1, graceMs - (Date.now() - started)));
        return result;
    }

    /** Runs `argv` in the pod with a container's mounts and environment (probes, hooks, `redis-cli`). */
    exec(name: string, container: ContainerName, argv: string[], timeoutMs = 15_000): Promise<ExecResult> {
        return this.execIn(name, containerLaunch(this.describe(name, container), argv, Object.keys(process.env)), timeoutMs);
    }

    /** Runs the container's rendered probe of `kind` once. @returns true when it exits 0. */
    async probe(name: string, container: ContainerName, kind: ProbeKind): Promise<boolean> {
        const spec = this.describe(name, container).container[`${kind}Probe`];
        const cmd = execCommand(spec);
        if (!cmd) throw new Error(`${name}/${container} has no exec ${kind} probe`);
        const timeoutMs = (spec.timeoutSeconds ?? 1) * 1000;
        return (await this.exec(name, container, cmd, timeoutMs)).code === 0;
    }

    /**
     * Waits until both containers of the pod are running and ready as kubelet decides it: the
     * startup probe (when the container has one) has passed once, then the readiness probe passes.
     */
    async waitReady(name: string, timeoutMs = this.readyTimeoutMs): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        await Promise.all(
            CONTAINERS.map(async (c) => {
                if (this.describe(name, c).container.startupProbe) await this.waitProbe(name, c, "startup", deadline);
                await this.waitProbe(name, c, "readiness", deadline);
            }),
        );
    }

    /** Polls a probe of a running container until it passes or `deadline`. @throws when the container stops or time runs out. */
    private waitProbe(name: string, container: ContainerName, kind: ProbeKind, deadline: number): Promise<boolean> {
        return waitFor(
            `${name}/${container} to pass its ${kind} probe`,
            async () => {
                if (!this.running(name, container)) {
                    throw new Error(`${name}/${container} is not running:\n${this.logs(name, container).slice(-2000)}`);
                }
                return this.probe(name, container, kind);
            },
            { timeoutMs: Math.max(1, deadline - Date.now()), intervalMs: PROBE_POLL_MS },
        );
    }

    // -------------------------------------------------------------------------------- pods

    /**
     * Creates the pod (first time: its network namespace and DNS names), or recreates it after
     * {@link deletePod}/{@link killPod}: emptyDir volumes start empty, file volumes keep the
     * content written from the same ConfigMaps and Secrets, the address and DNS names stay.
     * Starts both containers and waits until they are ready.
     */
    async createPod(name: string): Promise<void> {
        await this.createPods([name]);
    }

    /**
     * Creates (or recreates, as {@link createPod}) the pods `names` at once, as a Parallel
     * StatefulSet does, and waits until all are ready.
     */
    async createPods(names: string[]): Promise<void> {
        for (const name of names) {
            const s = this.state(name);
            if (CONTAINERS.some((c) => this.running(name, c))) throw new Error(`pod ${name} still has running containers`);
            if (s.pod) CONTAINERS.forEach((c) => resetEphemeralVolumes(s.descs[c]));
            else await this.addPod(name);
        }
        for (const name of names) CONTAINERS.forEach((c) => this.startContainer(name, c));
        await Promise.all(names.map((name) => this.waitReady(name)));
    }

    /** Starts the pods' containers without waiting for readiness (pods created earlier, e.g. recreated after {@link killPod}). */
    startPods(names: string[]): void {
        for (const name of names) {
            const s = this.state(name);
            if (!s.pod) throw new Error(`pod ${name} has not been created`);
            if (CONTAINERS.some((c) => this.running(name, c))) throw new Error(`pod ${name} still has running containers`);
            CONTAINERS.forEach((c) => resetEphemeralVolumes(s.descs[c]));
            CONTAINERS.forEach((c) => this.startContainer(name, c));
        }
    }

    /** SIGKILL of every container of the pod (the node died). The pod can then be recreated with {@link createPod}. */
    async killPod(name: string): Promise<void> {
        await Promise.all(CONTAINERS.map((c) => this.killContainer(name, c)));
    }

    /**
     * Graceful pod deletion as kubelet performs it: all containers are stopped concurrently, each
     * running its own preStop hook first, within `graceMs` (default: the pod's
     * `terminationGracePeriodSeconds`). @returns the preStop results by container.
     */
    async deletePod(name: string, graceMs?: number): Promise<Partial<Record<ContainerName, ExecResult>>> {
        const grace = graceMs ?? this.terminationGraceMs;
        const results = await Promise.all(CONTAINERS.map((c) => this.stopContainer(name, c, Math.min(grace, HOOK_TIMEOUT_MS))));
        const out: Partial<Record<ContainerName, ExecResult>> = {};
        CONTAINERS.forEach((c, i) => {
            if (results[i]) out[c] = results[i];
        });
        return out;
    }
}

// ============================================================================ client helpers

/** The component outputs a Redis client needs. */
export interface SentinelOutputs {
    sentinelUrl: string;
    masterName: string;
    password: string;
    tlsEnabled: boolean;
    caCertPem: string;
}

/** Stand-in for cluster DNS (implemented by {@link RedisPods}). */
export interface PodResolver {
    resolve(host: string): string | undefined;
    resolveAll(host: string): string[];
}

/** Overrides of the client options, to build deliberately wrong clients. */
export interface ClientOverrides {
    /** Password to send instead of the `password` output. */
    password?: string;
    /** CA PEM to trust instead of `caCertPem`. */
    ca?: string;
    /** TLS server name to verify instead of the name the client dials. */
    servername?: string;
    /** Further ioredis options. */
    extra?: Partial<RedisOptions>;
}

/** Splits `host:port`. @throws when there is no numeric port. */
export function splitHostPort(hostPort: string): { host: string; port: number } {
    const i = hostPort.lastIndexOf(":");
    const port = Number(hostPort.slice(i + 1));
    if (i <= 0 || !Number.isInteger(port) || port <= 0) throw new Error(`expected host:port, got ${JSON.stringify(hostPort)}`);
    return { host: hostPort.slice(0, i), port };
}

/**
 * ioredis `natMap`: maps an address Sentinel announces (`<pod fqdn>:<port>`) to the pod's
 * address. With TLS the announced name becomes the `servername`, so the master's certificate is
 * verified for the name Sentinel announced although the client dials an address.
 */
export function announcedAddress(dns: PodResolver, key: string, tls: boolean): { host: string; port: number } | null {
    const { host, port } = splitHostPort(key);
    const address = dns.resolve(host);
    if (address === undefined) return null;
    const mapped = { host: address, port, ...(tls && { servername: host }) };
    return mapped;
}

/**
 * ioredis options of a Sentinel client built from the outputs only: the Sentinels are the
 * addresses behind the `sentinelUrl` Service, the master set is `masterName`, `password` serves
 * both Redis and Sentinel. With TLS, `caCertPem` is the only trusted CA; Sentinel connections
 * verify the Service name of `sentinelUrl` (every pod's certificate carries it, as a client of
 * the ClusterIP Service would see), master connections the pod name Sentinel announces.
 */
export function sentinelClientOptions(dns: PodResolver, outputs: SentinelOutputs, o: ClientOverrides = {}): RedisOptions {
    const { host, port } = splitHostPort(outputs.sentinelUrl);
    const addresses = dns.resolveAll(host);
    if (addresses.length === 0) throw new Error(`${host} does not resolve`);
    const password = o.password ?? outputs.password;
    const ca = o.ca ?? outputs.caCertPem;
    const tls = outputs.tlsEnabled;
    return {
        sentinels: addresses.map((a) => ({ host: a, port })),
        name: outputs.masterName,
        password,
        sentinelPassword: password,
        natMap: (key: string) => announcedAddress(dns, key, tls),
        ...(tls && { tls: { ca }, sentinelTLS: { ca, servername: o.servername ?? host }, enableTLSForSentinelMode: true }),
        connectTimeout: 2000,
        commandTimeout: 3000,
        maxRetriesPerRequest: 1,
        retryStrategy: (n: number) => Math.min(100 * n, 1000),
        sentinelRetryStrategy: (n: number) => (n > 50 ? null : Math.min(100 * n, 1000)),
        lazyConnect: true,
        ...o.extra,
    };
}

/** A Sentinel client (not yet connected: `await client.connect()`); errors are reported to commands, not thrown as events. */
export function sentinelClient(dns: PodResolver, outputs: SentinelOutputs, o: ClientOverrides = {}): Redis {
    const client = new Redis(sentinelClientOptions(dns, outputs, o));
    client.on("error", () => undefined);
    return client;
}

/**
 * A one-connection client of one container of one pod (no reconnects, no retries), dialling the
 * pod address and, with TLS, verifying the pod's DNS name against `caCertPem`.
 */
export function nodeClient(
    pods: RedisPods,
    pod: string,
    container: ContainerName,
    outputs: SentinelOutputs,
    o: ClientOverrides = {},
): Redis {
    const client = new Redis({
        host: pods.address(pod),
        port: pods.port(container),
        password: o.password ?? outputs.password,
        ...(outputs.tlsEnabled && { tls: { ca: o.ca ?? outputs.caCertPem, servername: o.servername ?? pods.fqdn(pod) } }),
        connectTimeout: 2000,
        commandTimeout: 3000,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        enableReadyCheck: false,
        lazyConnect: true,
        ...o.extra,
    });
    client.on("error", () => undefined);
    return client;
}

/** Runs one command on one container of one pod over a fresh connection. @throws connection and command errors. */
export async function nodeCommand(
    pods: RedisPods,
    pod: string,
    container: ContainerName,
    outputs: SentinelOutputs,
    args: (string | number)[],
    o: ClientOverrides = {},
): Promise<unknown> {
    const client = nodeClient(pods, pod, container, outputs, o);
    let connectionError: Error | undefined;
    client.on("error", (e: Error) => {
        connectionError ??= e;
    });
    try {
        await client.connect();
        return await client.call(String(args[0]), ...args.slice(1));
    } catch (err) {
        throw connectionError ? new Error(`${(err as Error).message} (connection error: ${connectionError.message})`) : err;
    } finally {
        client.disconnect();
    }
}

/** A node's `ROLE`, simplified. */
export interface NodeRole {
    role: "master" | "slave";
    /** Replica: the master it replicates (`host:port`) and its link state (`connected` when in sync). */
    master?: string;
    state?: string;
    /** Master: its replicas as `host:port`. */
    replicas?: string[];
}

/** `ROLE` of the pod's redis. @throws when it does not answer. */
export async function roleOf(pods: RedisPods, pod: string, outputs: SentinelOutputs): Promise<NodeRole> {
    const r = (await nodeCommand(pods, pod, "redis", outputs, ["ROLE"])) as unknown[];
    if (r[0] === "master") return { role: "master", replicas: (r[2] as string[][]).map(([h, p]) => `${h}:${p}`) };
    if (r[0] === "slave") return { role: "slave", master: `${r[1]}:${r[2]}`, state: String(r[3]) };
    throw new Error(`unexpected ROLE reply ${JSON.stringify(r)}`);
}

/** Turns Redis' flat `[k1, v1, k2, v2, ...]` replies into an object. */
export function pairs(flat: unknown): Record<string, string> {
    const a = flat as string[];
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < a.length; i += 2) out[a[i]] = a[i + 1];
    return out;
}

/** What one Sentinel says about the master set. */
export interface SentinelView {
    /** `get-master-addr-by-name`: `host:port`. */
    master: string;
    /** Fields of `SENTINEL MASTER` (`num-slaves`, `num-other-sentinels`, `quorum`, `flags`, ...). */
    fields: Record<string, string>;
    /** `SENTINEL REPLICAS`: `ip:port` (as announced) → flags. */
    replicas: Record<string, string>;
    /** `SENTINEL SENTINELS`: `ip:port` (as announced) → flags. */
    sentinels: Record<string, string>;
}

/** Asks the pod's Sentinel about `masterName`. @throws when it does not answer. */
export async function sentinelView(pods: RedisPods, pod: string, outputs: SentinelOutputs): Promise<SentinelView> {
    const client = nodeClient(pods, pod, "sentinel", outputs);
    try {
        await client.connect();
        const ask = (...args: string[]) => client.call("SENTINEL", ...args, outputs.masterName);
        const [addr, master, replicas, sentinels] = await Promise.all([
            ask("get-master-addr-by-name"),
            ask("master"),
            ask("replicas"),
            ask("sentinels"),
        ]);
        const byName = (list: unknown) => Object.fromEntries((list as unknown[]).map(pairs).map((f) => [`${f.ip}:${f.port}`, f.flags]));
        return { master: (addr as string[]).join(":"), fields: pairs(master), replicas: byName(replicas), sentinels: byName(sentinels) };
    } finally {
        client.disconnect();
    }
}

/** Report of a {@link MasterWatch}. */
export interface WatchReport {
    /** Rounds in which every running redis container was asked `ROLE`. */
    rounds: number;
    /** Most nodes that reported role master in one round. */
    maxMasters: number;
    /** Rounds with more than one master: when, and which pods. */
    conflicts: { at: number; masters: string[] }[];
    /** Every pod seen as master, in order of first sighting. */
    mastersSeen: string[];
}

/**
 * Asks every pod's redis for its `ROLE` every `intervalMs` until stopped, and records rounds in
 * which more than one node claims to be master. Pods that do not answer (down) count as no master.
 */
export class MasterWatch {
    private readonly report: WatchReport = { rounds: 0, maxMasters: 0, conflicts: [], mastersSeen: [] };
    private stopped = false;
    private readonly loop: Promise<void>;

    /** Starts watching (bounded by `maxMs`, default 10 minutes). */
    constructor(
        private readonly pods: RedisPods,
        private readonly outputs: SentinelOutputs,
        intervalMs = 200,
        maxMs = 600_000,
    ) {
        this.loop = this.run(intervalMs, Date.now() + maxMs);
    }

    /** Stops and returns the report. */
    async stop(): Promise<WatchReport> {
        this.stopped = true;
        await this.loop;
        return this.report;
    }

    private async run(intervalMs: number, deadline: number): Promise<void> {
        while (!this.stopped && Date.now() < deadline) {
            await this.round();
            await sleep(intervalMs);
        }
    }

    private async round(): Promise<void> {
        const pods = this.pods.podNames().filter((p) => this.pods.running(p, "redis"));
        const roles = await Promise.all(
            pods.map((p) =>
                roleOf(this.pods, p, this.outputs).then(
                    (r) => r.role,
                    () => "down",
                ),
            ),
        );
        const masters = pods.filter((_, i) => roles[i] === "master");
        this.report.rounds++;
        this.report.maxMasters = Math.max(this.report.maxMasters, masters.length);
        if (masters.length > 1) this.report.conflicts.push({ at: Date.now(), masters });
        masters.filter((m) => !this.report.mastersSeen.includes(m)).forEach((m) => this.report.mastersSeen.push(m));
    }
}

/** Options of {@link writeAcked}. */
export interface WriteOptions {
    /** Value stored under key `k`. */
    value(key: string): string;
    /** Called before key number `i` is written (e.g. to kill a pod at some point). */
    before?(i: number): Promise<void> | void;
    /** `WAIT` timeout per attempt; default 2000 ms. */
    waitMs?: number;
    /** Time one key may take, over all attempts; default 60 s. */
    keyTimeoutMs?: number;
    /** Attempts per key; default 600. */
    maxAttempts?: number;
    /** Pause after a failed attempt; default 100 ms. */
    retryPauseMs?: number;
}

/** Result of {@link writeAcked}. */
export interface WriteReport {
    /** Keys whose write was acknowledged by `WAIT 1` (≥ 1 replica), in order. */
    acked: string[];
    /** Attempts that failed (connection lost, NOREPLICAS, WAIT returning 0) and were retried. */
    failedAttempts: number;
    /** Longest time one key took from its first attempt to its acknowledgement (the write outage). */
    maxStallMs: number;
    /** The key that took {@link maxStallMs}. */
    maxStallKey?: string;
    /** The last error of a failed attempt. */
    lastError?: string;
}

/** Writes `key` once: `SET`, then `WAIT 1`. @returns true when at least one replica acknowledged it. */
async function setAndWait(client: Redis, key: string, value: string, waitMs: number): Promise<boolean> {
    await client.set(key, value);
    return Number(await client.wait(1, waitMs)) >= 1;
}

/**
 * Writes `keys` one by one, each until `SET` succeeded and `WAIT 1 <waitMs>` reported at least
 * one replica (a retry rewrites the same value, so it is idempotent). Bounded in attempts and
 * time per key. @throws when a key cannot be written.
 */
export async function writeAcked(client: Redis, keys: string[], o: WriteOptions): Promise<WriteReport> {
    const report: WriteReport = { acked: [], failedAttempts: 0, maxStallMs: 0 };
    for (let i = 0; i < keys.length; i++) {
        await o.before?.(i);
        const started = Date.now();
        const giveUp = started + (o.keyTimeoutMs ?? 60_000);
        for (let attempt = 1; ; attempt++) {
            const ok = await setAndWait(client, keys[i], o.value(keys[i]), o.waitMs ?? 2000).catch((err: unknown) => {
                report.lastError = String(err);
                return false;
            });
            if (ok) break;
            report.failedAttempts++;
            if (attempt >= (o.maxAttempts ?? 600) || Date.now() > giveUp) {
                throw new Error(`${keys[i]} not acknowledged after ${attempt} attempts in ${Date.now() - started}ms: ${report.lastError}`);
            }
            await sleep(o.retryPauseMs ?? 100);
        }
        report.acked.push(keys[i]);
        if (Date.now() - started > report.maxStallMs) {
            report.maxStallMs = Date.now() - started;
            report.maxStallKey = keys[i];
        }
    }
    return report;
}
