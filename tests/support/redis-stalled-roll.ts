/**
 * The two halves every "rolling restart that stalls" Redis change shares (a password `--replace`,
 * a `tls` toggle: README "Changing a running service"): the roll stops at the first pod while the
 * old pods keep acknowledging writes, then the documented procedure — delete every pod at once —
 * brings the set back with the new setting.
 */
import { strict as assert } from "node:assert";
import { Built } from "../../sim/runtime/build";
import { waitFor } from "../../sim/pods/wait";
import { RedisPods, roleOf, sentinelView, SentinelOutputs } from "../../sim/pods/redis-pods";
import { lostWrites, waitSetHealthy, Writer } from "../../sim/pods/redis-writer";
import { recreateTogether, rollingUpdate } from "../../sim/pods/rolling";

/**
 * Rolls `after` as the StatefulSet controller does (highest ordinal first) and asserts the stall:
 * the first pod runs but never passes its startup probe, is neither a second master nor a connected
 * replica, the old Sentinels (outputs `old`) see it down, and the old pods keep acknowledging writes
 * with `old` (`what` names them in messages). @returns the stalled pod and the acks at the stall.
 */
export async function assertRollStallsAtFirstPod(
    pods: RedisPods,
    writer: Writer,
    after: Built,
    o: { old: SentinelOutputs; new: SentinelOutputs; what: string },
): Promise<{ first: string; duringStall: number }> {
    const names = pods.podNames();
    const first = names[names.length - 1];
    await assert.rejects(rollingUpdate(pods, after.children), new RegExp(`${first}/(redis|sentinel) to pass its startup probe`));
    assert.ok(pods.running(first, "redis"), `${first}/redis runs`);
    const role = await roleOf(pods, first, o.new);
    assert.notEqual(role.role, "master", `${first} never becomes a second master`);
    assert.notEqual(role.state, "connected", `${first} cannot replicate the old master`);
    const view = await sentinelView(pods, names[0], o.old);
    assert.match(view.replicas[`${pods.fqdn(first)}:6379`] ?? "", /s_down|disconnected/, "old Sentinels cannot reach it");
    const duringStall = writer.acked.length;
    await waitFor(`acks during the stall (${o.what})`, async () => writer.acked.length >= duringStall + 50, {
        timeoutMs: 60_000,
        intervalMs: 200,
    });
    assert.equal(writer.lastVariant, 0, "the old pods serve the old setting");
    return { first, duringStall };
}

/**
 * The procedure: every pod deleted at once and re-created together with `after` (podManagementPolicy
 * Parallel; their cold start elects the node with the most data); waits for 50 acks through the new
 * outputs and stops the writer. @returns ms until every pod was Ready, and the acks at that moment.
 */
export async function deleteEveryPodAndResume(
    pods: RedisPods,
    writer: Writer,
    after: Built,
    what: string,
): Promise<{ readyAfterMs: number; atReady: number }> {
    const stopped = Date.now();
    await recreateTogether(pods, pods.podNames(), after.children);
    const readyAfterMs = Date.now() - stopped;
    const atReady = writer.acked.length;
    await waitFor(`acks after the procedure (${what})`, async () => writer.acked.length >= atReady + 50, {
        timeoutMs: 120_000,
        intervalMs: 200,
    });
    await writer.stop();
    assert.equal(writer.lastVariant, 1, `the last writes were acknowledged ${what}`);
    return { readyAfterMs, atReady };
}

/**
 * After the procedure: replication and Sentinel healthy with `o` (the new outputs), and every write
 * the writer got acknowledged is read back; logs the figures of the run.
 */
export async function assertHealthyAndNothingLost(
    pods: RedisPods,
    writer: Writer,
    o: SentinelOutputs,
    figures: { duringStall: number; atReady: number; readyAfterMs: number },
): Promise<void> {
    await waitSetHealthy(pods, o);
    const lost = await lostWrites(pods, o, writer.acked);
    console.log(
        `      acked ${writer.acked.length} (${figures.duringStall} at the stall, ${figures.atReady} when every pod was Ready again), ` +
            `lost ${lost.length}, longest gap between acks ${writer.maxGapMs} ms, all pods Ready ${figures.readyAfterMs} ms after the deletion`,
    );
    assert.deepEqual(lost, [], "no WAIT-acknowledged write lost");
}
