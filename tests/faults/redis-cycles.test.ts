/**
 * Fault injection, native Redis with Sentinel: the rendered 3-replica service (TLS, persistent
 * volume claims, Redis 7.0.15) under repeated crashes of its master while a client writes through
 * Sentinel and counts a write as acknowledged only when `WAIT 1 <ms>` returned at least 1.
 *
 * 1. Master kill cycles (four): the master is SIGKILLed and comes back
 *    - as its redis container, restarted once Sentinel has promoted a replica;
 *    - as its redis container, restarted at once (kubelet's first restart), before Sentinel has
 *      noticed: the start script must get a failover and join the new master;
 *    - as its redis container, restarted when a Sentinel first flags it down (≈ 10 s: kubelet's
 *      back-off after a repeated crash), while the Sentinels begin their own failover;
 *    - as a whole pod, recreated on its claim after the promotion.
 *    Each time a replica is promoted, writes resume, the old master comes back as a replica of the
 *    new one (never as master), and in the end every acknowledged write is on every node.
 * 2. Lone start: the two replicas crash (the master alone must acknowledge nothing), then the master
 *    crashes too, and the old master is not pod 0. Pod 0 is recreated first and alone for a while
 *    (the others' nodes are slow): it must neither become master nor ready. When the others return
 *    (the StatefulSet is Parallel), the cold-start election makes the node with the highest recorded
 *    replication position master (start-node.sh), no two masters appear, and every acknowledged
 *    write is still there.
 *
 * Single master, precisely. Every ~200 ms the test asks every running redis container for `ROLE`
 * in parallel; a round counts when all answers came within 1 s. A *writable* master is one that
 * answers `master` and lists a connected replica: with `min-replicas-to-write 1` (checked in the
 * rendered redis.conf) only such a master accepts writes, so only it can acknowledge `WAIT 1`.
 * Redis Sentinel does not promise one master at every instant: while a failover is under way a
 * promoted replica and a node that still acts as master can coexist until Sentinel reconfigures
 * the loser (e.g. two Sentinels failing over concurrently with different epochs). What holds, and
 * is asserted:
 *   (a) never two writable masters in one round;
 *   (b) two masters in one round only during a Sentinel-driven switch (from a master fault until
 *       the set has settled again), each such episode over within {@link MAX_EPISODE_MS};
 *   (c) a restarted old master never answers `master` while the others run (it chooses its role
 *       before redis-server starts), and outside switches (the lone start) never two masters at all;
 *   (d) no acknowledged write is lost.
 * The summaries report how many two-master rounds were seen.
 *
 * Needs root, iproute2, redis-server, redis-sentinel and redis-cli (FAILS, never skips, without
 * them). Run: npm run test:faults
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import Redis from "ioredis";
import { build, Built, K8S } from "../../sim/runtime/build";
import { sleep, waitFor } from "../../sim/pods/wait";
import { nodeClient, nodeCommand, RedisPods, roleOf, sentinelClient, sentinelView, SentinelOutputs } from "../../sim/pods/redis-pods";
import { newId } from "../../sim/pods/netns";
import { assertWithinBudget, note, secs, summary } from "./support";

const VERSION = "7.0.15";
const ARGS = { namespace: "faults", redis: { native: { version: VERSION, replicas: 3, tls: true, persistence: { volumeSize: "1Gi" } } } };
/** `WAIT 1 <ms>` timeout of each write. */
const WAIT_MS = 1000;
/** Writes per second the writer aims at (one at a time). */
const RATE_PER_SEC = 200;
/** A key that cannot be acknowledged for this long fails the test (failover ≈ down-after 10 s + election). */
const KEY_TIMEOUT_MS = 60_000;
const RECOVERY = { timeoutMs: 90_000, intervalMs: 250 };
const ROLE_INTERVAL_MS = 200;
/** A ROLE round counts only when all answers came within this time (near-simultaneous answers). */
const ROUND_MAX_MS = 1000;
const STEADY_MS = 3000;
const LONE_WATCH_MS = 10_000;
/** Longest two-master episode accepted during a Sentinel-driven switch. */
const MAX_EPISODE_MS = 10_000;

