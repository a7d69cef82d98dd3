/**
 * P2, P3 and P4 for NATS JetStream, measured on the same three pods (see `nats-bed.ts`).
 *
 * In every round each configuration gets a fresh cluster (empty data): it is started, its time to
 * healthy is taken (P2), a client publishes to an R3 file stream (P3), and the stream leader is
 * killed under steady publishing (P4); then the cluster is stopped. The order of the
 * configurations rotates from round to round, and each ratio is also computed per round (paired),
 * so slow drifts of the machine show up in the spread instead of in the medians.
 *
 * Configurations: the minimal hand-written cluster config (the baseline), and the component's
 * rendered pods (version 2.9.15, default settings) with TLS and encryption off, TLS only,
 * encryption only, and both.
 */
import { performance } from "node:perf_hooks";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { build, Resolved } from "../sim/runtime/build";
import { sleep } from "../sim/pods/wait";
import { clientOptions, NatsConnection, streamConfigFromOutput } from "../sim/pods/jetstream-pods";
import { DEFAULT_JETSTREAM_CIPHER } from "../provider/args/jetstream";
import { BenchNatsPods, ClusterConfig } from "./nats-bed";
import {
    bootstrapRatioCI,
    dense,
    fmt,
    fmtCI,
    fmtRatio,
    fmtRatioRange,
    fmtSummary,
    Goal,
    median,
    pairedRatios,
    ratio,
    summarize,
    table,
    verdict,
} from "./stats";

/** A configuration under test. */
export interface NatsCase {
    key: "minimal" | "plain" | "tls" | "enc" | "tlsenc" | "chacha" | "aes";
    label: string;
    tls: boolean;
    /** `jetstream.encryption` of the component: off, on (the default cipher) or a cipher. */
    encryption: boolean | "chachapoly" | "aes";
}

const NATS_CASES: NatsCase[] = [
    { key: "minimal", label: "minimal hand-written config (baseline)", tls: false, encryption: false },
    { key: "plain", label: "rendered, TLS off, encryption off", tls: false, encryption: false },
    { key: "tls", label: "rendered, TLS on, encryption off", tls: true, encryption: false },
    { key: "enc", label: "rendered, TLS off, encryption on", tls: false, encryption: true },
    { key: "tlsenc", label: "rendered, TLS on, encryption on", tls: true, encryption: true },
    { key: "chacha", label: 'rendered, TLS off, encryption "chachapoly"', tls: false, encryption: "chachapoly" },
    { key: "aes", label: 'rendered, TLS off, encryption "aes"', tls: false, encryption: "aes" },
];

/** Which configurations each part needs. */
const CASES_OF = {
    p2: ["minimal", "plain", "tlsenc"],
    p3: ["minimal", "plain", "tls", "enc", "tlsenc"],
    p4: ["minimal", "plain", "tlsenc"],
    p5: ["plain", "chacha", "aes"],
} as const;

/** Whether configuration `key` takes part in `part` of this run. */
function partHas(opts: NatsOptions, part: "p2" | "p3" | "p4" | "p5", key: string): boolean {
    return opts[part] && (CASES_OF[part] as readonly string[]).includes(key);
}

export const NATS_VERSION = "2.9.15";

/** Options of {@link runNats}. */
export interface NatsOptions {
    rounds: number;
    p2: boolean;
    p3: boolean;
    p4: boolean;
    /** Encryption at rest: throughput of each cipher against no encryption (the P3 measurement). */
    p5: boolean;
    /** Cold starts per configuration and round for P2. */
    startsPerRound: number;
    /** P3 measurements per cluster (same stream, one after the other). */
    p3RunsPerRound: number;
    /** Messages per P3 run. */
    messages: number;
    /** Outstanding acks of the P3 publisher. */
    window: number;
    /** Leader kills per cluster in P4. */
    killsPerRound: number;
    /** Wall-clock deadline (Date.now) after which no new round is started. */
    deadline: number;
    log: (line: string) => void;
}

