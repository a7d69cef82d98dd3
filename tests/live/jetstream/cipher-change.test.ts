/**
 * Live: changing the store cipher (`jetstream.encryption` "chachapoly" → "aes" and back) on a running 3-pod
 * JetStream cluster with persistence, by the rolling restart the StatefulSet controller performs
 * (sim/pods/rolling.ts), with a producer publishing with acks throughout.
 *
 * Why it can work: the cipher line is part of the restart checksum (render/jetstream/restart.ts),
 * so the pods roll; the store directory stays the same (render/jetstream/layout.ts `storeDir`
 * depends only on encryption on/off), and nats-server ≥ 2.9 converts a store written with the
 * other cipher when it starts: the stream metadata in server/jetstream.go (`EnableJetStream`
 * account loading: "Converting from %s to %s for stream", v2.9.x) and every message block in
 * server/filestore.go `(*msgBlock).convertCipher`. This test proves that on the installed
 * nats-server: each rolled server logs the conversion, the roll completes, and every acknowledged
 * message is read back afterwards.
 *
 * Needs root, iproute2 and nats-server (FAILS, never skips, without them). Run:
 *   npx mocha --no-config --require ts-node/register/transpile-only --require tests/support/setup.ts \
 *     --timeout 600000 --exit tests/live/jetstream/cipher-change.test.ts
 */
import { strict as assert } from "node:assert";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { findStatefulSet } from "../../../sim/pods/pod-files";
import {
    connectWithOutputs,
    consumeAll,
    consumerConfigFromOutput,
    JetStreamPods,
    NatsConnection,
    streamConfigFromOutput,
} from "../../../sim/pods/jetstream-pods";
import { newId } from "../../../sim/pods/netns";
import { buildRevisions, jetStreamRollable, rollingUpdate } from "../../../sim/pods/rolling";
import { sleep, waitFor } from "../../../sim/pods/wait";

const VERSION = "2.9.15";
const args = (encryption: string) => ({
    namespace: "live",
    jetstream: {
        version: VERSION,
        encryption,
        persistence: { volumeSize: "1Gi" },
        settings: { lame_duck_duration: "30s", lame_duck_grace_period: "5s" },
    },
});

describe("live JetStream: store cipher change by rolling restart", function () {
    this.timeout(900_000);

    const NAME = { chachapoly: "ChaCha20-Poly1305", aes: "AES-GCM" } as const;
    for (const [from, to] of [
        ["chachapoly", "aes"],
        ["aes", "chachapoly"],
    ] as const) {
        it(`encryption "${from}" → "${to}": every server converts its store on restart, the roll completes, no acknowledged message lost`, async () => {
            const { before, after } = await buildRevisions("cc", args(from), args(to));
            const annotation = (b: typeof before) =>
                findStatefulSet(b.children).inputs.spec.template.metadata.annotations["isbsvc/restart-checksum"];
            assert.notEqual(annotation(before), annotation(after), "a cipher change rolls the pods");
            const cluster = await JetStreamPods.start(before.children, { id: newId("cc") });
            const grace = findStatefulSet(after.children).inputs.spec.template.spec.terminationGracePeriodSeconds * 1000;
            const bed = jetStreamRollable(cluster, { terminationGraceMs: grace, readyTimeoutMs: 120_000 });
            const acked: { i: number; seq: number }[] = [];
            let stop = false;
            let producer: Promise<void> | undefined;
            let nc: NatsConnection | undefined;
            try {
                for (const p of cluster.podNames()) assert.match(cluster.logs(p), new RegExp(`Encryption:\\s+${NAME[from]}`));
                nc = await connectWithOutputs(cluster, before.outputs);
                const jsm = await jetstreamManager(nc);
                // No message limit: the producer below is unthrottled, and on an idle machine it can
                // publish more than the default maxMsgs (100000) during the roll, whose oldest
                // messages the stream would then discard by its limit, not lose.
                await jsm.streams.add({ ...streamConfigFromOutput(before.outputs.streamConfig, "buf", ["buf.>"]), max_msgs: -1 });
                await jsm.consumers.add("buf", consumerConfigFromOutput(before.outputs.streamConfig, "reader"));
                const js = jetstream(nc);
                // One message at a time until acknowledged (message id: a retry is deduplicated).
                producer = (async () => {
                    for (let i = 0; !stop; i++) {
                        while (!stop) {
                            try {
                                const ack = await js.publish("buf.x", `event-${i}`, { msgID: `m-${i}`, timeout: 2000 });
                                acked.push({ i, seq: ack.seq });
                                break;
                            } catch {
                                await sleep(200);
                            }
                        }
                    }
                })();
                await waitFor("acks before the roll", async () => acked.length >= 200, { timeoutMs: 60_000, intervalMs: 200 });

                await rollingUpdate(bed, after.children);
                for (const p of cluster.podNames()) {
                    const log = cluster.logs(p);
                    assert.match(log, new RegExp(`Encryption:\\s+${NAME[to]}`), `${p} runs with ${to}`);
                    assert.match(log, new RegExp(`Converting from ${NAME[from]} to ${NAME[to]} for stream`), `${p} converted its store`);
                }
                const afterRoll = acked.length;
                await waitFor("acks after the roll", async () => acked.length >= afterRoll + 100, { timeoutMs: 120_000, intervalMs: 200 });
                stop = true;
                await producer;

                const read = await consumeAll(js, "buf", "reader", acked.length, 120_000);
                const bySeq = new Map(read.map((m) => [m.seq, m.data]));
                const lost = acked.filter((a) => bySeq.get(a.seq) !== `event-${a.i}`);
                console.log(`      acked ${acked.length} (${afterRoll} before the roll ended), read ${read.length}, lost ${lost.length}`);
                assert.deepEqual(lost, [], "no acknowledged message lost");
            } catch (err) {
                cluster.dumpLogs();
                throw err;
            } finally {
                stop = true;
                await producer?.catch(() => undefined);
                await nc?.close().catch(() => undefined);
                await cluster.destroy();
            }
        });
    }
});