function valueOf(key: string): string {
    return `value-of-${key}`;
}

/** What one ROLE round saw. */
interface Round {
    at: number;
    /** Pods answering master, with how many replicas each lists as connected. */
    masters: { pod: string; replicas: number }[];
}

/**
 * Asks every running redis container for `ROLE` every {@link ROLE_INTERVAL_MS} ms for the whole
 * suite (bounded by `maxMs`), keeping the rounds that completed within {@link ROUND_MAX_MS}.
 */
class RoleSampler {
    readonly rounds: Round[] = [];
    slowRounds = 0;
    private stopped = false;
    private readonly loop: Promise<void>;

    constructor(
        private readonly pods: RedisPods,
        private readonly outputs: SentinelOutputs,
        maxMs: number,
    ) {
        this.loop = this.run(Date.now() + maxMs);
    }

    private async run(deadline: number): Promise<void> {
        while (!this.stopped && Date.now() < deadline) {
            const started = Date.now();
            const pods = this.pods.podNames().filter((p) => this.pods.running(p, "redis"));
            const roles = await Promise.all(pods.map((p) => roleOf(this.pods, p, this.outputs).catch(() => undefined)));
            if (Date.now() - started <= ROUND_MAX_MS) {
                const masters = pods.flatMap((p, i) =>
                    roles[i]?.role === "master" ? [{ pod: p, replicas: roles[i]!.replicas?.length ?? 0 }] : [],
                );
                this.rounds.push({ at: started, masters });
            } else {
                this.slowRounds++;
            }
            await sleep(Math.max(0, ROLE_INTERVAL_MS - (Date.now() - started)));
        }
    }

    /** Rounds since `since` in which more than one node answered master. */
    conflicts(since = 0): Round[] {
        return this.rounds.filter((r) => r.at >= since && r.masters.length > 1);
    }

    /** Rounds since `since` in which more than one master listed a connected replica. */
    writableConflicts(since = 0): Round[] {
        return this.rounds.filter((r) => r.at >= since && r.masters.filter((m) => m.replicas > 0).length > 1);
    }

    /** Maximal runs of consecutive rounds with more than one master. */
    episodes(): { start: number; end: number; masters: string[] }[] {
        const out: { start: number; end: number; masters: string[] }[] = [];
        let open: { start: number; end: number; masters: string[] } | undefined;
        for (const r of this.rounds) {
            if (r.masters.length > 1) {
                open ??= { start: r.at, end: r.at, masters: [] };
                open.end = r.at;
                r.masters.forEach((m) => {
                    if (!open!.masters.includes(m.pod)) open!.masters.push(m.pod);
                });
            } else if (open) {
                out.push(open);
                open = undefined;
            }
        }
        if (open) out.push(open);
        return out;
    }

    /** Rounds since `since` in which `pod` answered master. */
    asMaster(pod: string, since: number): Round[] {
        return this.rounds.filter((r) => r.at >= since && r.masters.some((m) => m.pod === pod));
    }

    /** The sequence of masters seen since `since` (consecutive repeats and no-master rounds collapsed). */
    timeline(since = 0): string[] {
        const out: string[] = [];
        for (const r of this.rounds.filter((x) => x.at >= since)) {
            const m = r.masters.map((x) => x.pod.replace(/^.*-/, "")).join("+") || "none";
            if (out.at(-1) !== m) out.push(m);
        }
        return out;
    }

    count(since = 0): number {
        return this.rounds.filter((r) => r.at >= since).length;
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.loop;
    }
}

/**
 * Writes keys `<prefix>-<i>` one at a time through `client`, each until `SET` succeeded and
 * `WAIT 1 WAIT_MS` returned at least 1 (a retry rewrites the same value), until stopped. Only such
 * writes are counted as acknowledged. Bounded per key ({@link KEY_TIMEOUT_MS}) and in total.
 */
