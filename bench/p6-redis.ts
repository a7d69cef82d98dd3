/**
 * P6 (Redis part): a rolling restart of the native Redis + Sentinel set under load. The component's
 * 3-pod set (`sim/pods/redis-pods.ts`, persistence on) gets a change that rolls the pods (a
 * `settings.master` line: a new config ConfigMap, so a new pod template), rolled as the StatefulSet
 * controller does (`sim/pods/rolling.ts`: highest ordinal first, each pod deleted gracefully with its
 * preStop and grace period, the next only when Ready), while a writer writes through Sentinel
 * discovery (ioredis asking the Sentinels behind `sentinelUrl` for `masterName`, as the outputs'
 * consumers do): one key at a time, `SET` then `WAIT 1 1000`, a write counting as acknowledged only
 * when `WAIT` reports a replica; a failed attempt is counted and retried with the same value. After
 * the roll every acknowledged key is read back through Sentinel from the master.
 *
 * Configurations, interleaved per round:
 * - `ours`: the rendered pods (the redis preStop `prestop-redis.sh` pauses writes on a master and asks
 *   another pod's Sentinel for a failover before the container stops; our Sentinel timers);
 * - `minimal`: the same pods without the preStop hand-over and with Sentinel's own timers
 *   (`settings.sentinel` sets neither `down-after-milliseconds` nor `failover-timeout`: 30 s and 180 s),
 *   i.e. what a minimal `sentinel monitor` configuration does on a roll. It is the rendered
 *   StatefulSet with two things removed, not a separately hand-written config: the start scripts'
 *   discovery (a restarted pod asks the Sentinels who the master is) is kept, because a naive
 *   config that always starts pod 0 as master would lose data on a roll by construction.
 */
import Redis from "ioredis";
import { Built } from "../sim/runtime/build";
import { findStatefulSet } from "../sim/pods/pod-files";
import { newId } from "../sim/pods/netns";
import { RedisPods, sentinelClient } from "../sim/pods/redis-pods";
import { buildRevisions, Rollable, rollingUpdate } from "../sim/pods/rolling";
import { sleep } from "../sim/pods/wait";
import { bootstrapRatioCI, fmt, fmtCI, fmtRatio, fmtSummary, Goal, median, summarize, table } from "./stats";
import { REDIS_VERSION, settled } from "./redis";
import { runInterleaved, stallsPerDisturbance } from "./p6-load";

export type P6RedisVariant = "ours" | "minimal";
const VARIANTS: P6RedisVariant[] = ["ours", "minimal"];
const WAIT_MS = 1000;

/** One roll. */
export interface P6RedisRoll {
    variant: P6RedisVariant;
    rollMs: number;
    acked: number;
    lost: number;
    failedAttempts: number;
    /** Longest time without an acknowledged write around each pod restart (roll order). */
    stallsMs: number[];
    /** The pods in roll order, and which was master when the roll started. */
    order: string[];
    master: string;
    /** Per pod: deletion (preStop + stop) and re-creation until Ready, ms. */
    stopMs?: number[];
    startMs?: number[];
    /** The master's restart: its redis preStop log, and the writer's failed attempts by error (first words). */
    masterPreStop?: string;
    masterErrors?: Record<string, number>;
    error?: string;
}

export interface P6RedisResults {
    rolls: P6RedisRoll[];
    roundsDone: number;
}

function redisArgs(variant: P6RedisVariant, revision: 0 | 1) {
    return {
        namespace: "bench",
        redis: {
            native: {
                version: REDIS_VERSION,
                persistence: { volumeSize: "1Gi" },
                settings: {
                    ...(revision === 1 && { master: "slowlog-max-len 129" }),
                    ...(variant === "minimal" && { sentinel: "sentinel parallel-syncs mymaster 1" }),
                },
            },
        },
    };
}

/** The redis container of the StatefulSet's template without its preStop hook. */
function withoutPreStop(b: Built): void {
    const c = findStatefulSet(b.children).inputs.spec.template.spec.containers.find((x: { name: string }) => x.name === "redis");
    delete c.lifecycle;
}

/** The two revisions; throws when the change would not roll the pods (same pod template). */
async function revisions(variant: P6RedisVariant): Promise<{ before: Built; after: Built }> {
    const r = await buildRevisions(`p6${variant[0]}`, redisArgs(variant, 0), redisArgs(variant, 1));
    const template = (b: Built) => JSON.stringify(findStatefulSet(b.children).inputs.spec.template);
    if (template(r.before) === template(r.after)) throw new Error("the settings change does not change the pod template");
    if (variant === "minimal") [r.before, r.after].forEach(withoutPreStop);
    return r;
}

/** An error's kind: its first words without numbers (`ReplyError: READONLY You can't write...` → `READONLY You can't write`). */
function errorKind(msg: string): string {
    return msg
        .replace(/^(Reply)?Error: /, "")
        .replace(/\d+/g, "N")
        .split(/[.:]/)[0]
        .slice(0, 60);
}

