/**
 * Runs the JetStream StatefulSet of a component built under the mocks as real nats-server
 * processes, one per "pod" (a network namespace of the live-test harness) with the real pod DNS
 * names, and gives tests the operations Kubernetes would: start, stop, kill, restart (optionally
 * as a recreated pod), kubelet refreshing the projected files, and the reloader's SIGHUP.
 *
 * Each process sees exactly what the pod would mount, at the same absolute paths
 * (`/etc/nats-config`, `/var/run/nats`, `/data/jetstream`): {@link podLaunch} bind-mounts the host
 * directories written by `pod-files.ts` inside the pod's private mount namespace, with the owners
 * and modes the kubelet gives them, and runs as the container's uid/gid (1000 by default) with the
 * supplementary group `fsGroup`, no capabilities, no_new_privs and a read-only root file system.
 * The executable is substituted: the image's `/nats-server` is the installed binary
 * (`requireBinary("nats-server")`) bind-mounted over that path.
 *
 * The second half of this module holds client helpers that use only the component's outputs
 * (`url`, `user`, `password`, `caCertPem`, `streamConfig`).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import * as tls from "node:tls";
import * as yaml from "js-yaml";
import { connect, NodeConnectionOptions } from "@nats-io/transport-node";
import { AckPolicy, RetentionPolicy, StorageType, type ConsumerConfig, type JetStreamClient, type StreamConfig } from "@nats-io/jetstream";
import { PodNetwork } from "./netns";
import { PodProcess } from "./pod";
import { httpGetJson, sleep, waitFor } from "./wait";
import {
    ChildResource,
    containerPort,
    ExecutableMap,
    MountPoint,
    podLaunch,
    refreshPodFiles,
    RefreshOptions,
    resetEphemeralVolumes,
} from "./pod-files";
import { PodSet, PodSetOptions, PodState } from "./pod-set";

/** Connection options of the Node transport. */
export type ConnectionOptions = NodeConnectionOptions;
/** A NATS client connection. */
export type NatsConnection = Awaited<ReturnType<typeof connect>>;
type TlsOptions = NonNullable<NodeConnectionOptions["tls"]>;

/** Options of {@link JetStreamPods.start}. */
export interface JetStreamPodsOptions extends PodSetOptions {
    /** Bound of {@link JetStreamPods.waitHealthy} when starting; default 60 s. */
    startTimeoutMs?: number;
}

/** The one container run in each pod (the pod template's `main`), named as its processes and logs are. */
type Nats = "nats";

/** A subset of nats-server's `/varz`. */
export interface Varz {
    server_name: string;
    max_payload: number;
    tls_required?: boolean;
    tls_verify?: boolean;
    cluster?: { name?: string; cluster_port?: number; tls_required?: boolean; tls_verify?: boolean; urls?: string[] };
    [key: string]: unknown;
}

/** A subset of nats-server's `/jsz`. */
export interface Jsz {
    meta_cluster?: { name?: string; leader?: string; cluster_size?: number; replicas?: { name: string; current: boolean }[] };
    [key: string]: unknown;
}

const HTTP_TIMEOUT_MS = 2000;
const POLL_MS = 200;

/** The image's executable (the container command's first word) mapped to the installed nats-server. */
function natsExecutable(states: PodState<Nats>[], binaries: Record<string, string>): ExecutableMap {
    return { [states[0].descs.nats.command[0]]: binaries["nats-server"] };
}

/** The nats-server pods of one component. Create with {@link JetStreamPods.start}; always {@link JetStreamPods.destroy}. */
export class JetStreamPods extends PodSet<Nats> {
    private constructor(
        network: PodNetwork,
        states: PodState<Nats>[],
        mountPoints: MountPoint[],
        /** The installed nats-server for the image's executable. */
        private readonly executables: ExecutableMap,
    ) {
        super(network, states, mountPoints);
    }

