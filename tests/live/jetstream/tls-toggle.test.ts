/**
 * Live: turning `tls` on and off on a running 3-pod JetStream cluster (issue 10, item 7), by the
 * rolling restart the StatefulSet controller performs (sim/pods/rolling.ts), with a producer
 * publishing with acks throughout (persistence on, as in production).
 *
 * What it proves: TLS and plain routes never connect ("TLS route handshake error"), so the rolled
 * pod (highest ordinal) never passes its startup probe (full `/healthz`: no meta leader) and the
 * rolling update stalls there, while the two old pods keep a quorum and keep acknowledging
 * writes. The documented procedure then works: delete the remaining old pods at once (the
 * `Parallel` StatefulSet re-creates them from the new template together); the cluster re-forms
 * with the new route setting and every acknowledged message is still there. The preview warning
 * (provider/component.ts) is tested in tests/unit/day2-warnings.test.ts.
 *
 * Needs root, iproute2 and nats-server (FAILS, never skips, without them). Run:
 *   npx mocha --config tests/live/.mocharc.json tests/live/jetstream/tls-toggle.test.ts
 */
import { strict as assert } from "node:assert";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Built } from "../../../sim/runtime/build";
import { findStatefulSet } from "../../../sim/pods/pod-files";
import {
    clientOptions,
    connectWithOutputs,
    consumeAll,
    consumerConfigFromOutput,
    JetStreamPods,
    NatsConnection,
    streamConfigFromOutput,
} from "../../../sim/pods/jetstream-pods";
import { newId } from "../../../sim/pods/netns";
import { AckedWriter } from "../../../sim/pods/acked-writer";
import { buildRevisions, jetStreamRollable, recreateTogether, rollingUpdate } from "../../../sim/pods/rolling";
import { waitFor } from "../../../sim/pods/wait";
import { connect } from "@nats-io/transport-node";

const VERSION = "2.9.15";
const SETTINGS = { lame_duck_duration: "30s", lame_duck_grace_period: "5s" };
const args = (tls: boolean) => ({
    namespace: "live",
    jetstream: { version: VERSION, tls, persistence: { volumeSize: "1Gi" }, settings: SETTINGS },
});

/**
 * Publishes message after message, each until acknowledged (message id `m-<i>`, so a retry is
 * deduplicated), through a client built from the old outputs or the new ones: after three failed
 * attempts in a row it reconnects, trying the other outputs first (a client that follows the
 * change, as pipelines reading the new outputs do).
 */
class Producer extends AckedWriter<{ i: number; seq: number; at: number }> {
    reconnects = 0;
    private nc?: NatsConnection;

    constructor(
        private readonly cluster: JetStreamPods,
        private readonly outputs: Built["outputs"][],
        private readonly subject: string,
    ) {
        super(outputs.length);
    }

    /** Connects through the current outputs, else the other ones. */
    protected async reconnect(): Promise<void> {
        await this.nc?.close().catch(() => undefined);
        this.nc = undefined;
        for (let k = 0; k < 2 && !this.nc; k++) {
            const v = (this.variant + k) % this.outputs.length;
            try {
                const o = clientOptions(this.outputs[v], (h) => this.cluster.resolveAll(h), {
                    extra: { maxReconnectAttempts: 3, timeout: 3000 },
                });
                this.nc = await connect(o);
                this.variant = v;
            } catch (err) {
                this.lastError = String(err);
            }
        }
        this.reconnects++;
    }

    protected async close(): Promise<void> {
        await this.nc?.close().catch(() => undefined);
    }

    protected async attempt(i: number): Promise<{ i: number; seq: number; at: number }> {
        if (!this.nc || this.nc.isClosed()) await this.reconnect();
        if (!this.nc) throw new Error(`no connection: ${this.lastError}`);
        const ack = await jetstream(this.nc).publish(this.subject, `event-${i}`, { msgID: `m-${i}`, timeout: 2000 });
        return { i, seq: ack.seq, at: Date.now() };
    }
}

