/**
 * Live proof (Redis), cold start: the whole set stops and starts again, and the node with the most
 * data becomes master — not pod 0. With persistent volumes, pod 0 (the first master) is killed, a
 * replica is promoted and acknowledges writes (`WAIT 1`) that pod 0 never saw; then the other two
 * pods are killed as well (a power loss). All three are recreated at once, as the rendered
 * StatefulSet (`podManagementPolicy: Parallel`) does. Every acknowledged write must still be
 * there, exactly one node is master, and it is not pod 0. Before the cold-start election, pod 0
 * became master here and its older data replaced the replicas' (the writes after the kill were
 * lost). A second case: pod 0 recreated alone (the others' nodes are slow) waits — no master, not
 * ready — until the others come.
 *
 * Needs root, iproute2, redis-server, redis-sentinel and redis-cli (FAILS, never skips, without them). Run:
 *   npx mocha --no-config --require ts-node/register/transpile-only --require tests/support/setup.ts \
 *     --timeout 600000 --exit tests/live/redis/cold-start.test.ts
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import Redis from "ioredis";
import { build, Built } from "../../../sim/runtime/build";
import { sleep, waitFor } from "../../../sim/pods/wait";
import { nodeCommand, RedisPods, roleOf, sentinelClient, sentinelView, SentinelOutputs, writeAcked } from "../../../sim/pods/redis-pods";
import { newId } from "../../../sim/pods/netns";

const VERSION = "7.0.15";
const RECOVERY = { timeoutMs: 90_000, intervalMs: 250 };

const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const valueOf = (key: string) => `value-of-${key}`;

/** The pod every running Sentinel names as master, once they agree and its redis says master. */
function agreedMaster(pods: RedisPods, outputs: SentinelOutputs, not: string[] = []): Promise<string> {
    return waitFor(
        `the Sentinels to agree on a master other than ${not.join(", ") || "-"}`,
        async () => {
            const live = pods.podNames().filter((p) => pods.running(p, "sentinel"));
            if (live.length === 0) return false;
            const named = new Set(await Promise.all(live.map(async (p) => (await sentinelView(pods, p, outputs)).master)));
            if (named.size !== 1) return false;
            const pod = pods.podOf([...named][0].replace(/:\d+$/, ""));
            return !not.includes(pod) && (await roleOf(pods, pod, outputs)).role === "master" && pod;
        },
        RECOVERY,
    );
}

/** The pod's recorded replication position `[generation, offset]` on its data volume. */
function recordOf(pods: RedisPods, pod: string): [number, number] {
    const data = pods.dataDirs(pod).find((d) => d.endsWith("/data"));
    assert.ok(data, `${pod} has a /data volume`);
    const text = fs.readFileSync(path.join(data, "isbsvc-replication"), "utf8").trim();
    const [gen, offset] = text.split(" ").map(Number);
    return [gen, offset];
}

/** `master_repl_offset` of the pod's redis. */
async function offsetOf(pods: RedisPods, pod: string, outputs: SentinelOutputs): Promise<number> {
    const info = String(await nodeCommand(pods, pod, "redis", outputs, ["INFO", "replication"]));
    return Number(/master_repl_offset:(\d+)/.exec(info)![1]);
}

/** Reads every key through `client` and asserts its value. */
async function assertAllPresent(client: Redis, expected: string[], what: string): Promise<void> {
    const got = await client.mget(...expected);
    const lost = expected.filter((k, i) => got[i] !== valueOf(k));
    assert.deepEqual(lost, [], `${what}: ${lost.length} acknowledged writes lost`);
}

/** ROLE of every pod's redis: the pods answering master. */
async function masters(pods: RedisPods, outputs: SentinelOutputs): Promise<string[]> {
    const roles = await Promise.all(pods.podNames().map((p) => roleOf(pods, p, outputs).then((r) => r.role)));
    return pods.podNames().filter((_, i) => roles[i] === "master");
}

