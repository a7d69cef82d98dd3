/**
 * P3 and P4 for native Redis, on the component's rendered pods run by `sim/pods/redis-pods.ts`
 * (3 pods, each with the rendered `redis` and `sentinel` containers and their start scripts).
 *
 * P3: `redis-benchmark` SET/GET throughput against the rendered master (its replicas attached,
 * as in production), against a default `redis-server` (the baseline), and against a default
 * `redis-server` with only `appendonly yes` (to separate the cost of AOF from the cost of
 * replication). The two baseline servers run in their own pods on the same bridge, so every
 * target is reached over the same kind of veth link; the benchmark client runs in the root
 * namespace. Targets alternate in rotating order within each round.
 *
 * P4: SIGKILL of the master's redis container (its Sentinel keeps running; the container is not
 * restarted until writes have resumed) while a Sentinel client that knows only the outputs
 * writes steadily (one SET at a time, 1 s command timeout, 20 ms pause after a failure); the time
 * from the kill until the first SET sent after the process died succeeds. Measured with our Sentinel settings
 * (down-after-milliseconds 10000, failover-timeout 2000) and with Sentinel's own defaults
 * (30000, 180000: the component with a `settings.sentinel` that sets neither). The two sets run at
 * the same time (they wait on timers, not on the CPU).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Redis from "ioredis";
import { build, Built } from "../sim/runtime/build";
import { Pod, PodProcess } from "../sim/pods/pod";
import { requireBinary } from "../sim/pods/requirements";
import { sleep } from "../sim/pods/wait";
import { RedisPods, roleOf, sentinelClient, sentinelView, SentinelOutputs } from "../sim/pods/redis-pods";
import { dense, fmt, fmtRatioRange, fmtSummary, Goal, median, pairedRatios, ratio, summarize, table, verdict } from "./stats";

export const REDIS_VERSION = "7.0.15";

/** Options of {@link runRedis}. */
export interface RedisBenchOptions {
    p3: boolean;
    p4: boolean;
    p3Runs: number;
    p4Runs: number;
    /** Requests per redis-benchmark test (SET and GET each). */
    requests: number;
    deadline: number;
    log: (line: string) => void;
}

/** A P3 target. */
interface Target {
    key: "default" | "aof" | "rendered";
    host: string;
    password?: string;
}

export interface RedisResults {
    p3?: { requests: number; runs: number; set: Record<string, number[]>; get: Record<string, number[]>; errors: string[] };
    p4?: Record<"ours" | "upstream", { recoveryMs: number[]; notes: string[]; errors: string[] }>;
}

const VALUE_SIZE = 1024;
const SETTLE = { timeoutMs: 90_000, intervalMs: 250 };

