/**
 * Live proof that cluster routes authenticate (issue 16, item 1), with the default arguments (no
 * TLS): a nats-server that knows the cluster name and the pod names but not the route credential
 * (none, or a wrong one) is refused and sees no message of the `js` account; the same server with
 * the credential joins (control); the cluster forms, survives a rolling restart with nothing
 * acknowledged lost, and takes a new route password pod by pod on the reload signal.
 *
 * Needs root, iproute2 and nats-server (FAILS, never skips, without them). Run:
 *   npx mocha --config tests/live/.mocharc.json tests/live/jetstream/routes.test.ts
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { jetstream, jetstreamManager, JetStreamClient } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { build, Built, K8S, secretData } from "../../../sim/runtime/build";
import { Pod, PodProcess } from "../../../sim/pods/pod";
import { requireBinary } from "../../../sim/pods/requirements";
import { httpGetJson, sleep, waitFor } from "../../../sim/pods/wait";
import {
    connectWithOutputs,
    consumeAll,
    consumerConfigFromOutput,
    JetStreamPods,
    NatsConnection,
    streamConfigFromOutput,
} from "../../../sim/pods/jetstream-pods";
import { newId } from "../../../sim/pods/netns";

const VERSION = "2.9.15"; // a catalogue version the installed nats-server 2.9.10 runs
const NAME = "rt";
const ARGS = { namespace: "live", jetstream: { version: VERSION } }; // defaults: 3 replicas, tls false
const POLL = { timeoutMs: 30_000, intervalMs: 250 };

function routesConf(b: Built): string {
    return secretData(b.ofType(K8S.secret).find((s) => s.inputs.metadata.name.endsWith("-js-server"))!).routes;
}

/** The route URLs of routes.conf with the userinfo replaced (`null`: none). */
function withCredential(urls: string[], userinfo: string | null): string[] {
    return urls.map((u) => u.replace(/^nats:\/\/[^@]*@/, userinfo === null ? "nats://" : `nats://${userinfo}@`));
}

/**
 * A nats-server in its own pod (network namespace) that tries to join the cluster: same cluster
 * name, routes to every pod, and the `js` account with a user of its own, so that a route would
 * carry the `js` account's messages to its subscribers. Hand-written config: it is the intruder.
 */
function startIntruder(pod: Pod, routes: string[], authorization?: { user: string; password: string }): PodProcess {
    const dir = fs.mkdtempSync(path.join(pod.logDir, "intruder-"));
    fs.writeFileSync(
        path.join(dir, "server.conf"),
        [
            "port: 4222",
            "http: 8222",
            `server_name: ${pod.name}`,
            'accounts { js { users: [ { user: "spy", password: "spy" } ] } }',
            "cluster {",
            `  name: "${NAME}"`,
            "  port: 6222",
            ...(authorization ? [`  authorization { user: "${authorization.user}", password: "${authorization.password}" }`] : []),
            `  routes: [ ${routes.map((r) => `"${r}"`).join(", ")} ]`,
            "}",
            "",
        ].join("\n"),
    );
    return pod.spawn("nats", requireBinary("nats-server"), ["--config", path.join(dir, "server.conf")]);
}

/** Subscribes on the intruder's client port, in its `js` account, to every subject. */
async function spy(pod: Pod): Promise<{ nc: NatsConnection; seen: string[] }> {
    const nc = await connect({ servers: [`${pod.address}:4222`], user: "spy", pass: "spy", timeout: 5000 });
    const seen: string[] = [];
    const sub = nc.subscribe(">");
    void (async () => {
        for await (const m of sub) seen.push(`${m.subject} ${m.string()}`);
    })();
    await nc.flush();
    return { nc, seen };
}