    /**
     * Materialises the pods of the component's StatefulSet under the network's temp dir, creates
     * one harness pod per replica with its DNS names, starts every nats-server and waits until
     * all are healthy (and, clustered, agree on a meta leader).
     * @throws Error (after cleaning up) when nats-server is missing, a pod does not start, or health times out.
     */
    static start(children: ChildResource[], opts: JetStreamPodsOptions): Promise<JetStreamPods> {
        return PodSet.open(children, opts, {
            binaries: ["nats-server"],
            containers: { nats: undefined },
            mountPoints: (states, binaries) => podLaunch(states[0].descs.nats, natsExecutable(states, binaries), []).mountPoints,
            make: (network, states, points, binaries) => new JetStreamPods(network, states, points, natsExecutable(states, binaries)),
            start: async (cluster) => {
                for (const p of cluster.podNames()) await cluster.addPod(p);
                cluster.podNames().forEach((p) => cluster.startPod(p));
                await cluster.waitHealthy(opts.startTimeoutMs);
            },
            logTailsOnError: true,
        });
    }

    // ------------------------------------------------------------------------------ pods

    /** Names of the pods whose process is running. */
    runningPods(): string[] {
        return this.podNames().filter((p) => this.running(p));
    }

    /**
     * Starts the pod's container process: mounts its volumes at the Kubernetes paths and execs the
     * container command with the container environment. @throws when it is already running.
     */
    startPod(name: string): PodProcess {
        return this.spawnIn(name, "nats", podLaunch(this.describe(name), this.executables, Object.keys(process.env)));
    }

    /** SIGTERM (nats-server shuts down cleanly), SIGKILL after `graceMs`. @returns the exit code. */
    async stopPod(name: string, graceMs = 10_000): Promise<number | null> {
        const proc = this.process(name);
        return proc ? proc.stop("SIGTERM", graceMs) : null;
    }

    /** SIGKILL, as when a node dies or the OOM killer strikes. */
    async killPod(name: string): Promise<void> {
        await this.process(name)?.kill();
    }

    /**
     * Stops (SIGTERM) and starts the pod again with the same files and data. With `recreate` it is
     * a new pod: emptyDir volumes start empty, persistent volume claims keep their data.
     */
    async restartPod(name: string, opts: { recreate?: boolean } = {}): Promise<PodProcess> {
        await this.stopPod(name);
        if (opts.recreate) resetEphemeralVolumes(this.describe(name));
        return this.startPod(name);
    }

    /**
     * Runs the container's `lifecycle.<hook>.exec` command in the pod as kubelet would (same
     * mounts and environment, no `$(VAR)` expansion), e.g. the lame-duck `preStop`.
     * @returns its exit code and output.
     */
    async runHook(name: string, hook: "preStop" | "postStart"): Promise<{ code: number | null; output: string }> {
        const desc = this.describe(name);
        const command = desc.container.lifecycle?.[hook]?.exec?.command as string[] | undefined;
        if (!command) throw new Error(`container ${desc.container.name} has no ${hook} exec hook`);
        const r = await this.execIn(name, podLaunch({ ...desc, command }, this.executables, Object.keys(process.env)), 30_000);
        return { code: r.code, output: r.stdout + r.stderr };
    }

    // ----------------------------------------------------------------------------- files

    /**
     * The host path of `podPath` as pod `name` sees it (through its volume mounts).
     * @throws when no mount covers the path.
     */
    hostPath(name: string, podPath: string): string {
        const m = this.describe(name)
            .mounts.filter((x) => podPath === x.podPath || podPath.startsWith(`${x.podPath}/`))
            .sort((a, b) => b.podPath.length - a.podPath.length)[0];
        if (!m) throw new Error(`${podPath} is not on a volume of ${name}`);
        return path.join(m.hostDir, path.relative(m.podPath, podPath));
    }

    /** The nats-server config file of the pod as rendered (the `--config` argument of the command). */
    configText(name: string): string {
        const cmd = this.describe(name).command;
        const i = cmd.findIndex((a) => a === "--config" || a === "-c");
        if (i < 0) throw new Error(`the command of ${name} has no --config`);
        return fs.readFileSync(this.hostPath(name, cmd[i + 1]), "utf8");
    }