/** Polls `fn` until truthy (errors count as not yet). @throws after `timeoutMs` naming `what`. */
async function until<T>(what: string, fn: () => Promise<T | false | undefined>, o = SETTLE): Promise<T> {
    const deadline = Date.now() + o.timeoutMs;
    let last = "";
    for (;;) {
        try {
            const v = await fn();
            if (v) return v;
        } catch (err) {
            last = String(err);
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${o.timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
        await sleep(o.intervalMs);
    }
}

/**
 * Waits until every running Sentinel names the same master, that master's redis says so with 2
 * in-sync replicas, and every Sentinel sees 2 replicas and 2 other Sentinels. @returns the master pod.
 */
export function settled(pods: RedisPods, outputs: SentinelOutputs): Promise<string> {
    return until("the set to settle (one master, 2 in-sync replicas, every Sentinel agreeing)", async () => {
        const views = await Promise.all(pods.podNames().map((p) => sentinelView(pods, p, outputs)));
        const masters = new Set(views.map((v) => v.master));
        if (masters.size !== 1) return false;
        const master = pods.podOf([...masters][0].replace(/:\d+$/, ""));
        const ok = views.every(
            (v) =>
                Object.values(v.replicas).filter((f) => f === "slave").length === 2 &&
                Object.values(v.sentinels).filter((f) => f === "sentinel").length === 2,
        );
        if (!ok) return false;
        const role = await roleOf(pods, master, outputs);
        if (role.role !== "master" || (role.replicas ?? []).length !== 2) return false;
        const replicas = await Promise.all(
            pods
                .podNames()
                .filter((p) => p !== master)
                .map((p) => roleOf(pods, p, outputs)),
        );
        return replicas.every((r) => r.role === "slave" && r.state === "connected") && master;
    });
}

// ------------------------------------------------------------------------------------- P3

/** Runs redis-benchmark SET,GET against `t`. @returns requests per second of each. */
function benchmark(t: Target, requests: number): Promise<{ set: number; get: number }> {
    const args = [
        "-h",
        t.host,
        "-p",
        "6379",
        "-t",
        "set,get",
        "-n",
        String(requests),
        "-d",
        String(VALUE_SIZE),
        "-r",
        "100000",
        "-c",
        "50",
        "--csv",
    ];
    if (t.password) args.push("-a", t.password);
    return new Promise((resolve, reject) => {
        execFile("redis-benchmark", args, { timeout: 120_000, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
            if (err) return reject(new Error(`redis-benchmark against ${t.key}: ${stderr.trim() || err.message}`));
            const rps = (test: string) => Number(new RegExp(`^"${test}","([\\d.]+)"`, "m").exec(stdout)?.[1]);
            const set = rps("SET");
            const get = rps("GET");
            if (!(set > 0 && get > 0)) return reject(new Error(`unexpected redis-benchmark output: ${stdout}`));
            resolve({ set, get });
        });
    });
}

/** Starts a `redis-server` with `args` in a new pod of the set's network; waits until it answers. */
async function startPlainServer(pods: RedisPods, name: string, args: string[]): Promise<{ pod: Pod; proc: PodProcess }> {
    const pod = await pods.network.addPod(name, []);
    const dir = path.join(pods.network.logDir, name);
    fs.mkdirSync(dir, { recursive: true });
    const proc = pod.spawn("redis", requireBinary("redis-server"), args, { cwd: dir });
    await until(
        `${name} to answer PING`,
        async () => {
            const c = new Redis({
                host: pod.address,
                port: 6379,
                lazyConnect: true,
                connectTimeout: 1000,
                maxRetriesPerRequest: 0,
                retryStrategy: () => null,
            });
            c.on("error", () => undefined);
            try {
                await c.connect();
                return (await c.ping()) === "PONG";
            } finally {
                c.disconnect();
            }
        },
        { timeoutMs: 15_000, intervalMs: 100 },
    );
    return { pod, proc };
}

async function runP3(opts: RedisBenchOptions, id: string): Promise<NonNullable<RedisResults["p3"]>> {
    const res = {
        requests: opts.requests,
        runs: 0,
        set: {} as Record<string, number[]>,
        get: {} as Record<string, number[]>,
        errors: [] as string[],
    };
    const built = await build("rb", { namespace: "bench", redis: { native: { version: REDIS_VERSION } } });
    const pods = await RedisPods.start(built.children, { id });
    try {
        const master = await settled(pods, built.outputs);
        // `--protected-mode no` is the one change: without it a password-less server refuses every non-loopback client.
        const plain = await startPlainServer(pods, "redis-default", ["--protected-mode", "no"]);
        const aof = await startPlainServer(pods, "redis-default-aof", ["--protected-mode", "no", "--appendonly", "yes"]);
        const targets: Target[] = [
            { key: "default", host: plain.pod.address },
            { key: "aof", host: aof.pod.address },
            { key: "rendered", host: pods.address(master), password: built.outputs.password },
        ];
        for (const t of targets) {
            res.set[t.key] = [];
            res.get[t.key] = [];
        }
        for (let r = 0; r < opts.p3Runs; r++) {
            if (Date.now() > opts.deadline) {
                opts.log(`  (time budget reached: stopping after ${r} runs)`);
                break;
            }
            const order = targets.map((_, i) => targets[(i + r) % targets.length]);
            const line: string[] = [];
            for (const t of order) {
                try {
                    const b = await benchmark(t, opts.requests);
                    res.set[t.key][r] = b.set;
                    res.get[t.key][r] = b.get;
                    line.push(`${t.key} SET ${fmt(b.set, 0)}/s GET ${fmt(b.get, 0)}/s`);
                } catch (err) {
                    res.errors.push(`run ${r + 1}: ${(err as Error).message}`);
                    line.push(`${t.key} FAILED`);
                }
            }
            res.runs++;
            opts.log(`  run ${r + 1}/${opts.p3Runs}: ${line.join(", ")}`);
        }
    } finally {
        await pods.destroy();
    }
    return res;
}

// ------------------------------------------------------------------------------------- P4

/** One kill of the master's redis container; @returns ms from the kill to the first successful SET sent after it. */
async function killMaster(
    pods: RedisPods,
    outputs: SentinelOutputs,
    client: Redis,
    boundMs: number,
): Promise<{ ms: number; note: string }> {
    const master = await settled(pods, outputs);
    const acks: { sent: number; acked: number }[] = [];
    let stop = false;
    let killed = false;
    let i = 0;
    const errors = new Map<string, number>();
    const writer = (async () => {
        while (!stop) {
            const sent = Date.now();
            try {
                await client.set(`bench:${i % 1000}`, String(i++));
                acks.push({ sent, acked: Date.now() });
            } catch (err) {
                const m = String(err).slice(0, 100);
                errors.set(m, (errors.get(m) ?? 0) + 1);
                await sleep(20);
            }
        }
    })();
    try {
        await sleep(1000);
        if (acks.length < 10)
            throw new Error(
                `writes are not steady before the kill (${acks.length} in 1 s; errors ${JSON.stringify([...errors])}, client ${client.status})`,
            );
        const killAt = Date.now();
        killed = true;
        await pods.killContainer(master, "redis");
        const deadAt = Date.now();
        while (!acks.some((a) => a.sent >= deadAt) && Date.now() < killAt + boundMs) await sleep(20);
        const first = acks.find((a) => a.sent >= deadAt);
        return first
            ? { ms: first.acked - killAt, note: `killed ${master}` }
            : {
                  ms: NaN,
                  note: `killed ${master}: no write succeeded within ${boundMs / 1000} s (errors: ${JSON.stringify([...errors])}, client ${client.status})`,
              };
    } finally {
        stop = true;
        await writer;
        if (killed) {
            // The container restarts (same pod, same emptyDirs): its start script finds the new master and joins as a replica.
            pods.startContainer(master, "redis");
            await pods.waitReady(master);
        }
    }
}

async function runP4Set(
    which: "ours" | "upstream",
    opts: RedisBenchOptions,
    id: string,
): Promise<{ recoveryMs: number[]; notes: string[]; errors: string[] }> {
    const out = { recoveryMs: [] as number[], notes: [] as string[], errors: [] as string[] };
    const settings = which === "upstream" ? { sentinel: "sentinel parallel-syncs mymaster 1" } : undefined;
    const built: Built = await build(which === "ours" ? "rf" : "ru", {
        namespace: "bench",
        redis: { native: { version: REDIS_VERSION, settings } },
    });
    const bound = which === "ours" ? 60_000 : 120_000;
    const pods = await RedisPods.start(built.children, { id });
    // No `failoverDetector`: with the master dead, ioredis finds the new master through its reconnect loop anyway,
    // and the detector's disconnect racing a reconnect in progress ends the client for good ("Connection is closed";
    // seen here with ioredis 6.0.0). Reconnects every 50 ms, Sentinel rounds every 100 ms, never giving up.
    const client = sentinelClient(pods, built.outputs, {
        extra: { commandTimeout: 1000, retryStrategy: () => 50, sentinelRetryStrategy: () => 100 },
    });
    try {
        await settled(pods, built.outputs);
        await client.connect();
        for (let r = 0; r < opts.p4Runs; r++) {
            if (Date.now() > opts.deadline) {
                opts.log(`  ${which}: time budget reached, stopping after ${r} kills`);
                break;
            }
            try {
                const k = await killMaster(pods, built.outputs, client, bound);
                out.recoveryMs[r] = k.ms;
                out.notes[r] = k.note;
                opts.log(`  ${which.padEnd(8)} kill ${r + 1}/${opts.p4Runs}: ${k.note}, writes resumed after ${fmt(k.ms / 1000)} s`);
            } catch (err) {
                out.recoveryMs[r] = NaN;
                out.errors.push(`kill ${r + 1}: ${(err as Error).message.split("\n")[0]}`);
                opts.log(`  ${which.padEnd(8)} kill ${r + 1}: FAILED ${(err as Error).message.slice(0, 500)}`);
                break;
            }
        }
    } finally {
        client.disconnect();
        await pods.destroy();
    }
    return out;
}

/** Runs the selected Redis parts. Always removes every pod, process and file it created. */
export async function runRedis(opts: RedisBenchOptions, ids: { p3: string; ours: string; upstream: string }): Promise<RedisResults> {
    const out: RedisResults = {};
    if (opts.p3) {
        opts.log("P3 Redis: SET/GET throughput");
        out.p3 = await runP3(opts, ids.p3);
    }
    if (opts.p4) {
        opts.log("P4 Redis: kill -9 of the master's redis, our Sentinel settings and Sentinel's defaults side by side");
        const [ours, upstream] = await Promise.all([runP4Set("ours", opts, ids.ours), runP4Set("upstream", opts, ids.upstream)]);
        out.p4 = { ours, upstream };
    }
    return out;
}

// ------------------------------------------------------------------------------------ report

const P3_LABELS: Record<string, string> = {
    default: "default redis-server (baseline)",
    aof: "default + `appendonly yes`",
    rendered: "rendered master: AOF (everysec), 2 replicas, min-replicas-to-write 1",
};

export function reportRedisP3(p3: NonNullable<RedisResults["p3"]>): string {
    const rows: string[][] = [];
    for (const key of ["default", "aof", "rendered"]) {
        const set = dense(p3.set[key]);
        const get = dense(p3.get[key]);
        const rs = ratio(median(set), median(dense(p3.set.default)));
        const rg = ratio(median(get), median(dense(p3.get.default)));
        rows.push([
            P3_LABELS[key],
            fmtSummary(summarize(set), 0),
            key === "default" ? "1.00×" : fmtRatioRange(rs, pairedRatios(set, dense(p3.set.default))),
            fmtSummary(summarize(get), 0),
            key === "default" ? "1.00×" : fmtRatioRange(rg, pairedRatios(get, dense(p3.get.default))),
        ]);
    }
    return table(
        ["target", "SET req/s: median (min–max)", "SET ratio (paired)", "GET req/s: median (min–max)", "GET ratio (paired)"],
        rows,
    );
}

export function reportRedisP4(p4: NonNullable<RedisResults["p4"]>): {
    md: string;
    goals: Goal[];
} {
    const ours = dense(p4.ours.recoveryMs);
    const up = dense(p4.upstream.recoveryMs);
    const so = summarize(ours);
    const su = summarize(up);
    const failed = (v: number[]) => v.filter((x) => !Number.isFinite(x)).length;
    const rows = [
        [
            "Sentinel defaults: down-after-milliseconds 30000, failover-timeout 180000 (baseline)",
            fmtSummary(su, 2, 1 / 1000),
            "1.00×",
            `${su.n}${failed(up) ? ` (+${failed(up)} failed)` : ""}`,
            "comparison",
        ],
        [
            "rendered defaults: down-after-milliseconds 10000, failover-timeout 2000",
            fmtSummary(so, 2, 1 / 1000),
            fmtRatioRange(ratio(so.median, su.median), pairedRatios(ours, up)),
            `${so.n}${failed(ours) ? ` (+${failed(ours)} failed)` : ""}`,
            `≤ 15 s → ${verdict(so.n > 0 ? so.median <= 15_000 && failed(ours) === 0 : undefined)}`,
        ],
    ];
    const md = table(
        ["Sentinel settings", "kill → first successful SET, s: median (min–max)", "ratio to Sentinel defaults (paired)", "kills", "goal"],
        rows,
    );
    return {
        md,
        goals: [
            {
                name: "P4 Redis write recovery via Sentinel after kill -9 of the master (rendered defaults)",
                ok: so.n > 0 ? so.median <= 15_000 && failed(ours) === 0 : undefined,
                text: `median ${fmt(so.median / 1000)} s (goal ≤ 15 s)`,
            },
        ],
    };
}