/** The pods as a {@link Rollable} that keeps each pod's redis preStop output. */
function recordingBed(pods: RedisPods, preStops: Map<string, string>): Rollable {
    return {
        podNames: () => pods.podNames(),
        reviseTemplate: (n, c) => pods.reviseTemplate(n, c),
        createPod: (n) => pods.createPod(n),
        deletePod: async (n) => {
            const r = await pods.deletePod(n);
            preStops.set(n, `${r.redis?.stdout ?? ""}${r.redis?.stderr ?? ""}`.trim());
            return r;
        },
    };
}

/** A running writer. */
interface Writer {
    acks: { key: string; at: number }[];
    counts: { failed: number; lastError: string };
    /** Failed attempts: when, and the error's first words. */
    errors: { at: number; what: string }[];
    stop(): Promise<void>;
}

function startWriter(client: Redis): Writer {
    const acks: Writer["acks"] = [];
    const counts = { failed: 0, lastError: "" };
    const errors: Writer["errors"] = [];
    let stopped = false;
    const done = (async () => {
        for (let i = 0; !stopped; i++) {
            while (!stopped) {
                try {
                    await client.set(`k-${i}`, `v-${i}`);
                    const replicas = Number(await client.wait(1, WAIT_MS));
                    if (replicas < 1) throw new Error("WAIT 1 returned 0");
                    acks.push({ key: `k-${i}`, at: Date.now() });
                    break;
                } catch (err) {
                    counts.failed++;
                    counts.lastError = String(err).slice(0, 200);
                    if (errors.length < 10_000) errors.push({ at: Date.now(), what: errorKind(String(err)) });
                    await sleep(50);
                }
            }
        }
    })();
    return {
        acks,
        counts,
        errors,
        stop: async () => {
            stopped = true;
            await done;
        },
    };
}

/** Reads every acknowledged key back (MGET in chunks) from the master: how many are missing or different. */
async function lostKeys(client: Redis, keys: string[]): Promise<number> {
    let lost = 0;
    for (let i = 0; i < keys.length; i += 500) {
        const chunk = keys.slice(i, i + 500);
        const values = await client.mget(...chunk);
        lost += chunk.filter((k, j) => values[j] !== `v-${k.slice(2)}`).length;
    }
    return lost;
}

/** The writer's failed attempts around the master's restart, by kind. */
function masterErrors(w: Writer, p: { deletedAt: number; readyAt: number } | undefined): Record<string, number> {
    const out: Record<string, number> = {};
    if (!p) return out;
    for (const e of w.errors.filter((x) => x.at >= p.deletedAt && x.at <= p.readyAt + 2000)) out[e.what] = (out[e.what] ?? 0) + 1;
    return out;
}

async function rollOnce(variant: P6RedisVariant, log: (l: string) => void): Promise<P6RedisRoll> {
    const { before, after } = await revisions(variant);
    const pods = await RedisPods.start(before.children, { id: newId("b6r"), readyTimeoutMs: 180_000 });
    // Reconnects every 50 ms, Sentinel rounds every 100 ms, never giving up; no `failoverDetector` (see P4).
    const extra = { commandTimeout: 3000, retryStrategy: () => 50, sentinelRetryStrategy: () => 100 };
    const client = sentinelClient(pods, before.outputs, { extra });
    let writer: Writer | undefined;
    try {
        const master = await settled(pods, before.outputs);
        await client.connect();
        writer = startWriter(client);
        while (writer.acks.length < 100) {
            if (writer.counts.failed > 200) throw new Error(`writes do not start: ${writer.counts.lastError}`);
            await sleep(100);
        }
        const preStops = new Map<string, string>();
        const t0 = Date.now();
        const rolled = await rollingUpdate(recordingBed(pods, preStops), after.children);
        const rollMs = Date.now() - t0;
        await sleep(2000);
        await writer.stop();
        const stallsMs = stallsPerDisturbance(
            rolled,
            writer.acks.map((a) => a.at),
        );
        const lost = await lostKeys(
            client,
            writer.acks.map((a) => a.key),
        );
        const r: P6RedisRoll = {
            variant,
            rollMs,
            acked: writer.acks.length,
            lost,
            failedAttempts: writer.counts.failed,
            stallsMs,
            order: rolled.map((p) => p.name),
            master,
            stopMs: rolled.map((p) => p.stoppedAt - p.deletedAt),
            startMs: rolled.map((p) => p.readyAt - p.stoppedAt),
            masterPreStop: preStops.get(master),
            masterErrors: masterErrors(
                writer,
                rolled.find((p) => p.name === master),
            ),
        };
        log(
            `    ${variant.padEnd(7)} roll ${fmt(rollMs / 1000, 1)} s (master was ${master}), acked ${r.acked}, lost ${lost}, ` +
                `failed attempts ${r.failedAttempts}, stalls ${stallsMs.map((x) => fmt(x / 1000)).join("/")} s`,
        );
        return r;
    } finally {
        await writer?.stop();
        client.disconnect();
        await pods.destroy();
    }
}

