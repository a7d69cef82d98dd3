/**
 * Three "pods" (network namespaces of the live-test harness, with the pod DNS names of the
 * rendered StatefulSet) in which the benchmarks start nats-server clusters one after another:
 * either the component's rendered pods (rendered files bind-mounted at the Kubernetes paths,
 * container environment and command, exactly as `sim/pods/jetstream-pods.ts` runs them), or a
 * hand-written minimal cluster config. Both run on the same namespaces, addresses, host names and
 * binary, so the only difference between them is the configuration.
 *
 * Unlike `JetStreamPods`, a cluster can be started and stopped many times in the same pods, the
 * start time is taken right before the processes are spawned, and health is polled every 25 ms.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PodNetwork } from "../sim/pods/netns";
import { Pod, PodProcess } from "../sim/pods/pod";
import { requireBinary, requireRoot } from "../sim/pods/requirements";
import { httpGetJson, sleep } from "../sim/pods/wait";
import {
    acquireMountPoints,
    ChildResource,
    isFileVolume,
    materialisePods,
    PodDescription,
    podLaunch,
    releaseMountPoints,
} from "../sim/pods/pod-files";

/** Ports of the rendered and of the minimal config. */
export const CLIENT_PORT = 4222;
export const ROUTE_PORT = 6222;
export const MONITOR_PORT = 8222;

/** How one cluster is configured. */
export type ClusterConfig = { kind: "rendered"; children: ChildResource[] } | { kind: "minimal" };

/** A started cluster: how it was started and its processes by pod. */
interface Running {
    config: ClusterConfig;
    /** Per pod: how to (re)start it. */
    launch: Map<string, () => PodProcess>;
    procs: Map<string, PodProcess>;
    /** Host directories holding the cluster's data (wiped when it stops). */
    dataDirs: string[];
    /** Host directories of this cluster's pod files (removed when it stops). */
    fileRoot: string;
}

const HTTP_TIMEOUT_MS = 1000;
const POLL_MS = 25;

/** The pods. Create with {@link BenchNatsPods.create}; always {@link BenchNatsPods.destroy}. */
export class BenchNatsPods {
    private running?: Running;
    private mountPoints: { path: string; kind: "dir" | "file" }[] = [];
    private starts = 0;
    private destroyed = false;

    private constructor(
        readonly network: PodNetwork,
        /** Pod descriptions of the rendered StatefulSet the pods were made from (names, host names). */
        private readonly descs: PodDescription[],
        private readonly pods: Pod[],
        private readonly natsServer: string,
    ) {}

    /**
     * Creates the network and one pod per replica of the StatefulSet among `children`, with the pod
     * DNS names (every later rendered config must come from a component of the same name and
     * namespace, so the names match).
     */
    static async create(id: string, children: ChildResource[]): Promise<BenchNatsPods> {
        requireRoot();
        const natsServer = requireBinary("nats-server");
        const network = await PodNetwork.create({ id });
        try {
            const descs = materialisePods(children, { root: path.join(network.logDir, "layout") });
            const pods: Pod[] = [];
            for (const d of descs) pods.push(await network.addPod(d.name, d.hostnames));
            return new BenchNatsPods(network, descs, pods, natsServer);
        } catch (err) {
            await network.destroy();
            throw err;
        }
    }

    /** Pod names in ordinal order. */
    podNames(): string[] {
        return this.descs.map((d) => d.name);
    }

    /** The pod's address. */
    address(pod: string): string {
        return this.pods[this.index(pod)].address;
    }

    /** Every pod address for a Service name, the pod's for a pod name (cluster DNS), else nothing. */
    resolveAll(host: string): string[] {
        const wanted = host.toLowerCase().replace(/\.$/, "");
        if (this.descs[0].serviceHostnames.includes(wanted)) return this.pods.map((p) => p.address);
        const one = this.network.resolve(wanted);
        return one === undefined ? [] : [one];
    }

    /** Client addresses `host:port` of every pod. */
    clientServers(): string[] {
        return this.pods.map((p) => `${p.address}:${CLIENT_PORT}`);
    }