/** Measurements of one configuration, one entry per round (NaN when skipped or failed). */
export interface NatsCaseResult {
    healthyMs: number[];
    /** Time until every pod answered its monitoring port (any status): the processes are up. */
    upMs: number[];
    /** Time until every pod answered `/healthz?js-enabled-only=true` with ok (before the meta leader is known). */
    healthzMs: number[];
    msgsPerSec: number[];
    recoveryMs: number[];
    /** Longest gap between two acks around each kill. */
    gapMs: number[];
    /** Whether the killed leader was also the meta leader / the server the client was connected to. */
    killNotes: string[];
    errors: string[];
}

export interface NatsResults {
    opts: Omit<NatsOptions, "log" | "deadline">;
    cases: NatsCase[];
    byCase: Record<string, NatsCaseResult>;
    roundsDone: number;
}

const MSG_SIZE = 1024;
const START_TIMEOUT_MS = 60_000;
const RECOVERY_BOUND_MS = 60_000;
const WARMUP_MSGS = 500;

/** A 1 KiB payload. */
const PAYLOAD = new Uint8Array(MSG_SIZE).map((_, i) => 97 + (i % 26));

/** Publishes `count` messages keeping at most `window` acks outstanding. @throws the first failed publish. */
async function publishPipelined(js: JetStreamClient, subject: string, count: number, window: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
        let sent = 0;
        let done = 0;
        let failed = false;
        const pump = (): void => {
            while (!failed && sent < count && sent - done < window) {
                sent++;
                js.publish(subject, PAYLOAD, { timeout: 10_000 }).then(
                    () => {
                        done++;
                        if (done === count) resolve();
                        else pump();
                    },
                    (err: unknown) => {
                        failed = true;
                        reject(err);
                    },
                );
            }
        };
        pump();
    });
}

/** Waits (bounded) until the stream has a leader and every replica is current. @returns the leader. */
async function streamSettled(jsm: JetStreamManager, stream: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
        try {
            const si = await jsm.streams.info(stream);
            const peers = si.cluster?.replicas ?? [];
            if (si.cluster?.leader && peers.length === 2 && peers.every((p) => p.current && !p.offline)) return si.cluster.leader;
            last = JSON.stringify(si.cluster);
        } catch (err) {
            last = String(err);
        }
        await sleep(100);
    }
    throw new Error(`stream ${stream} not settled within ${timeoutMs} ms: ${last}`);
}

/** One P4 measurement: kill -9 of the stream leader under steady publishing. */
async function killLeader(
    pods: BenchNatsPods,
    nc: NatsConnection,
    jsm: JetStreamManager,
    js: JetStreamClient,
    stream: string,
): Promise<{ recoveryMs: number; gapMs: number; note: string }> {
    const leader = await streamSettled(jsm, stream, 30_000);
    const meta = (await pods.monitor<{ meta_cluster?: { leader?: string } }>(leader, "/jsz")).meta_cluster?.leader;
    const connectedTo = nc.info?.server_name;
    const acks: { sent: number; acked: number }[] = [];
    let stop = false;
    let killed = false;
    // Steady publishing: one message at a time, each waiting for its ack (250 ms ack timeout, 20 ms pause after a failure).
    const publisher = (async () => {
        while (!stop) {
            const sent = Date.now();
            try {
                await js.publish(`${stream}.steady`, PAYLOAD, { timeout: 250 });
                acks.push({ sent, acked: Date.now() });
            } catch {
                await sleep(20);
            }
        }
    })();
    try {
        await sleep(1000);
        if (acks.length < 10) throw new Error(`publishing is not steady before the kill (${acks.length} acks in 1 s)`);
        const killAt = Date.now();
        killed = true;
        await pods.kill(leader);
        const deadAt = Date.now();
        const bound = killAt + RECOVERY_BOUND_MS;
        while (!acks.some((a) => a.sent >= deadAt) && Date.now() < bound) await sleep(10);
        const first = acks.find((a) => a.sent >= deadAt);
        await sleep(300);
        stop = true;
        await publisher;
        const before = [...acks].reverse().find((a) => a.acked <= killAt);
        const gapMs = first && before ? first.acked - before.acked : NaN;
        const note = `killed ${leader}${leader === meta ? " (also meta leader)" : ""}${leader === connectedTo ? " (client's server)" : ""}`;
        return {
            recoveryMs: first ? first.acked - killAt : NaN,
            gapMs,
            note: first ? note : `${note}: no ack within ${RECOVERY_BOUND_MS} ms`,
        };
    } finally {
        stop = true;
        await publisher;
        if (killed) pods.restart(leader);
    }
}

