/**
 * Live proof, part 2: the rendered 3-replica service survives a pod being killed while clients
 * publish, a killed pod rejoins with its files and data, and with `persistence` all three pods
 * can be recreated without losing acknowledged messages (with emptyDir they cannot: the control).
 *
 * Needs root, iproute2 and nats-server (FAILS, never skips, without them). Run:
 *   npx mocha --config tests/live/.mocharc.json tests/live/jetstream/failover.test.ts
 */
import { strict as assert } from "node:assert";
import { jetstream, jetstreamManager, JetStreamApiError, type JetStreamManager, type StreamInfo } from "@nats-io/jetstream";
import { build, Built } from "../../../sim/runtime/build";
import { tcpConnect, waitFor } from "../../../sim/pods/wait";
import {
    bytesUnder,
    connectWithOutputs,
    consumeAll,
    consumerConfigFromOutput,
    JetStreamPods,
    NatsConnection,
    publishAcked,
    ReadMessage,
    streamConfigFromOutput,
} from "../../../sim/pods/jetstream-pods";
import { newId } from "../../../sim/pods/netns";

const VERSION = "2.9.15";
const BASE = { namespace: "live", jetstream: { version: VERSION, tls: true, encryption: true } };
const RECOVERY = { timeoutMs: 60_000, intervalMs: 250 };

function payload(i: number): string {
    return `event-${i}`;
}

/** Creates stream `name` (subjects `<name>.>`) and durable consumer `reader` from the streamConfig output. */
async function createStream(jsm: JetStreamManager, streamConfig: string, name: string): Promise<void> {
    await jsm.streams.add(streamConfigFromOutput(streamConfig, name, [`${name}.>`]));
    await jsm.consumers.add(name, consumerConfigFromOutput(streamConfig, "reader"));
}

/** Asserts that exactly messages 0..count-1 were read back, each at the sequence its ack named. */
function assertAllAcked(read: ReadMessage[], seqs: number[], count: number): void {
    assert.equal(read.length, count, `read ${read.length} of ${count}`);
    const bySeq = new Map(read.map((m) => [m.seq, m.data]));
    seqs.forEach((seq, i) => assert.equal(bySeq.get(seq), payload(i), `acked message ${i} (seq ${seq})`));
}

/** Waits until the stream has a leader and every other replica is current. */
function waitStreamCurrent(jsm: JetStreamManager, stream: string, replicas: number): Promise<StreamInfo> {
    return waitFor(
        `stream ${stream} to have a leader and ${replicas - 1} current replicas`,
        async () => {
            const si = await jsm.streams.info(stream);
            const peers = si.cluster?.replicas ?? [];
            const ok = !!si.cluster?.leader && peers.length === replicas - 1 && peers.every((p) => p.current && !p.offline);
            return ok && si;
        },
        RECOVERY,
    );
}

