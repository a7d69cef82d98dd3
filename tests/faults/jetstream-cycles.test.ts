/**
 * Fault injection, JetStream: the rendered 3-replica service (TLS, encryption at rest, persistent
 * volume claims, catalogue version 2.9.15) under repeated crashes while a client publishes with
 * acknowledgements into an R3 stream made from the `streamConfig` output.
 *
 * 1. Kill cycles: six times, a pod is SIGKILLed (the current stream leader every other cycle, the
 *    least-killed follower otherwise), kept down for a while and restarted (alternately as the same
 *    pod and as a recreated pod on its claim), each time only after the previous one has fully
 *    caught up. Publishing goes on throughout (four workers, each message until acknowledged, with
 *    a message id so that retries are deduplicated). In the end every acknowledged message is in
 *    the stream exactly once, at the sequence its ack named, and the replicas agree.
 * 2. Full-cluster crash: all three pods SIGKILLed at once and recreated on their claims: everything
 *    acknowledged is still there and publishing resumes at the next sequence.
 * 3. Quorum loss: (A) two pods stop; the survivor (the stream leader) must acknowledge no write;
 *    the two return while it runs. (B) the same two stop, then the survivor; one of the two starts
 *    alone: it must claim no leadership (meta, stream, consumer), the JetStream API must not
 *    answer, and no write may be acknowledged; then the others return. After each, every
 *    acknowledged message is there once, an unacknowledged write is stored at most once, and the
 *    replicas agree. (The survivor is not restarted while alone: see
 *    repro-jetstream-leader-restart.ts for the nats-server bug that case hits.)
 *
 * Needs root, iproute2 and nats-server (FAILS, never skips, without them). Run: npm run test:faults
 */
import { strict as assert } from "node:assert";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type StreamInfo } from "@nats-io/jetstream";
import { build, Built } from "../../sim/runtime/build";
import { sleep, waitFor } from "../../sim/pods/wait";
import {
    connectWithOutputs,
    consumeAll,
    consumerConfigFromOutput,
    JetStreamPods,
    NatsConnection,
    publishAcked,
    streamConfigFromOutput,
} from "../../sim/pods/jetstream-pods";
import { newId } from "../../sim/pods/netns";
import { assertWithinBudget, note, secs, summary } from "./support";

const VERSION = "2.9.15";
const ARGS = {
    namespace: "faults",
    jetstream: { version: VERSION, replicas: 3, tls: true, encryption: true, persistence: { volumeSize: "1Gi" } },
};
const STREAM = "cycles";
const SUBJECT = `${STREAM}.events`;
/** Kill cycles: count, how long the victim stays down, and the time budget of the whole scenario. */
const CYCLES = 6;
const DOWN_MS = 7000;
const CYCLES_BUDGET_MS = 180_000;
/** Concurrent publishers and their total target rate (no catching up after an outage; maxMsgs of the stream is 100,000). */
const WORKERS = 4;
const RATE_PER_SEC = 300;
/** Load on the healthy cluster before each kill. */
const STEADY_MS = 4000;
/** A message whose publishing stalls longer than this fails the test (well inside the 60 s duplicate window). */
const MESSAGE_TIMEOUT_MS = 30_000;
const RECOVERY = { timeoutMs: 60_000, intervalMs: 250 };
/** How long the lone pod of the quorum test is watched. */
const LONE_WATCH_MS = 12_000;

function payload(i: number): string {
    return `m-${i}`;
}

/** The subset of `/jsz?accounts=true&streams=true&consumers=true` the checks read. */
interface StreamDetail {
    name: string;
    cluster?: { leader?: string; replicas?: { name: string; current: boolean }[] };
    state: { messages: number; first_seq: number; last_seq: number };
    consumer_detail?: { name: string; cluster?: { leader?: string } }[];
}