/**
 * Connects a client to the running cluster of `c`: to every pod (as a client of the Service), or
 * only to the pods at `addresses`. Rendered configs: credentials and CA from the outputs.
 */
function connectTo(pods: BenchNatsPods, c: NatsCase, outputs: Resolved | undefined, addresses?: string[]): Promise<NatsConnection> {
    if (c.key === "minimal") {
        const servers = (addresses ?? pods.podNames().map((p) => pods.address(p))).map((a) => `${a}:4222`);
        return connect({ servers, timeout: 5000, reconnectTimeWait: 250, maxReconnectAttempts: -1 });
    }
    return connect(clientOptions(outputs!, (h) => pods.resolveAll(h), addresses ? { servers: addresses } : {}));
}

/** One configuration in one round: where it runs, what it is, and where its measurements go. */
interface CaseRun {
    pods: BenchNatsPods;
    c: NatsCase;
    config: ClusterConfig;
    /** The component's outputs (undefined for the minimal config). */
    outputs: Resolved | undefined;
    /** The `streamConfig` output the streams are created from (the plain rendered one for the minimal config). */
    streamConfig: string;
    opts: NatsOptions;
    res: NatsCaseResult;
    round: number;
}

/** P2: `startsPerRound` cold starts (fresh data each); the last cluster stays up for P3 and P4. @returns the log text. */
async function p2Starts({ pods, c, config, opts, res, round }: CaseRun): Promise<string> {
    const starts = partHas(opts, "p2", c.key) ? opts.startsPerRound : 1;
    const healthy: string[] = [];
    for (let s = 0; s < starts; s++) {
        if (s > 0) await pods.stop();
        const t0 = pods.start(config);
        const { healthyAt, upAt, healthzAt } = await pods.waitHealthy(START_TIMEOUT_MS);
        res.healthyMs[round * starts + s] = healthyAt - t0;
        res.upMs[round * starts + s] = upAt - t0;
        res.healthzMs[round * starts + s] = healthzAt - t0;
        healthy.push(fmt((healthyAt - t0) / 1000));
    }
    return `healthy ${healthy.join("/")} s`;
}

/** P3: `p3RunsPerRound` pipelined publishing runs into stream `tput`, from a follower of the stream. @returns the log text. */
async function p3Throughput({ pods, c, outputs, streamConfig, opts, res, round }: CaseRun, jsm: JetStreamManager): Promise<string> {
    await jsm.streams.add(streamConfigFromOutput(streamConfig, "tput", ["tput.>"]));
    const leader = await streamSettled(jsm, "tput", 30_000);
    // The publisher is connected to a follower of the stream, always: whether a client happens to share
    // a server with the stream leader changes throughput by ~20 %, which would otherwise be random noise.
    const follower = pods.podNames().find((p) => p !== leader)!;
    const pub = await connectTo(pods, c, outputs, [pods.address(follower)]);
    const rates: string[] = [];
    try {
        const pjs = jetstream(pub);
        await publishPipelined(pjs, "tput.warm", WARMUP_MSGS, opts.window);
        for (let k = 0; k < opts.p3RunsPerRound; k++) {
            const t = performance.now();
            await publishPipelined(pjs, "tput.x", opts.messages, opts.window);
            const i = round * opts.p3RunsPerRound + k;
            res.msgsPerSec[i] = opts.messages / ((performance.now() - t) / 1000);
            rates.push(fmt(res.msgsPerSec[i], 0));
        }
    } finally {
        await pub.close().catch(() => undefined);
    }
    await jsm.streams.delete("tput");
    return `, ${rates.join("/")} msg/s`;
}

/** P4: `killsPerRound` kills of the leader of stream `recov`, each followed by a recovery. @returns the log text. */
async function p4Recovery({ pods, streamConfig, opts, res, round }: CaseRun, nc: NatsConnection, jsm: JetStreamManager): Promise<string> {
    await jsm.streams.add(streamConfigFromOutput(streamConfig, "recov", ["recov.>"]));
    const js = jetstream(nc);
    const rec: number[] = [];
    for (let k = 0; k < opts.killsPerRound; k++) {
        const r = await killLeader(pods, nc, jsm, js, "recov");
        const i = round * opts.killsPerRound + k;
        res.recoveryMs[i] = r.recoveryMs;
        res.gapMs[i] = r.gapMs;
        res.killNotes[i] = r.note;
        rec.push(r.recoveryMs);
        await pods.waitHealthy(START_TIMEOUT_MS);
        await streamSettled(jsm, "recov", 30_000);
    }
    return `, recovery ${rec.map((x) => fmt(x / 1000)).join("/")} s`;
}