/** Publishes `count` messages with ids `<prefix>-<i>`, each until acknowledged (bounded). @returns the acknowledged ids. */
async function publishIds(js: JetStreamClient, subject: string, prefix: string, count: number): Promise<string[]> {
    const acked: string[] = [];
    for (let i = 0; i < count; i++) {
        const id = `${prefix}-${i}`;
        const deadline = Date.now() + 60_000;
        for (;;) {
            try {
                await js.publish(subject, id, { msgID: id, timeout: 2000 });
                acked.push(id);
                break;
            } catch (err) {
                if (Date.now() > deadline) throw new Error(`${id} not acknowledged in 60 s: ${String(err)}`);
                await sleep(100);
            }
        }
    }
    return acked;
}

describe("live JetStream: routes authenticate (default arguments, no TLS)", function () {
    this.timeout(600_000);
    let built: Built;
    let cluster: JetStreamPods;
    let nc: NatsConnection;
    let intruderPod: Pod;
    const acked: string[] = [];

    before(async () => {
        built = await build(NAME, ARGS);
        cluster = await JetStreamPods.start(built.children, { id: newId("r") });
        intruderPod = await cluster.network.addPod("intruder-0", ["intruder-0.intruder.live.svc"]);
        nc = await connectWithOutputs(cluster, built.outputs);
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add(streamConfigFromOutput(built.outputs.streamConfig, "orders", ["orders.>"]));
    });

    /** Lines of the pod's log refusing a connection from the intruder's address for its credential. */
    function refusals(p: string): number {
        return cluster
            .logs(p)
            .split("\n")
            .filter((l) => l.includes(intruderPod.address) && /authentication error|authorization violation/i.test(l)).length;
    }

    /** Every message of the stream, through a new durable consumer `durable`. */
    async function readAll(durable: string): Promise<{ seq: number; data: string }[]> {
        const jsm = await jetstreamManager(nc);
        await jsm.consumers.add("orders", consumerConfigFromOutput(built.outputs.streamConfig, durable));
        return consumeAll(jetstream(nc), "orders", durable, acked.length, 60_000);
    }

    afterEach(function () {
        if (this.currentTest?.state === "failed") cluster?.dumpLogs();
    });

    after(async () => {
        await nc?.close().catch(() => undefined);
        await cluster?.destroy();
    });

    it("forms the cluster with authenticated routes; no credential in nats-js.conf, routes.conf from the server Secret", async () => {
        await cluster.waitHealthy();
        const conf = routesConf(built);
        const password = /password: "([A-Za-z0-9]+)"/.exec(conf)![1];
        for (const p of cluster.podNames()) {
            assert.equal((await cluster.routez(p)).num_routes, 2, p);
            assert.equal(cluster.configFile(p, "routes.conf"), conf);
            assert.ok(!cluster.configText(p).includes(password), "nats-js.conf holds no route password");
            assert.match(cluster.configText(p), /^\s+include \.\/routes\.conf$/m);
            assert.deepEqual(
                cluster.routeUrls(p),
                [0, 1, 2].map((i) => `nats://route:${password}@isbsvc-${NAME}-js-${i}.isbsvc-${NAME}-js-svc.live.svc:6222`),
            );
            const varz = await cluster.varz(p);
            assert.ok(!JSON.stringify(varz).includes(password), "/varz does not show the route password");
        }
    });

    it("monitoring port 8222 (no authentication): shows user, account, stream, consumer and subject names, never a secret", async () => {
        const server = secretData(built.ofType(K8S.secret).find((x) => x.inputs.metadata.name.endsWith("-js-server"))!);
        const secrets = {
            "client password": built.outputs.password,
            "system password": /user: "sys", password: "([A-Za-z0-9]+)"/.exec(server.auth)![1],
            "route password": /password: "([A-Za-z0-9]+)"/.exec(server.routes)![1],
            "encryption key": server.encryption,
        };
        // every endpoint of nats-server 2.9 server/server.go startMonitoring, with the options that show the most
        const endpoints = [
            "/",
            "/varz",
            "/connz?auth=true&subs=detail",
            "/routez?subs=detail",
            "/gatewayz",
            "/leafz?subs=true",
            "/subsz?subs=true",
            "/accountz",
            "/accountz?acc=js",
            "/accstatz?unused=true",
            "/jsz?accounts=true&streams=true&consumers=true&config=true",
            "/healthz",
            "/ipqueuesz?all=true",
            "/stacksz",
        ];
        const pod = cluster.podNames()[0];
        const port = 8222;
        let all = "";
        for (const e of endpoints) {
            const body = await fetch(`http://${cluster.address(pod)}:${port}${e}`).then((r) => r.text());
            for (const [what, value] of Object.entries(secrets)) assert.ok(!body.includes(value), `${e} shows the ${what}`);
            all += body;
        }
        // what it does show, to anyone who reaches a pod address (the client is connected to one of them)
        type Connz = { connections: { authorized_user?: string; account?: string }[] };
        const conns = (await Promise.all(cluster.podNames().map((p) => cluster.monitor<Connz>(p, "/connz?auth=true&subs=detail")))).flatMap(
            (c) => c.connections,
        );
        assert.ok(
            conns.some((c) => c.authorized_user === built.outputs.user && c.account === "js"),
            "client user names and accounts",
        );
        const jsz = JSON.stringify(await cluster.jsz(pod, "accounts=true&streams=true&consumers=true&config=true"));
        assert.ok(jsz.includes('"orders"') && jsz.includes("orders.>"), "stream names and subjects");
        assert.match(all, /goroutine \d+/, "/stacksz: goroutine stacks");
    });

    for (const [title, userinfo] of [
        ["no credential", null],
        ["a wrong password", "route:wrongpassword"],
        ["another user", "admin:admin"],
    ] as const) {
        it(`refuses a route with ${title}: no route forms and the intruder sees no message`, async () => {
            const routes = withCredential(cluster.routeUrls(cluster.podNames()[0]), userinfo);
            const seenBefore = new Map(cluster.podNames().map((p) => [p, refusals(p)]));
            const intruder = startIntruder(intruderPod, routes);
            try {
                await waitFor(
                    "the intruder to serve clients",
                    async () => (await httpGetJson(`http://${intruderPod.address}:8222/varz`, 2000)) && true,
                    POLL,
                );
                for (const p of cluster.podNames()) {
                    await waitFor(
                        `${p} to refuse the intruder's route`,
                        async () => {
                            assert.ok(intruder.running, "the intruder exited");
                            return refusals(p) > seenBefore.get(p)!;
                        },
                        POLL,
                    );
                }
                const watcher = await spy(intruderPod);
                try {
                    acked.push(...(await publishIds(jetstream(nc), "orders.new", `refused-${acked.length}`, 20)));
                    await sleep(1000);
                    assert.deepEqual(watcher.seen, [], "the intruder's subscriber got messages");
                } finally {
                    await watcher.nc.close();
                }
                for (const p of cluster.podNames()) {
                    const routez = await cluster.routez(p);
                    assert.equal(routez.num_routes, 2, `${p} routes`);
                    assert.ok(routez.routes.every((r) => r.ip !== intruderPod.address));
                }
                const theirs = await httpGetJson<{ num_routes: number }>(`http://${intruderPod.address}:8222/routez`, 2000);
                assert.equal(theirs.num_routes, 0, "the intruder has no route");
            } catch (err) {
                process.stderr.write(`----- intruder -----\n${intruder.logs()}\n`);
                throw err;
            } finally {
                await intruder.stop();
            }
        });
    }

    it("control: the same server with the route credential joins and sees the js account's messages", async () => {
        const routes = cluster.routeUrls(cluster.podNames()[0]);
        const password = /password: "([A-Za-z0-9]+)"/.exec(routesConf(built))![1];
        const intruder = startIntruder(intruderPod, routes, { user: "route", password });
        try {
            for (const p of cluster.podNames()) {
                await waitFor(`${p} to accept the 4th server's route`, async () => (await cluster.routez(p)).num_routes === 3, POLL);
            }
            const watcher = await spy(intruderPod);
            try {
                await sleep(1000); // let the subscription interest reach the pods
                acked.push(...(await publishIds(jetstream(nc), "orders.new", `control-${acked.length}`, 5)));
                await waitFor("the 4th server's subscriber to get the messages", async () => watcher.seen.length >= 5, POLL);
            } finally {
                await watcher.nc.close();
            }
        } finally {
            await intruder.stop();
        }
        for (const p of cluster.podNames()) {
            await waitFor(`${p} back to 2 routes`, async () => (await cluster.routez(p)).num_routes === 2, POLL);
        }
    });

    it("survives a rolling restart (highest ordinal first, each pod ready before the next) with nothing acknowledged lost", async () => {
        const js = jetstream(nc);
        let stop = false;
        const background = (async () => {
            let n = 0;
            while (!stop) acked.push(...(await publishIds(js, "orders.roll", `roll-${n++}`, 1)));
        })();
        const order: string[] = [];
        try {
            await cluster.rollingRestart({
                between: async (p) => {
                    order.push(p);
                    for (const q of cluster.podNames()) assert.equal((await cluster.routez(q)).num_routes, 2, `${q} routes after ${p}`);
                },
            });
        } finally {
            stop = true;
            await background;
        }
        assert.deepEqual(
            order,
            [2, 1, 0].map((i) => `isbsvc-${NAME}-js-${i}`),
        );
        assert.ok(
            acked.some((id) => id.startsWith("roll-")),
            "messages were published during the roll",
        );
        const read = await readAll("after-roll");
        const got = new Set(read.map((m) => m.data));
        assert.deepEqual(
            acked.filter((id) => !got.has(id)),
            [],
            "acknowledged messages lost",
        );
        assert.equal(read.length, acked.length, "nothing stored twice");
    });

    it("takes a new route password pod by pod on the reload signal: the cluster re-forms without a restart, nothing lost", async () => {
        const rotated = await build(NAME, ARGS); // new generated values, as after `pulumi up --replace <n>-js-route-password`
        const newConf = routesConf(rotated);
        assert.notEqual(newConf, routesConf(built));
        const pods = cluster.podNames();
        const pids = pods.map((p) => cluster.process(p)!.pid);
        const js = jetstream(nc);
        let stop = false;
        const background = (async () => {
            let n = 0;
            while (!stop) acked.push(...(await publishIds(js, "orders.rotate", `rotate-${n++}`, 1)));
        })();
        try {
            // kubelet refreshes each pod's projected files at its own moment; the reloader signals at once.
            // Until a majority has the new password, the pods that have it form a minority of their own.
            for (const p of [...pods].reverse()) {
                const written = cluster.rewriteFiles(rotated.children, { only: ["routes.conf"], pods: [p] });
                assert.deepEqual(written[p], ["config-volume/routes.conf"]);
                cluster.reload(p);
                await sleep(3000);
            }
            await cluster.waitHealthy(120_000);
        } finally {
            stop = true;
            await background;
        }
        assert.ok(
            acked.some((id) => id.startsWith("rotate-")),
            "messages were published during the rotation",
        );
        for (const p of pods) {
            assert.equal((await cluster.routez(p)).num_routes, 2, p);
            assert.match(cluster.logs(p), /Reloaded: cluster routes/);
        }
        assert.deepEqual(
            pods.map((p) => cluster.process(p)!.pid),
            pids,
            "same processes",
        );
        // nats-server logs a removed route's URL with its password (server/reload.go routesOption.Apply)
        const oldPassword = /password: "([A-Za-z0-9]+)"/.exec(routesConf(built))![1];
        // (by each pod whose own solicited route to that URL was the one kept)
        assert.ok(
            pods.some((p) => cluster.logs(p).includes(`Removed route nats://route:${oldPassword}@`)),
            "a pod logs the old route password",
        );
        const read = await readAll("after-rotation");
        const got = new Set(read.map((m) => m.data));
        assert.deepEqual(
            acked.filter((id) => !got.has(id)),
            [],
            "acknowledged messages lost",
        );
    });
});

