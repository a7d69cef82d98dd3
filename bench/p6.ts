/**
 * P6 (JetStream part): a rolling change under load. A 3-pod R3 cluster (persistence on) gets a
 * change that needs a restart (`max_pending`, part of the restart checksum), rolled as the
 * StatefulSet controller does (`sim/pods/rolling.ts`: highest ordinal first, preStop and grace
 * period honoured, the next pod only when Ready), while a producer publishes one message at a time
 * with acks and a consumer consumes.
 *
 * Configurations, interleaved per round:
 * - `ours`: the rendered pods as they are (lame duck 120 s / grace 10 s, our probes and grace period);
 * - `helm`: the same rendered pods with the NATS Helm chart's defaults rendered by hand
 *   (/work/shared/reference/peers.md: `lame_duck_duration: 30s`, `lame_duck_grace_period: 10s`,
 *   startup probe `/healthz`, readiness `/healthz?js-server-only=true`, grace period 60 s).
 * The bed polls probes every 500 ms whatever their `periodSeconds`, which favours the chart (its
 * 10 s periods would make a real roll slower). A minimal hand-written config is not rolled: the bed
 * rolls rendered pods only.
 *
 * The producer uses nats.js' default reconnect settings (`reconnectTimeWait` 2000 ms,
 * `maxReconnectAttempts` 10: `DEFAULT_RECONNECT_TIME_WAIT`/`DEFAULT_MAX_RECONNECT_ATTEMPTS` in
 * @nats-io/nats-core lib/options.js); every failed publish is counted, then retried with the same
 * message id (deduplicated), so "acknowledged lost" is exact.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Built } from "../sim/runtime/build";
import { findStatefulSet } from "../sim/pods/pod-files";
import {
    connectWithOutputs,
    consumeAll,
    consumerConfigFromOutput,
    JetStreamPods,
    NatsConnection,
    streamConfigFromOutput,
} from "../sim/pods/jetstream-pods";
import { newId } from "../sim/pods/netns";
import { buildRevisions, jetStreamRollable, rollingUpdate } from "../sim/pods/rolling";
import { sleep, waitFor } from "../sim/pods/wait";
import { fmt, fmtRatio, fmtSummary, Goal, median, summarize, table } from "./stats";
import { NATS_VERSION } from "./nats";

export type P6Variant = "ours" | "helm";
const VARIANTS: P6Variant[] = ["ours", "helm"];
const HELM_GRACE_MS = 60_000;

/** One roll. */
export interface P6Roll {
    variant: P6Variant;
    rollMs: number;
    acked: number;
    lost: number;
    publishErrors: number;
    reconnects: number;
    /** Longest time without an ack while each pod was down or not yet Ready, per pod (roll order). */
    stallsMs: number[];
    error?: string;
}

export interface P6Results {
    rolls: P6Roll[];
    roundsDone: number;
}

function args(variant: P6Variant, maxPending: string) {
    return {
        namespace: "bench",
        jetstream: {
            version: NATS_VERSION,
            persistence: { volumeSize: "1Gi" },
            settings: {
                max_pending: maxPending,
                ...(variant === "helm" && { lame_duck_duration: "30s", lame_duck_grace_period: "10s" }),
            },
        },
    };
}

/** The chart's probes on the rendered container (both revisions). */
function helmProbes(b: Built): void {
    const c = findStatefulSet(b.children).inputs.spec.template.spec.containers[0];
    const port = c.readinessProbe?.httpGet?.port ?? c.startupProbe?.httpGet?.port;
    c.startupProbe = { httpGet: { path: "/healthz", port }, periodSeconds: 10, failureThreshold: 90 };
    c.readinessProbe = { httpGet: { path: "/healthz?js-server-only=true", port }, periodSeconds: 10, failureThreshold: 3 };
}