/** Runs one configuration in one round. */
async function runCase(
    pods: BenchNatsPods,
    c: NatsCase,
    built: Map<string, { children: any[]; outputs: Resolved }>,
    plainOutputs: Resolved,
    opts: NatsOptions,
    res: NatsCaseResult,
    round: number,
): Promise<void> {
    const config: ClusterConfig = c.key === "minimal" ? { kind: "minimal" } : { kind: "rendered", children: built.get(c.key)!.children };
    const outputs = c.key === "minimal" ? undefined : built.get(c.key)!.outputs;
    const streamConfig = (outputs ?? plainOutputs).streamConfig;
    const run: CaseRun = { pods, c, config, outputs, streamConfig, opts, res, round };
    try {
        let line = await p2Starts(run);
        const nc = await connectTo(pods, c, outputs);
        try {
            const jsm = await jetstreamManager(nc);
            if (partHas(opts, "p3", c.key) || partHas(opts, "p5", c.key)) line += await p3Throughput(run, jsm);
            if (partHas(opts, "p4", c.key)) line += await p4Recovery(run, nc, jsm);
        } finally {
            await nc.close().catch(() => undefined);
        }
        opts.log(`    ${c.key.padEnd(7)} ${line}`);
    } catch (err) {
        res.errors.push(`round ${round + 1}: ${(err as Error).message.split("\n")[0]}`);
        opts.log(`    ${c.key.padEnd(7)} FAILED: ${(err as Error).message.slice(0, 2000)}`);
    } finally {
        await pods.stop();
    }
}

/** Runs the selected NATS parts. Always removes every pod, process and file it created. */
export async function runNats(opts: NatsOptions, id: string): Promise<NatsResults> {
    const keys = new Set<string>((["p2", "p3", "p4", "p5"] as const).flatMap((part) => (opts[part] ? [...CASES_OF[part]] : [])));
    const cases = NATS_CASES.filter((c) => keys.has(c.key));
    const built = new Map<string, { children: any[]; outputs: Resolved }>();
    for (const c of NATS_CASES.filter((x) => x.key !== "minimal")) {
        if (!keys.has(c.key) && c.key !== "plain") continue;
        const b = await build("bench", { namespace: "bench", jetstream: { version: NATS_VERSION, tls: c.tls, encryption: c.encryption } });
        built.set(c.key, { children: b.children, outputs: b.outputs });
    }
    const byCase: Record<string, NatsCaseResult> = {};
    for (const c of cases)
        byCase[c.key] = { healthyMs: [], upMs: [], healthzMs: [], msgsPerSec: [], recoveryMs: [], gapMs: [], killNotes: [], errors: [] };
    const pods = await BenchNatsPods.create(id, built.get("plain")!.children);
    let roundsDone = 0;
    try {
        for (let r = 0; r < opts.rounds; r++) {
            if (Date.now() > opts.deadline) {
                opts.log(`  (time budget reached: stopping after ${r} rounds)`);
                break;
            }
            opts.log(`  round ${r + 1}/${opts.rounds}`);
            const order = cases.map((_, i) => cases[(i + r) % cases.length]);
            for (const c of order) await runCase(pods, c, built, built.get("plain")!.outputs, opts, byCase[c.key], r);
            roundsDone++;
        }
    } finally {
        await pods.destroy();
    }
    const { log: _l, deadline: _d, ...rest } = opts;
    return { opts: rest, cases, byCase, roundsDone };
}

// ------------------------------------------------------------------------------------ report