describe("live JetStream: failures and restarts of the rendered pods", function () {
    this.timeout(300_000);

    describe("kill -9 of a pod while publishing (emptyDir volumes)", () => {
        const COUNT = 3000;
        const KILL_AT = 1000;
        let built: Built;
        let cluster: JetStreamPods;
        let nc: NatsConnection;
        let killed = "";
        let seqs: number[] = [];

        before(async () => {
            built = await build("fo", BASE);
            cluster = await JetStreamPods.start(built.children, { id: newId("f") });
            nc = await connectWithOutputs(cluster, built.outputs);
        });

        afterEach(function () {
            if (this.currentTest?.state === "failed") cluster?.dumpLogs();
        });

        after(async () => {
            await nc?.close().catch(() => undefined);
            await cluster?.destroy();
        });

        it("loses no acknowledged message when the stream leader's pod is SIGKILLed mid-stream; publishing resumes", async () => {
            const jsm = await jetstreamManager(nc);
            await createStream(jsm, built.outputs.streamConfig, "events");
            const leaderBefore = (await jsm.streams.info("events")).cluster!.leader!;
            const report = await publishAcked(jetstream(nc), "events.created", COUNT, {
                payload,
                before: async (i) => {
                    if (i !== KILL_AT) return;
                    killed = leaderBefore;
                    await cluster.killPod(killed);
                },
            });
            assert.equal(cluster.process(killed)!.signalCode, "SIGKILL");
            assert.equal(report.seqs.length, COUNT);
            assert.deepEqual(
                [...new Set(report.seqs)].sort((a, b) => a - b),
                Array.from({ length: COUNT }, (_, i) => i + 1),
                "one stream sequence per message, no gaps, no duplicates",
            );
            seqs = report.seqs;

            const si = await waitFor(
                "a new stream leader",
                async () => {
                    const info = await jsm.streams.info("events");
                    return info.cluster?.leader !== undefined && info.cluster.leader !== killed && info;
                },
                RECOVERY,
            );
            assert.equal(si.state.messages, COUNT);
            assert.ok(
                si.cluster!.replicas!.some((r) => r.name === killed),
                "the killed pod stays a peer of the stream",
            );
            assertAllAcked(await consumeAll(jetstream(nc), "events", "reader", COUNT), seqs, COUNT);
            assert.ok(report.maxStallAt >= KILL_AT, "the longest stall came with the kill");
            process.stdout.write(
                `      (kill -9 of ${killed}: publishing stalled ${report.maxStallMs} ms at message ` +
                    `${report.maxStallAt}; ${report.failedAttempts} failed attempts retried, ${report.duplicates} deduplicated)\n`,
            );
        });

        it("restarts the killed pod with the same files and data: it rejoins and all 3 peers are current", async () => {
            assert.ok(killed, "the previous test killed a pod");
            assert.ok(bytesUnder(cluster.storeDir(killed)) > 0, "the killed pod's store survived");
            cluster.startPod(killed);
            await cluster.waitHealthy();
            const jsm = await jetstreamManager(nc);
            const si = await waitStreamCurrent(jsm, "events", 3);
            const peers = [si.cluster!.leader!, ...si.cluster!.replicas!.map((r) => r.name)].sort();
            assert.deepEqual(peers, cluster.podNames());
            await waitFor(
                `${killed} to hold all ${COUNT} messages`,
                async () => {
                    const jsz = await cluster.jsz(killed, "accounts=true&streams=true");
                    const details = (jsz.account_details ?? []) as { stream_detail?: { name: string; state: { messages: number } }[] }[];
                    const events = details.flatMap((a) => a.stream_detail ?? []).find((s) => s.name === "events");
                    return events?.state.messages === COUNT;
                },
                RECOVERY,
            );
        });

        it("control: recreating all pods with emptyDir volumes starts them without the stream", async () => {
            await nc.close();
            await Promise.all(cluster.podNames().map((p) => cluster.stopPod(p)));
            for (const p of cluster.podNames()) await cluster.restartPod(p, { recreate: true });
            await cluster.waitHealthy();
            nc = await connectWithOutputs(cluster, built.outputs);
            const jsm = await jetstreamManager(nc);
            const err = await waitFor(
                "the meta leader to answer for stream events",
                async () => {
                    try {
                        await jsm.streams.info("events");
                        return new Error("the stream still exists");
                    } catch (e) {
                        return e instanceof JetStreamApiError && e.code === 10059 && e; // stream not found
                    }
                },
                RECOVERY,
            );
            assert.ok(err instanceof JetStreamApiError, String(err));
        });

        it("the preStop hook puts the server into lame duck mode through the pid file; connected clients are told", async () => {
            const pod = cluster.podNames()[1];
            // with no client to drain a lame-duck server exits at once, so one stays connected to this pod
            const client = await connectWithOutputs(cluster, built.outputs, { servers: [cluster.address(pod)] });
            let notified = false;
            void (async () => {
                for await (const st of client.status()) if (st.type === "ldm") notified = true;
            })().catch(() => undefined);
            try {
                const hook = await cluster.runHook(pod, "preStop");
                assert.equal(hook.code, 0, hook.output);
                const proc = cluster.process(pod)!;
                await waitFor(`${pod} to enter lame duck mode`, async () => /Entering lame duck mode/.test(proc.logs()), RECOVERY);
                await waitFor("the connected client to be told", async () => notified, RECOVERY);
                await waitFor(
                    `${pod} to stop accepting clients`,
                    async () =>
                        tcpConnect(cluster.address(pod), 4222, 1000).then(
                            () => false,
                            () => true,
                        ),
                    RECOVERY,
                );
                assert.ok(proc.running, "it drains (lame_duck_duration) instead of exiting at once");
                assert.doesNotMatch(proc.logs(), /Server Exiting/);
                await tcpConnect(cluster.address(cluster.podNames()[0]), 4222, 1000); // the others still serve
            } finally {
                await client.close().catch(() => undefined);
            }
        });
    });

    describe("persistence: all three pods recreated", () => {
        const COUNT = 500;
        let built: Built;
        let cluster: JetStreamPods;

        before(async () => {
            built = await build("pv", { ...BASE, jetstream: { ...BASE.jetstream, persistence: { volumeSize: "1Gi" } } });
            cluster = await JetStreamPods.start(built.children, { id: newId("p") });
        });

        afterEach(function () {
            if (this.currentTest?.state === "failed") cluster?.dumpLogs();
        });

        after(async () => {
            await cluster?.destroy();
        });

        it("keeps every acknowledged message on the volume claims", async () => {
            for (const p of cluster.podNames()) {
                const data = cluster.describe(p).mounts.find((m) => m.podPath === "/data/jetstream");
                assert.equal(data?.kind, "persistentVolumeClaim", `${p} stores on a claim`);
            }
            let nc = await connectWithOutputs(cluster, built.outputs);
            let seqs: number[];
            try {
                const jsm = await jetstreamManager(nc);
                await createStream(jsm, built.outputs.streamConfig, "kept");
                seqs = (await publishAcked(jetstream(nc), "kept.created", COUNT, { payload })).seqs;
            } finally {
                await nc.close();
            }

            await Promise.all(cluster.podNames().map((p) => cluster.stopPod(p)));
            for (const p of cluster.podNames()) await cluster.restartPod(p, { recreate: true });
            await cluster.waitHealthy();

            nc = await connectWithOutputs(cluster, built.outputs);
            try {
                const si = await waitStreamCurrent(await jetstreamManager(nc), "kept", 3);
                assert.equal(si.state.messages, COUNT);
                assertAllAcked(await consumeAll(jetstream(nc), "kept", "reader", COUNT), seqs, COUNT);
            } finally {
                await nc.close();
            }
        });
    });
});
