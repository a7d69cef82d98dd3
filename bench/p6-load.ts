/**
 * The load of every P6 measurement on JetStream (`p6.ts`: rolling change; `p6-certs.ts`: certificate
 * rotation): one producer publishing one message at a time with acks (every failed publish counted,
 * then retried with the same message id, so "acknowledged lost" is exact) and one consumer fetching
 * and acking on a durable, each on its own connection. Both connections count their status events
 * (`disconnect`, `reconnect`, ...). Also: the stall of each disturbed pod, and the check that every
 * acknowledged message is in the stream.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { consumeAll, consumerConfigFromOutput, NatsConnection, streamConfigFromOutput } from "../sim/pods/jetstream-pods";
import { sleep, waitFor } from "../sim/pods/wait";

/** One acknowledged publish: message number, stream sequence, when the ack arrived. */
export interface Ack {
    i: number;
    seq: number;
    at: number;
}

/** A running load. */
export interface JsLoad {
    readonly acks: Ack[];
    /** Publishes that failed (and were retried with the same message id). */
    publishErrors(): number;
    /** Status events of both connections by `<producer|consumer> <type>` (type `disconnect`, `reconnect`, ...). */
    readonly events: Record<string, number>;
    /** Stops producer and consumer (the connections stay open for {@link lostAcks}). */
    stop(): Promise<void>;
    /** Closes both connections. */
    close(): Promise<void>;
    /** The producer's connection. */
    readonly nc: NatsConnection;
}

/** nats.js' defaults (`DEFAULT_RECONNECT_TIME_WAIT`/`DEFAULT_MAX_RECONNECT_ATTEMPTS`, @nats-io/nats-core lib/options.js). */
export const NATS_JS_RECONNECT_DEFAULTS = { reconnectTimeWait: 2000, maxReconnectAttempts: 10 };

function countEvents(nc: NatsConnection, events: Record<string, number>, who: "producer" | "consumer"): void {
    void (async () => {
        for await (const s of nc.status()) events[`${who} ${s.type}`] = (events[`${who} ${s.type}`] ?? 0) + 1;
    })();
}

/** Status events of `type` of the producer's connection, or of both connections. */
export function eventCount(load: JsLoad, type: string, who?: "producer" | "consumer"): number {
    return (who ? [who] : ["producer", "consumer"]).reduce((n, w) => n + (load.events[`${w} ${type}`] ?? 0), 0);
}

/** Creates stream `buf` (settings from the `streamConfig` output) with durables `live` and `check`. */
async function createStream(nc: NatsConnection, streamConfig: string): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add(streamConfigFromOutput(streamConfig, "buf", ["buf.>"]));
    await jsm.consumers.add("buf", consumerConfigFromOutput(streamConfig, "live"));
    await jsm.consumers.add("buf", consumerConfigFromOutput(streamConfig, "check"));
}

async function produce(nc: NatsConnection, acks: Ack[], counts: { errors: number }, stopped: () => boolean): Promise<void> {
    const js = jetstream(nc);
    for (let i = 0; !stopped(); i++) {
        while (!stopped()) {
            try {
                const a = await js.publish("buf.x", `event-${i}`, { msgID: `m-${i}`, timeout: 2000 });
                acks.push({ i, seq: a.seq, at: Date.now() });
                break;
            } catch {
                counts.errors++;
                await sleep(100);
            }
        }
    }
}

async function consume(cc: NatsConnection, stopped: () => boolean): Promise<void> {
    const cjs = jetstream(cc);
    while (!stopped()) {
        try {
            const c = await cjs.consumers.get("buf", "live");
            const batch = await c.fetch({ max_messages: 100, expires: 1000 });
            for await (const m of batch) m.ack();
        } catch {
            await sleep(200);
        }
    }
}

/**
 * Connects producer and consumer with `connect` (called twice), creates the stream and starts both;
 * resolves once 100 publishes were acknowledged (steady state).
 */