class Writer {
    readonly acked: string[] = [];
    failedAttempts = 0;
    /** `SET` succeeded but `WAIT` reported no replica: not counted as acknowledged. */
    unreplicated = 0;
    maxStallMs = 0;
    lastError = "";
    error?: Error;
    readonly startedAt = Date.now();
    private stopping = false;
    private readonly loop: Promise<void>;

    constructor(
        private readonly client: Redis,
        private readonly prefix: string,
        deadlineMs: number,
    ) {
        this.loop = this.run(this.startedAt + deadlineMs).catch((err: Error) => {
            this.error = err;
        });
    }

    private async run(deadline: number): Promise<void> {
        for (let i = 0; !this.stopping; i++) {
            const key = `${this.prefix}-${i}`;
            const started = Date.now();
            if (started > deadline) throw new Error(`writer ${this.prefix} ran past its deadline`);
            for (let attempt = 1; ; attempt++) {
                let ok = false;
                try {
                    await this.client.set(key, valueOf(key));
                    ok = Number(await this.client.wait(1, WAIT_MS)) >= 1;
                    if (!ok) this.unreplicated++;
                } catch (err) {
                    this.lastError = String(err);
                    // a connection left on a node that is a replica now: reconnect through Sentinel
                    if (/READONLY/.test(this.lastError)) this.client.disconnect(true);
                }
                if (ok) break;
                this.failedAttempts++;
                if (Date.now() - started > KEY_TIMEOUT_MS) {
                    throw new Error(
                        `${key} not acknowledged after ${attempt} attempts in ${secs(Date.now() - started)}: ${this.lastError}`,
                    );
                }
                await sleep(100);
            }
            this.acked.push(key);
            const took = Date.now() - started;
            this.maxStallMs = Math.max(this.maxStallMs, took);
            if (took < 1000 / RATE_PER_SEC) await sleep(1000 / RATE_PER_SEC - took);
        }
    }

    check(): void {
        if (this.error) throw this.error;
    }

    async stop(): Promise<void> {
        this.stopping = true;
        await this.loop;
        this.check();
    }
}

/** Master, replicas and offsets from a node's raw `ROLE`. */
async function rawRole(
    pods: RedisPods,
    pod: string,
    outputs: SentinelOutputs,
): Promise<{ role: string; offset: number; replicas: { host: string; offset: number }[] }> {
    const r = (await nodeCommand(pods, pod, "redis", outputs, ["ROLE"])) as unknown[];
    if (r[0] === "master") {
        return { role: "master", offset: Number(r[1]), replicas: (r[2] as string[][]).map(([h, , o]) => ({ host: h, offset: Number(o) })) };
    }
    return { role: String(r[0]), offset: Number(r[4] ?? -1), replicas: [] };
}

/**
 * The settled state: every Sentinel names the same master, which answers master and lists both
 * other nodes as connected replicas (with `quiet`, i.e. no writes running: at its own offset),
 * every replica answers `slave` linked to it, and every Sentinel knows 2 replicas and 2 other
 * Sentinels, none flagged down. @returns the master pod.
 */
function settled(pods: RedisPods, outputs: SentinelOutputs, o: { not?: string[]; quiet?: boolean } = {}): Promise<string> {
    const not = o.not ?? [];
    return waitFor(
        `a settled set with a master other than ${not.join(", ") || "-"}`,
        async () => {
            const views = await Promise.all(pods.podNames().map((p) => sentinelView(pods, p, outputs)));
            const named = new Set(views.map((v) => v.master));
            if (named.size !== 1) return false;
            const master = pods.podOf([...named][0].replace(/:\d+$/, ""));
            if (not.includes(master)) return false;
            const others = pods.podNames().filter((p) => p !== master);
            const m = await rawRole(pods, master, outputs);
            if (m.role !== "master" || m.replicas.length !== 2) return false;
            if (o.quiet && !m.replicas.every((r) => r.offset === m.offset)) return false;
            for (const p of others) {
                const r = await roleOf(pods, p, outputs);
                if (r.role !== "slave" || r.master !== `${pods.fqdn(master)}:6379` || r.state !== "connected") return false;
            }
            const replicas = others.map((p) => `${pods.fqdn(p)}:6379`).sort();
            return (
                views.every(
                    (v) =>
                        JSON.stringify(
                            Object.entries(v.replicas)
                                .filter(([, f]) => f === "slave")
                                .map(([n]) => n)
                                .sort(),
                        ) === JSON.stringify(replicas) && Object.values(v.sentinels).filter((f) => f === "sentinel").length === 2,
                ) && master
            );
        },
        RECOVERY,
    );
}