    /** A file of the pod's config directory (the directory of `--config`) as projected, e.g. `routes.conf`. */
    configFile(name: string, file: string): string {
        const cmd = this.describe(name).command;
        const i = cmd.findIndex((a) => a === "--config" || a === "-c");
        if (i < 0) throw new Error(`the command of ${name} has no --config`);
        return fs.readFileSync(this.hostPath(name, path.posix.join(path.posix.dirname(cmd[i + 1]), file)), "utf8");
    }

    /** The route URLs of the pod's routes.conf (with their credential). */
    routeUrls(name: string): string[] {
        return [...this.configFile(name, "routes.conf").matchAll(/"(nats:\/\/[^"]+)"/g)].map((m) => m[1]);
    }

    /** A quoted string setting of the pod's config, e.g. `pid_file` or `store_dir`. */
    configSetting(name: string, key: string): string {
        const m = new RegExp(`^\\s*${key}:\\s*"([^"]*)"`, "m").exec(this.configText(name));
        if (!m) throw new Error(`${key} not found in the config of ${name}`);
        return m[1];
    }

    /** Host directory of the pod's JetStream store (`store_dir` of its config). */
    storeDir(name: string): string {
        return this.hostPath(name, this.configSetting(name, "store_dir"));
    }

    /**
     * Simulates kubelet refreshing the projected files of every pod (or of `opts.pods`) from
     * `children` (e.g. a rebuilt component): new payload directory, atomic `..data` swap. Nothing
     * is signalled.
     * @returns per pod, the `<volume>/<file>` entries whose content changed.
     */
    rewriteFiles(children: ChildResource[], opts: RefreshOptions & { pods?: string[] } = {}): Record<string, string[]> {
        const changed: Record<string, string[]> = {};
        for (const p of this.podNames().filter((x) => !opts.pods || opts.pods.includes(x))) {
            changed[p] = refreshPodFiles(this.describe(p), children, opts);
        }
        return changed;
    }

    /** The pid nats-server wrote to its `pid_file` (the file the reloader reads). */
    pidFromFile(name: string): number {
        return Number(fs.readFileSync(this.hostPath(name, this.configSetting(name, "pid_file")), "utf8").trim());
    }

    /**
     * Does what the config reloader does: reads the pid file and sends that pid SIGHUP.
     * @returns the pid signalled. @throws when the pid file does not name the pod's running process.
     */
    reload(name: string): number {
        const pid = this.pidFromFile(name);
        const proc = this.process(name);
        if (!proc?.running || proc.pid !== pid) throw new Error(`pid file of ${name} says ${pid}, process is ${proc?.pid}`);
        process.kill(pid, "SIGHUP");
        return pid;
    }

    // ----------------------------------------------------------------------------- health

    /** `/routez` of the pod: the number of routes and their peers' addresses. */
    async routez(name: string): Promise<{ num_routes: number; routes: { ip: string; remote_id: string }[] }> {
        return this.monitor(name, "/routez");
    }

    /**
     * Restarts the pods one at a time as the StatefulSet controller rolls them (RollingUpdate:
     * highest ordinal first, the next only when the restarted pod is ready again). A restart is
     * SIGTERM and a start with the same files and data (the lame-duck preStop is not run: with the
     * default 120 s lame-duck duration it only delays the test). "Ready" here is stricter than the
     * readiness probe: the pod's full `/healthz` (the startup probe: streams caught up) answers ok
     * and {@link waitHealthy} holds for the whole set.
     * @param between - called after each pod is ready again (e.g. to check the stream).
     */
    async rollingRestart(opts: { timeoutMs?: number; between?(pod: string): Promise<void> } = {}): Promise<void> {
        const timeoutMs = opts.timeoutMs ?? 120_000;
        for (const p of [...this.podNames()].reverse()) {
            await this.restartPod(p);
            await waitFor(
                `${p} /healthz after its restart`,
                async () => (await this.monitor<{ status: string }>(p, "/healthz")).status === "ok",
                { timeoutMs, intervalMs: POLL_MS },
            );
            await this.waitHealthy(timeoutMs);
            await opts.between?.(p);
        }
    }

