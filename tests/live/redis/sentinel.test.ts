/**
 * Live proof (Redis), part 1: the files and scripts the component renders for a native Redis ISB
 * service with 3 replicas run unchanged in real redis-server and redis-sentinel processes, one
 * pod per network namespace with the real pod DNS names, started as the rendered (Parallel) StatefulSet.
 * The start scripts make pod 0 master and the others its replicas, every Sentinel agrees, and a
 * client that knows only the outputs writes and reads through Sentinel — with and without TLS.
 *
 * Needs root, iproute2, redis-server, redis-sentinel and redis-cli (FAILS, never skips, without them). Run:
 *   npx mocha --no-config --require ts-node/register/transpile-only --require tests/support/setup.ts \
 *     --timeout 300000 --exit 'tests/live/redis/*.test.ts'
 */
import { strict as assert } from "node:assert";
import * as net from "node:net";
import { connect as tlsConnect } from "node:tls";
import { build, Built } from "../../../sim/runtime/build";
import { waitFor } from "../../../sim/pods/wait";
import {
    announcedAddress,
    nodeCommand,
    RedisPods,
    roleOf,
    sentinelClient,
    sentinelView,
    SentinelOutputs,
    splitHostPort,
} from "../../../sim/pods/redis-pods";
import { newId } from "../../../sim/pods/netns";

const VERSION = "7.0.15";
/** A variable of the test process that must not reach the containers. */
const LEAK = "ISBT_LEAK_CHECK";
process.env[LEAK] = "leaked";
const POLL = { timeoutMs: 30_000, intervalMs: 250 };

/** The error `p` rejects with. @throws when it resolves. */
async function rejection(p: Promise<unknown>): Promise<Error> {
    try {
        await p;
    } catch (err) {
        return err as Error;
    }
    throw new Error("the operation succeeded");
}

/** What a plaintext client gets from a TLS port after sending `AUTH` and `PING`: everything received, and whether the server closed. */
function plaintextExchange(host: string, port: number, password: string, waitMs = 3000): Promise<{ received: string; closed: boolean }> {
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host, port });
        let received = "";
        let closed = false;
        const timer = setTimeout(() => {
            socket.destroy();
            resolve({ received, closed });
        }, waitMs);
        socket.once("connect", () => socket.write(`AUTH ${password}\r\nPING\r\n`));
        socket.on("data", (c: Buffer) => {
            received += c.toString("latin1");
        });
        socket.once("close", () => {
            closed = true;
            clearTimeout(timer);
            resolve({ received, closed });
        });
        socket.once("error", (e: NodeJS.ErrnoException) => {
            if (e.code !== "ECONNRESET") {
                clearTimeout(timer);
                reject(e);
            }
        });
    });
}

/** A verified TLS handshake with `host:port` for `servername` trusting only `ca`. @throws the verification error. */
function tlsHandshake(host: string, port: number, servername: string, ca: string, timeoutMs = 3000): Promise<void> {
    return new Promise((resolve, reject) => {
        const socket = tlsConnect({ host, port, servername, ca, rejectUnauthorized: true });
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error("TLS handshake timed out"));
        }, timeoutMs);
        socket.once("secureConnect", () => {
            clearTimeout(timer);
            socket.destroy();
            resolve();
        });
        socket.once("error", (e) => {
            clearTimeout(timer);
            socket.destroy();
            reject(e);
        });
    });
}