/** Stream details as pod `pod` reports them from its own state. */
async function streamDetails(cluster: JetStreamPods, pod: string): Promise<StreamDetail[]> {
    const jsz = await cluster.jsz(pod, "accounts=true&streams=true&consumers=true");
    const accounts = (jsz.account_details ?? []) as { stream_detail?: StreamDetail[] }[];
    return accounts.flatMap((a) => a.stream_detail ?? []);
}

/** Waits until the stream has a leader and every other replica is current; @returns its info. */
function waitStreamCurrent(jsm: JetStreamManager, stream: string): Promise<StreamInfo> {
    return waitFor(
        `stream ${stream} to have a leader and 2 current replicas`,
        async () => {
            const si = await jsm.streams.info(stream);
            const peers = si.cluster?.replicas ?? [];
            return !!si.cluster?.leader && peers.length === 2 && peers.every((p) => p.current && !p.offline) && si;
        },
        RECOVERY,
    );
}

/** Waits until every pod holds the same stream state (messages, first and last sequence); @returns it. */
async function waitReplicasAgree(cluster: JetStreamPods, stream: string, messages: number): Promise<StreamDetail["state"]> {
    let seen = "";
    try {
        return await waitFor(
            `every replica of ${stream} to hold ${messages} messages`,
            async () => {
                const states = await Promise.all(
                    cluster.podNames().map(async (p) => (await streamDetails(cluster, p)).find((s) => s.name === stream)?.state),
                );
                seen = JSON.stringify(states);
                const [first] = states;
                const same = states.every(
                    (s) => s && s.messages === messages && s.first_seq === first!.first_seq && s.last_seq === first!.last_seq,
                );
                return same && first;
            },
            RECOVERY,
        );
    } catch (err) {
        throw new Error(`${(err as Error).message}; states by pod: ${seen}`);
    }
}

/**
 * Publishes `<stream>.events` messages with {@link WORKERS} concurrent workers, each one message
 * at a time at up to {@link RATE_PER_SEC}/{@link WORKERS} per second, each message until
 * acknowledged (message id = payload `m-<i>`: a retry after a lost ack is deduplicated by the
 * stream), until stopped. Bounded per message ({@link MESSAGE_TIMEOUT_MS}) and in total.
 */
class Publisher {
    /** Stream sequence of each acknowledged message, by index. */
    readonly acked = new Map<number, number>();
    failedAttempts = 0;
    /** Acks the stream flagged as duplicates (a retry of a message it had already stored). */
    duplicates = 0;
    maxStallMs = 0;
    lastError = "";
    error?: Error;
    readonly startedAt = Date.now();
    private stopping = false;
    private readonly loops: Promise<void>[];

    constructor(
        private readonly js: JetStreamClient,
        private readonly deadlineMs: number,
    ) {
        this.loops = Array.from({ length: WORKERS }, (_, w) =>
            this.run(w).catch((err: Error) => {
                this.error ??= err;
                this.stopping = true;
            }),
        );
    }

    private async run(worker: number): Promise<void> {
        const deadline = this.startedAt + this.deadlineMs;
        const interval = (1000 * WORKERS) / RATE_PER_SEC;
        for (let i = worker; !this.stopping; i += WORKERS) {
            const started = Date.now();
            if (started > deadline) throw new Error(`publisher ran past its deadline of ${secs(this.deadlineMs)}`);
            for (let attempt = 1; ; attempt++) {
                try {
                    const ack = await this.js.publish(SUBJECT, payload(i), { msgID: payload(i), timeout: 2000 });
                    this.acked.set(i, ack.seq);
                    if (ack.duplicate) this.duplicates++;
                    break;
                } catch (err) {
                    this.failedAttempts++;
                    this.lastError = String(err);
                    if (Date.now() - started > MESSAGE_TIMEOUT_MS) {
                        throw new Error(
                            `message ${i} not acknowledged after ${attempt} attempts in ${secs(Date.now() - started)}: ${this.lastError}`,
                        );
                    }
                    await sleep(100);
                }
            }
            const took = Date.now() - started;
            this.maxStallMs = Math.max(this.maxStallMs, took);
            if (took < interval) await sleep(interval - took);
        }
    }