    /** GETs a monitoring endpoint (`/varz`, `/jsz?...`) of the pod. */
    monitor<T = Record<string, unknown>>(name: string, endpoint: string): Promise<T> {
        const port = containerPort(this.describe(name), "monitor");
        return httpGetJson<T>(`http://${this.address(name)}:${port}${endpoint}`, HTTP_TIMEOUT_MS);
    }

    /** `/varz` of the pod. */
    varz(name: string): Promise<Varz> {
        return this.monitor<Varz>(name, "/varz");
    }

    /** `/jsz` of the pod (with `query`, e.g. `accounts=true&streams=true`). */
    jsz(name: string, query = ""): Promise<Jsz> {
        return this.monitor<Jsz>(name, `/jsz${query ? `?${query}` : ""}`);
    }

    /**
     * Waits until every running pod answers `/healthz?js-enabled-only=true` with ok and, when the
     * StatefulSet is clustered, every running pod has routes to all other running pods and all
     * name the same meta leader.
     * @returns the meta leader (undefined for a standalone server).
     */
    async waitHealthy(timeoutMs = 60_000): Promise<string | undefined> {
        const opts = { timeoutMs, intervalMs: POLL_MS };
        const running = this.runningPods();
        if (running.length === 0) throw new Error("no pod is running");
        await Promise.all(
            running.map((p) =>
                waitFor(
                    `${p} /healthz?js-enabled-only=true`,
                    async () => (await this.monitor<{ status: string }>(p, "/healthz?js-enabled-only=true")).status === "ok",
                    opts,
                ),
            ),
        );
        if (this.replicas === 1) return undefined;
        await Promise.all(
            running.map((p) =>
                waitFor(
                    `${p} to have ${running.length - 1} routes`,
                    async () => (await this.monitor<{ num_routes: number }>(p, "/routez")).num_routes === running.length - 1,
                    opts,
                ),
            ),
        );
        return waitFor(
            "every running pod to name the same meta leader",
            async () => {
                const leaders = new Set((await Promise.all(running.map((p) => this.jsz(p)))).map((j) => j.meta_cluster?.leader ?? ""));
                const [leader] = [...leaders];
                return leaders.size === 1 && leader !== "" && leader;
            },
            opts,
        );
    }
}

/** Host directories of every emptyDir and PVC volume of the pods (their data). */
export function dataDirs(cluster: JetStreamPods): string[] {
    return cluster.podNames().flatMap((p) => cluster.dataDirs(p));
}

// ============================================================================ client helpers

/** The component outputs a client needs. */
export interface ConnectionOutputs {
    url: string;
    user: string;
    password: string;
    tlsEnabled: boolean;
    caCertPem: string;
}

/** Overrides of {@link clientOptions}, to build deliberately wrong clients. */
export interface ClientOverrides {
    /** Credentials; `null` leaves them out. */
    user?: string | null;
    pass?: string | null;
    /** CA PEM to trust instead of `caCertPem`. */
    ca?: string;
    /** TLS server name to verify instead of the URL host. */
    servername?: string;
    /** Only these addresses instead of every address the URL host resolves to. */
    servers?: string[];
    /** Further connection options. */
    extra?: Partial<ConnectionOptions>;
}

/**
 * NATS connection options from the outputs only: the URL host as cluster DNS resolves it (every
 * pod of the headless Service), `user`/`password`, and, with TLS, `caCertPem` as the only trusted CA
 * with the URL host as the name the certificate must carry (nats.js merges `tls` over its own
 * `servername`, so dialling an address still verifies the DNS name).
 */
