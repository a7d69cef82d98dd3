/**
 * Live: Redis password rotations (issue 10, item 6), rolled as the StatefulSet controller does
 * (sim/pods/rolling.ts: highest ordinal first, the next only when Ready, preStop honoured) while a
 * client keeps writing, each write acknowledged by `WAIT 1` (persistence on).
 *
 * 1. `pulumi up --replace <n>-redis-password` (one password, no `passwordRotation`): the rolled pod
 *    knows only the new password B and the old pods only A, so it cannot ask their Sentinels for the
 *    master nor replicate, and the roll stops at the first pod; the old pods keep acknowledging writes
 *    with A. The documented procedure, deleting every pod at once (they come back together with B,
 *    podManagementPolicy Parallel, and the cold start elects the node with the most data:
 *    scripts/redis/start-node.sh), completes the rotation: B works everywhere, A is refused by every
 *    redis and Sentinel, replication and Sentinel work, no WAIT-acknowledged write is lost (writes
 *    stop meanwhile).
 * 2. The two-phase rotation (`redis.native.passwordRotation`, README "Rotating the native Redis
 *    password"): unset → `{ active: a, accept: both }` → `{ active: b, accept: both }` →
 *    `{ active: b, accept: active }`, each an ordinary roll of every pod that completes; both
 *    passwords work on every redis and Sentinel after phases 1 and 2, only the new one after phase 3;
 *    replication and Sentinel healthy, no WAIT-acknowledged write lost.
 *
 * Needs root, iproute2, redis-server, redis-sentinel and redis-cli (FAILS, never skips, without them). Run:
 *   npx mocha --no-config --require ts-node/register/transpile-only --require tests/support/setup.ts \
 *     --timeout 900000 --exit tests/live/redis/rotation.test.ts
 */
import { strict as assert } from "node:assert";
import { build, Built, K8S } from "../../../sim/runtime/build";
import { waitFor } from "../../../sim/pods/wait";
import { RedisPods, SentinelOutputs } from "../../../sim/pods/redis-pods";
import { everyPod, lostWrites, waitSetHealthy, Writer } from "../../../sim/pods/redis-writer";
import { newId } from "../../../sim/pods/netns";
import { buildRevisions, rollingUpdate } from "../../../sim/pods/rolling";
import { assertHealthyAndNothingLost, assertRollStallsAtFirstPod, deleteEveryPodAndResume } from "../../support/redis-stalled-roll";
import { setRegistrationHook } from "../../../sim/runtime/mock-runtime";
import { InterStepBufferServiceArgs } from "../../../provider";

const ARGS = { namespace: "live", redis: { native: { version: "7.0.15", replicas: 3, persistence: { volumeSize: "1Gi" } } } };

/**
 * Builds the component once per element of `revisions`, as a stack through successive `pulumi up`s:
 * a `random`/`tls` resource keeps the outputs it had in the previous build when it has the same name
 * and inputs there (the engine's `SameStep`); a resource absent from the previous build (created, or
 * deleted then created again) gets a fresh value. (sim/pods/rolling.ts `buildRevisions`, for a chain.)
 */
async function buildChain(name: string, revisions: InterStepBufferServiceArgs[]): Promise<Built[]> {
    const generated = (req: any) => /^(random|tls):/.test(req.getType());
    const inputsOf = (req: any) => JSON.stringify(req.getObject()?.toJavaScript() ?? {});
    let previous = new Map<string, { inputs: string; state: Record<string, any> }>();
    const built: Built[] = [];
    try {
        for (const args of revisions) {
            const current = new Map<string, { inputs: string; state: Record<string, any> }>();
            setRegistrationHook((req) => {
                if (!generated(req)) return undefined;
                const inputs = inputsOf(req);
                const old = previous.get(req.getName());
                return (state) => {
                    const kept = old && old.inputs === inputs ? old.state : state;
                    current.set(req.getName(), { inputs, state: kept });
                    return kept;
                };
            });
            built.push(await build(name, args));
            previous = current;
        }
        return built;
    } finally {
        setRegistrationHook(undefined);
    }
}