/**
 * The children of `b` as the previous release of the component rendered them: route URLs without a
 * credential in nats-js.conf, no `authorization` (routes.conf is projected but not included).
 */
function unauthenticatedRelease(b: Built): Built["children"] {
    const urls = withCredential(
        /routes: \[([^\]]*)\]/
            .exec(routesConf(b))![1]
            .match(/"[^"]+"/g)!
            .map((u) => JSON.parse(u) as string),
        null,
    );
    return b.children.map((c) =>
        c.type === K8S.configMap
            ? {
                  ...c,
                  inputs: {
                      ...c.inputs,
                      data: {
                          "nats-js": (c.inputs.data["nats-js"] as string).replace(
                              "  include ./routes.conf\n",
                              `  routes: [\n${urls.map((u) => `    "${u}"`).join("\n")}\n  ]\n`,
                          ),
                      },
                  },
              }
            : c,
    );
}

describe("live JetStream: upgrading a running cluster from unauthenticated to authenticated routes", function () {
    this.timeout(600_000);
    let built: Built;
    let cluster: JetStreamPods;
    let nc: NatsConnection;

    before(async () => {
        built = await build(NAME, ARGS);
        const old = unauthenticatedRelease(built);
        const oldConf = old.find((c) => c.type === K8S.configMap)!.inputs.data["nats-js"] as string;
        assert.match(oldConf, /routes: \[\n\s+"nats:\/\/isbsvc-/);
        assert.doesNotMatch(oldConf, /include \.\/routes\.conf/);
        cluster = await JetStreamPods.start(old, { id: newId("u") });
        nc = await connectWithOutputs(cluster, built.outputs);
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add(streamConfigFromOutput(built.outputs.streamConfig, "orders", ["orders.>"]));
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") cluster?.dumpLogs();
    });

    after(async () => {
        await nc?.close().catch(() => undefined);
        await cluster?.destroy();
    });

    it("rolls pod by pod (new files at each pod's restart): old and new pods stay routed, nothing acknowledged lost", async () => {
        const js = jetstream(nc);
        const acked = await publishIds(js, "orders.old", "old", 20);
        let stop = false;
        const background = (async () => {
            let n = 0;
            while (!stop) acked.push(...(await publishIds(js, "orders.upgrade", `upgrade-${n++}`, 1)));
        })();
        // the new pod template rolls the pods; a recreated pod gets the new ConfigMap content
        const mixed: string[] = [];
        try {
            for (const p of [...cluster.podNames()].reverse()) {
                await cluster.stopPod(p);
                cluster.rewriteFiles(built.children, { pods: [p] });
                assert.match(cluster.configText(p), /include \.\/routes\.conf/);
                cluster.startPod(p);
                await waitFor(
                    `${p} /healthz`,
                    async () => (await cluster.monitor<{ status: string }>(p, "/healthz")).status === "ok",
                    POLL,
                );
                await cluster.waitHealthy(120_000);
                for (const q of cluster.podNames()) mixed.push(`${q}:${(await cluster.routez(q)).num_routes}`);
            }
        } finally {
            stop = true;
            await background;
        }
        assert.ok(
            mixed.every((m) => m.endsWith(":2")),
            `every pod kept 2 routes after each step: ${mixed.join(" ")}`,
        );
        const jsm = await jetstreamManager(nc);
        await jsm.consumers.add("orders", consumerConfigFromOutput(built.outputs.streamConfig, "after-upgrade"));
        const read = await consumeAll(js, "orders", "after-upgrade", acked.length, 60_000);
        const got = new Set(read.map((m) => m.data));
        assert.deepEqual(
            acked.filter((id) => !got.has(id)),
            [],
            "acknowledged messages lost",
        );
        // every pod now runs the authenticated configuration
        for (const p of cluster.podNames()) assert.equal(cluster.configFile(p, "routes.conf"), routesConf(built));
    });
});
