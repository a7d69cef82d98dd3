/**
 * Reproduction of a nats-server bug the fault suite ran into; NOT part of `npm run test:faults`
 * (the file name does not match `*.test.ts`). It fails while the server has the bug.
 *
 * A stream leader left alone (the other two replicas stopped) accepts a publish into its Raft log
 * although it cannot commit it (the client gets no ack: correct). If that leader is then
 * restarted before the others return, it applies the uncommitted entry to its store on recovery,
 * while the new leader elected by the other two does not have it. The next acknowledged message
 * gets the same sequence on the new leader: the replicas now hold different messages at that
 * sequence, and whenever the old leader leads the stream, consumers read the never-acknowledged
 * message in place of the acknowledged one, which is lost. Seen with Debian's nats-server 2.9.10;
 * nats-server fixed this class of WAL drift in 2.10.22 ("Fix drift in WAL, truncate AppendEntry
 * without quorum", nats-io/nats-server#5957).
 *
 * Run: npx mocha --no-config --require ts-node/register/transpile-only --require tests/support/setup.ts \
 *        --timeout 300000 --exit tests/faults/repro-jetstream-leader-restart.ts
 */
import { strict as assert } from "node:assert";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { build } from "../../sim/runtime/build";
import { sleep, waitFor } from "../../sim/pods/wait";
import { connectWithOutputs, JetStreamPods, streamConfigFromOutput } from "../../sim/pods/jetstream-pods";
import { newId } from "../../sim/pods/netns";

describe("repro: a stream leader restarted after losing its quorum keeps an uncommitted message", function () {
    this.timeout(300_000);

    it("every replica, as leader, serves the acknowledged message at its sequence", async () => {
        const built = await build("rpr", {
            namespace: "faults",
            jetstream: { version: "2.9.15", replicas: 3, tls: true, encryption: true, persistence: { volumeSize: "1Gi" } },
        });
        const cluster = await JetStreamPods.start(built.children, { id: newId("q") });
        try {
            let nc = await connectWithOutputs(cluster, built.outputs);
            await (await jetstreamManager(nc)).streams.add(streamConfigFromOutput(built.outputs.streamConfig, "s", ["s.>"]));
            for (let i = 0; i < 5; i++) await jetstream(nc).publish("s.a", `before-${i}`, { msgID: `before-${i}` });
            const leader = (await (await jetstreamManager(nc)).streams.info("s")).cluster!.leader!;
            const others = cluster.podNames().filter((p) => p !== leader);
            await nc.close();

            await Promise.all(others.map((p) => cluster.stopPod(p)));
            const alone = await connectWithOutputs(cluster, built.outputs, { servers: [cluster.address(leader)] });
            await assert.rejects(jetstream(alone).publish("s.a", "never-acked", { msgID: "never-acked", timeout: 1000 }));
            await alone.close();
            await cluster.stopPod(leader);
            cluster.podNames().forEach((p) => cluster.startPod(p));
            await cluster.waitHealthy();

            nc = await connectWithOutputs(cluster, built.outputs);
            const jsm = await jetstreamManager(nc);
            const stored = await waitFor("a stream leader", async () => (await jsm.streams.info("s")).state.messages, {
                timeoutMs: 60_000,
                intervalMs: 250,
            });
            const ack = await jetstream(nc).publish("s.a", "acked", { msgID: "acked" });
            const seen: string[] = [];
            for (let i = 0; i < 12 && new Set(seen.map((x) => x.split("=")[0])).size < 3; i++) {
                const l = (await jsm.streams.info("s")).cluster!.leader!;
                seen.push(`${l}=${(await jsm.streams.getMessage("s", { seq: ack.seq }))?.string() ?? "(none)"}`);
                await nc.request("$JS.API.STREAM.LEADER.STEPDOWN.s", "", { timeout: 2000 }).catch(() => undefined);
                await sleep(2500);
            }
            await nc.close();
            assert.ok(
                seen.every((x) => x.endsWith("=acked")),
                `stream held ${stored} messages after the restart; seq ${ack.seq} (acked "acked") as each leader served it: ${seen.join(", ")}`,
            );
        } finally {
            await cluster.destroy();
        }
    });
});
