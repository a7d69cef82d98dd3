/**
 * Live proof, part 1: the files the component renders for a 3-replica JetStream service with TLS
 * and encryption run unchanged in three nats-server "pods" (network namespaces with the real pod
 * DNS names), and a client that knows only the component outputs can use them.
 *
 * Needs root, iproute2 and nats-server (FAILS, never skips, without them). Run:
 *   npx mocha --config tests/live/.mocharc.json tests/live/jetstream/cluster.test.ts
 */
import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { build, Built, K8S, secretData } from "../../../sim/runtime/build";
import { Pod, PodProcess } from "../../../sim/pods/pod";
import { requireBinary } from "../../../sim/pods/requirements";
import { httpGetJson, waitFor } from "../../../sim/pods/wait";
import {
    connectWithOutputs,
    consumeAll,
    consumerConfigFromOutput,
    goDurationNanos,
    JetStreamPods,
    NatsConnection,
    plaintextAttempt,
    publishAcked,
    serverCertificate,
    streamConfigFromOutput,
} from "../../../sim/pods/jetstream-pods";
import { heldMountPoints } from "../../../sim/pods/pod-files";
import { newId } from "../../../sim/pods/netns";

const VERSION = "2.9.15"; // a catalogue version the installed nats-server 2.9.10 runs
const NAME = "lv";
const ARGS = { namespace: "live", jetstream: { version: VERSION, tls: true, encryption: true } };
const POLL = { timeoutMs: 20_000, intervalMs: 200 };

/** The files of the `config-volume` as the StatefulSet declares them, from the ConfigMap and Secret (independent of pod-files.ts). */
function declaredConfigFiles(b: Built): Record<string, string> {
    const sts = b.child(K8S.statefulSet).inputs;
    const vol = sts.spec.template.spec.volumes.find((v: { name: string }) => v.name === "config-volume");
    const files: Record<string, string> = {};
    for (const src of vol.projected.sources) {
        const kind = src.configMap ? "configMap" : "secret";
        const obj = b.ofType(kind === "configMap" ? K8S.configMap : K8S.secret).find((o) => o.inputs.metadata.name === src[kind].name)!;
        const data: Record<string, string> = kind === "configMap" ? obj.inputs.data : secretData(obj);
        for (const item of src[kind].items) files[item.path] = data[item.key];
    }
    return files;
}

function serverSecret(b: Built): Record<string, string> {
    return secretData(b.ofType(K8S.secret).find((s) => s.inputs.metadata.name.endsWith("-js-server"))!);
}

function serial(pem: string): string {
    return new crypto.X509Certificate(pem).serialNumber.toUpperCase();
}

async function rejection(p: Promise<NatsConnection>): Promise<Error> {
    try {
        const nc = await p;
        await nc.close();
    } catch (err) {
        return err as Error;
    }
    throw new Error("the connection was accepted");
}