export function clientOptions(
    outputs: ConnectionOutputs,
    resolveAll: (host: string) => string[],
    o: ClientOverrides = {},
): ConnectionOptions {
    const url = new URL(outputs.url);
    const port = Number(url.port || 4222);
    const servers = o.servers ?? resolveAll(url.hostname);
    if (servers.length === 0) throw new Error(`${url.hostname} does not resolve`);
    const user = o.user === undefined ? outputs.user : o.user;
    const pass = o.pass === undefined ? outputs.password : o.pass;
    const tlsOpts = outputs.tlsEnabled
        ? ({ ca: o.ca ?? outputs.caCertPem, servername: o.servername ?? url.hostname } as TlsOptions)
        : undefined;
    return {
        servers: servers.map((a) => `${a}:${port}`),
        ...(user !== null && { user }),
        ...(pass !== null && { pass }),
        ...(tlsOpts && { tls: tlsOpts }),
        timeout: 5000,
        reconnectTimeWait: 250,
        maxReconnectAttempts: -1,
        ...o.extra,
    };
}

/** Connects a client to the pods with {@link clientOptions}. */
export function connectWithOutputs(cluster: JetStreamPods, outputs: ConnectionOutputs, o: ClientOverrides = {}): Promise<NatsConnection> {
    return connect(clientOptions(outputs, (h) => cluster.resolveAll(h), o));
}

const GO_DURATION = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const NANOS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A Go duration (`72h`, `1m30s`, `250ms`, or 0) in nanoseconds. @throws on anything else. */
export function goDurationNanos(d: string | number): number {
    if (d === 0 || d === "0") return 0;
    const s = String(d);
    let total = 0;
    let consumed = 0;
    for (const m of s.matchAll(GO_DURATION)) {
        total += Number(m[1]) * NANOS[m[2]];
        consumed += m[0].length;
    }
    if (consumed !== s.length || consumed === 0) throw new Error(`invalid duration ${JSON.stringify(d)}`);
    return Math.round(total);
}

/** The parsed `streamConfig` output (lower-case sections and keys). */
function parseStreamConfig(text: string): Record<string, Record<string, any>> {
    return yaml.load(text) as Record<string, Record<string, any>>;
}

/**
 * A JetStream stream configuration from the `streamConfig` output's `stream` section, mapped as the
 * platform's buffer creation does: retention 0/1/2 = limits/interest/workqueue, storage 0/1 =
 * file/memory, durations to nanoseconds.
 */
export function streamConfigFromOutput(text: string, name: string, subjects: string[]): Partial<StreamConfig> & { name: string } {
    const s = parseStreamConfig(text).stream;
    const retention = [RetentionPolicy.Limits, RetentionPolicy.Interest, RetentionPolicy.Workqueue][s.retention];
    const storage = [StorageType.File, StorageType.Memory][s.storage];
    if (retention === undefined || storage === undefined) throw new Error(`unknown retention/storage in ${JSON.stringify(s)}`);
    return {
        name,
        subjects,
        retention,
        storage,
        num_replicas: s.replicas,
        max_msgs: s.maxmsgs,
        max_bytes: s.maxbytes,
        max_age: goDurationNanos(s.maxage),
        duplicate_window: goDurationNanos(s.duplicates),
    };
}

/** A durable pull consumer configuration from the `streamConfig` output's `consumer` section. */
export function consumerConfigFromOutput(text: string, durable: string): Partial<ConsumerConfig> {
    const c = parseStreamConfig(text).consumer;
    return {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        ack_wait: goDurationNanos(c.ackwait),
        max_ack_pending: c.maxackpending,
    };
}

/** Options of {@link publishAcked}. */
export interface PublishOptions {
    /** Payload of message `i`. */
    payload(i: number): string;
    /** Called before message `i` is published (e.g. to kill a pod at some point). */
    before?(i: number): Promise<void> | void;
    /** PubAck timeout per attempt; default 2000 ms. */
    ackTimeoutMs?: number;
    /** Time one message may take, over all its attempts; default 30 s. */
    messageTimeoutMs?: number;
    /** Attempts per message; default 300. */
    maxAttempts?: number;
    /** Pause after a failed attempt; default 100 ms. */
    retryPauseMs?: number;
    /** Overall deadline; default 120 s. */
    deadlineMs?: number;
}