/** Rolls each variant `rounds` times, interleaved (rotating order). */
export async function runP6Redis(o: { rounds: number; deadline: number; log: (l: string) => void }): Promise<P6RedisResults> {
    const nan = { rollMs: NaN, acked: 0, lost: NaN, failedAttempts: NaN, stallsMs: [], order: [], master: "" };
    const { results, roundsDone } = await runInterleaved(
        VARIANTS,
        o,
        (v) => rollOnce(v, o.log),
        (v, error): P6RedisRoll => ({ variant: v, ...nan, error }),
    );
    return { rolls: results, roundsDone };
}

// ------------------------------------------------------------------------------------ report

const LABELS: Record<P6RedisVariant, string> = {
    ours: "rendered (ours): preStop hand-over, down-after 10 s, failover-timeout 2 s",
    minimal: "minimal: no preStop hand-over, Sentinel's defaults (down-after 30 s, failover-timeout 180 s)",
};

function rollsOf(res: P6RedisResults, v: P6RedisVariant): P6RedisRoll[] {
    return res.rolls.filter((r) => r.variant === v && !r.error);
}

/** The stall of the pod that was master when its restart began (the hand-over), per roll. */
function masterStalls(rs: P6RedisRoll[]): number[] {
    return rs.map((r) => r.stallsMs[r.order.indexOf(r.master)]).filter((x) => x !== undefined);
}

function variantRow(res: P6RedisResults, v: P6RedisVariant): string[] {
    const rs = rollsOf(res, v);
    const stalls = rs.flatMap((r) => r.stallsMs);
    const ms = masterStalls(rs);
    const oursMs = median(rollsOf(res, "ours").map((r) => r.rollMs));
    return [
        LABELS[v],
        fmtSummary(summarize(rs.map((r) => r.rollMs)), 1, 1 / 1000),
        v === "ours" ? "1.00×" : fmtRatio(median(rs.map((r) => r.rollMs)) / oursMs),
        `${fmt(median(rs.flatMap((r) => r.stopMs ?? [])) / 1000, 1)} / ${fmt(median(rs.flatMap((r) => r.startMs ?? [])) / 1000, 1)}`,
        String(rs.reduce((n, r) => n + r.acked, 0)),
        String(rs.reduce((n, r) => n + r.lost, 0)),
        rs.map((r) => r.failedAttempts).join(", "),
        stalls.length ? `${fmt(median(stalls) / 1000)} (max ${fmt(Math.max(...stalls) / 1000)})` : "–",
        ms.length ? ms.map((x) => fmt(x / 1000)).join(", ") : "–",
        String(rs.length) + (res.rolls.some((r) => r.variant === v && r.error) ? " (+ failed)" : ""),
    ];
}

/** Markdown, goals and per-roll notes of P6 (Redis). */
export function reportP6Redis(res: P6RedisResults): { md: string; goals: Goal[]; notes: string[] } {
    const ours = rollsOf(res, "ours");
    const minimal = rollsOf(res, "minimal");
    const stalls = ours.flatMap((r) => r.stallsMs);
    const maxStall = stalls.length ? Math.max(...stalls) : NaN;
    const lost = ours.reduce((n, r) => n + r.lost, 0);
    const measured = ours.length > 0;
    const ratio = median(ours.map((r) => r.rollMs)) / median(minimal.map((r) => r.rollMs));
    const ci = fmtCI(
        bootstrapRatioCI(
            ours.map((r) => r.rollMs),
            minimal.map((r) => r.rollMs),
        ),
    );
    const md = table(
        [
            "configuration",
            "roll time, s: median (min–max)",
            "roll time ratio to ours",
            "per pod: deletion / re-creation to Ready, s (median)",
            "acked (WAIT 1)",
            "acked lost",
            "failed attempts per roll",
            "stall per pod restart, s: median (max)",
            "stall of the master's restart, s, per roll",
            "rolls",
        ],
        VARIANTS.map((v) => variantRow(res, v)),
    );
    const notes = res.rolls.map(
        (r) =>
            `${r.variant}: ${r.error ? `FAILED: ${r.error}` : `order ${r.order.join(", ")}, master ${r.master}; stalls ${r.stallsMs.map((x) => fmt(x / 1000)).join(" / ")} s; deletion ${(r.stopMs ?? []).map((x) => fmt(x / 1000, 1)).join(" / ")} s; failed attempts around the master's restart: ${JSON.stringify(r.masterErrors ?? {})}; master's preStop: ${JSON.stringify(r.masterPreStop ?? "")}`}`,
    );
    const vsMinimal =
        minimal.length && measured
            ? `\n\nTotal roll time, ours / minimal (same run; no goal): ${fmtRatio(ratio)}${ci ? ` (${ci})` : ""}.`
            : "";
    return {
        md: md + vsMinimal,
        notes,
        goals: [
            {
                name: "P6 Redis rolling restart: WAIT-acknowledged writes lost",
                ok: measured ? lost === 0 : undefined,
                text: `${lost} (goal 0)`,
            },
            {
                name: "P6 Redis rolling restart: longest write stall per pod restart",
                ok: measured ? maxStall <= 3000 : undefined,
                text: `max ${fmt(maxStall / 1000)} s, median ${fmt(median(stalls) / 1000)} s (goal ≤ 3 s)`,
            },
        ],
    };
}
