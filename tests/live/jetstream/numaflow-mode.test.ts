/**
 * Live proof of `provisioner: "numaflow"`: the objects the Numaflow controller would build from our
 * InterStepBufferService resource and our two Secrets (its nats config template, projected files and
 * env, sim/pods/numaflow-pods.ts) run as real nats-server pods; clients connect with our outputs only,
 * verifying TLS against `caCertPem` under the controller's Service name. A credentials rotation
 * changes the Secrets and the pod-template revision; rolling the pods (what the controller does
 * when the StatefulSet's template changes) puts the new credentials in force.
 *
 * Needs root, iproute2 and nats-server (FAILS, never skips, without them). Run:
 *   npx mocha --config tests/live/.mocharc.json tests/live/jetstream/numaflow-mode.test.ts
 */
import { strict as assert } from "node:assert";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { build, Built } from "../../../sim/runtime/build";
import {
    connectWithOutputs,
    consumeAll,
    consumerConfigFromOutput,
    JetStreamPods,
    plaintextAttempt,
    publishAcked,
    serverCertificate,
    streamConfigFromOutput,
} from "../../../sim/pods/jetstream-pods";
import { controllerObjects, findIsbSvc } from "../../../sim/pods/numaflow-pods";
import { newId } from "../../../sim/pods/netns";

const VERSION = "2.9.15";
const REVISION = "isbsvc/credentials-revision";

describe("live JetStream, provisioner numaflow: the controller's pods from our Secrets (3 replicas, TLS, encryption)", function () {
    this.timeout(240_000);
    const args = {
        namespace: "live",
        provisioner: "numaflow",
        jetstream: { version: VERSION, tls: true, encryption: true },
    };
    let built: Built;
    let cluster: JetStreamPods;

    before(async () => {
        built = await build("nf", args);
        cluster = await JetStreamPods.start(controllerObjects(built.children), { id: newId("nf"), startTimeoutMs: 120_000 });
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") cluster?.dumpLogs();
    });

    after(async () => {
        await cluster?.destroy();
    });

    it("forms a 3-server cluster over TLS routes with the controller's config and our certificates", async () => {
        assert.deepEqual(cluster.podNames(), ["isbsvc-nf-js-0", "isbsvc-nf-js-1", "isbsvc-nf-js-2"]);
        const leader = await cluster.waitHealthy();
        assert.ok(leader);
        for (const p of cluster.podNames()) {
            const varz = await cluster.varz(p);
            assert.equal(varz.server_name, p);
            assert.equal(varz.tls_required, true);
            assert.equal(varz.cluster?.tls_required, true, `route TLS on ${p}`);
            assert.match(cluster.configText(p), /include \.\/auth\.conf/);
            assert.match(cluster.configText(p), /key: \$JS_KEY/);
        }
    });

    it("presents a server certificate for the controller's Service name, signed by caCertPem", async () => {
        const host = new URL(built.outputs.url).hostname;
        assert.equal(host, "isbsvc-nf-js-svc.live.svc");
        for (const p of cluster.podNames()) {
            const cert = await serverCertificate(cluster.address(p), 4222, host, built.outputs.caCertPem);
            assert.ok(cert.subjectaltname?.includes(`DNS:${host}`));
        }
        const other = await build("other", args);
        await assert.rejects(
            serverCertificate(cluster.address(cluster.podNames()[0]), 4222, host, other.outputs.caCertPem),
            /self[- ]signed|unable to verify|certificate/i,
        );
    });

    it("takes a replicated stream from streamConfig through the outputs (TLS verified), refusing plaintext", async () => {
        const o = built.outputs;
        const nc = await connectWithOutputs(cluster, o);
        try {
            const jsm = await jetstreamManager(nc);
            const cfg = streamConfigFromOutput(o.streamConfig, "nf", ["nf.>"]);
            assert.equal(cfg.num_replicas, 3);
            await jsm.streams.add(cfg);
            await jsm.consumers.add("nf", consumerConfigFromOutput(o.streamConfig, "reader"));
            const { seqs } = await publishAcked(jetstream(nc), "nf.x", 30, { payload: (i) => `nf-${i}` });
            const read = await consumeAll(jetstream(nc), "nf", "reader", 30);
            assert.deepEqual(
                read.map((m) => m.seq),
                seqs,
            );
        } finally {
            await nc.close();
        }
        const plain = await plaintextAttempt(cluster.address(cluster.podNames()[0]), 4222, o.user, o.password, 2000);
        assert.equal(plain.info.tls_required, true);
        assert.doesNotMatch(plain.received, /PONG/);
    });

    it("after a rotation: new Secrets and revision; rolling the pods puts the new password in force", async () => {
        const oldOutputs = built.outputs;
        const oldRevision = findIsbSvc(built.children).inputs.spec.jetstream.metadata.annotations[REVISION];
        // The mocks generate new credentials and certificates on every build: a rotation of all of them.
        const rotated = await build("nf", args);
        const newRevision = findIsbSvc(rotated.children).inputs.spec.jetstream.metadata.annotations[REVISION];
        assert.notEqual(rotated.outputs.password, oldOutputs.password);
        assert.notEqual(newRevision, oldRevision, "the pod template changes, so the controller updates the StatefulSet");
        const objects = controllerObjects(rotated.children);
        const changed = cluster.rewriteFiles(objects);
        for (const p of cluster.podNames())
            assert.ok(
                changed[p].some((f) => f.endsWith("auth.conf")),
                `${p}: ${changed[p]}`,
            );
        // New files alone change nothing: the running servers keep the old credentials until they restart.
        const stale = await connectWithOutputs(cluster, oldOutputs);
        try {
            await stale.flush();
        } finally {
            await stale.close();
        }
        // The mocks also replace the CA: pods on the new CA cannot route to pods still on the old one
        // (observed: a pod rolled alone waits for its routes), so every pod is restarted before the
        // cluster is expected healthy again. A rotation that keeps the CA has no such step (README).
        for (const p of [...cluster.podNames()].reverse()) await cluster.restartPod(p);
        await cluster.waitHealthy(120_000);
        const nc = await connectWithOutputs(cluster, rotated.outputs);
        try {
            await nc.flush();
            assert.equal(nc.info?.tls_required, true);
        } finally {
            await nc.close();
        }
        await assert.rejects(
            connectWithOutputs(cluster, { ...rotated.outputs, password: oldOutputs.password }, { extra: { maxReconnectAttempts: 0 } }),
            /Authorization|authentication/i,
        );
    });
});