async function rollOnce(variant: P6Variant, log: (l: string) => void): Promise<P6Roll> {
    const { before, after } = await buildRevisions("r6", args(variant, "64MB"), args(variant, "65MB"));
    if (variant === "helm") [before, after].forEach(helmProbes);
    const grace =
        variant === "helm" ? HELM_GRACE_MS : findStatefulSet(after.children).inputs.spec.template.spec.terminationGracePeriodSeconds * 1000;
    const cluster = await JetStreamPods.start(before.children, { id: newId("b6") });
    const bed = jetStreamRollable(cluster, { terminationGraceMs: grace, readyTimeoutMs: 180_000 });
    const acks: { i: number; seq: number; at: number }[] = [];
    let publishErrors = 0;
    let reconnects = 0;
    let stop = false;
    let producer: Promise<void> | undefined;
    let consumer: Promise<void> | undefined;
    let nc: NatsConnection | undefined;
    let cc: NatsConnection | undefined;
    try {
        const defaults = { extra: { reconnectTimeWait: 2000, maxReconnectAttempts: 10 } };
        nc = await connectWithOutputs(cluster, before.outputs, defaults);
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add(streamConfigFromOutput(before.outputs.streamConfig, "buf", ["buf.>"]));
        await jsm.consumers.add("buf", consumerConfigFromOutput(before.outputs.streamConfig, "live"));
        await jsm.consumers.add("buf", consumerConfigFromOutput(before.outputs.streamConfig, "check"));
        void (async () => {
            for await (const s of nc!.status()) if (s.type === "reconnect") reconnects++;
        })();
        const js = jetstream(nc);
        producer = (async () => {
            for (let i = 0; !stop; i++) {
                while (!stop) {
                    try {
                        const a = await js.publish("buf.x", `event-${i}`, { msgID: `m-${i}`, timeout: 2000 });
                        acks.push({ i, seq: a.seq, at: Date.now() });
                        break;
                    } catch {
                        publishErrors++;
                        await sleep(100);
                    }
                }
            }
        })();
        // The consumer: a second connection fetching and acking on durable "live" throughout.
        cc = await connectWithOutputs(cluster, before.outputs, defaults);
        const cjs = jetstream(cc);
        consumer = (async () => {
            while (!stop) {
                try {
                    const c = await cjs.consumers.get("buf", "live");
                    const batch = await c.fetch({ max_messages: 100, expires: 1000 });
                    for await (const m of batch) m.ack();
                } catch {
                    await sleep(200);
                }
            }
        })();
        await waitFor("steady acks", async () => acks.length >= 100, { timeoutMs: 60_000, intervalMs: 100 });
        const t0 = Date.now();
        const rolled = await rollingUpdate(bed, after.children);
        const rollMs = Date.now() - t0;
        await sleep(2000);
        stop = true;
        await producer;
        await consumer;
        const stallsMs = rolled.map((p) => {
            const inside = acks.filter((a) => a.at >= p.deletedAt && a.at <= p.readyAt + 2000).map((a) => a.at);
            const before = [...acks].reverse().find((a) => a.at < p.deletedAt)?.at ?? p.deletedAt;
            const after = acks.find((a) => a.at > p.readyAt)?.at ?? p.readyAt;
            const points = [before, ...inside, after];
            let gap = 0;
            for (let k = 1; k < points.length; k++) gap = Math.max(gap, points[k] - points[k - 1]);
            return gap;
        });
        const read = await consumeAll(jetstream(nc), "buf", "check", acks.length, 120_000);
        const bySeq = new Map(read.map((m) => [m.seq, m.data]));
        const lost = acks.filter((a) => bySeq.get(a.seq) !== `event-${a.i}`).length;
        const r: P6Roll = { variant, rollMs, acked: acks.length, lost, publishErrors, reconnects, stallsMs };
        log(
            `    ${variant.padEnd(5)} roll ${fmt(rollMs / 1000, 1)} s, acked ${acks.length}, lost ${lost}, publish errors ${publishErrors}, ` +
                `reconnects ${reconnects}, stalls ${stallsMs.map((x) => fmt(x / 1000)).join("/")} s`,
        );
        return r;
    } finally {
        stop = true;
        await producer?.catch(() => undefined);
        await consumer?.catch(() => undefined);
        await cc?.close().catch(() => undefined);
        await nc?.close().catch(() => undefined);
        await cluster.destroy();
    }
}

