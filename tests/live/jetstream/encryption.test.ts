/**
 * Live proof, part 3: with `encryption: true` the JetStream store the rendered pods write holds no
 * message in plaintext (and the key lives only in the environment); with encryption off the same
 * messages are found in the store files of every replica (the control that makes the first check
 * meaningful).
 *
 * Needs root, iproute2 and nats-server (FAILS, never skips, without them). Run:
 *   npx mocha --config tests/live/.mocharc.json tests/live/jetstream/encryption.test.ts
 */
import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as path from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { build, Built, K8S, secretData } from "../../../sim/runtime/build";
import {
    bytesUnder,
    connectWithOutputs,
    dataDirs,
    filesContaining,
    JetStreamPods,
    publishAcked,
    streamConfigFromOutput,
} from "../../../sim/pods/jetstream-pods";
import { newId } from "../../../sim/pods/netns";

const VERSION = "2.9.15";
const MESSAGES = 20;

for (const encryption of [true, false]) {
    describe(`live JetStream: store at rest with encryption ${encryption ? "on" : "off (control)"}`, function () {
        this.timeout(180_000);
        const marker = `ISBT-PLAINTEXT-MARKER-${crypto.randomBytes(8).toString("hex")}`;
        let built: Built;
        let cluster: JetStreamPods;

        before(async () => {
            built = await build(encryption ? "encon" : "encoff", {
                namespace: "live",
                jetstream: { version: VERSION, tls: true, encryption },
            });
            cluster = await JetStreamPods.start(built.children, { id: newId("e") });
        });

        afterEach(function () {
            if (this.currentTest?.state === "failed") cluster?.dumpLogs();
        });

        after(async () => {
            await cluster?.destroy();
        });

        it(
            encryption ? "keeps the marker payload out of every store file" : "finds the marker payload in every replica's store",
            async () => {
                const nc = await connectWithOutputs(cluster, built.outputs);
                try {
                    await (
                        await jetstreamManager(nc)
                    ).streams.add(streamConfigFromOutput(built.outputs.streamConfig, "secrets", ["secrets.>"]));
                    await publishAcked(jetstream(nc), "secrets.new", MESSAGES, { payload: (i) => `${marker}-${i}` });
                } finally {
                    await nc.close();
                }
                // a clean shutdown flushes every block to disk, so nothing is only in memory
                await Promise.all(cluster.podNames().map((p) => cluster.stopPod(p)));

                for (const pod of cluster.podNames()) {
                    const store = cluster.storeDir(pod);
                    assert.equal(path.basename(store), encryption ? "encrypted-store" : "store");
                    const blocks = bytesUnder(store, (f) => f.endsWith(".blk"));
                    assert.ok(blocks >= MESSAGES * marker.length, `${pod} message blocks hold the messages (${blocks} bytes)`);
                }
                const hits = filesContaining(dataDirs(cluster), Buffer.from(marker));
                if (encryption) {
                    assert.deepEqual(hits, []);
                    const key = secretData(built.ofType(K8S.secret).find((s) => s.inputs.metadata.name.endsWith("-js-server"))!).encryption;
                    const podRoots = cluster.podNames().map((p) => cluster.describe(p).podRoot);
                    assert.deepEqual(filesContaining(podRoots, Buffer.from(key)), [], "the key is in no file of the pods");
                } else {
                    for (const pod of cluster.podNames()) {
                        assert.ok(
                            hits.some((h) => h.startsWith(`${cluster.storeDir(pod)}/`)),
                            `${pod}: plaintext in ${hits.join(", ")}`,
                        );
                    }
                }
            },
        );
    });
}