describe("live JetStream: tls toggle by rolling restart (issue 10, item 7)", function () {
    this.timeout(900_000);

    for (const [from, to] of [
        [false, true],
        [true, false],
    ] as const) {
        it(`tls ${from ? "on" : "off"} → ${to ? "on" : "off"}: the roll stalls at the first pod (routes cannot mix) with writes going on; deleting the old pods together completes it, no acknowledged message lost`, async () => {
            const { before, after } = await buildRevisions("tt", args(from), args(to));
            assert.equal(before.outputs.password, after.outputs.password, "the credentials stay (same random resources)");
            const cluster = await JetStreamPods.start(before.children, { id: newId("tt") });
            const grace = findStatefulSet(after.children).inputs.spec.template.spec.terminationGracePeriodSeconds * 1000;
            const bed = jetStreamRollable(cluster, { terminationGraceMs: grace, readyTimeoutMs: 60_000 });
            let producer: Producer | undefined;
            try {
                const nc = await connectWithOutputs(cluster, before.outputs);
                const jsm = await jetstreamManager(nc);
                await jsm.streams.add(streamConfigFromOutput(before.outputs.streamConfig, "buf", ["buf.>"]));
                await jsm.consumers.add("buf", consumerConfigFromOutput(before.outputs.streamConfig, "reader"));
                await nc.close();
                producer = new Producer(cluster, [before.outputs, after.outputs], "buf.x");
                producer.start();
                await waitFor("first acks", async () => producer!.acked.length >= 50, { timeoutMs: 60_000, intervalMs: 200 });

                // The StatefulSet controller's roll: the highest ordinal first, the next only when Ready.
                const [first, ...old] = [...cluster.podNames()].reverse();
                await assert.rejects(
                    rollingUpdate(bed, after.children),
                    new RegExp(`${first} to pass its startup probe`),
                    "the roll stalls at the first pod",
                );
                assert.ok(cluster.running(first), `${first} runs (not Ready)`);
                assert.match(cluster.logs(first), /TLS route handshake error|Router connection closed: TLS Handshake Failure|TLS/);
                assert.equal((await cluster.monitor<{ num_routes: number }>(first, "/routez")).num_routes, 0, `${first} has no route`);
                for (const p of old) assert.equal((await cluster.monitor<{ num_routes: number }>(p, "/routez")).num_routes, old.length - 1);
                const duringStall = producer.acked.length;
                await waitFor("acks during the stall", async () => producer!.acked.length >= duringStall + 50, {
                    timeoutMs: 60_000,
                    intervalMs: 200,
                });

                // The procedure: delete every old pod at once; they come back from the new template together.
                const outageFrom = Date.now();
                await recreateTogether(bed, old, after.children);
                await cluster.waitHealthy(120_000);
                const healedAfterMs = Date.now() - outageFrom;
                const afterProcedure = producer.acked.length;
                await waitFor("acks after the procedure", async () => producer!.acked.length >= afterProcedure + 50, {
                    timeoutMs: 120_000,
                    intervalMs: 200,
                });
                await producer.stop();
                assert.equal(producer.lastVariant, 1, "the last acks came through the new outputs");

                // Only the new outputs connect now.
                const fresh = await connectWithOutputs(cluster, after.outputs);
                await assert.rejects(
                    connect(
                        clientOptions(before.outputs, (h) => cluster.resolveAll(h), { extra: { maxReconnectAttempts: 0, timeout: 3000 } }),
                    ),
                    "a client with the old outputs is refused",
                );
                const read = await consumeAll(jetstream(fresh), "buf", "reader", producer.acked.length, 120_000);
                await fresh.close();
                const bySeq = new Map(read.map((m) => [m.seq, m.data]));
                const lost = producer.acked.filter((a) => bySeq.get(a.seq) !== `event-${a.i}`);
                console.log(
                    `      acked ${producer.acked.length} (${duringStall}..${afterProcedure} around the stall), read ${read.length}, ` +
                        `lost ${lost.length}, longest gap between acks ${producer.maxGapMs} ms, cluster healthy ${healedAfterMs} ms after the old pods were deleted`,
                );
                assert.deepEqual(lost, [], "no acknowledged message lost");
            } catch (err) {
                cluster.dumpLogs();
                throw err;
            } finally {
                await producer?.stop().catch(() => undefined);
                await cluster.destroy();
            }
        });
    }
});
