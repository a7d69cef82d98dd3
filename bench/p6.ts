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
 * - `minimal`: the hand-written minimal cluster config of P2–P4 (`nats-bed.ts`) on the same pods, as a
 *   StatefulSet with Kubernetes' defaults would run it: no preStop, grace period 30 s, no probes (so a
 *   re-created pod is Ready as soon as it runs); its roll restarts the servers with their data;
 * - `minimal-healthz`: the same with one readiness probe, `GET /healthz` (the least a roll needs to
 *   wait for a restarted server to have caught up), as a second reference.
 * The bed polls probes every 500 ms whatever their `periodSeconds`, which favours the chart (its
 * 10 s periods would make a real roll slower).
 *
 * The producer uses nats.js' default reconnect settings (`reconnectTimeWait` 2000 ms,
 * `maxReconnectAttempts` 10: `DEFAULT_RECONNECT_TIME_WAIT`/`DEFAULT_MAX_RECONNECT_ATTEMPTS` in
 * @nats-io/nats-core lib/options.js); every failed publish is counted, then retried with the same
 * message id (deduplicated), so "acknowledged lost" is exact.
 */
import { connect } from "@nats-io/transport-node";
import { build, Built } from "../sim/runtime/build";
import { findStatefulSet } from "../sim/pods/pod-files";
import { connectWithOutputs, JetStreamPods } from "../sim/pods/jetstream-pods";
import { newId } from "../sim/pods/netns";
import { buildRevisions, jetStreamRollable, Rollable, rollingUpdate } from "../sim/pods/rolling";
import { sleep, waitFor } from "../sim/pods/wait";
import { bootstrapRatioCI, fmt, fmtCI, fmtRatio, fmtSummary, Goal, median, summarize, table } from "./stats";
import { NATS_VERSION } from "./nats";
import { BenchNatsPods } from "./nats-bed";
import { eventCount, JsLoad, lostAcks, NATS_JS_RECONNECT_DEFAULTS, runInterleaved, stallsPerDisturbance, startJsLoad } from "./p6-load";

export type P6Variant = "ours" | "helm" | "minimal" | "minimal-healthz";
const VARIANTS: P6Variant[] = ["ours", "helm", "minimal", "minimal-healthz"];
/** The bed's probe poll interval (as `jetStreamRollable`'s). */
const PROBE_POLL_MS = 500;
const HELM_GRACE_MS = 60_000;
/** Kubernetes' default `terminationGracePeriodSeconds` (30 s), for the minimal config's pods. */
const K8S_DEFAULT_GRACE_MS = 30_000;

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
    /** Per pod: deletion (preStop + stop) and re-creation until Ready, ms. */
    stopMs?: number[];
    startMs?: number[];
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

/**
 * The minimal config's pods as a {@link Rollable}: no preStop, SIGTERM with Kubernetes' default grace
 * period, and no probes, so a re-created pod is Ready as soon as its container runs (kubernetes
 * `pkg/kubelet/prober/prober_manager.go` `UpdatePodStatus`: "no readinessProbe -> always ready").
 * With `healthz`, a readiness probe `GET /healthz` (nats-server's health check: JetStream caught up),
 * polled like the rendered probes. The new revision is the same minimal config (the roll restarts
 * the servers with their data).
 */
function minimalRollable(pods: BenchNatsPods, healthz: boolean): Rollable {
    return {
        podNames: () => pods.podNames(),
        deletePod: async (name) => pods.process(name)?.stop("SIGTERM", K8S_DEFAULT_GRACE_MS),
        reviseTemplate: () => undefined,
        createPod: async (name) => {
            pods.restart(name);
            if (!pods.running(name)) throw new Error(`${name} did not start`);
            if (!healthz) return;
            await waitFor(
                `${name} /healthz`,
                async () => {
                    if (!pods.running(name)) throw new Error(`${name} exited`);
                    return (await pods.monitor<{ status: string }>(name, "/healthz").catch(() => undefined))?.status === "ok";
                },
                { timeoutMs: 180_000, intervalMs: PROBE_POLL_MS },
            );
        },
    };
}

