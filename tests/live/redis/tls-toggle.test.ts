/**
 * Live: turning `tls` on and off on a running native Redis set (3 pods, Sentinel, persistence; issue
 * 10), rolled as the StatefulSet controller does (sim/pods/rolling.ts: highest ordinal first, the
 * next only when Ready, preStop honoured) while a client keeps writing, each write acknowledged by
 * `WAIT 1`, following the change between the old and the new outputs.
 *
 * With TLS, redis-server and Sentinel listen with TLS only on the same ports (`port 0`, `tls-port`,
 * render/redis/redis-conf.ts), so a rolled pod and the old pods cannot talk: the rolled pod can
 * neither ask the old Sentinels for the master nor replicate from it, never passes its startup
 * probe, and the roll stops at the first pod while the old pods keep acknowledging writes. The
 * documented procedure (the one of the password `--replace` row of README "Changing a running
 * service"): delete every pod at once; they come back together (podManagementPolicy Parallel) with
 * the new setting, and their cold start elects the node with the most data. Asserted after it:
 * only the new outputs connect, replication and Sentinel work, no WAIT-acknowledged write is lost.
 *
 * Needs root, iproute2, redis-server, redis-sentinel and redis-cli (FAILS, never skips, without them). Run:
 *   npx mocha --no-config --require ts-node/register/transpile-only --require tests/support/setup.ts \
 *     --timeout 900000 --exit tests/live/redis/tls-toggle.test.ts
 */
import { strict as assert } from "node:assert";
import { Built, K8S } from "../../../sim/runtime/build";
import { waitFor } from "../../../sim/pods/wait";
import { RedisPods, SentinelOutputs } from "../../../sim/pods/redis-pods";
import { everyPod, Writer } from "../../../sim/pods/redis-writer";
import { newId } from "../../../sim/pods/netns";
import { buildRevisions } from "../../../sim/pods/rolling";
import { assertHealthyAndNothingLost, assertRollStallsAtFirstPod, deleteEveryPodAndResume } from "../../support/redis-stalled-roll";

const args = (tls: boolean) => ({
    namespace: "live",
    redis: { native: { version: "7.0.15", replicas: 3, tls, persistence: { volumeSize: "1Gi" } } },
});

describe("live Redis: tls toggle by rolling restart (issue 10)", function () {
    this.timeout(900_000);

    for (const [from, to] of [
        [false, true],
        [true, false],
    ] as const) {
        const name = from ? "rtf" : "rtn";
        it(`tls ${from ? "on" : "off"} → ${to ? "on" : "off"}: the roll stalls at the first pod (TLS and plain do not mix) with writes going on; deleting every pod at once completes it: only the new outputs connect, replication and Sentinel work, no acknowledged write lost`, async () => {
            const { before, after } = await buildRevisions(name, args(from), args(to));
            const OLD = before.outputs as SentinelOutputs,
                NEW = after.outputs as SentinelOutputs;
            assert.equal(OLD.password, NEW.password, "the password stays (same random resource)");
            assert.deepEqual([OLD.tlsEnabled, NEW.tlsEnabled], [from, to]);
            const checksum = (b: Built) => b.child(K8S.statefulSet).inputs.spec.template.metadata.annotations["isbsvc/restart-checksum"];
            assert.notEqual(checksum(before), checksum(after), "the pod template changes: the pods roll");
            const pods = await RedisPods.start(before.children, { id: newId(name), readyTimeoutMs: 60_000 });
            const writer = new Writer(pods, [before.outputs, after.outputs]);
            try {
                writer.start();
                await waitFor("first acks", async () => writer.acked.length >= 50, { timeoutMs: 60_000, intervalMs: 200 });

                // The StatefulSet controller's roll stalls at the first pod; then the procedure.
                const { duringStall } = await assertRollStallsAtFirstPod(pods, writer, after, { old: OLD, new: NEW, what: "old outputs" });
                const { readyAfterMs, atReady } = await deleteEveryPodAndResume(pods, writer, after, "through the new outputs");

                // Only the new outputs connect, to every redis and Sentinel.
                for (const c of ["redis", "sentinel"] as const) {
                    for (const r of await everyPod(pods, c, NEW, ["PING"])) assert.match(r, /: "PONG"$/, `${c} with the new outputs: ${r}`);
                    for (const r of await everyPod(pods, c, OLD, ["PING"])) assert.match(r, /error/, `${c} with the old outputs: ${r}`);
                }
                // Replication and Sentinel work with the new setting; nothing acknowledged is lost.
                await assertHealthyAndNothingLost(pods, writer, NEW, { duringStall, atReady, readyAfterMs });
            } catch (err) {
                pods.dumpLogs();
                throw err;
            } finally {
                await writer.stop().catch(() => undefined);
                await pods.destroy();
            }
        });
    }
});