describe("live JetStream: 3 pods rendered with TLS and encryption", function () {
    this.timeout(180_000);
    let built: Built;
    let foreign: Built;
    let cluster: JetStreamPods;
    let urlHost: string;

    before(async () => {
        built = await build(NAME, ARGS);
        foreign = await build("foreign", ARGS); // another CA and other certificates
        urlHost = new URL(built.outputs.url).hostname;
        cluster = await JetStreamPods.start(built.children, { id: newId("c") });
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") cluster?.dumpLogs();
    });

    after(async () => {
        await cluster?.destroy();
        assert.deepEqual(heldMountPoints(), [], "every host mount point was released");
    });

    it("forms a cluster: all pods healthy, TLS routes between all of them, one meta leader", async () => {
        const leader = await cluster.waitHealthy();
        assert.ok(leader && cluster.podNames().includes(leader), `leader ${leader}`);
        assert.deepEqual(
            cluster.podNames(),
            [0, 1, 2].map((i) => `isbsvc-${NAME}-js-${i}`),
        );
        for (const pod of cluster.podNames()) {
            const varz = await cluster.varz(pod);
            assert.equal(varz.server_name, pod);
            assert.equal(varz.tls_required, true, "client connections require TLS");
            assert.equal(varz.cluster?.name, NAME);
            assert.equal(varz.cluster?.tls_required, true, "routes require TLS");
            assert.equal(varz.cluster?.tls_verify, true, "routes verify the peer certificate");
            const jsz = await cluster.jsz(pod);
            assert.equal(jsz.meta_cluster?.cluster_size, 3);
            assert.equal(jsz.meta_cluster?.leader, leader);
        }
    });

    it("runs the rendered command, environment and files unchanged, at the Kubernetes paths", () => {
        const container = built
            .child(K8S.statefulSet)
            .inputs.spec.template.spec.containers.find((c: { name: string }) => c.name === "main");
        const files = declaredConfigFiles(built);
        const binary = fs.statSync(requireBinary("nats-server"));
        for (const pod of cluster.podNames()) {
            const pid = cluster.process(pod)!.pid;
            assert.equal(cluster.pidFromFile(pod), pid, "pid_file written at /var/run/nats");
            const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
            assert.deepEqual(cmdline, [...container.command, ...(container.args ?? [])]);
            assert.equal(fs.statSync(`/proc/${pid}/exe`).ino, binary.ino, "the image executable is the installed binary");
            // /proc/<pid>/root shows the process's own mount namespace: the files at the pod paths
            for (const [file, content] of Object.entries(files)) {
                assert.equal(fs.readFileSync(path.join(`/proc/${pid}/root/etc/nats-config`, file), "utf8"), content, `${pod} ${file}`);
            }
            assert.deepEqual(
                fs
                    .readdirSync(`/proc/${pid}/root/etc/nats-config`)
                    .filter((f) => !f.startsWith(".."))
                    .sort(),
                Object.keys(files).sort(),
                "nothing else in the config volume",
            );
            const env = Object.fromEntries(
                fs
                    .readFileSync(`/proc/${pid}/environ`, "utf8")
                    .split("\0")
                    .filter(Boolean)
                    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
            );
            assert.deepEqual(Object.keys(env).sort(), [
                "CLUSTER_ADVERTISE",
                "HOSTNAME",
                "JS_KEY",
                "PATH",
                "POD_NAME",
                "POD_NAMESPACE",
                "SERVER_NAME",
            ]);
            assert.equal(env.POD_NAME, pod);
            assert.equal(env.SERVER_NAME, pod);
            assert.equal(env.POD_NAMESPACE, "live");
            assert.equal(env.CLUSTER_ADVERTISE, `${pod}.isbsvc-${NAME}-js-svc.live.svc`);
            assert.equal(env.JS_KEY, serverSecret(built).encryption);
        }
    });

    it("serves a client that uses only the outputs, verifying the certificate for the URL host", async () => {
        const o = built.outputs;
        assert.equal(o.tlsEnabled, true);
        const cert = await serverCertificate(cluster.resolveAll(urlHost)[0], 4222, urlHost, o.caCertPem);
        assert.ok(cert.subjectaltname?.split(", ").includes(`DNS:${urlHost}`), cert.subjectaltname);
        const nc = await connectWithOutputs(cluster, o);
        try {
            const jsm = await jetstreamManager(nc);
            await jsm.streams.add(streamConfigFromOutput(o.streamConfig, "orders", ["orders.>"]));
            const si = await jsm.streams.info("orders");
            assert.equal(si.config.num_replicas, 3);
            assert.equal(si.config.max_msgs, 100000);
            assert.equal(si.config.max_age, goDurationNanos("72h"));
            assert.equal(si.config.duplicate_window, goDurationNanos("60s"));
            assert.equal(si.config.retention, "limits");
            assert.equal(si.config.storage, "file");
            assert.equal(si.cluster?.replicas?.length, 2);
            const ci = await jsm.consumers.add("orders", consumerConfigFromOutput(o.streamConfig, "reader"));
            assert.equal(ci.config.ack_wait, goDurationNanos("60s"));
            assert.equal(ci.config.max_ack_pending, 25000);

            const js = jetstream(nc);
            const report = await publishAcked(js, "orders.new", 100, { payload: (i) => `order-${i}` });
            assert.deepEqual(
                report.seqs,
                Array.from({ length: 100 }, (_, i) => i + 1),
            );
            const dup = await js.publish("orders.new", "order-0", { msgID: "msg-0" });
            assert.equal(dup.duplicate, true, "the duplicate window deduplicates");
            const read = await consumeAll(js, "orders", "reader", 100);
            assert.deepEqual(
                read.map((m) => m.data),
                Array.from({ length: 100 }, (_, i) => `order-${i}`),
            );
        } finally {
            await nc.close();
        }
    });

    it("rejects clients without credentials, with a wrong password, in plaintext, or trusting another CA", async () => {
        const o = built.outputs;
        const none = await rejection(connectWithOutputs(cluster, o, { user: null, pass: null }));
        assert.match(none.message, /authorization violation/i);
        const wrong = await rejection(connectWithOutputs(cluster, o, { pass: `${o.password}x` }));
        assert.match(wrong.message, /authorization violation/i);

        for (const pod of cluster.podNames()) {
            const plain = await plaintextAttempt(cluster.address(pod), 4222, o.user, o.password, 7000);
            assert.equal(plain.info.tls_required, true);
            assert.ok(!/PONG|\+OK/.test(plain.received), `plaintext client got ${JSON.stringify(plain.received)}`);
            assert.equal(plain.closedByServer, true, "the server closes a plaintext connection");
        }

        const otherCa = foreign.outputs.caCertPem;
        assert.notEqual(otherCa, o.caCertPem);
        const untrusted = await rejection(connectWithOutputs(cluster, o, { ca: otherCa }));
        assert.match(`${untrusted.message} ${String((untrusted as { cause?: unknown }).cause)}`, /certificate|verify/i);
        await assert.rejects(
            serverCertificate(cluster.address(cluster.podNames()[1]), 4222, urlHost, otherCa),
            (e: NodeJS.ErrnoException) => /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/.test(String(e.code)),
        );
        await assert.rejects(
            serverCertificate(cluster.address(cluster.podNames()[1]), 4222, "nats.example.com", o.caCertPem),
            (e: NodeJS.ErrnoException) => e.code === "ERR_TLS_CERT_ALTNAME_INVALID",
            "the name is verified too",
        );
    });

    it("refuses a route from a server whose certificate comes from another CA, and accepts one with ours (control)", async () => {
        const pods = cluster.podNames();
        const routes = cluster.routeUrls(pods[0]); // with the route credential: only the certificate differs
        assert.equal(routes.length, 3);
        const theirs = serverSecret(foreign);
        const ours = serverSecret(built);
        const intruder = await cluster.network.addPod("intruder-0", ["intruder-0.intruder.live.svc"]);
        const foreignProc = startRouteServer(intruder, routes, theirs["cluster-cert"], theirs["cluster-private-key"], ours["ca-cert"]);
        try {
            for (const pod of pods) {
                await waitFor(
                    `${pod} to refuse the intruder's TLS route`,
                    async () => {
                        assert.ok(foreignProc.running, "the intruder exited");
                        return cluster
                            .logs(pod)
                            .split("\n")
                            .some((l) => l.includes(intruder.address) && /TLS route handshake error/.test(l));
                    },
                    POLL,
                );
            }
            for (const pod of pods) {
                const routez = await cluster.monitor<{ num_routes: number; routes: { ip: string }[] }>(pod, "/routez");
                assert.equal(routez.num_routes, 2, `${pod} routes`);
                assert.ok(routez.routes.every((r) => r.ip !== intruder.address));
            }
            const theirRoutes = await httpGetJson<{ num_routes: number }>(`http://${intruder.address}:8222/routez`, 2000);
            assert.equal(theirRoutes.num_routes, 0);
        } catch (err) {
            process.stderr.write(`----- intruder -----\n${foreignProc.logs()}\n`);
            throw err;
        } finally {
            await foreignProc.stop();
        }

        // control: the same server with our route certificate joins, so only the certificate made the difference
        const friendProc = startRouteServer(intruder, routes, ours["cluster-cert"], ours["cluster-private-key"], ours["ca-cert"]);
        try {
            for (const pod of pods) {
                await waitFor(
                    `${pod} to accept the 4th server's route`,
                    async () => (await cluster.monitor<{ num_routes: number }>(pod, "/routez")).num_routes === 3,
                    POLL,
                );
            }
        } finally {
            await friendProc.stop();
        }
        for (const pod of pods) {
            await waitFor(
                `${pod} back to 2 routes`,
                async () => (await cluster.monitor<{ num_routes: number }>(pod, "/routez")).num_routes === 2,
                POLL,
            );
        }
    });

    it("applies a settings change (max_payload 1MB -> 2MB) on SIGHUP, without a restart", async () => {
        const pods = cluster.podNames();
        const pids = pods.map((p) => cluster.process(p)!.pid);
        for (const p of pods) assert.equal((await cluster.varz(p)).max_payload, 1048576);
        const big = "x".repeat(1536 * 1024);
        const before = await connectWithOutputs(cluster, built.outputs);
        try {
            assert.equal(before.info?.max_payload, 1048576);
            await assert.rejects(jetstream(before).publish("orders.big", big), /payload/i);
        } finally {
            await before.close();
        }

        const changed = await build(NAME, { ...ARGS, jetstream: { ...ARGS.jetstream, settings: { max_payload: "2MB" } } });
        const written = cluster.rewriteFiles(changed.children, { only: ["nats-js.conf"] });
        for (const p of pods) assert.deepEqual(written[p], ["config-volume/nats-js.conf"]);
        assert.match(cluster.configText(pods[0]), /^max_payload: 2097152$/m);
        for (const [i, p] of pods.entries()) assert.equal(cluster.reload(p), pids[i]);

        for (const p of pods) {
            await waitFor(`${p} max_payload 2MB`, async () => (await cluster.varz(p)).max_payload === 2097152, POLL);
            assert.match(cluster.logs(p), /Reloaded server configuration/);
        }
        assert.deepEqual(
            pods.map((p) => cluster.process(p)!.pid),
            pids,
            "same processes",
        );
        assert.ok(pods.every((p) => cluster.process(p)!.running));
        const after = await connectWithOutputs(cluster, built.outputs);
        try {
            assert.equal(after.info?.max_payload, 2097152);
            const ack = await jetstream(after).publish("orders.big", big, { timeout: 5000 });
            assert.equal(ack.stream, "orders");
        } finally {
            await after.close();
        }
    });

    it("serves a renewed certificate (new CA) after SIGHUP; clients trusting only the old CA are refused", async () => {
        const pods = cluster.podNames();
        const pids = pods.map((p) => cluster.process(p)!.pid);
        const oldCa = built.outputs.caCertPem;
        const oldSerial = (await serverCertificate(cluster.address(pods[0]), 4222, urlHost, oldCa)).serialNumber.toUpperCase();
        assert.equal(oldSerial, serial(serverSecret(built).cert));

        const renewed = await build(NAME, { ...ARGS, certificates: { validityHours: 4000 } });
        const newCa = renewed.outputs.caCertPem;
        const newSerial = serial(serverSecret(renewed).cert);
        assert.notEqual(newSerial, oldSerial);
        const pemFiles = Object.keys(declaredConfigFiles(renewed)).filter((f) => f.endsWith(".pem"));
        assert.deepEqual(pemFiles.sort(), [
            "ca-cert.pem",
            "cluster-ca-cert.pem",
            "cluster-server-cert.pem",
            "cluster-server-key.pem",
            "server-cert.pem",
            "server-key.pem",
        ]);
        cluster.rewriteFiles(renewed.children, { only: pemFiles });
        pods.forEach((p) => cluster.reload(p));

        for (const p of pods) {
            const cert = await waitFor(
                `${p} to present the renewed certificate`,
                () => serverCertificate(cluster.address(p), 4222, urlHost, newCa),
                POLL,
            );
            assert.equal(cert.serialNumber.toUpperCase(), newSerial);
            await assert.rejects(
                serverCertificate(cluster.address(p), 4222, urlHost, oldCa),
                (e: NodeJS.ErrnoException) => /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/.test(String(e.code)),
                `${p} still verifies with the old CA`,
            );
        }
        assert.deepEqual(
            pods.map((p) => cluster.process(p)!.pid),
            pids,
            "same processes",
        );

        // Pulumi keeps the credentials (auth.conf unchanged): the client now needs only the new caCertPem output
        const outputs = { ...built.outputs, caCertPem: newCa };
        const nc = await connectWithOutputs(cluster, outputs);
        try {
            const ack = await jetstream(nc).publish("orders.renewed", "after-renewal");
            assert.equal(ack.stream, "orders");
        } finally {
            await nc.close();
        }
        const refused = await rejection(connectWithOutputs(cluster, built.outputs));
        assert.match(`${refused.message} ${String((refused as { cause?: unknown }).cause)}`, /certificate|verify/i);

        // a restarted pod routes to the others with the renewed route certificates
        await cluster.restartPod(pods[2]);
        await cluster.waitHealthy();
        for (const p of pods) assert.equal((await cluster.monitor<{ num_routes: number }>(p, "/routez")).num_routes, 2);
    });
});