    /**
     * Spawns one nats-server per pod with `config` (data directories fresh and empty).
     * @returns the time (Date.now) right before the first process was spawned.
     */
    start(config: ClusterConfig): number {
        if (this.running) throw new Error("a cluster is already running; stop it first");
        const n = this.starts++;
        const fileRoot = path.join(this.network.logDir, `c${n}`);
        const launch = new Map<string, () => PodProcess>();
        const dataDirs: string[] = [];
        if (config.kind === "rendered") {
            const descs = materialisePods(config.children, { root: fileRoot });
            descs.forEach((d, i) => {
                if (d.name !== this.descs[i].name) throw new Error(`pod ${d.name} does not match ${this.descs[i].name}`);
            });
            const exe = { [descs[0].command[0]]: this.natsServer };
            const points = podLaunch(descs[0], exe, []).mountPoints;
            if (this.mountPoints.length === 0) {
                acquireMountPoints(points);
                this.mountPoints = points;
            }
            for (const d of descs) {
                const l = podLaunch(d, exe, Object.keys(process.env));
                const pod = this.pods[this.index(d.name)];
                launch.set(d.name, () => pod.spawn("nats", l.cmd, l.args, { env: l.env, cwd: "/" }));
                dataDirs.push(...d.mounts.filter((m) => !isFileVolume(m.kind)).map((m) => m.hostDir));
            }
        } else {
            // `<pod>.<svc>.<ns>.svc`, as the rendered routes name the pods.
            const routes = this.descs.map((d) => `nats://${d.hostnames[2]}:${ROUTE_PORT}`);
            for (const d of this.descs) {
                const dir = path.join(fileRoot, d.name);
                const store = path.join(dir, "store");
                fs.mkdirSync(store, { recursive: true });
                const conf = path.join(dir, "nats.conf");
                fs.writeFileSync(conf, minimalConfig(d.name, store, routes));
                const pod = this.pods[this.index(d.name)];
                launch.set(d.name, () => pod.spawn("nats", "sh", ["-c", 'exec "$@"', "sh", this.natsServer, "-c", conf], { cwd: dir }));
                dataDirs.push(store);
            }
        }
        this.running = { config, launch, procs: new Map(), dataDirs, fileRoot };
        const t0 = Date.now();
        for (const [pod, fn] of launch) this.running.procs.set(pod, fn());
        return t0;
    }

    /** The running cluster's current process of `pod`. */
    process(pod: string): PodProcess | undefined {
        return this.running?.procs.get(pod);
    }

    /** SIGKILL of the pod's nats-server (a node dies). */
    async kill(pod: string): Promise<void> {
        await this.process(pod)?.kill();
    }

    /** Starts the pod's nats-server again with the same files and data (a container restart). */
    restart(pod: string): void {
        const r = this.mustRun();
        if (r.procs.get(pod)?.running) throw new Error(`${pod} is running`);
        r.procs.set(pod, r.launch.get(pod)!());
    }

    /** SIGKILLs every process of the cluster and removes its files and data. */
    async stop(): Promise<void> {
        const r = this.running;
        if (!r) return;
        this.running = undefined;
        await Promise.all([...r.procs.values()].map((p) => p.kill()));
        fs.rmSync(r.fileRoot, { recursive: true, force: true });
        for (const d of r.dataDirs) fs.rmSync(d, { recursive: true, force: true });
    }

    /** GET of a monitoring endpoint of the pod. */
    monitor<T>(pod: string, endpoint: string): Promise<T> {
        return httpGetJson<T>(`http://${this.address(pod)}:${MONITOR_PORT}${endpoint}`, HTTP_TIMEOUT_MS);
    }