/** Result of {@link publishAcked}. */
export interface PublishReport {
    /** Stream sequence acknowledged for message `i`. */
    seqs: number[];
    /** Attempts that failed (timeouts, no responders while a leader is elected) and were retried. */
    failedAttempts: number;
    /** Retries the stream recognised as duplicates of a message it had already stored. */
    duplicates: number;
    /** Longest time one message took from its first attempt to its ack (the publishing outage). */
    maxStallMs: number;
    /** Index of the message that took {@link maxStallMs}. */
    maxStallAt: number;
    /** The last error of a failed attempt. */
    lastError?: string;
}

/**
 * Publishes `count` messages to `subject` one by one, each until acknowledged, with message id
 * `msg-<i>` so that a retry after a lost ack is deduplicated by the stream instead of stored twice.
 * Bounded in attempts and time per message and in total time. @throws when a message cannot be published.
 */
export async function publishAcked(js: JetStreamClient, subject: string, count: number, o: PublishOptions): Promise<PublishReport> {
    const deadline = Date.now() + (o.deadlineMs ?? 120_000);
    const report: PublishReport = { seqs: [], failedAttempts: 0, duplicates: 0, maxStallMs: 0, maxStallAt: -1 };
    for (let i = 0; i < count; i++) {
        await o.before?.(i);
        const started = Date.now();
        const giveUp = Math.min(deadline, started + (o.messageTimeoutMs ?? 30_000));
        for (let attempt = 1; ; attempt++) {
            try {
                const ack = await js.publish(subject, o.payload(i), { msgID: `msg-${i}`, timeout: o.ackTimeoutMs ?? 2000 });
                report.seqs[i] = ack.seq;
                if (ack.duplicate) report.duplicates++;
                break;
            } catch (err) {
                report.failedAttempts++;
                report.lastError = String(err);
                if (attempt >= (o.maxAttempts ?? 300) || Date.now() > giveUp) {
                    throw new Error(`message ${i} not acknowledged after ${attempt} attempts in ${Date.now() - started}ms: ${String(err)}`);
                }
                await sleep(o.retryPauseMs ?? 100);
            }
        }
        if (Date.now() - started > report.maxStallMs) {
            report.maxStallMs = Date.now() - started;
            report.maxStallAt = i;
        }
    }
    return report;
}

/** A message read back from a stream. */
export interface ReadMessage {
    seq: number;
    data: string;
}

/**
 * Reads `expected` messages through the durable pull consumer `durable`, acknowledging each, in
 * batches until done or `timeoutMs` passed. A batch that fails (e.g. missed heartbeats while the
 * consumer's leader is still being elected after a restart) is retried; a message delivered twice
 * is kept once.
 * @returns what was read, in stream order (maybe fewer than `expected` on timeout).
 */
export async function consumeAll(
    js: JetStreamClient,
    stream: string,
    durable: string,
    expected: number,
    timeoutMs = 30_000,
): Promise<ReadMessage[]> {
    const got = new Map<number, string>();
    const deadline = Date.now() + timeoutMs;
    while (got.size < expected && Date.now() < deadline) {
        try {
            const consumer = await js.consumers.get(stream, durable);
            const batch = await consumer.fetch({ max_messages: Math.min(500, expected - got.size), expires: 2000 });
            for await (const m of batch) {
                got.set(m.seq, m.string());
                m.ack();
            }
        } catch {
            await sleep(250); // not ready yet; the loop is bounded by the deadline
        }
    }
    return [...got.entries()].sort(([a], [b]) => a - b).map(([seq, data]) => ({ seq, data }));
}