/** Markdown of the P2 section. */
export function reportP2(res: NatsResults): { md: string; goals: Goal[] } {
    const base = dense(res.byCase.minimal?.healthyMs ?? []);
    const rows = res.cases.map((c) => {
        const v = dense(res.byCase[c.key].healthyMs);
        const r = c.key === "minimal" ? NaN : ratio(median(v), median(base));
        const goal =
            c.key === "plain"
                ? `≤ 1.20× → ${verdict(r <= 1.2)} (${fmtCI(bootstrapRatioCI(v, base))})`
                : c.key === "minimal"
                  ? "baseline"
                  : "extra row";
        return [
            c.label,
            fmtSummary(summarize(v), 2, 1 / 1000),
            c.key === "minimal" ? "1.00×" : v.length === base.length ? fmtRatioRange(r, pairedRatios(v, base)) : fmtRatio(r),
            fmtSummary(summarize(dense(res.byCase[c.key].upMs)), 2, 1 / 1000),
            fmtSummary(summarize(dense(res.byCase[c.key].healthzMs)), 2, 1 / 1000),
            String(summarize(v).n),
            goal,
        ];
    });
    const r = ratio(median(dense(res.byCase.plain?.healthyMs ?? [])), median(base));
    const md = table(
        [
            "configuration",
            "start → healthy + meta leader, s: median (min–max)",
            "ratio to baseline (paired min–max)",
            "start → all pods answer HTTP, s",
            "start → all /healthz ok, s",
            "starts",
            "goal",
        ],
        rows,
    );
    const ci = fmtCI(bootstrapRatioCI(dense(res.byCase.plain?.healthyMs ?? []), base));
    return {
        md,
        goals: [
            {
                name: "P2 time to healthy, rendered (TLS/encryption off) vs minimal",
                ok: Number.isFinite(r) ? r <= 1.2 : undefined,
                text: `${fmtRatio(r)}${ci ? ` (${ci})` : ""} (goal ≤ 1.20×)`,
            },
        ],
    };
}

/** Markdown of the P3 (NATS) section. */
export function reportP3(res: NatsResults): { md: string; goals: Goal[] } {
    const get = (k: string) => dense(res.byCase[k]?.msgsPerSec ?? []);
    const versus: Record<string, string> = { plain: "minimal", tls: "plain", enc: "plain", tlsenc: "plain" };
    const rows = res.cases
        .filter((c) => CASES_OF.p3.includes(c.key as never))
        .map((c) => {
            const v = get(c.key);
            const s = summarize(v);
            const ref = versus[c.key];
            const r = ref ? ratio(median(v), median(get(ref))) : NaN;
            const what =
                ref === "minimal"
                    ? "rendered / minimal"
                    : ref
                      ? `${c.key === "tls" ? "TLS" : c.key === "enc" ? "encryption" : "TLS + encryption"} on / off`
                      : "baseline";
            const goal =
                c.key === "plain" ? `≥ 0.95× → ${verdict(r >= 0.95)} (${fmtCI(bootstrapRatioCI(v, get(ref)))})` : ref ? "cost ratio" : "";
            return [
                c.label,
                fmtSummary(s, 0),
                fmt((s.median * MSG_SIZE) / 2 ** 20, 1),
                ref ? fmtRatioRange(r, pairedRatios(v, get(ref))) : "1.00×",
                what,
                String(s.n),
                goal,
            ];
        });
    const r = ratio(median(get("plain")), median(get("minimal")));
    const md = table(["configuration", "msgs/s: median (min–max)", "MiB/s", "ratio (paired min–max)", "ratio of", "runs", "goal"], rows);
    const ci = fmtCI(bootstrapRatioCI(get("plain"), get("minimal")));
    return {
        md,
        goals: [
            {
                name: "P3 JetStream R3 publish throughput, rendered vs minimal",
                ok: Number.isFinite(r) ? r >= 0.95 : undefined,
                text: `${fmtRatio(r)}${ci ? ` (${ci})` : ""} (goal ≥ 0.95×)`,
            },
        ],
    };
}

