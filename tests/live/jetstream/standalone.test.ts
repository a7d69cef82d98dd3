/**
 * Live proof, part 4: `replicas: 1` renders a standalone server that works with TLS and
 * encryption and keeps its data across a container restart; without TLS the same checks that
 * refuse plaintext clients of a TLS service succeed (the control of the plaintext rejection).
 *
 * Needs root, iproute2 and nats-server (FAILS, never skips, without them). Run:
 *   npx mocha --config tests/live/.mocharc.json tests/live/jetstream/standalone.test.ts
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
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
import { newId } from "../../../sim/pods/netns";

const VERSION = "2.9.15";

describe("live JetStream: replicas 1 (standalone) with TLS and encryption", function () {
    this.timeout(120_000);
    let built: Built;
    let cluster: JetStreamPods;
    let pod: string;

    before(async () => {
        built = await build("solo", {
            namespace: "live",
            jetstream: {
                version: VERSION,
                replicas: 1,
                tls: true,
                encryption: true,
                containerTemplate: { resources: { limits: { memory: "512Mi" } } },
            },
        });
        cluster = await JetStreamPods.start(built.children, { id: newId("s") });
        pod = cluster.podNames()[0];
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") cluster?.dumpLogs();
    });

    after(async () => {
        await cluster?.destroy();
    });

    it("runs one healthy server without routes, reachable under the service name", async () => {
        assert.deepEqual(cluster.podNames(), ["isbsvc-solo-js-0"]);
        assert.equal(await cluster.waitHealthy(), undefined, "no meta cluster");
        const varz = await cluster.varz(pod);
        assert.equal(varz.server_name, pod);
        assert.equal(varz.tls_required, true);
        assert.ok(!varz.cluster?.cluster_port, `no cluster listener: ${JSON.stringify(varz.cluster)}`);
        const host = new URL(built.outputs.url).hostname;
        assert.deepEqual(cluster.resolveAll(host), [cluster.address(pod)]);
        const cert = await serverCertificate(cluster.address(pod), 4222, host, built.outputs.caCertPem);
        assert.ok(cert.subjectaltname?.includes(`DNS:${host}`));
    });

    it("gives nats-server GOMEMLIMIT from the memory limit, in bytes as the Go runtime reads it", () => {
        const environ = fs.readFileSync(`/proc/${cluster.process(pod)!.pid}/environ`, "utf8").split("\0");
        assert.ok(environ.includes(`GOMEMLIMIT=${512 * 1024 * 1024}`), environ.filter((l) => l.startsWith("GOMEM")).join());
        assert.equal(cluster.describe(pod).env.GOMEMLIMIT, "536870912");
    });

    it("holds a replicas-1 stream from streamConfig, also across a restart of the pod", async () => {
        const o = built.outputs;
        let nc = await connectWithOutputs(cluster, o);
        let seqs: number[];
        try {
            const jsm = await jetstreamManager(nc);
            const cfg = streamConfigFromOutput(o.streamConfig, "solo", ["solo.>"]);
            assert.equal(cfg.num_replicas, 1, "streamConfig forces replicas 1 for a standalone server");
            await jsm.streams.add(cfg);
            await jsm.consumers.add("solo", consumerConfigFromOutput(o.streamConfig, "reader"));
            seqs = (await publishAcked(jetstream(nc), "solo.x", 50, { payload: (i) => `solo-${i}` })).seqs;
        } finally {
            await nc.close();
        }
        const pid = cluster.process(pod)!.pid;
        await cluster.restartPod(pod); // container restart: same files, same emptyDir
        assert.notEqual(cluster.process(pod)!.pid, pid);
        await cluster.waitHealthy();
        nc = await connectWithOutputs(cluster, o);
        try {
            const si = await (await jetstreamManager(nc)).streams.info("solo");
            assert.equal(si.config.num_replicas, 1);
            assert.equal(si.state.messages, 50);
            const read = await consumeAll(jetstream(nc), "solo", "reader", 50);
            assert.deepEqual(
                read.map((m) => m.seq),
                seqs,
            );
            assert.deepEqual(
                read.map((m) => m.data),
                Array.from({ length: 50 }, (_, i) => `solo-${i}`),
            );
        } finally {
            await nc.close();
        }
    });
});

describe("live JetStream: replicas 1 without TLS (control of the plaintext checks)", function () {
    this.timeout(120_000);
    let built: Built;
    let cluster: JetStreamPods;

    before(async () => {
        built = await build("plain", { namespace: "live", jetstream: { version: VERSION, replicas: 1 } });
        cluster = await JetStreamPods.start(built.children, { id: newId("n") });
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") cluster?.dumpLogs();
    });

    after(async () => {
        await cluster?.destroy();
    });

    it("accepts the plaintext protocol with the right password and refuses a wrong one", async () => {
        const o = built.outputs;
        assert.equal(o.tlsEnabled, false);
        assert.equal(o.caCertPem, "");
        const addr = cluster.address(cluster.podNames()[0]);
        const ok = await plaintextAttempt(addr, 4222, o.user, o.password, 1000);
        assert.ok(!ok.info.tls_required);
        assert.match(ok.received, /PONG/);
        assert.equal(ok.closedByServer, false);
        const bad = await plaintextAttempt(addr, 4222, o.user, `${o.password}x`, 3000);
        assert.match(bad.received, /-ERR 'Authorization Violation'/);
        assert.doesNotMatch(bad.received, /PONG/);
        const nc = await connectWithOutputs(cluster, o);
        try {
            assert.equal(nc.info?.server_name, cluster.podNames()[0]);
            assert.ok(!nc.info?.tls_required);
            await nc.flush(); // a full round trip
        } finally {
            await nc.close();
        }
    });
});
