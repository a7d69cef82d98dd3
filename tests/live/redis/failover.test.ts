/**
 * Live proof (Redis), part 2: failures of the rendered 3-replica service with Sentinel. The
 * master's redis container is SIGKILLed (its Sentinel keeps running), a whole pod is SIGKILLed
 * and recreated, a replica pod is deleted and recreated: each time Sentinel promotes a replica
 * within a bounded time, a client that knows only the outputs resumes writing, every write
 * acknowledged by `WAIT 1` before the failure is still there, and the restarted node comes back
 * as a replica of the new master — never as a second master.
 *
 * Needs root, iproute2, redis-server, redis-sentinel and redis-cli (FAILS, never skips, without them). Run:
 *   npx mocha --no-config --require ts-node/register/transpile-only --require tests/support/setup.ts \
 *     --timeout 300000 --exit 'tests/live/redis/*.test.ts'
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import Redis from "ioredis";
import { build, Built } from "../../../sim/runtime/build";
import { waitFor } from "../../../sim/pods/wait";
import {
    MasterWatch,
    nodeClient,
    RedisPods,
    roleOf,
    sentinelClient,
    sentinelView,
    SentinelOutputs,
    WatchReport,
    writeAcked,
    WriteReport,
} from "../../../sim/pods/redis-pods";
import { newId } from "../../../sim/pods/netns";

const VERSION = "7.0.15";
/** `down-after-milliseconds` of the default settings, plus the failover itself and client reconnection. */
const DOWN_AFTER_MS = 10_000;
const FAILOVER_BOUND_MS = DOWN_AFTER_MS + 20_000;
const RECOVERY = { timeoutMs: 60_000, intervalMs: 250 };
/** How long the single-master watch keeps observing after a restarted node is back in sync. */
const SETTLE_MS = 5000;

/** Keys `<prefix>-0` .. `<prefix>-<n-1>`. */
function keys(prefix: string, n: number): string[] {
    return Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
}

/** The value written under `key`. */
function valueOf(key: string): string {
    return `value-of-${key}`;
}

/**
 * The master every running Sentinel names (a pod name), once they all agree on a pod other than
 * `not` and that pod's redis says it is master.
 */
function agreedMaster(pods: RedisPods, outputs: SentinelOutputs, not: string[] = []): Promise<string> {
    return waitFor(
        `the Sentinels to agree on a master other than ${not.join(", ") || "-"}`,
        async () => {
            const live = pods.podNames().filter((p) => pods.running(p, "sentinel"));
            const named = new Set(await Promise.all(live.map(async (p) => (await sentinelView(pods, p, outputs)).master)));
            if (named.size !== 1) return false;
            const pod = pods.podOf([...named][0].replace(/:\d+$/, ""));
            return !not.includes(pod) && (await roleOf(pods, pod, outputs)).role === "master" && pod;
        },
        RECOVERY,
    );
}

/** Waits until `pod`'s redis is a replica of `master`, in sync. */
function replicaInSync(pods: RedisPods, outputs: SentinelOutputs, pod: string, master: string): Promise<unknown> {
    return waitFor(
        `${pod} to be an in-sync replica of ${master}`,
        async () => {
            const r = await roleOf(pods, pod, outputs);
            assert.notEqual(r.role, "master", `${pod} came back as master`);
            return r.master === `${pods.fqdn(master)}:6379` && r.state === "connected";
        },
        RECOVERY,
    );
}

/** Waits until every Sentinel names `master` and is connected to the 2 other nodes as replicas and to 2 other Sentinels. */
function sentinelsSettled(pods: RedisPods, outputs: SentinelOutputs, master: string): Promise<unknown> {
    const replicas = pods
        .podNames()
        .filter((p) => p !== master)
        .map((p) => `${pods.fqdn(p)}:6379`)
        .sort();
    return Promise.all(
        pods.podNames().map((p) =>
            waitFor(
                `${p}'s Sentinel to see ${master} with 2 replicas and 2 Sentinels`,
                async () => {
                    const v = await sentinelView(pods, p, outputs);
                    const replicaFlags = Object.entries(v.replicas)
                        .filter(([, f]) => f === "slave")
                        .map(([n]) => n)
                        .sort();
                    const sentinelsUp = Object.values(v.sentinels).filter((f) => f === "sentinel").length;
                    return (
                        v.master === `${pods.fqdn(master)}:6379` &&
                        JSON.stringify(replicaFlags) === JSON.stringify(replicas) &&
                        sentinelsUp === 2 &&
                        v.fields["num-other-sentinels"] === "2"
                    );
                },
                RECOVERY,
            ),
        ),
    );
}

/** Reads every key of `expected` through `client` and asserts its value. */
async function assertAllPresent(client: Redis, expected: string[], what: string): Promise<void> {
    for (let i = 0; i < expected.length; i += 200) {
        const chunk = expected.slice(i, i + 200);
        const got = await client.mget(...chunk);
        chunk.forEach((k, j) => assert.equal(got[j], valueOf(k), `${what}: ${k}`));
    }
}

