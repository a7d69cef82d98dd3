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
import { PodProcess } from "../sim/pods/pod";
import { httpGetJson, sleep } from "../sim/pods/wait";
import {
    acquireMountPoints,
    ChildResource,
    ContainerLaunch,
    ExecutableMap,
    isFileVolume,
    materialisePods,
    PodDescription,
    podLaunch,
} from "../sim/pods/pod-files";
import { PodSet, PodState } from "../sim/pods/pod-set";

/** Ports of the rendered and of the minimal config. */
const CLIENT_PORT = 4222;
const ROUTE_PORT = 6222;
const MONITOR_PORT = 8222;

/** How one cluster is configured. */
export type ClusterConfig = { kind: "rendered"; children: ChildResource[] } | { kind: "minimal" };

/** How to (re)start the nats-server of one pod. */
interface PodStart {
    launch: ContainerLaunch;
    cwd?: string;
}

/** A started cluster: how it was started. */
interface Running {
    config: ClusterConfig;
    /** Per pod: how to (re)start it. */
    starts: Map<string, PodStart>;
    /** Host directories holding the cluster's data (wiped when it stops). */
    dataDirs: string[];
    /** Host directories of this cluster's pod files (removed when it stops). */
    fileRoot: string;
}

const HTTP_TIMEOUT_MS = 1000;
const POLL_MS = 25;

/** The pods. Create with {@link BenchNatsPods.create}; always {@link BenchNatsPods.destroy}. */
export class BenchNatsPods extends PodSet<"nats"> {
    private cluster?: Running;
    private starts = 0;

    private constructor(
        network: PodNetwork,
        /** The pods of the rendered StatefulSet they were made from (names, host names). */
        states: PodState<"nats">[],
        private readonly natsServer: string,
    ) {
        super(network, states, []);
    }

    /**
     * Creates the network and one pod per replica of the StatefulSet among `children`, with the pod
     * DNS names (every later rendered config must come from a component of the same name and
     * namespace, so the names match).
     */
    static create(id: string, children: ChildResource[]): Promise<BenchNatsPods> {
        return PodSet.open(
            children,
            { id },
            {
                binaries: ["nats-server"],
                containers: { nats: undefined },
                filesDir: "layout",
                make: (network, states, _points, binaries) => new BenchNatsPods(network, states, binaries["nats-server"]),
                start: async (pods) => {
                    for (const p of pods.podNames()) await pods.addPod(p);
                },
            },
        );
    }

    /** Client addresses `host:port` of every pod. */
    clientServers(): string[] {
        return this.podNames().map((p) => `${this.address(p)}:${CLIENT_PORT}`);
    }

    /**
     * Spawns one nats-server per pod with `config` (data directories fresh and empty).
     * @returns the time (Date.now) right before the first process was spawned.
     */
    start(config: ClusterConfig): number {
        if (this.cluster) throw new Error("a cluster is already running; stop it first");
        const fileRoot = path.join(this.network.logDir, `c${this.starts++}`);
        const { starts, dataDirs } =
            config.kind === "rendered" ? this.renderedStarts(config.children, fileRoot) : this.minimalStarts(fileRoot);
        this.cluster = { config, starts, dataDirs, fileRoot };
        const t0 = Date.now();
        for (const [pod, s] of starts) this.spawnIn(pod, "nats", s.launch, s.cwd);
        return t0;
    }

    /** The component's rendered pods: their files written under `fileRoot`, launched as `JetStreamPods` launches them. */
    private renderedStarts(children: ChildResource[], fileRoot: string): { starts: Map<string, PodStart>; dataDirs: string[] } {
        const descs = materialisePods(children, { root: fileRoot });
        descs.forEach((d, i) => {
            if (d.name !== this.podNames()[i]) throw new Error(`pod ${d.name} does not match ${this.podNames()[i]}`);
        });
        const exe: ExecutableMap = { [descs[0].command[0]]: this.natsServer };
        if (this.mountPoints.length === 0) {
            const points = podLaunch(descs[0], exe, []).mountPoints;
            acquireMountPoints(points);
            this.mountPoints = points;
        }
        const starts = new Map<string, PodStart>();
        const dataDirs: string[] = [];
        for (const d of descs) {
            starts.set(d.name, { launch: podLaunch(d, exe, Object.keys(process.env)) });
            dataDirs.push(...d.mounts.filter((m) => !isFileVolume(m.kind)).map((m) => m.hostDir));
        }
        return { starts, dataDirs };
    }

    /** The {@link minimalConfig} of every pod, written under `fileRoot`. */
    private minimalStarts(fileRoot: string): { starts: Map<string, PodStart>; dataDirs: string[] } {
        const descs: PodDescription[] = this.podNames().map((p) => this.describe(p));
        // `<pod>.<svc>.<ns>.svc`, as the rendered routes name the pods.
        const routes = descs.map((d) => `nats://${d.hostnames[2]}:${ROUTE_PORT}`);
        const starts = new Map<string, PodStart>();
        const dataDirs: string[] = [];
        for (const d of descs) {
            const dir = path.join(fileRoot, d.name);
            const store = path.join(dir, "store");
            fs.mkdirSync(store, { recursive: true });
            const conf = path.join(dir, "nats.conf");
            fs.writeFileSync(conf, minimalConfig(d.name, store, routes));
            starts.set(d.name, { launch: { cmd: "sh", args: ["-c", 'exec "$@"', "sh", this.natsServer, "-c", conf], env: {} }, cwd: dir });
            dataDirs.push(store);
        }
        return { starts, dataDirs };
    }

    /** The running cluster's current process of `pod`. */
    process(pod: string): PodProcess | undefined {
        return this.cluster ? super.process(pod) : undefined;
    }

    /** SIGKILL of the pod's nats-server (a node dies). */
    async kill(pod: string): Promise<void> {
        await this.process(pod)?.kill();
    }

    /** Starts the pod's nats-server again with the same files and data (a container restart). */
    restart(pod: string): void {
        const s = this.mustRun().starts.get(pod)!;
        this.spawnIn(pod, "nats", s.launch, s.cwd);
    }

    /** SIGKILLs every process of the cluster and removes its files and data. */
    async stop(): Promise<void> {
        const r = this.cluster;
        if (!r) return;
        const procs = this.podNames().flatMap((p) => this.process(p) ?? []);
        this.cluster = undefined;
        await Promise.all(procs.map((p) => p.kill()));
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
            this.mustRun();
            const dead = this.podNames().find((p) => !this.running(p));
            if (dead) throw new Error(`${dead} exited:\n${this.process(dead)!.logs().slice(-1500)}`);
            if (Date.now() > deadline) throw new Error(`cluster not healthy within ${timeoutMs} ms${this.logTails(8)}`);
            await sleep(POLL_MS);
        }
    }

    /** Stops the cluster, removes the network and releases the mount points. Idempotent. */
    async destroy(): Promise<void> {
        await this.stop().catch(() => undefined);
        await super.destroy();
    }

    private mustRun(): Running {
        if (!this.cluster) throw new Error("no cluster is running");
        return this.cluster;
    }
}

/**
 * The hand-written minimal cluster config: client port, monitoring port, server name, JetStream
 * store directory, cluster name, route port and routes (the same pod DNS names as the rendered
 * config). Nothing else: no accounts, no TLS, no limits, no lame-duck settings.
 */
function minimalConfig(serverName: string, storeDir: string, routes: string[]): string {
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