    /**
     * One health poll of every pod: which pods answered the monitoring port at all (any HTTP
     * status), and whether every pod answers `/healthz?js-enabled-only=true` with ok and all name
     * the same meta leader in `/jsz`. Errors (not listening yet) count as not healthy.
     */
    async pollHealth(): Promise<{ answered: string[]; healthy: boolean; leader: string | false }> {
        const names = this.podNames();
        const health = await Promise.all(
            names.map((p) =>
                this.monitor<{ status: string }>(p, "/healthz?js-enabled-only=true").then(
                    (h) => ({ up: true, ok: h.status === "ok" }),
                    (e: Error) => ({ up: / returned \d+/.test(e.message), ok: false }),
                ),
            ),
        );
        const answered = names.filter((_, i) => health[i].up);
        if (health.some((h) => !h.ok)) return { answered, healthy: false, leader: false };
        try {
            const leaders = new Set(
                (await Promise.all(names.map((p) => this.monitor<{ meta_cluster?: { leader?: string } }>(p, "/jsz")))).map(
                    (j) => j.meta_cluster?.leader ?? "",
                ),
            );
            const [leader] = [...leaders];
            return { answered, healthy: true, leader: leaders.size === 1 && leader !== "" ? leader : false };
        } catch {
            return { answered, healthy: true, leader: false };
        }
    }

    /**
     * Polls {@link pollHealth} every 25 ms until the cluster is healthy with a meta leader.
     * @returns when (Date.now) it was first seen healthy with a meta leader, when every pod had
     * answered its monitoring port for the first time (the processes are up), and when every pod
     * first answered `/healthz?js-enabled-only=true` with ok (routes up, JetStream enabled; before
     * the meta leader). @throws after `timeoutMs`, or when a process exited.
     */
    async waitHealthy(timeoutMs: number): Promise<{ healthyAt: number; upAt: number; healthzAt: number }> {
        const deadline = Date.now() + timeoutMs;
        const firstAnswer = new Map<string, number>();
        let healthzAt = 0;
        for (;;) {
            const polledAt = Date.now();
            const h = await this.pollHealth();
            h.answered.forEach((p) => {
                if (!firstAnswer.has(p)) firstAnswer.set(p, polledAt);
            });
            if (h.healthy && !healthzAt) healthzAt = polledAt;
            if (h.leader) {
                return {
                    healthyAt: Date.now(),
                    healthzAt: healthzAt || polledAt,
                    upAt: Math.max(...this.podNames().map((p) => firstAnswer.get(p) ?? polledAt)),
                };
            }
            const r = this.mustRun();
            const dead = [...r.procs.entries()].find(([, p]) => !p.running);
            if (dead) throw new Error(`${dead[0]} exited:\n${dead[1].logs().slice(-1500)}`);
            if (Date.now() > deadline) throw new Error(`cluster not healthy within ${timeoutMs} ms${this.logTails()}`);
            await sleep(POLL_MS);
        }
    }

    /** The last lines of every pod's log. */
    logTails(lines = 8): string {
        return [...(this.running?.procs.entries() ?? [])]
            .map(([pod, p]) => `\n----- ${pod} -----\n${p.logs().split("\n").slice(-lines).join("\n")}`)
            .join("");
    }

    /** Stops the cluster, removes the network and releases the mount points. Idempotent. */
    async destroy(): Promise<void> {
        if (this.destroyed) return;
        this.destroyed = true;
        try {
            await this.stop().catch(() => undefined);
            await this.network.destroy();
        } finally {
            if (this.mountPoints.length > 0) releaseMountPoints(this.mountPoints);
        }
    }

    private mustRun(): Running {
        if (!this.running) throw new Error("no cluster is running");
        return this.running;
    }

    private index(pod: string): number {
        const i = this.descs.findIndex((d) => d.name === pod);
        if (i < 0) throw new Error(`no pod ${pod}`);
        return i;
    }
}

/**
 * The hand-written minimal cluster config: client port, monitoring port, server name, JetStream
 * store directory, cluster name, route port and routes (the same pod DNS names as the rendered
 * config). Nothing else: no accounts, no TLS, no limits, no lame-duck settings.
 */
export function minimalConfig(serverName: string, storeDir: string, routes: string[]): string {
    return [
        `port: ${CLIENT_PORT}`,
        `http: ${MONITOR_PORT}`,
        `server_name: ${serverName}`,
        `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
        "cluster {",
        "  name: bench",
        `  port: ${ROUTE_PORT}`,
        `  routes: [${routes.map((r) => JSON.stringify(r)).join(", ")}]`,
        "}",
        "",
    ].join("\n");
}