export async function startJsLoad(connect: () => Promise<NatsConnection>, streamConfig: string): Promise<JsLoad> {
    const events: Record<string, number> = {};
    const acks: Ack[] = [];
    const counts = { errors: 0 };
    let stop = false;
    const nc = await connect();
    const cc = await connect().catch(async (e: unknown) => {
        await nc.close();
        throw e;
    });
    const close = async () => {
        await cc.close().catch(() => undefined);
        await nc.close().catch(() => undefined);
    };
    let running: Promise<unknown> = Promise.resolve();
    const stopLoad = async () => {
        stop = true;
        await running.catch(() => undefined);
    };
    try {
        await createStream(nc, streamConfig);
        countEvents(nc, events, "producer");
        countEvents(cc, events, "consumer");
        running = Promise.all([produce(nc, acks, counts, () => stop), consume(cc, () => stop)]);
        await waitFor("steady acks", async () => acks.length >= 100, { timeoutMs: 60_000, intervalMs: 100 });
    } catch (err) {
        await stopLoad();
        await close();
        throw err;
    }
    return { acks, events, nc, publishErrors: () => counts.errors, stop: stopLoad, close };
}

/** A disturbed pod: when it went away (deletion, reload) and when it was back (Ready, reloaded). */
export interface Disturbance {
    deletedAt: number;
    readyAt: number;
}

/**
 * The longest time without an ack around each disturbance: every gap between acks that starts in
 * its window, from the last ack before it started until 2 s after it ended (when a client may still
 * move), but not into the next disturbance, whose window it is; a gap ends at the next ack, also
 * when that lies after the window (without one: at the window's end).
 */
export function stallsPerDisturbance(disturbances: Disturbance[], ackTimes: number[]): number[] {
    return disturbances.map((p, k) => {
        const end = Math.min(p.readyAt + 2000, disturbances[k + 1]?.deletedAt ?? Infinity);
        const inside = ackTimes.filter((t) => t >= p.deletedAt && t < end);
        const before = [...ackTimes].reverse().find((t) => t < p.deletedAt) ?? p.deletedAt;
        const after = ackTimes.find((t) => t >= end) ?? end;
        const points = [before, ...inside, after];
        let gap = 0;
        for (let k = 1; k < points.length; k++) gap = Math.max(gap, points[k] - points[k - 1]);
        return gap;
    });
}

/** Reads the whole stream on durable `check`: the number of acknowledged messages not stored with their sequence and data. */
export async function lostAcks(load: JsLoad): Promise<number> {
    const read = await consumeAll(jetstream(load.nc), "buf", "check", load.acks.length, 120_000);
    const bySeq = new Map(read.map((m) => [m.seq, m.data]));
    return load.acks.filter((a) => bySeq.get(a.seq) !== `event-${a.i}`).length;
}

/**
 * Runs `once(variant)` for every variant `rounds` times, interleaved (each round starts one variant
 * later, so no variant always runs first on a warming machine), until `deadline`. A failed run is
 * logged and recorded as `failed(variant, message)`.
 */
export async function runInterleaved<V, R>(
    variants: readonly V[],
    o: { rounds: number; deadline: number; log: (l: string) => void },
    once: (variant: V) => Promise<R>,
    failed: (variant: V, message: string) => R,
): Promise<{ results: R[]; roundsDone: number }> {
    const results: R[] = [];
    let roundsDone = 0;
    for (let r = 0; r < o.rounds; r++) {
        if (Date.now() > o.deadline) {
            o.log(`  (time budget reached: stopping after ${r} rounds)`);
            break;
        }
        o.log(`  round ${r + 1}/${o.rounds}`);
        for (const v of variants.map((_, i) => variants[(i + r) % variants.length])) {
            try {
                results.push(await once(v));
            } catch (err) {
                const msg = (err as Error).message.split("\n")[0];
                o.log(`    ${String(v)} FAILED: ${msg}`);
                results.push(failed(v, msg));
            }
        }
        roundsDone++;
    }
    return { results, roundsDone };
}