describe("live Redis: cold start of the whole set elects the node with the most data", function () {
    this.timeout(600_000);
    let built: Built;
    let pods: RedisPods;
    let outputs: SentinelOutputs;
    const acked: string[] = [];

    before(async () => {
        built = await build("cs", { namespace: "live", redis: { native: { version: VERSION, persistence: { volumeSize: "1Gi" } } } });
        outputs = built.outputs;
        pods = await RedisPods.start(built.children, { id: newId("c") });
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") pods?.dumpLogs();
    });

    after(async () => {
        await pods?.destroy();
    });

    it("a fresh set (no data anywhere) elects pod 0, with all three pods' beacons", async () => {
        const [pod0] = pods.podNames();
        assert.equal(await agreedMaster(pods, outputs), pod0);
        for (const p of pods.podNames()) {
            assert.match(pods.logs(p, "redis"), /cold start: beacon up with generation\/offset 0 -1/, p);
        }
        assert.match(pods.logs(pod0, "redis"), /starting as master/);
    });

    it("after pod 0 lost the last writes and every pod died, the node with them is master and nothing acknowledged is lost", async () => {
        const [pod0] = pods.podNames();
        let client = sentinelClient(pods, outputs);
        await client.connect();
        try {
            acked.push(...(await writeAcked(client, keys("before", 100), { value: valueOf })).acked);
            // Pod 0 dies; a replica is promoted and acknowledges writes pod 0 never sees.
            await pods.killPod(pod0);
            const promoted = await agreedMaster(pods, outputs, [pod0]);
            acked.push(...(await writeAcked(client, keys("after", 300), { value: valueOf })).acked);
            const others = pods.podNames().filter((p) => p !== pod0);
            // Both survivors have recorded the position of the last acknowledged write.
            const target = await offsetOf(pods, promoted, outputs);
            await waitFor(
                "both survivors to record the master's offset",
                async () => others.every((p) => recordOf(pods, p)[1] >= target),
                RECOVERY,
            );
            const [gen0, off0] = recordOf(pods, pod0);
            const records = others.map((p) => recordOf(pods, p));
            records.forEach(([gen, off], i) => {
                assert.equal(gen, gen0, `${others[i]} is of pod 0's generation`);
                assert.ok(off > off0, `${others[i]} recorded ${off}, pod 0 ${off0}`);
            });
            console.log(
                `      (records before the power loss: ${pod0} ${off0}; ${others.map((p, i) => `${p} ${records[i][1]}`).join(", ")})`,
            );
            // Power loss: the other two die as well.
            await Promise.all(others.map((p) => pods.killPod(p)));
        } finally {
            client.disconnect();
        }

        // The StatefulSet recreates all three at once, on their volumes.
        await pods.createPods(pods.podNames());
        const master = await agreedMaster(pods, outputs);
        assert.notEqual(master, pod0, "pod 0, with the older data, is not master");
        assert.deepEqual(await masters(pods, outputs), [master], "exactly one master");
        assert.match(pods.process(pod0, "redis")!.logs(), /cold start: 3 of 3 beacons|cold start: a master is already decided/);
        assert.match(pods.process(pod0, "redis")!.logs(), new RegExp(`starting as replica of ${pods.fqdn(master)}:6379`));
        client = sentinelClient(pods, outputs);
        await client.connect();
        try {
            await assertAllPresent(client, acked, "after the cold start");
            acked.push(...(await writeAcked(client, keys("restarted", 20), { value: valueOf })).acked);
        } finally {
            client.disconnect();
        }
        const [gen] = recordOf(pods, master);
        assert.ok(gen >= 1, `the election started generation ${gen}`);
        for (const p of pods.podNames()) assert.equal(recordOf(pods, p)[0], gen, `${p} is of the new generation`);
    });

    it("pod 0 recreated alone after a power loss waits, neither master nor ready, stops on SIGTERM, and the set starts when all are back", async () => {
        const [pod0] = pods.podNames();
        // Every node records its position once a second (README, Known issues: a crash within that
        // second can lose a write acknowledged by WAIT 1 at a cold start; seen here once when the
        // pods were killed right after the previous test's last writes). This test is about a lone
        // start, so it waits until every node has recorded the master's offset.
        const current = await agreedMaster(pods, outputs);
        const target = await offsetOf(pods, current, outputs);
        await waitFor(
            "every node to record the master's offset",
            async () => pods.podNames().every((p) => recordOf(pods, p)[1] >= target),
            RECOVERY,
        );
        await Promise.all(pods.podNames().map((p) => pods.killPod(p)));
        pods.startPods([pod0]);
        // Bounded observation while alone: its redis answers only as a beacon (a replica of nothing).
        for (let i = 0; i < 10; i++) {
            await sleep(1000);
            assert.equal(await pods.probe(pod0, "redis", "readiness"), false, `${pod0} ready while alone`);
            const role = await roleOf(pods, pod0, outputs).catch(() => undefined);
            assert.notEqual(role?.role, "master", `${pod0} answered master while alone`);
        }
        // Deleted while alone (e.g. a rollout): its start script traps SIGTERM, stops the beacon and
        // exits 143. In a container the script is PID 1, which ignores SIGTERM without a trap (until
        // the grace period's SIGKILL); here it is not PID 1, so the test checks that the trap ran.
        await pods.deletePod(pod0, 30_000);
        const stopped = pods.process(pod0, "redis")!;
        assert.equal(stopped.signalCode, null, `${pod0}/redis was killed by ${stopped.signalCode}`);
        assert.equal(stopped.exitCode, 143, `${pod0}/redis exit code`);
        pods.startPods(pods.podNames());
        await Promise.all(pods.podNames().map((p) => pods.waitReady(p, RECOVERY.timeoutMs)));
        const master = await agreedMaster(pods, outputs);
        assert.deepEqual(await masters(pods, outputs), [master], "exactly one master");
        const client = sentinelClient(pods, outputs);
        await client.connect();
        try {
            await assertAllPresent(client, acked, "after the second cold start");
        } finally {
            client.disconnect();
        }
    });
});