/** Markdown of the P4 (NATS) section. */
export function reportP4(res: NatsResults): {
    md: string;
    notes: string;
    goals: Goal[];
} {
    const base = dense(res.byCase.minimal?.recoveryMs ?? []);
    const rows = res.cases
        .filter((c) => CASES_OF.p4.includes(c.key as never))
        .map((c) => {
            const v = dense(res.byCase[c.key].recoveryMs);
            const s = summarize(v);
            const r = c.key === "minimal" ? NaN : ratio(s.median, median(base));
            const failed = v.filter((x) => !Number.isFinite(x)).length;
            const goal =
                c.key === "minimal"
                    ? "baseline"
                    : c.key === "plain"
                      ? `≤ 1.00× → ${verdict(r <= 1 && failed === 0)} (${fmtCI(bootstrapRatioCI(v, base))})`
                      : "extra row";
            return [
                c.label,
                fmtSummary(s, 2, 1 / 1000),
                c.key === "minimal" ? "1.00×" : fmtRatioRange(r, pairedRatios(v, base)),
                `${s.n}${failed ? ` (+${failed} without recovery)` : ""}`,
                goal,
            ];
        });
    const plain = dense(res.byCase.plain?.recoveryMs ?? []);
    const r = ratio(median(plain), median(base));
    const ci = fmtCI(bootstrapRatioCI(plain, base));
    const notes = res.cases
        .filter((c) => CASES_OF.p4.includes(c.key as never))
        .map((c) => {
            const r = res.byCase[c.key];
            const kills = r.killNotes.map((n, i) => (n ? `${n}: ${fmt(r.recoveryMs[i] / 1000)} s` : "")).filter(Boolean);
            return `- ${c.key}: ${kills.join("; ") || "–"}`;
        })
        .join("\n");
    const md = table(["configuration", "kill → first ack, s: median (min–max)", "ratio to baseline (paired)", "kills", "goal"], rows);
    return {
        md,
        notes,
        goals: [
            {
                name: "P4 JetStream publish recovery after kill -9 of the stream leader, rendered vs minimal",
                ok: Number.isFinite(r) ? r <= 1 && plain.every(Number.isFinite) : undefined,
                text: `${fmtRatio(r)}${ci ? ` (${ci})` : ""}, median ${fmt(median(plain) / 1000)} s vs ${fmt(median(base) / 1000)} s (goal ≤ 1.00×)`,
            },
        ],
    };
}

/** Markdown of the P5 section: R3 publish throughput with each store cipher against no encryption. */
export function reportP5(res: NatsResults): { md: string; goals: Goal[]; best?: string } {
    const get = (k: string) => dense(res.byCase[k]?.msgsPerSec ?? []);
    const base = get("plain");
    const rows = CASES_OF.p5.map((k) => {
        const c = NATS_CASES.find((x) => x.key === k)!;
        const v = get(k);
        const s = summarize(v);
        const r = k === "plain" ? NaN : ratio(s.median, median(base));
        return [
            c.label,
            fmtSummary(s, 0),
            fmt((s.median * MSG_SIZE) / 2 ** 20, 1),
            k === "plain" ? "1.00×" : fmtRatioRange(r, pairedRatios(v, base)),
            k === "plain" ? "baseline" : fmtCI(bootstrapRatioCI(v, base)),
            String(s.n),
            k === "plain" ? "" : `≥ 0.85× → ${verdict(r >= 0.85)}`,
        ];
    });
    const ratios = { chachapoly: ratio(median(get("chacha")), median(base)), aes: ratio(median(get("aes")), median(base)) };
    const measured = Object.entries(ratios).filter(([, x]) => Number.isFinite(x));
    // Medians within 5 % of each other are a tie: single runs on 2 shared cores scatter far more than that.
    const best =
        measured.length < 2
            ? undefined
            : Math.abs(ratios.aes - ratios.chachapoly) < 0.05
              ? "tie"
              : ratios.aes > ratios.chachapoly
                ? "aes"
                : "chachapoly";
    const def = ratios[DEFAULT_JETSTREAM_CIPHER];
    const md = table(
        [
            "configuration",
            "msgs/s: median (min–max)",
            "MiB/s",
            "ratio to no encryption (paired min–max)",
            "95 % CI of the ratio",
            "runs",
            "goal",
        ],
        rows,
    );
    return {
        md,
        best,
        goals: [
            {
                name: `P5 JetStream R3 publish throughput with encryption at rest (default cipher "${DEFAULT_JETSTREAM_CIPHER}") vs without`,
                ok: Number.isFinite(def) ? def >= 0.85 : undefined,
                text: `${fmtRatio(def)} (chachapoly ${fmtRatio(ratios.chachapoly)}, aes ${fmtRatio(ratios.aes)}) (goal ≥ 0.85×)`,
            },
        ],
    };
}