/** Waits for a promoted master other than `old` that every running Sentinel names; @returns it. */
function promotedOtherThan(pods: RedisPods, outputs: SentinelOutputs, old: string): Promise<string> {
    return waitFor(
        `a replica of ${old} to be promoted`,
        async () => {
            const live = pods.podNames().filter((p) => pods.running(p, "sentinel"));
            const named = new Set(await Promise.all(live.map(async (p) => (await sentinelView(pods, p, outputs)).master)));
            if (named.size !== 1) return false;
            const pod = pods.podOf([...named][0].replace(/:\d+$/, ""));
            return pod !== old && (await roleOf(pods, pod, outputs)).role === "master" && pod;
        },
        RECOVERY,
    );
}

/** Reads every key of `keys` from `client` in chunks; @returns the keys missing or changed. */
async function missing(client: Redis, keys: string[]): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < keys.length; i += 500) {
        const chunk = keys.slice(i, i + 500);
        const got = await client.mget(...chunk);
        chunk.forEach((k, j) => {
            if (got[j] !== valueOf(k)) out.push(k);
        });
    }
    return out;
}

/** Asserts every acknowledged key is on every node (read directly from each node), and that the nodes hold the same number of keys. */
async function assertOnEveryNode(pods: RedisPods, outputs: SentinelOutputs, acked: string[], what: string): Promise<void> {
    const sizes: number[] = [];
    for (const p of pods.podNames()) {
        const direct = nodeClient(pods, p, "redis", outputs, { extra: { commandTimeout: 10_000 } });
        try {
            await direct.connect();
            const lost = await missing(direct, acked);
            assert.deepEqual(lost.slice(0, 10), [], `${what}: ${lost.length} acknowledged writes missing on ${p}`);
            sizes.push(await direct.dbsize());
        } finally {
            direct.disconnect();
        }
    }
    assert.equal(new Set(sizes).size, 1, `${what}: the nodes hold different numbers of keys: ${sizes.join(", ")}`);
}

/** The pod's recorded replication position `[generation, offset]` on its volume (see start-node.sh). */
function recordOf(pods: RedisPods, pod: string): [number, number] {
    const data = pods.dataDirs(pod).find((d) => d.endsWith("/data"));
    assert.ok(data, `${pod} has a /data volume`);
    const [gen, offset] = fs.readFileSync(path.join(data, "isbsvc-replication"), "utf8").trim().split(" ").map(Number);
    return [gen, offset];
}

/** The last "starting as ..." line the pod's redis container logged. */
function lastStart(pods: RedisPods, pod: string): string {
    return (
        pods
            .logs(pod, "redis")
            .split("\n")
            .filter((l) => /starting as/.test(l))
            .at(-1) ?? ""
    );
}