/** Reads the server's first protocol line (`INFO {...}`) from a plain socket. */
function readInfo(socket: net.Socket, timeoutMs: number): Promise<Record<string, any>> {
    return new Promise((resolve, reject) => {
        let buf = "";
        const timer = setTimeout(() => done(new Error(`no INFO within ${timeoutMs}ms`)), timeoutMs);
        const onData = (c: Buffer): void => {
            buf += c.toString("latin1");
            const end = buf.indexOf("\r\n");
            if (end >= 0) done(undefined, JSON.parse(buf.slice(buf.indexOf("{"), end)));
        };
        const done = (err?: Error, info?: Record<string, any>): void => {
            clearTimeout(timer);
            socket.removeListener("data", onData);
            if (err) reject(err);
            else resolve(info!);
        };
        socket.on("data", onData);
        socket.once("error", (e) => done(e));
    });
}

/** Opens a TCP connection, resolving once connected. */
function tcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host, port });
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`connect ${host}:${port} timed out`));
        }, timeoutMs);
        socket.once("connect", () => {
            clearTimeout(timer);
            resolve(socket);
        });
        socket.once("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
    });
}

/**
 * The certificate a NATS server presents on its client port, verified against `caPem` for
 * `servername`: reads the plaintext INFO, then upgrades to TLS as a NATS 2.9 client does.
 * @throws the TLS verification error when the certificate is not valid for that CA and name.
 */
export async function serverCertificate(
    host: string,
    port: number,
    servername: string,
    caPem: string,
    timeoutMs = 5000,
): Promise<tls.PeerCertificate> {
    const socket = await tcp(host, port, timeoutMs);
    try {
        await readInfo(socket, timeoutMs);
        return await new Promise<tls.PeerCertificate>((resolve, reject) => {
            const t = tls.connect({ socket, servername, ca: caPem, rejectUnauthorized: true });
            const timer = setTimeout(() => {
                t.destroy();
                reject(new Error("TLS handshake timed out"));
            }, timeoutMs);
            t.once("secureConnect", () => {
                clearTimeout(timer);
                resolve(t.getPeerCertificate());
                t.destroy();
            });
            t.once("error", (e) => {
                clearTimeout(timer);
                reject(e);
            });
        });
    } finally {
        socket.destroy();
    }
}

/** What a plaintext client saw: the server INFO, everything received after CONNECT+PING, and whether the server closed. */
export interface PlaintextAttempt {
    info: Record<string, any>;
    received: string;
    closedByServer: boolean;
}

/**
 * Speaks the NATS protocol without TLS: reads INFO, sends `CONNECT` with the credentials and
 * `PING`, and collects the answer for up to `waitMs` (a server that accepts answers `PONG`).
 */
export async function plaintextAttempt(host: string, port: number, user: string, pass: string, waitMs = 3000): Promise<PlaintextAttempt> {
    const socket = await tcp(host, port, waitMs);
    try {
        const info = await readInfo(socket, waitMs);
        let received = "";
        let closedByServer = false;
        socket.on("data", (c: Buffer) => {
            received += c.toString("latin1");
        });
        const closed = new Promise<void>((resolve) =>
            socket.once("close", () => {
                closedByServer = true;
                resolve();
            }),
        );
        socket.on("error", () => undefined);
        socket.write(
            `CONNECT ${JSON.stringify({ user, pass, verbose: false, pedantic: false, tls_required: false, protocol: 1 })}\r\nPING\r\n`,
        );
        await Promise.race([closed, new Promise((r) => setTimeout(r, waitMs))]);
        return { info, received, closedByServer };
    } finally {
        socket.destroy();
    }
}

/** Finds every file under `dirs` whose bytes contain `needle`. */
export function filesContaining(dirs: string[], needle: Buffer): string[] {
    const hits: string[] = [];
    const walk = (dir: string): void => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.isFile() && fs.readFileSync(p).includes(needle)) hits.push(p);
        }
    };
    dirs.filter((d) => fs.existsSync(d)).forEach(walk);
    return hits;
}

/** Total size in bytes of the regular files under `dir` whose name passes `filter` (0 when `dir` does not exist). */
export function bytesUnder(dir: string, filter: (name: string) => boolean = () => true): number {
    if (!fs.existsSync(dir)) return 0;
    let total = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) total += bytesUnder(p, filter);
        else if (e.isFile() && filter(e.name)) total += fs.statSync(p).size;
    }
    return total;
}