describe("live Redis: password rotation by rolling restart (issue 10, item 6)", function () {
    this.timeout(900_000);

    it("the roll stalls at the first pod (old and new passwords do not mix) with writes going on; deleting every pod at once completes the rotation: B works, A is refused, replication and Sentinel work, no acknowledged write lost", async () => {
        const { before, after } = await buildRevisions("rot", ARGS, ARGS, { replace: ["rot-redis-password"] });
        const A = before.outputs as SentinelOutputs,
            B = after.outputs as SentinelOutputs;
        assert.notEqual(A.password, B.password);
        const checksum = (b: Built) => b.child(K8S.statefulSet).inputs.spec.template.metadata.annotations["isbsvc/restart-checksum"];
        assert.notEqual(checksum(before), checksum(after), "the pod template changes: the pods roll");
        const pods = await RedisPods.start(before.children, { id: newId("rot"), readyTimeoutMs: 60_000 });
        const writer = new Writer(pods, [before.outputs, after.outputs]);
        try {
            writer.start();
            await waitFor("first acks", async () => writer.acked.length >= 50, { timeoutMs: 60_000, intervalMs: 200 });

            // The StatefulSet controller's roll stalls at the first pod; then the procedure (the
            // controller re-creates every pod at once with B; their cold start elects the node with the most data).
            const { first, duringStall } = await assertRollStallsAtFirstPod(pods, writer, after, { old: A, new: B, what: "with A" });
            assert.doesNotMatch(pods.logs(first, "redis"), /replicaof NOAUTH|FATAL CONFIG/, "the lib.sh fix: no crash on an error reply");
            const { readyAfterMs, atReady } = await deleteEveryPodAndResume(pods, writer, after, "with B");

            // A is refused by every redis and Sentinel; B works on all.
            for (const c of ["redis", "sentinel"] as const) {
                for (const r of await everyPod(pods, c, A, ["PING"])) assert.match(r, /WRONGPASS|NOAUTH|error/, `${c} with A: ${r}`);
                for (const r of await everyPod(pods, c, B, ["PING"])) assert.match(r, /: "PONG"$/, `${c} with B: ${r}`);
            }
            // Replication and Sentinel work with the new setting; nothing acknowledged is lost.
            await assertHealthyAndNothingLost(pods, writer, B, { duringStall, atReady, readyAfterMs });
        } catch (err) {
            pods.dumpLogs();
            throw err;
        } finally {
            await writer.stop().catch(() => undefined);
            await pods.destroy();
        }
    });
    it("two-phase rotation (passwordRotation): each of the three phases rolls every pod with writes going on, never stalls; at the end only the new password works on every redis and Sentinel, replication and Sentinel healthy, no acknowledged write lost", async () => {
        const native = ARGS.redis.native;
        const phase = (active: "a" | "b", accept: "both" | "active") => ({
            ...ARGS,
            redis: { native: { ...native, passwordRotation: { active, accept } } },
        });
        // Today's service (no passwordRotation), then the three phases of README "Rotating the native Redis password".
        const [r0, r1, r2, r3] = await buildChain("rot2", [ARGS, phase("a", "both"), phase("b", "both"), phase("b", "active")]);
        const A = r0.outputs as SentinelOutputs,
            B = r2.outputs as SentinelOutputs;
        assert.notEqual(A.password, B.password);
        assert.equal(r1.outputs.password, A.password, "phase 1: clients keep the old password");
        assert.equal(r3.outputs.password, B.password, "phase 3: clients keep the new password");
        const passwords = (b: Built) =>
            b
                .ofType("random:index/randomPassword:RandomPassword")
                .map((r) => r.name)
                .sort();
        assert.deepEqual(passwords(r0), ["rot2-redis-password"]);
        assert.deepEqual(passwords(r1), ["rot2-redis-password", "rot2-redis-password-b"]);
        assert.deepEqual(passwords(r3), ["rot2-redis-password-b"], "phase 3 deletes the old slot");
        const checksum = (b: Built) => b.child(K8S.statefulSet).inputs.spec.template.metadata.annotations["isbsvc/restart-checksum"];
        const sums = [r0, r1, r2, r3].map(checksum);
        assert.equal(new Set(sums).size, 4, "every phase changes the pod template checksum: the pods roll");

        const pods = await RedisPods.start(r0.children, { id: newId("rot2"), readyTimeoutMs: 60_000 });
        const writer = new Writer(pods, [r0.outputs, r2.outputs]);
        const names = pods.podNames();
        const acksAfter = async (what: string) => {
            const n = writer.acked.length;
            await waitFor(what, async () => writer.acked.length >= n + 30, { timeoutMs: 120_000, intervalMs: 200 });
        };
        const pingAll = async (o: SentinelOutputs, what: string, ok: boolean) => {
            for (const c of ["redis", "sentinel"] as const) {
                for (const r of await everyPod(pods, c, o, ["PING"])) {
                    if (ok) assert.match(r, /: "PONG"$/, `${what}: ${c} ${r}`);
                    else assert.match(r, /WRONGPASS|NOAUTH|error/, `${what}: ${c} ${r}`);
                }
            }
        };
        const log: string[] = [];
        try {
            writer.start();
            await acksAfter("first acks");
            const t0 = Date.now();
            // Phase 1: slot b is created, every pod accepts a and b; peers and clients keep a.
            const rolled1 = await rollingUpdate(pods, r1.children);
            assert.deepEqual(
                rolled1.map((p) => p.name),
                [...names].reverse(),
            );
            log.push(`phase 1 rolled in ${Date.now() - t0} ms`);
            await acksAfter("acks after phase 1");
            await pingAll(A, "phase 1, old password", true);
            await pingAll(B, "phase 1, new password", true);
            // Phase 2: b is active (peers and Sentinels use it), a still accepted; clients switch to b.
            const t1 = Date.now();
            await rollingUpdate(pods, r2.children);
            log.push(`phase 2 rolled in ${Date.now() - t1} ms`);
            await writer.use(1);
            await acksAfter("acks after phase 2 with the new password");
            assert.equal(writer.lastVariant, 1);
            await pingAll(A, "phase 2, old password", true);
            await pingAll(B, "phase 2, new password", true);
            // Phase 3: a is dropped.
            const t2 = Date.now();
            await rollingUpdate(pods, r3.children);
            log.push(`phase 3 rolled in ${Date.now() - t2} ms`);
            await acksAfter("acks after phase 3");
            await writer.stop();
            assert.equal(writer.lastVariant, 1, "the last writes were acknowledged with the new password");
            await pingAll(A, "phase 3, old password refused", false);
            await pingAll(B, "phase 3, new password", true);
            for (const p of names) {
                assert.doesNotMatch(
                    pods.logs(p, "redis"),
                    /MASTER aborted replication with an error: NOAUTH|-WRONGPASS|FATAL CONFIG/,
                    `${p} redis log`,
                );
            }

            // Replication and Sentinel healthy with B.
            await waitSetHealthy(pods, B, 60_000);
            // No acknowledged write lost.
            const lost = await lostWrites(pods, B, writer.acked);
            console.log(
                `      ${log.join(", ")}; acked ${writer.acked.length}, lost ${lost.length}, ` +
                    `failed attempts ${writer.failedAttempts}, longest gap between acks ${writer.maxGapMs} ms`,
            );
            assert.deepEqual(lost, [], "no WAIT-acknowledged write lost");
        } catch (err) {
            pods.dumpLogs();
            throw err;
        } finally {
            await writer.stop().catch(() => undefined);
            await pods.destroy();
        }
    });
});