for (const tls of [false, true]) {
    describe(`live Redis (tls: ${tls}): 3 rendered pods with Sentinel`, function () {
        this.timeout(300_000);
        let built: Built;
        let pods: RedisPods;
        let outputs: SentinelOutputs;
        let master: string;

        before(async () => {
            built = await build(tls ? "rt" : "rp", { namespace: "live", redis: { native: { version: VERSION, tls } } });
            outputs = built.outputs;
            pods = await RedisPods.start(built.children, { id: newId(tls ? "t" : "p") });
            master = pods.podNames()[0];
        });

        afterEach(function () {
            if (this.currentTest?.state === "failed") pods?.dumpLogs();
        });

        after(async () => {
            await pods?.destroy();
        });

        it("is ready only once every Sentinel knows every replica (a failover right away reconfigures them all)", async () => {
            // Checked first, with no waiting: the replicas' startup probe holds the ordered start until
            // the Sentinels list them, instead of the up to 10 s Sentinel takes to read the master's INFO.
            for (const p of pods.podNames()) {
                const v = await sentinelView(pods, p, outputs);
                assert.equal(v.fields["num-slaves"], "2", `${p}'s Sentinel knows ${v.fields["num-slaves"]} replicas at ready time`);
            }
        });

        it("a replica's startup probe fails while a running Sentinel does not answer, and passes once it lists the replica", async () => {
            const [p0, , p2] = pods.podNames();
            // A freshly started replica (the Sentinels knew it before it restarted).
            await pods.killContainer(p2, "redis");
            pods.startContainer(p2, "redis");
            await waitFor(
                `${p2}/redis to answer PING`,
                async () => (await nodeCommand(pods, p2, "redis", outputs, ["PING"]).catch(() => "")) === "PONG",
                POLL,
            );
            const sentinel = pods.process(p0, "sentinel")!;
            process.kill(sentinel.pid, "SIGSTOP"); // hung: connections are accepted by the kernel, nothing answers
            try {
                for (let i = 0; i < 2; i++) {
                    assert.equal(await pods.probe(p2, "redis", "startup"), false, `passes while ${p0}'s Sentinel does not answer`);
                }
            } finally {
                process.kill(sentinel.pid, "SIGCONT");
            }
            await waitFor(`${p2}'s startup probe to pass once ${p0}'s Sentinel answers`, () => pods.probe(p2, "redis", "startup"), POLL);
            const v = await sentinelView(pods, p0, outputs);
            assert.equal(v.fields["num-slaves"], "2", `${p0}'s Sentinel knows ${v.fields["num-slaves"]} replicas when the probe passes`);
        });

        it("a Sentinel that is not running holds nothing back, and lists every replica once it starts", async () => {
            const [p0, , p2] = pods.podNames();
            await pods.killContainer(p0, "sentinel");
            try {
                await pods.killContainer(p2, "redis");
                pods.startContainer(p2, "redis");
                await waitFor(
                    `${p2}'s startup probe to pass while ${p0}'s Sentinel is down`,
                    () => pods.probe(p2, "redis", "startup"),
                    POLL,
                );
            } finally {
                pods.startContainer(p0, "sentinel");
            }
            const view = await waitFor(
                `${p0}'s restarted Sentinel to list both replicas`,
                async () => {
                    const v = await sentinelView(pods, p0, outputs).catch(() => undefined);
                    return v?.fields["num-slaves"] === "2" && v;
                },
                POLL,
            );
            assert.equal(view.fields["num-slaves"], "2");
        });

        it("the start scripts make pod 0 master and pods 1 and 2 its replicas", async () => {
            const [p0, ...replicas] = pods.podNames();
            assert.match(pods.logs(p0, "redis"), /starting as master/);
            const masterAddr = `${pods.fqdn(p0)}:6379`;
            for (const r of replicas) {
                assert.match(pods.logs(r, "redis"), new RegExp(`starting as replica of ${pods.fqdn(p0).replace(/\./g, "\\.")}:6379`));
                const role = await waitFor(
                    `${r} to be in sync with ${p0}`,
                    async () => {
                        const x = await roleOf(pods, r, outputs);
                        return x.state === "connected" && x;
                    },
                    POLL,
                );
                assert.deepEqual(role, { role: "slave", master: masterAddr, state: "connected" });
            }
            const role = await roleOf(pods, p0, outputs);
            assert.equal(role.role, "master");
            assert.deepEqual(
                [...role.replicas!].sort(),
                replicas.map((r) => `${pods.fqdn(r)}:6379`).sort(),
                "replicas announce their pod DNS names",
            );
        });

        it("every Sentinel names pod 0's DNS name as master and sees 2 replicas and 2 other Sentinels", async () => {
            const expected = `${pods.fqdn(master)}:6379`;
            for (const p of pods.podNames()) {
                const view = await waitFor(
                    `${p}'s Sentinel to be connected to 2 replicas and 2 Sentinels`,
                    async () => {
                        const v = await sentinelView(pods, p, outputs);
                        const settled =
                            Object.values(v.replicas).every((f) => f === "slave") &&
                            Object.values(v.sentinels).every((f) => f === "sentinel");
                        return v.fields["num-slaves"] === "2" && v.fields["num-other-sentinels"] === "2" && settled && v;
                    },
                    POLL,
                );
                assert.equal(view.master, expected, `${p}: get-master-addr-by-name`);
                assert.equal(view.fields.quorum, "2");
                assert.equal(view.fields.flags, "master");
                const others = pods
                    .podNames()
                    .filter((x) => x !== p)
                    .map((x) => `${pods.fqdn(x)}:26379`)
                    .sort();
                assert.deepEqual(Object.keys(view.sentinels).sort(), others, `${p}: the other Sentinels by pod DNS name`);
                const replicas = pods
                    .podNames()
                    .filter((x) => x !== master)
                    .map((x) => `${pods.fqdn(x)}:6379`)
                    .sort();
                assert.deepEqual(Object.keys(view.replicas).sort(), replicas, `${p}: the replicas by pod DNS name`);
            }
        });

        it("each container sees only its own mounts, read-only where Kubernetes mounts them so, and only its environment", async () => {
            const p = pods.podNames()[1];
            const script =
                "env | sort; touch /etc/isbsvc/redis/x 2>&1; for d in /data /run/isbsvc /sentinel; do echo \"$d: $(ls -A $d | sort | tr '\\n' ' ')\"; done";
            const [redis, sentinel] = await Promise.all(
                ["redis", "sentinel"].map((c) => pods.exec(p, c as "redis" | "sentinel", ["/bin/sh", "-c", script])),
            );
            for (const r of [redis, sentinel]) {
                assert.match(r.stdout, new RegExp(`^POD_NAME=${p}$`, "m"));
                assert.ok(r.stdout.includes(`\nREDIS_PASSWORD=${outputs.password}\n`), "the password from the auth Secret");
                assert.doesNotMatch(r.stdout, new RegExp(`^${LEAK}=`, "m"), "nothing of the test process's environment");
                assert.match(r.stdout, /Read-only file system/, "the config volume is read-only");
            }
            assert.match(redis.stdout, /^\/data: (\S+ )*appendonlydir /m, `redis: its data volume\n${redis.stdout}`);
            assert.match(redis.stdout, /^\/run\/isbsvc: redis\.conf $/m, "redis: the composed config");
            assert.match(redis.stdout, /^\/sentinel: $/m, "redis: not the Sentinel's volume");
            assert.match(sentinel.stdout, /^\/sentinel: sentinel\.conf $/m, "sentinel: its config volume");
            assert.match(sentinel.stdout, /^\/run\/isbsvc: $/m, "sentinel: not the redis run volume");
        });

        it("the probes of every container pass (the rendered ping scripts)", async () => {
            for (const p of pods.podNames()) {
                for (const c of ["redis", "sentinel"] as const) {
                    assert.ok(await pods.probe(p, c, "liveness"), `${p}/${c} liveness`);
                    assert.ok(await pods.probe(p, c, "readiness"), `${p}/${c} readiness`);
                }
            }
        });

        it("a client using only the outputs writes and reads through Sentinel; writes reach the replicas", async () => {
            assert.equal(outputs.masterName, "mymaster");
            assert.equal(outputs.tlsEnabled, tls);
            assert.equal(splitHostPort(outputs.sentinelUrl).host, "isbsvc-" + (tls ? "rt" : "rp") + "-redis-svc.live.svc");
            const client = sentinelClient(pods, outputs);
            try {
                await client.connect();
                await client.set("greeting", "hello");
                assert.equal(await client.wait(2, 5000), 2, "both replicas acknowledge");
                assert.equal(await client.get("greeting"), "hello");
                const info = String(await client.call("CLIENT", "INFO"));
                const serverAddress = /laddr=(\S+):\d+/.exec(info)?.[1] ?? "";
                assert.equal(pods.podAt(serverAddress), master, "Sentinel sent the client to pod 0");
            } finally {
                client.disconnect();
            }
            for (const r of pods.podNames().slice(1)) {
                assert.equal(await nodeCommand(pods, r, "redis", outputs, ["GET", "greeting"]), "hello", `${r} has the value`);
                const err = await rejection(nodeCommand(pods, r, "redis", outputs, ["SET", "x", "y"]));
                assert.match(err.message, /READONLY/, `${r} refuses writes`);
            }
        });

        it("a wrong password is rejected by Sentinel and by Redis", async () => {
            const wrong = { password: "not-the-password" };
            const viaSentinel = sentinelClient(pods, outputs, { ...wrong, extra: { sentinelRetryStrategy: () => null } });
            try {
                const err = await rejection(viaSentinel.connect());
                assert.match(err.message, /WRONGPASS/);
            } finally {
                viaSentinel.disconnect();
            }
            for (const c of ["redis", "sentinel"] as const) {
                const err = await rejection(nodeCommand(pods, master, c, outputs, ["PING"], wrong));
                assert.match(err.message, /WRONGPASS/, c);
                const none = await rejection(nodeCommand(pods, master, c, { ...outputs, password: "" }, ["PING"]));
                assert.match(none.message, /NOAUTH/, `${c} without a password`);
            }
        });

        if (tls) {
            it("plaintext connections to the Redis and Sentinel ports get no answer", async () => {
                for (const port of [6379, 26379]) {
                    const got = await plaintextExchange(pods.address(master), port, outputs.password);
                    assert.doesNotMatch(got.received, /\+PONG|\+OK/, `port ${port} answered plaintext: ${got.received}`);
                    assert.ok(got.closed, `port ${port} closes the plaintext connection`);
                }
            });

            it("a client trusting another CA, or expecting another name, is refused by TLS verification", async () => {
                const foreign = await build("rf", { namespace: "live", redis: { native: { version: VERSION, tls: true } } });
                const viaSentinel = sentinelClient(pods, outputs, {
                    ca: foreign.outputs.caCertPem,
                    extra: { sentinelRetryStrategy: () => null },
                });
                try {
                    const err = await rejection(viaSentinel.connect());
                    assert.match(err.message, /All sentinels are unreachable/);
                } finally {
                    viaSentinel.disconnect();
                }
                const wrongMasterName = sentinelClient(pods, outputs, {
                    extra: {
                        natMap: (key: string) => ({ ...announcedAddress(pods, key, true)!, servername: "redis.example.com" }),
                        retryStrategy: () => null,
                    },
                });
                const events: Error[] = [];
                wrongMasterName.on("error", (e: Error) => events.push(e));
                try {
                    await rejection(wrongMasterName.connect().then(() => wrongMasterName.ping()));
                    assert.ok(
                        events.some((e) => /Hostname\/IP does not match/.test(e.message)),
                        `the master's certificate is checked against the name Sentinel announced; errors: ${events.join("; ")}`,
                    );
                } finally {
                    wrongMasterName.disconnect();
                }
                for (const port of [6379, 26379]) {
                    const err = await rejection(tlsHandshake(pods.address(master), port, pods.fqdn(master), foreign.outputs.caCertPem));
                    assert.match(err.message, /unable to verify|self[- ]signed|certificate/i, `port ${port} with a foreign CA`);
                    await tlsHandshake(pods.address(master), port, pods.fqdn(master), outputs.caCertPem); // control
                }
                const direct = await rejection(nodeCommand(pods, master, "redis", outputs, ["PING"], { ca: foreign.outputs.caCertPem }));
                assert.match(direct.message, /unable to verify|certificate/i);
                const wrongName = await rejection(
                    nodeCommand(pods, master, "redis", outputs, ["PING"], { servername: "redis.example.com" }),
                );
                assert.match(wrongName.message, /Hostname\/IP does not match|altnames/i);
                assert.equal(await nodeCommand(pods, master, "redis", outputs, ["PING"]), "PONG", "control: the right CA and name work");
            });
        }
    });
}