/** A bed under load, ready to roll. */
interface Bed {
    bed: Rollable;
    load: JsLoad;
    children: Parameters<typeof rollingUpdate>[1];
    destroy(): Promise<void>;
}

/** The rendered pods (`ours` or `helm`) with the load connected through the outputs. */
async function renderedBed(variant: "ours" | "helm"): Promise<Bed> {
    const { before, after } = await buildRevisions("r6", args(variant, "64MB"), args(variant, "65MB"));
    if (variant === "helm") [before, after].forEach(helmProbes);
    const grace =
        variant === "helm" ? HELM_GRACE_MS : findStatefulSet(after.children).inputs.spec.template.spec.terminationGracePeriodSeconds * 1000;
    const cluster = await JetStreamPods.start(before.children, { id: newId("b6") });
    const defaults = { extra: NATS_JS_RECONNECT_DEFAULTS };
    try {
        const load = await startJsLoad(() => connectWithOutputs(cluster, before.outputs, defaults), before.outputs.streamConfig);
        const bed = jetStreamRollable(cluster, { terminationGraceMs: grace, readyTimeoutMs: 180_000 });
        return { bed, load, children: after.children, destroy: () => cluster.destroy() };
    } catch (err) {
        await cluster.destroy();
        throw err;
    }
}

/** The minimal hand-written config (`nats-bed.ts`) on the same pods, the same stream settings, a client without credentials. */
async function minimalBed(healthz: boolean): Promise<Bed> {
    const before = await build("r6", args("ours", "64MB"));
    const pods = await BenchNatsPods.create(newId("b6m"), before.children);
    try {
        pods.start({ kind: "minimal" });
        await pods.waitHealthy(60_000);
        const servers = pods.clientServers();
        const load = await startJsLoad(
            () => connect({ servers, timeout: 5000, ...NATS_JS_RECONNECT_DEFAULTS }),
            before.outputs.streamConfig,
        );
        return { bed: minimalRollable(pods, healthz), load, children: before.children, destroy: () => pods.destroy() };
    } catch (err) {
        await pods.destroy();
        throw err;
    }
}

async function rollOnce(variant: P6Variant, log: (l: string) => void): Promise<P6Roll> {
    const b =
        variant === "minimal" || variant === "minimal-healthz"
            ? await minimalBed(variant === "minimal-healthz")
            : await renderedBed(variant);
    try {
        const t0 = Date.now();
        const rolled = await rollingUpdate(b.bed, b.children);
        const rollMs = Date.now() - t0;
        await sleep(2000);
        await b.load.stop();
        const acks = b.load.acks;
        const stallsMs = stallsPerDisturbance(
            rolled,
            acks.map((a) => a.at),
        );
        const lost = await lostAcks(b.load);
        const publishErrors = b.load.publishErrors();
        const reconnects = eventCount(b.load, "reconnect", "producer");
        log(
            `    ${variant.padEnd(15)} roll ${fmt(rollMs / 1000, 1)} s, acked ${acks.length}, lost ${lost}, publish errors ${publishErrors}, ` +
                `reconnects ${reconnects}, stalls ${stallsMs.map((x) => fmt(x / 1000)).join("/")} s`,
        );
        const stopMs = rolled.map((p) => p.stoppedAt - p.deletedAt);
        const startMs = rolled.map((p) => p.readyAt - p.stoppedAt);
        return { variant, rollMs, acked: acks.length, lost, publishErrors, reconnects, stallsMs, stopMs, startMs };
    } finally {
        await b.load.stop();
        await b.load.close();
        await b.destroy();
    }
}

/** Rolls each variant `rounds` times, interleaved (rotating order). */
export async function runP6(o: { rounds: number; deadline: number; log: (l: string) => void }): Promise<P6Results> {
    const nan = { rollMs: NaN, acked: 0, lost: NaN, publishErrors: NaN, reconnects: NaN, stallsMs: [] };
    const { results, roundsDone } = await runInterleaved(
        VARIANTS,
        o,
        (v) => rollOnce(v, o.log),
        (v, error): P6Roll => ({ variant: v, ...nan, error }),
    );
    return { rolls: results, roundsDone };
}