    /** Throws the publisher's error, if it failed. */
    check(): void {
        if (this.error) throw this.error;
    }

    /** Stops after the messages in flight are acknowledged. @throws when publishing failed. */
    async stop(): Promise<void> {
        this.stopping = true;
        await Promise.all(this.loops);
        this.check();
    }
}

/**
 * Asserts that every acknowledged message (`ledger`: sequence → payload) is in `read` (a full read
 * of the stream) at its acked sequence, that no payload is stored twice, and that the stream holds
 * nothing else but messages of `maybe` (written without an acknowledgement). @returns the extras.
 */
function assertAcked(read: { seq: number; data: string }[], ledger: Map<number, string>, what: string, maybe: string[] = []): string[] {
    const bySeq = new Map(read.map((m) => [m.seq, m.data]));
    const lost = [...ledger].filter(([seq, data]) => bySeq.get(seq) !== data);
    assert.deepEqual(lost.slice(0, 10), [], `${what}: ${lost.length} acknowledged messages missing or changed`);
    const payloads = read.map((m) => m.data);
    assert.equal(new Set(payloads).size, payloads.length, `${what}: a message is stored twice`);
    const extras = read.filter((m) => !ledger.has(m.seq)).map((m) => m.data);
    const unexpected = extras.filter((d) => !maybe.includes(d));
    assert.deepEqual(unexpected.slice(0, 10), [], `${what}: ${unexpected.length} messages nobody published`);
    return extras;
}