/** Rolls each variant `rounds` times, interleaved (rotating order). */
export async function runP6(o: { rounds: number; deadline: number; log: (l: string) => void }): Promise<P6Results> {
    const rolls: P6Roll[] = [];
    let roundsDone = 0;
    for (let r = 0; r < o.rounds; r++) {
        if (Date.now() > o.deadline) {
            o.log(`  (time budget reached: stopping after ${r} rounds)`);
            break;
        }
        o.log(`  round ${r + 1}/${o.rounds}`);
        for (const v of VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length])) {
            try {
                rolls.push(await rollOnce(v, o.log));
            } catch (err) {
                const msg = (err as Error).message.split("\n")[0];
                o.log(`    ${v} FAILED: ${msg}`);
                rolls.push({ variant: v, rollMs: NaN, acked: 0, lost: NaN, publishErrors: NaN, reconnects: NaN, stallsMs: [], error: msg });
            }
        }
        roundsDone++;
    }
    return { rolls, roundsDone };
}

/** Markdown and goals of P6 (JetStream). */
export function reportP6(res: P6Results): { md: string; goals: Goal[] } {
    const of = (v: P6Variant) => res.rolls.filter((r) => r.variant === v && !r.error);
    const rows = VARIANTS.map((v) => {
        const rs = of(v);
        const stalls = rs.flatMap((r) => r.stallsMs);
        return [
            v === "ours" ? "rendered (ours)" : "rendered with the NATS Helm chart's lame duck, probes and grace period",
            fmtSummary(summarize(rs.map((r) => r.rollMs)), 1, 1 / 1000),
            v === "ours" ? "1.00×" : fmtRatio(median(rs.map((r) => r.rollMs)) / median(of("ours").map((r) => r.rollMs))),
            String(rs.reduce((n, r) => n + r.acked, 0)),
            String(rs.reduce((n, r) => n + r.lost, 0)),
            rs.map((r) => r.publishErrors).join(", "),
            rs.map((r) => r.reconnects).join(", "),
            stalls.length ? `${fmt(median(stalls) / 1000)} (max ${fmt(Math.max(...stalls) / 1000)})` : "–",
            String(rs.length) + (res.rolls.some((r) => r.variant === v && r.error) ? " (+ failed)" : ""),
        ];
    });
    const ours = of("ours");
    const stalls = ours.flatMap((r) => r.stallsMs);
    const maxStall = stalls.length ? Math.max(...stalls) : NaN;
    const lost = ours.reduce((n, r) => n + r.lost, 0);
    const errors = ours.reduce((n, r) => n + r.publishErrors, 0);
    const md = table(
        [
            "configuration",
            "roll time, s: median (min–max)",
            "roll time ratio",
            "acked",
            "acked lost",
            "publish errors per roll",
            "client reconnects per roll",
            "stall per pod restart, s: median (max)",
            "rolls",
        ],
        rows,
    );
    const measured = ours.length > 0;
    return {
        md,
        goals: [
            {
                name: "P6 JetStream rolling change: acknowledged messages lost",
                ok: measured ? lost === 0 : undefined,
                text: `${lost} (goal 0)`,
            },
            {
                name: "P6 JetStream rolling change: publish errors seen by a client with default reconnect settings",
                ok: measured ? errors === 0 : undefined,
                text: `${errors} over ${ours.length} rolls (goal 0)`,
            },
            {
                name: "P6 JetStream rolling change: longest publish stall per pod restart",
                ok: measured ? maxStall <= 2000 : undefined,
                text: `max ${fmt(maxStall / 1000)} s, median ${fmt(median(stalls) / 1000)} s (goal ≤ 2 s)`,
            },
            {
                name: "P6 JetStream rolling change: roll time vs the minimal config",
                ok: undefined,
                text: "not measured (the bed rolls rendered pods only); vs the Helm chart's settings: see the table",
            },
        ],
    };
}