const LABELS: Record<P6Variant, string> = {
    ours: "rendered (ours)",
    helm: "rendered with the NATS Helm chart's lame duck, probes and grace period",
    minimal: "minimal hand-written config, Kubernetes defaults (no preStop, no probes, grace 30 s)",
    "minimal-healthz": "the same minimal config with a readiness probe `GET /healthz`",
};

function rollsOf(res: P6Results, v: P6Variant): P6Roll[] {
    return res.rolls.filter((r) => r.variant === v && !r.error);
}

function variantRow(res: P6Results, v: P6Variant): string[] {
    const rs = rollsOf(res, v);
    const stalls = rs.flatMap((r) => r.stallsMs);
    const oursMs = median(rollsOf(res, "ours").map((r) => r.rollMs));
    return [
        LABELS[v],
        fmtSummary(summarize(rs.map((r) => r.rollMs)), 1, 1 / 1000),
        v === "ours" ? "1.00×" : fmtRatio(median(rs.map((r) => r.rollMs)) / oursMs),
        `${fmt(median(rs.flatMap((r) => r.stopMs ?? [])) / 1000, 1)} / ${fmt(median(rs.flatMap((r) => r.startMs ?? [])) / 1000, 1)}`,
        String(rs.reduce((n, r) => n + r.acked, 0)),
        String(rs.reduce((n, r) => n + r.lost, 0)),
        rs.map((r) => r.publishErrors).join(", "),
        rs.map((r) => r.reconnects).join(", "),
        stalls.length ? `${fmt(median(stalls) / 1000)} (max ${fmt(Math.max(...stalls) / 1000)})` : "–",
        String(rs.length) + (res.rolls.some((r) => r.variant === v && r.error) ? " (+ failed)" : ""),
    ];
}

/** The roll-time goal: ours / minimal, ratio of medians with its bootstrap interval. */
function rollTimeGoal(res: P6Results): Goal {
    const ours = rollsOf(res, "ours").map((r) => r.rollMs);
    const minimal = rollsOf(res, "minimal").map((r) => r.rollMs);
    const name = "P6 JetStream rolling change: total roll time vs the minimal config (same run)";
    if (ours.length === 0 || minimal.length === 0) return { name, ok: undefined, text: "not measured" };
    const r = median(ours) / median(minimal);
    const ci = fmtCI(bootstrapRatioCI(ours, minimal));
    const probed = rollsOf(res, "minimal-healthz").map((r) => r.rollMs);
    const vsProbed = probed.length
        ? `; vs the minimal config with a /healthz readiness probe ${fmtRatio(median(ours) / median(probed))}`
        : "";
    return {
        name,
        ok: r <= 1.2,
        text: `${fmtRatio(r)}${ci ? ` (${ci})` : ""}: median ${fmt(median(ours) / 1000, 1)} s vs ${fmt(median(minimal) / 1000, 1)} s (goal ≤ 1.20×)${vsProbed}`,
    };
}

/** Markdown and goals of P6 (JetStream). */
export function reportP6(res: P6Results): { md: string; goals: Goal[] } {
    const ours = rollsOf(res, "ours");
    const stalls = ours.flatMap((r) => r.stallsMs);
    const maxStall = stalls.length ? Math.max(...stalls) : NaN;
    const lost = ours.reduce((n, r) => n + r.lost, 0);
    const errors = ours.reduce((n, r) => n + r.publishErrors, 0);
    const md = table(
        [
            "configuration",
            "roll time, s: median (min–max)",
            "roll time ratio to ours",
            "per pod: deletion / re-creation to Ready, s (median)",
            "acked",
            "acked lost",
            "publish errors per roll",
            "producer reconnects per roll",
            "stall per pod restart, s: median (max)",
            "rolls",
        ],
        VARIANTS.map((v) => variantRow(res, v)),
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
            rollTimeGoal(res),
        ],
    };
}