describe("faults: JetStream kill -9 / restart cycles under acknowledged publishing (3 replicas, TLS, encryption, persistence)", function () {
    this.timeout(600_000);
    let built: Built;
    let cluster: JetStreamPods;
    let nc: NatsConnection;
    /** Every acknowledged message so far: stream sequence → payload. */
    const ledger = new Map<number, string>();

    before(async () => {
        built = await build("fjs", ARGS);
        cluster = await JetStreamPods.start(built.children, { id: newId("j") });
        for (const p of cluster.podNames()) {
            const data = cluster.describe(p).mounts.find((m) => m.podPath === "/data/jetstream");
            assert.equal(data?.kind, "persistentVolumeClaim", `${p} stores on a claim`);
        }
        nc = await connectWithOutputs(cluster, built.outputs);
        const jsm = await jetstreamManager(nc);
        const cfg = streamConfigFromOutput(built.outputs.streamConfig, STREAM, [`${STREAM}.>`]);
        assert.equal(cfg.num_replicas, 3, "streamConfig asks for R3");
        await jsm.streams.add(cfg);
        await jsm.consumers.add(STREAM, consumerConfigFromOutput(built.outputs.streamConfig, "reader"));
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") cluster?.dumpLogs();
    });

    after(async () => {
        await nc?.close().catch(() => undefined);
        await cluster?.destroy();
    });

    it(`${CYCLES} kill -9 / restart cycles rotating over the pods (the stream leader every other cycle): no acknowledged message lost or duplicated`, async () => {
        const started = Date.now();
        const jsm = await jetstreamManager(nc);
        const pub = new Publisher(jetstream(nc), CYCLES_BUDGET_MS);
        const kills = new Map(cluster.podNames().map((p) => [p, 0]));
        let leaderKills = 0;
        let metaLeaderKills = 0;
        try {
            for (let cycle = 0; cycle < CYCLES; cycle++) {
                assertWithinBudget(started, CYCLES_BUDGET_MS, "kill cycles");
                await cluster.waitHealthy(RECOVERY.timeoutMs);
                await waitStreamCurrent(jsm, STREAM);
                await sleep(STEADY_MS); // load on the healed cluster
                pub.check();
                const si = await waitStreamCurrent(jsm, STREAM);
                const leader = si.cluster!.leader!;
                const metaLeader = (await cluster.jsz(leader)).meta_cluster?.leader;
                // even cycles: the stream leader; odd cycles: the follower killed least so far (lowest ordinal first)
                const victim =
                    cycle % 2 === 0
                        ? leader
                        : cluster
                              .podNames()
                              .filter((p) => p !== leader)
                              .sort((a, b) => kills.get(a)! - kills.get(b)!)[0];
                const recreate = cycle % 2 === 1;
                kills.set(victim, kills.get(victim)! + 1);
                if (victim === leader) leaderKills++;
                if (victim === metaLeader) metaLeaderKills++;

                const ackedAtKill = pub.acked.size;
                const killedAt = Date.now();
                await cluster.killPod(victim);
                assert.equal(cluster.process(victim)!.signalCode, "SIGKILL");
                await sleep(DOWN_MS);
                pub.check();
                let newLeader = leader;
                if (victim === leader) {
                    newLeader = await waitFor(
                        "a new stream leader",
                        async () => {
                            const l = (await jsm.streams.info(STREAM)).cluster?.leader;
                            return !!l && l !== victim && l;
                        },
                        RECOVERY,
                    );
                }
                // publishing went on while the victim was down (after the new election, for a leader)
                const ackedWhileDown = await waitFor(
                    `publishing to resume while ${victim} is down`,
                    async () => pub.acked.size - ackedAtKill > RATE_PER_SEC && pub.acked.size - ackedAtKill,
                    { timeoutMs: 30_000, intervalMs: 100 },
                );
                await cluster.restartPod(victim, { recreate });
                await cluster.waitHealthy(RECOVERY.timeoutMs);
                await waitStreamCurrent(jsm, STREAM);
                pub.check();
                note(
                    `cycle ${cycle + 1}: kill -9 ${victim}${victim === leader ? " (stream leader" : " (follower"}` +
                        `${victim === metaLeader ? ", meta leader)" : ")"}, ${ackedWhileDown} acked while down, leader now ${newLeader}, ` +
                        `${recreate ? "recreated" : "restarted"}, caught up after ${secs(Date.now() - killedAt)}`,
                );
            }
            await sleep(STEADY_MS); // load on the healed cluster
        } catch (err) {
            await pub.stop().catch(() => undefined);
            throw err;
        }
        await pub.stop();
        const acked = pub.acked;
        for (const [i, seq] of acked) ledger.set(seq, payload(i));
        const elapsed = Date.now() - pub.startedAt;

        assert.ok(leaderKills >= CYCLES / 2, `the stream leader was killed ${leaderKills} times`);
        for (const [p, n] of kills) assert.ok(n >= 1, `${p} was never killed`);
        const seqs = [...acked.values()].sort((a, b) => a - b);
        assert.deepEqual(
            seqs,
            Array.from({ length: acked.size }, (_, i) => i + 1),
            "one sequence per message, no gaps, no duplicates",
        );

        const si = await waitStreamCurrent(jsm, STREAM);
        assert.equal(si.state.messages, acked.size, "the stream holds exactly the acknowledged messages");
        await waitReplicasAgree(cluster, STREAM, acked.size);
        const read = await consumeAll(jetstream(nc), STREAM, "reader", acked.size, 90_000);
        assert.equal(read.length, acked.size, `read ${read.length} of ${acked.size} messages`);
        assertAcked(read, ledger, "after the kill cycles");
        assertWithinBudget(started, CYCLES_BUDGET_MS + 90_000, "kill cycles with verification");
        summary("jetstream kill cycles", {
            faults_survived:
                `${CYCLES}/${CYCLES} (stream leader ${leaderKills}, meta leader ${metaLeaderKills}, ` +
                `per pod ${[...kills.values()].join("/")})`,
            load_held: `${(acked.size / (elapsed / 1000)).toFixed(0)} msg/s over ${secs(elapsed)}`,
            acked: acked.size,
            lost: 0,
            duplicates_stored: 0,
            deduplicated_retries: pub.duplicates,
            failed_attempts: pub.failedAttempts,
            max_stall: secs(pub.maxStallMs),
        });
    });

    it("full-cluster crash: all three pods SIGKILLed at once and recreated on their claims keep everything acknowledged", async () => {
        assert.ok(ledger.size > 0, "the kill cycles acknowledged messages");
        const started = Date.now();
        await nc.close();
        await Promise.all(cluster.podNames().map((p) => cluster.killPod(p)));
        for (const p of cluster.podNames()) await cluster.restartPod(p, { recreate: true });
        await cluster.waitHealthy(RECOVERY.timeoutMs);
        nc = await connectWithOutputs(cluster, built.outputs);
        const jsm = await jetstreamManager(nc);
        const si = await waitStreamCurrent(jsm, STREAM);
        assert.equal(si.state.messages, ledger.size);
        await waitReplicasAgree(cluster, STREAM, ledger.size);
        await jsm.consumers.add(STREAM, consumerConfigFromOutput(built.outputs.streamConfig, "after-crash"));
        const read = await consumeAll(jetstream(nc), STREAM, "after-crash", ledger.size, 90_000);
        assert.equal(read.length, ledger.size, `read ${read.length} of ${ledger.size} messages`);
        assertAcked(read, ledger, "after the full-cluster crash");
        const recoveredMs = Date.now() - started;
        const more = await publishAcked(jetstream(nc), SUBJECT, 100, { payload: (i) => `after-crash-${i}`, deadlineMs: 60_000 });
        assert.equal(more.seqs[0], ledger.size + 1, "publishing continues at the next sequence");
        summary("jetstream full-cluster crash", {
            faults_survived: "1/1 (3 pods SIGKILLed at once, recreated on their claims)",
            acked: ledger.size,
            lost: 0,
            recovered_in: secs(recoveredMs),
            published_after: more.seqs.length,
        });
        more.seqs.forEach((seq, i) => ledger.set(seq, `after-crash-${i}`));
    });

    it("quorum loss: a lone survivor refuses writes; a pod starting while the other two are down claims no leadership; nothing lost when they return", async () => {
        const started = Date.now();
        let jsm = await jetstreamManager(nc);
        const before = await waitStreamCurrent(jsm, STREAM);
        assert.equal(before.state.messages, ledger.size);
        const survivor = before.cluster!.leader!; // the hardest case: the stream leader is the one left
        const [first, second] = cluster.podNames().filter((p) => p !== survivor);
        /** Every message published without an acknowledgement: it may be stored (its ack lost) or not, never twice. */
        const outageIds: string[] = [];
        let outageAcks = 0;
        /** Publishes one outage message through `client` (1 s ack timeout); @returns whether it was acknowledged. */
        const tryWrite = async (client: NatsConnection, id: string): Promise<boolean> => {
            outageIds.push(id);
            try {
                const ack = await jetstream(client).publish(SUBJECT, id, { msgID: id, timeout: 1000 });
                ledger.set(ack.seq, id); // (a failure below): acknowledged, so it must be kept
                return true;
            } catch {
                await sleep(200);
                return false;
            }
        };
        /** Checks the healed cluster: replicas agree, every acknowledged message once, extras only outage writes, once. */
        const verify = async (what: string, durable: string): Promise<number> => {
            await cluster.waitHealthy(RECOVERY.timeoutMs);
            nc = await connectWithOutputs(cluster, built.outputs);
            jsm = await jetstreamManager(nc);
            const si = await waitStreamCurrent(jsm, STREAM);
            await waitReplicasAgree(cluster, STREAM, si.state.messages);
            await jsm.consumers.add(STREAM, consumerConfigFromOutput(built.outputs.streamConfig, durable));
            const read = await consumeAll(jetstream(nc), STREAM, durable, si.state.messages, 90_000);
            assert.equal(read.length, si.state.messages, `${what}: read ${read.length} of ${si.state.messages} messages`);
            const extras = assertAcked(read, ledger, what, outageIds);
            extras.forEach((d) => ledger.set(read.find((m) => m.data === d)!.seq, d)); // stored now: must stay
            return extras.length;
        };

        // A: two pods stop; the survivor (stream leader) is alone and must not acknowledge writes
        await nc.close();
        await Promise.all([cluster.stopPod(first), cluster.stopPod(second)]);
        const alone = await connectWithOutputs(cluster, built.outputs, { servers: [cluster.address(survivor)] });
        try {
            for (let i = 0; i < 6; i++) if (await tryWrite(alone, `outage-survivor-${i}`)) outageAcks++;
        } finally {
            await alone.close().catch(() => undefined);
        }
        assert.equal(outageAcks, 0, `the lone survivor ${survivor} acknowledged ${outageAcks} writes without a quorum`);
        // the two return while the survivor keeps running
        cluster.startPod(first);
        cluster.startPod(second);
        const storedA = await verify("after the survivor's outage", "after-survivor");

        // B: the same two stop, then the survivor; one of the two starts alone (nobody writes in between)
        await nc.close();
        await Promise.all([cluster.stopPod(first), cluster.stopPod(second)]);
        await cluster.stopPod(survivor);
        cluster.startPod(first);
        const lone = await waitFor(
            `a client connection to ${first}`,
            () => connectWithOutputs(cluster, built.outputs, { servers: [cluster.address(first)] }),
            RECOVERY,
        );
        const claims: string[] = [];
        let samples = 0;
        let apiAnswers = 0;
        try {
            const until = Date.now() + LONE_WATCH_MS;
            while (Date.now() < until) {
                samples++;
                const jsz = await cluster.jsz(first).catch(() => undefined);
                if (jsz?.meta_cluster?.leader === first) claims.push("meta leader");
                for (const s of await streamDetails(cluster, first).catch(() => [] as StreamDetail[])) {
                    if (s.cluster?.leader === first) claims.push(`leader of stream ${s.name}`);
                    for (const c of s.consumer_detail ?? []) if (c.cluster?.leader === first) claims.push(`leader of consumer ${c.name}`);
                }
                const answered = await jetstreamManager(lone, { timeout: 1000 })
                    .then((m) => m.streams.info(STREAM))
                    .then(
                        () => true,
                        () => false,
                    );
                if (answered) apiAnswers++;
                if (await tryWrite(lone, `outage-lone-${samples}`)) outageAcks++;
                await sleep(200);
            }
        } finally {
            await lone.close().catch(() => undefined);
        }
        assert.ok(cluster.process(first)?.running, `${first} kept running alone`);
        assert.ok(samples >= 5, `only ${samples} samples of the lone pod`);
        assert.deepEqual([...new Set(claims)], [], `${first}, started alone, claimed leadership`);
        assert.equal(apiAnswers, 0, "the JetStream API answered without a meta leader");
        assert.equal(outageAcks, 0, `${outageAcks} writes were acknowledged without a quorum`);
        // the others return
        cluster.startPod(survivor);
        cluster.startPod(second);
        const storedB = await verify("after the lone start", "after-lone-start");

        const resumed = await publishAcked(jetstream(nc), SUBJECT, 50, { payload: (i) => `after-quorum-${i}`, deadlineMs: 60_000 });
        resumed.seqs.forEach((seq, i) => ledger.set(seq, `after-quorum-${i}`));
        const si = await waitStreamCurrent(jsm, STREAM);
        assert.equal(si.state.messages, ledger.size, "the stream holds exactly what was acknowledged or stored");
        await waitReplicasAgree(cluster, STREAM, ledger.size);
        assertWithinBudget(started, 180_000, "quorum loss");
        summary("jetstream quorum loss", {
            faults_survived: `2/2 (lone survivor ${survivor}; lone start of ${first} with the other two down)`,
            lone_samples: samples,
            leadership_claims: claims.length,
            writes_acked_without_quorum: outageAcks,
            unacked_writes_stored_later: `${storedA + storedB}/${outageIds.length}`,
            acked: ledger.size,
            lost: 0,
            took: secs(Date.now() - started),
        });
    });
});