describe("faults: Redis master kill cycles under WAIT-acknowledged writes (3 replicas with Sentinel, TLS, persistence)", function () {
    this.timeout(600_000);
    let built: Built;
    let pods: RedisPods;
    let outputs: SentinelOutputs;
    let client: Redis;
    let sampler: RoleSampler;
    /** Every acknowledged key so far. */
    const acked: string[] = [];
    /** Sentinel-driven switches: from the fault until the set had settled again. */
    const switches: { from: number; to: number; what: string }[] = [];

    before(async () => {
        built = await build("frd", ARGS);
        outputs = built.outputs;
        pods = await RedisPods.start(built.children, { id: newId("r") });
        for (const p of pods.podNames()) {
            const data = pods.describe(p, "redis").mounts.find((m) => m.podPath === "/data");
            assert.equal(data?.kind, "persistentVolumeClaim", `${p} stores on a claim`);
        }
        const conf = built.ofType(K8S.configMap).find((c) => c.inputs.data?.["redis.conf"])!.inputs.data["redis.conf"] as string;
        assert.match(conf, /^min-replicas-to-write 1$/m, "only a master with a connected replica takes writes");
        sampler = new RoleSampler(pods, outputs, 540_000);
        await settled(pods, outputs);
        client = sentinelClient(pods, outputs);
        await client.connect();
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") pods?.dumpLogs();
    });

    after(async () => {
        await sampler?.stop();
        client?.disconnect();
        await pods?.destroy();
    });

    it("4 master kill cycles: a replica is promoted each time, the old master returns as a replica, no WAIT-acknowledged write is lost", async () => {
        const started = Date.now();
        const budget = 300_000;
        const writer = new Writer(client, "cycle", budget);
        const variants = [
            "redis container, restarted after the promotion",
            "redis container, restarted at once",
            "redis container, restarted when a Sentinel flags it down",
            "whole pod, recreated after the promotion",
        ] as const;
        let maxFailoverMs = 0;
        try {
            for (let cycle = 0; cycle < variants.length; cycle++) {
                assertWithinBudget(started, budget, "master kill cycles");
                const master = await settled(pods, outputs);
                await sleep(STEADY_MS);
                writer.check();
                const killedAt = Date.now();
                const ackedAtKill = writer.acked.length;
                const wholePod = cycle === 3;
                if (wholePod) await pods.killPod(master);
                else await pods.killContainer(master, "redis");
                assert.equal(pods.process(master, "redis")!.signalCode, "SIGKILL");

                let restartedAt = 0;
                if (cycle === 1) {
                    await sleep(1000);
                    restartedAt = Date.now();
                    pods.startContainer(master, "redis");
                } else if (cycle === 2) {
                    await flaggedDown(master);
                    restartedAt = Date.now();
                    pods.startContainer(master, "redis");
                }
                const promoted = await promotedOtherThan(pods, outputs, master);
                const failoverMs = Date.now() - killedAt;
                maxFailoverMs = Math.max(maxFailoverMs, failoverMs);
                await waitFor("writes to resume", async () => writer.acked.length > ackedAtKill + 50, {
                    timeoutMs: 30_000,
                    intervalMs: 100,
                });
                if (cycle === 0) {
                    restartedAt = Date.now();
                    pods.startContainer(master, "redis");
                    await pods.waitReady(master);
                } else if (wholePod) {
                    restartedAt = Date.now();
                    await pods.createPod(master);
                } else {
                    await pods.waitReady(master);
                }
                const now = await settled(pods, outputs);
                switches.push({ from: killedAt, to: Date.now(), what: `kill of ${master}` });
                assert.match(lastStart(pods, master), /starting as replica of/, `${master} restarted as a replica`);
                assert.deepEqual(
                    sampler.asMaster(master, restartedAt).map((r) => r.at - restartedAt),
                    [],
                    `${master} answered master after its restart (ms after the restart)`,
                );
                writer.check();
                note(
                    `cycle ${cycle + 1}: kill -9 of master ${master} (${variants[cycle]}${restartedAt && cycle === 2 ? ` after ${secs(restartedAt - killedAt)}` : ""}): ` +
                        `${promoted} promoted, writes resumed after ${secs(failoverMs)}, ${master} back as a replica of ${now} after ${secs(Date.now() - killedAt)}`,
                );
            }
            await sleep(STEADY_MS);
        } catch (err) {
            await writer.stop().catch(() => undefined);
            throw err;
        }
        await writer.stop();
        acked.push(...writer.acked);
        const lost = await missing(client, acked);
        assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged writes lost`);
        await settled(pods, outputs, { quiet: true });
        await assertOnEveryNode(pods, outputs, acked, "after the kill cycles");
        assert.deepEqual(sampler.writableConflicts(started), [], "two masters each had a connected replica");
        const elapsed = Date.now() - writer.startedAt;
        summary("redis master kill cycles", {
            faults_survived: `${variants.length}/${variants.length}`,
            masters: sampler.timeline(started).join("→"),
            load_held: `${(acked.length / (elapsed / 1000)).toFixed(0)} acked writes/s over ${secs(elapsed)}`,
            acked: acked.length,
            lost: 0,
            unreplicated_retried: writer.unreplicated,
            failed_attempts: writer.failedAttempts,
            max_stall: secs(writer.maxStallMs),
            max_failover: secs(maxFailoverMs),
            role_rounds: sampler.count(started),
            two_master_rounds: sampler.conflicts(started).length,
            two_writable_master_rounds: 0,
        });

        /** Waits until the Sentinel of another pod flags `old` subjectively down. */
        async function flaggedDown(old: string): Promise<void> {
            const others = pods.podNames().filter((p) => p !== old);
            await waitFor(
                `a Sentinel to flag ${old} down`,
                async () => {
                    const views = await Promise.all(others.map((p) => sentinelView(pods, p, outputs).catch(() => undefined)));
                    return views.some((v) => v?.master === `${pods.fqdn(old)}:6379` && /s_down/.test(v.fields.flags ?? ""));
                },
                { timeoutMs: 30_000, intervalMs: 50 },
            );
        }
    });

    it("lone start: with every pod down, pod 0 alone waits; the node with the most data is master when the others return, nothing acknowledged lost", async () => {
        const started = Date.now();
        let master = await settled(pods, outputs);
        const pod0 = pods.podNames()[0];
        if (master === pod0) {
            // the old master must not be pod 0, which the StatefulSet recreates first: move the role
            // away with one more crash (a SENTINEL FAILOVER would leave pod 0 acting as a second,
            // replica-less master until Sentinel converts it, ~10 s: a switch, but not a crash)
            const from = Date.now();
            await pods.killContainer(pod0, "redis");
            await promotedOtherThan(pods, outputs, pod0);
            pods.startContainer(pod0, "redis");
            await pods.waitReady(pod0);
            master = await settled(pods, outputs, { not: [pod0] });
            switches.push({ from, to: Date.now(), what: "kill of pod 0's redis to move the master away" });
            assert.match(lastStart(pods, pod0), /starting as replica of/, `${pod0} restarted as a replica`);
        }
        const writer = new Writer(client, "lone", 60_000);
        await sleep(STEADY_MS);
        await writer.stop();
        acked.push(...writer.acked);
        await settled(pods, outputs, { quiet: true }); // both replicas at the master's offset
        const replicas = pods.podNames().filter((p) => p !== master);

        // the two replicas crash: the master alone must acknowledge nothing
        await Promise.all(replicas.map((p) => pods.killPod(p)));
        let aloneAcks = 0;
        let aloneRefusals = 0;
        const direct = nodeClient(pods, master, "redis", outputs);
        try {
            await direct.connect();
            for (let i = 0; i < 5; i++) {
                const key = `alone-${i}`;
                try {
                    await direct.set(key, valueOf(key));
                    if (Number(await direct.wait(1, 500)) >= 1) aloneAcks++;
                } catch (err) {
                    if (/NOREPLICAS/.test(String(err))) aloneRefusals++;
                }
            }
        } finally {
            direct.disconnect();
        }
        assert.equal(aloneAcks, 0, `the master alone acknowledged ${aloneAcks} writes`);

        // then the master crashes: every pod is down; pod 0 is recreated first, alone
        await pods.killPod(master);
        const records = Object.fromEntries(pods.podNames().map((p) => [p, recordOf(pods, p)]));
        const best = pods.podNames().reduce((x, y) => {
            const [a, b] = [records[x], records[y]];
            return b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? y : x;
        });
        const loneAt = Date.now();
        pods.startPods([pod0]);
        for (let waited = 0; waited < LONE_WATCH_MS; waited += 1000) {
            await sleep(1000);
            assert.equal(await pods.probe(pod0, "redis", "readiness"), false, `${pod0} ready while alone`);
        }
        assert.deepEqual(
            sampler.asMaster(pod0, loneAt).map((r) => r.at - loneAt),
            [],
            `${pod0} answered master while alone`,
        );

        // the others return (Parallel: together)
        const returnedAt = Date.now();
        pods.startPods(pods.podNames().slice(1));
        await Promise.all(pods.podNames().map((p) => pods.waitReady(p, RECOVERY.timeoutMs)));
        const after = await settled(pods, outputs);
        assert.equal(after, best, `the node with the highest record is master (records: ${JSON.stringify(records)})`);
        assert.deepEqual(sampler.conflicts(loneAt), [], "two nodes answered master in the same round");

        const lost = await missing(client, acked);
        assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged writes lost`);
        const more = new Writer(client, "after-lone", 60_000);
        await sleep(1000);
        await more.stop();
        assert.ok(more.acked.length > 0, "writes resume");
        acked.push(...more.acked);
        await settled(pods, outputs, { quiet: true });
        await assertOnEveryNode(pods, outputs, acked, "after the lone start");
        assertWithinBudget(started, 180_000, "lone start");
        summary("redis lone start", {
            faults_survived: "2/2 (replicas crashed, then the master; pod 0 recreated first, alone)",
            old_master: master,
            lone: `${pod0} waiting (not ready, not master) for ${secs(returnedAt - loneAt)}`,
            records: Object.entries(records)
                .map(([p, [g, o]]) => `${p.replace(/^.*-/, "")}:${g}/${o}`)
                .join(" "),
            master_after: after,
            writes_acked_by_lone_master: aloneAcks,
            noreplicas_refusals: aloneRefusals,
            masters: sampler.timeline(loneAt).join("→"),
            two_master_rounds: sampler.conflicts(loneAt).length,
            acked: acked.length,
            lost: 0,
            took: secs(Date.now() - started),
        });
    });

    it("single master: never two writable masters; two masters only briefly during a Sentinel-driven switch", async () => {
        await sampler.stop();
        const rounds = sampler.count();
        assert.ok(rounds >= 300, `only ${rounds} ROLE rounds`);
        assert.deepEqual(sampler.writableConflicts(), [], "two masters each had a connected replica");
        const episodes = sampler.episodes().map((e) => ({ ...e, during: switches.find((w) => e.start >= w.from && e.end <= w.to)?.what }));
        const iso = (t: number) => new Date(t).toISOString();
        assert.deepEqual(
            episodes.filter((e) => !e.during).map((e) => ({ from: iso(e.start), to: iso(e.end), masters: e.masters })),
            [],
            "two masters outside a Sentinel-driven switch",
        );
        assert.deepEqual(
            episodes.filter((e) => e.end - e.start > MAX_EPISODE_MS).map((e) => ({ ms: e.end - e.start, masters: e.masters })),
            [],
            `a two-master episode lasted longer than ${MAX_EPISODE_MS} ms`,
        );
        summary("redis single master", {
            role_rounds: rounds,
            slow_rounds_ignored: sampler.slowRounds,
            two_writable_master_rounds: 0,
            two_master_rounds: sampler.conflicts().length,
            two_master_episodes:
                episodes.length === 0
                    ? 0
                    : episodes
                          .map(
                              (e) =>
                                  `${e.masters.map((m) => m.replace(/^.*-/, "")).join("+")} for ${e.end - e.start} ms during ${e.during}`,
                          )
                          .join("; "),
            masters: sampler.timeline().join("→"),
        });
    });
});