/** Asserts that a watch never saw two masters at once, and prints what it saw. */
function assertSingleMaster(report: WatchReport, what: string): void {
    assert.ok(report.rounds >= 10, `${what}: the watch made only ${report.rounds} rounds`);
    assert.deepEqual(report.conflicts, [], `${what}: two nodes reported role master at the same time`);
    assert.equal(report.maxMasters, 1, `${what}: at most one master`);
    process.stdout.write(`      (${what}: ${report.rounds} ROLE rounds, masters seen in order: ${report.mastersSeen.join(" → ")})\n`);
}

/** Prints a write report. */
function logWrites(what: string, r: WriteReport): void {
    process.stdout.write(`      (${what}: writes stalled ${r.maxStallMs} ms at ${r.maxStallKey}; ${r.failedAttempts} attempts retried)\n`);
}

for (const tls of [true, false]) {
    describe(`live Redis (tls: ${tls}): failures of the rendered pods`, function () {
        this.timeout(300_000);
        let built: Built;
        let pods: RedisPods;
        let outputs: SentinelOutputs;
        let client: Redis;
        const acked: string[] = [];
        let master = "";

        before(async () => {
            built = await build(tls ? "ft" : "fp", { namespace: "live", redis: { native: { version: VERSION, tls } } });
            outputs = built.outputs;
            pods = await RedisPods.start(built.children, { id: newId(tls ? "g" : "h") });
            master = pods.podNames()[0];
            // Failures are injected in the steady state: Sentinel learns replicas from the master's INFO
            // every 10 s, and right after the ordered start it may not know all of them yet (see the report).
            await sentinelsSettled(pods, outputs, master);
            client = sentinelClient(pods, outputs);
            await client.connect();
            acked.push(...(await writeAcked(client, keys("before", 100), { value: valueOf })).acked);
        });

        afterEach(function () {
            if (this.currentTest?.state === "failed") pods?.dumpLogs();
        });

        after(async () => {
            client?.disconnect();
            await pods?.destroy();
        });

        it("kill -9 of the master's redis container: a replica is promoted in time, writes resume, acknowledged writes are kept", async () => {
            const old = master;
            const watch = new MasterWatch(pods, outputs);
            const report = await writeAcked(client, keys("kill-redis", 200), {
                value: valueOf,
                before: async (i) => {
                    if (i === 50) await pods.killContainer(old, "redis");
                },
            });
            acked.push(...report.acked);
            master = await agreedMaster(pods, outputs, [old]);
            assert.equal(pods.process(old, "redis")!.signalCode, "SIGKILL");
            assert.ok(pods.running(old, "sentinel"), "the old master's Sentinel kept running");
            assert.ok(report.maxStallMs < FAILOVER_BOUND_MS, `writes stalled ${report.maxStallMs} ms`);
            assert.ok(report.maxStallMs >= DOWN_AFTER_MS / 2, "the stall came from the kill (Sentinel waits down-after-milliseconds)");
            await assertAllPresent(client, acked, `after promoting ${master}`);
            logWrites(`kill -9 of ${old}/redis, ${master} promoted`, report);
            assertSingleMaster(await watch.stop(), "kill -9 of the master's redis");
        });

        it("the killed redis container, restarted with the same files and data, comes back as a replica of the new master", async () => {
            const old = pods.podNames()[0];
            assert.notEqual(master, old, "the previous test promoted another pod");
            const aof = path.join(
                pods.dataDirs(old).find((d) => d.endsWith("/data"))!,
                "appendonlydir",
            );
            assert.ok(fs.readdirSync(aof).length > 0, "the emptyDir /data kept the old master's AOF");
            const watch = new MasterWatch(pods, outputs);
            pods.startContainer(old, "redis");
            await pods.waitReady(old);
            await replicaInSync(pods, outputs, old, master);
            const log = pods.process(old, "redis")!.logs();
            assert.match(log, new RegExp(`starting as replica of ${pods.fqdn(master)}:6379`));
            assert.match(log, /DB loaded from append only file/, "the restarted container loaded its AOF from /data");
            await sentinelsSettled(pods, outputs, master);
            await new Promise((r) => setTimeout(r, SETTLE_MS));
            assertSingleMaster(await watch.stop(), `restart of ${old}/redis`);
            assert.equal((await roleOf(pods, old, outputs)).role, "slave");
            acked.push(...(await writeAcked(client, keys("after-restart", 20), { value: valueOf })).acked);
            await assertAllPresent(client, acked, "after the restart");
        });

        it("a master redis container restarted at once after kill -9 (as kubelet does) asks for a failover and starts as a replica", async () => {
            const old = master;
            const watch = new MasterWatch(pods, outputs);
            const report = await writeAcked(client, keys("crash-restart", 200), {
                value: valueOf,
                before: async (i) => {
                    if (i !== 50) return;
                    await pods.killContainer(old, "redis");
                    pods.startContainer(old, "redis");
                },
            });
            acked.push(...report.acked);
            await pods.waitReady(old);
            master = await agreedMaster(pods, outputs, [old]);
            assert.match(pods.logs(old, "redis"), /Sentinels still name this restarted pod as master: handing the role to a replica first/);
            await replicaInSync(pods, outputs, old, master);
            assert.ok(
                report.maxStallMs < DOWN_AFTER_MS,
                `writes stalled ${report.maxStallMs} ms: the forced failover beats down-after-milliseconds`,
            );
            logWrites(`kill -9 and immediate restart of ${old}/redis, ${master} promoted`, report);
            await sentinelsSettled(pods, outputs, master);
            await new Promise((r) => setTimeout(r, SETTLE_MS));
            assertSingleMaster(await watch.stop(), `crash and immediate restart of ${old}/redis`);
            await assertAllPresent(client, acked, `after promoting ${master}`);
        });

        it("kill -9 of the whole master pod: a replica is promoted, and the recreated pod (empty emptyDirs) joins as a replica", async () => {
            const old = master;
            const watch = new MasterWatch(pods, outputs);
            const report = await writeAcked(client, keys("kill-pod", 200), {
                value: valueOf,
                before: async (i) => {
                    if (i === 50) await pods.killPod(old);
                },
            });
            acked.push(...report.acked);
            master = await agreedMaster(pods, outputs, [old]);
            assert.ok(report.maxStallMs < FAILOVER_BOUND_MS, `writes stalled ${report.maxStallMs} ms`);
            await assertAllPresent(client, acked, `after promoting ${master}`);
            logWrites(`kill -9 of pod ${old}, ${master} promoted`, report);
            await pods.createPod(old);
            await replicaInSync(pods, outputs, old, master);
            const log = pods.process(old, "redis")!.logs();
            assert.match(log, new RegExp(`starting as replica of ${pods.fqdn(master)}:6379`));
            assert.doesNotMatch(log, /DB loaded from append only file/, "a recreated pod starts with an empty /data");
            assert.match(log, /Full resync from master/, "so it copies everything from the master");
            await sentinelsSettled(pods, outputs, master);
            await new Promise((r) => setTimeout(r, SETTLE_MS));
            assertSingleMaster(await watch.stop(), `kill and recreation of pod ${old}`);
        });

        it("a replica pod deleted gracefully and recreated while the others are up rejoins as a replica with all data", async () => {
            const replica = pods.podNames().find((p) => p !== master)!;
            const watch = new MasterWatch(pods, outputs);
            const hooks = await pods.deletePod(replica);
            assert.equal(hooks.redis?.code, 0, `preStop of ${replica}/redis: ${hooks.redis?.stderr}`);
            assert.equal(await agreedMaster(pods, outputs), master, "deleting a replica changes no master");
            await pods.createPod(replica);
            await replicaInSync(pods, outputs, replica, master);
            await sentinelsSettled(pods, outputs, master);
            assertSingleMaster(await watch.stop(), `recreation of ${replica}`);
            const direct = nodeClient(pods, replica, "redis", outputs);
            try {
                await direct.connect();
                await assertAllPresent(direct, acked, `on the recreated ${replica}`);
            } finally {
                direct.disconnect();
            }
        });

        it("a master pod deleted gracefully hands its role over in its preStop, well before Sentinel's down timeout", async () => {
            const old = master;
            const started = Date.now();
            // During the hand-over the old master (writes paused by its preStop) and the promoted node both
            // report role master for a moment: that is Sentinel's manual failover. The watch starts once the
            // old pod is gone, and no acknowledged write may be lost across it.
            const hooks = await pods.deletePod(old);
            const watch = new MasterWatch(pods, outputs);
            const deletionMs = Date.now() - started;
            assert.equal(hooks.redis?.code, 0, `preStop of ${old}/redis: ${hooks.redis?.stderr}`);
            master = await agreedMaster(pods, outputs, [old]);
            const failoverMs = Date.now() - started;
            console.log(`      (graceful deletion of master ${old}: deleted in ${deletionMs} ms, ${master} master after ${failoverMs} ms)`);
            assert.ok(failoverMs < DOWN_AFTER_MS, `failover took ${failoverMs} ms: the preStop hand-over did not happen`);
            await pods.createPod(old);
            await replicaInSync(pods, outputs, old, master);
            await sentinelsSettled(pods, outputs, master);
            assertSingleMaster(await watch.stop(), `graceful deletion of master ${old}`);
            await assertAllPresent(client, acked, "after the graceful hand-over");
        });
    });
}