describe("live JetStream, provisioner numaflow: standalone without TLS", function () {
    this.timeout(120_000);
    let built: Built;
    let cluster: JetStreamPods;

    before(async () => {
        built = await build("nfsolo", { namespace: "live", provisioner: "numaflow", jetstream: { version: VERSION, replicas: 1 } });
        cluster = await JetStreamPods.start(controllerObjects(built.children), { id: newId("nfs") });
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") cluster?.dumpLogs();
    });

    after(async () => {
        await cluster?.destroy();
    });

    it("runs the controller's standalone config with our auth; the outputs' password works and a wrong one is refused", async () => {
        const o = built.outputs;
        const pod = cluster.podNames()[0];
        assert.doesNotMatch(cluster.configText(pod), /cluster \{/);
        const ok = await plaintextAttempt(cluster.address(pod), 4222, o.user, o.password, 1000);
        assert.match(ok.received, /PONG/);
        const bad = await plaintextAttempt(cluster.address(pod), 4222, o.user, `${o.password}x`, 3000);
        assert.match(bad.received, /Authorization Violation/);
        const nc = await connectWithOutputs(cluster, o);
        try {
            const jsm = await jetstreamManager(nc);
            const cfg = streamConfigFromOutput(o.streamConfig, "solo", ["solo.>"]);
            assert.equal(cfg.num_replicas, 1);
            await jsm.streams.add(cfg);
            const { seqs } = await publishAcked(jetstream(nc), "solo.x", 10, { payload: (i) => `s-${i}` });
            assert.equal(seqs.length, 10);
        } finally {
            await nc.close();
        }
    });
});