/**
 * Starts a non-JetStream nats-server in `pod` that tries to route to `routes` as a member of our
 * cluster, presenting `certPem` and trusting `caPem`, with the route credential of the `routes`
 * URLs (hand-written config: it is the attacker, not a rendered pod).
 */
function startRouteServer(pod: Pod, routes: string[], certPem: string, keyPem: string, caPem: string): PodProcess {
    const { username: routeUser, password: routePassword } = new URL(routes[0]);
    const dir = fs.mkdtempSync(path.join(pod.logDir, "route-server-"));
    fs.writeFileSync(path.join(dir, "cert.pem"), certPem);
    fs.writeFileSync(path.join(dir, "key.pem"), keyPem);
    fs.writeFileSync(path.join(dir, "ca.pem"), caPem);
    fs.writeFileSync(
        path.join(dir, "server.conf"),
        [
            "port: 4222",
            "http: 8222",
            `server_name: ${pod.name}`,
            "cluster {",
            `  name: "${NAME}"`,
            "  port: 6222",
            `  routes: [ ${routes.map((r) => `"${r}"`).join(", ")} ]`,
            `  authorization { user: "${routeUser}", password: "${routePassword}" }`,
            `  tls { cert_file: "${dir}/cert.pem", key_file: "${dir}/key.pem", ca_file: "${dir}/ca.pem", verify: true, timeout: 5 }`,
            "}",
            "",
        ].join("\n"),
    );
    return pod.spawn("nats", requireBinary("nats-server"), ["--config", path.join(dir, "server.conf")]);
}
