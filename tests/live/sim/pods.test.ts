/**
 * Live tests of the pod harness. Needs root, iproute2 and nats-server; they FAIL
 * (never skip) when those are missing.
 *
 *   npx mocha --require ts-node/register --timeout 60000 tests/live/sim/pods.test.ts
 */
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    cleanupAllSync,
    HARNESS_PREFIX,
    listHarnessResources,
    liveNetworks,
    newId as newNetworkId,
    OWNER_DIR,
    PodNetwork,
} from "../../../sim/pods/netns";
import { Pod, PodProcess } from "../../../sim/pods/pod";
import { findBinary, INSTALL_ADVICE, requireBinary, requireRoot } from "../../../sim/pods/requirements";
import { ipOrThrow, isAlive } from "../../../sim/pods/sys";
import { httpGetJson, tcpConnect, waitFor } from "../../../sim/pods/wait";

const POLL = { timeoutMs: 20_000, intervalMs: 200 };
const SVC = "isbsvc-default-js";
const K8S_NS = "test";

/** Ids of every network this suite created (other processes may run harness networks meanwhile). */
const createdIds: string[] = [];

/** A fresh id ({@link newNetworkId}), remembered in {@link createdIds}. */
function newId(tag: string): string {
    const id = newNetworkId(tag);
    createdIds.push(id);
    return id;
}

function podName(i: number): string {
    return `${SVC}-${i}`;
}

/** The DNS names a StatefulSet pod behind a headless service has in Kubernetes. */
function podDnsNames(i: number): string[] {
    const base = `${podName(i)}.${SVC}-svc`;
    return [base, `${base}.${K8S_NS}`, `${base}.${K8S_NS}.svc`, `${base}.${K8S_NS}.svc.cluster.local`];
}

function assertNothingLeft(prefix: string): void {
    assert.deepEqual(listHarnessResources(prefix), { netns: [], links: [], etcDirs: [] });
    const netnsList = ipOrThrow(["netns", "list"]);
    const links = ipOrThrow(["-o", "link", "show"]);
    assert.ok(!netnsList.includes(prefix), `ip netns list still shows ${prefix}:\n${netnsList}`);
    assert.ok(!links.includes(prefix), `ip link still shows ${prefix}`);
    assert.ok(!fs.existsSync(path.join(OWNER_DIR, `${prefix.split("-")[1]}.owner`)), "owner file left");
}

function dumpLogs(network: PodNetwork | undefined): void {
    for (const pod of network?.pods() ?? []) {
        for (const proc of pod.processes()) {
            process.stderr.write(`----- ${pod.name}/${proc.name} (pid ${proc.pid}) -----\n${proc.logs()}\n`);
        }
    }
}

/** Starts nats-server in `pod` with a config file in its own temp dir. */
function startNats(natsServer: string, pod: Pod, workDir: string, extraArgs: string[] = []): PodProcess {
    const dir = path.join(workDir, pod.name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "nats.conf"), "port: 4222\nhttp_port: 8222\nserver_name: $POD_NAME\n");
    return pod.spawn("nats", natsServer, ["-c", "nats.conf", ...extraArgs], { cwd: dir, env: { POD_NAME: pod.name } });
}

interface Fixture {
    child: ReturnType<typeof spawn>;
    sleepPid: number;
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs interrupt-fixture.ts in a child node process and waits for its READY line. */
async function startFixture(id: string, mode: string): Promise<Fixture> {
    const child = spawn(process.execPath, ["-r", "ts-node/register", path.join(__dirname, "interrupt-fixture.ts"), id, mode], {
        cwd: path.resolve(__dirname, "../../.."),
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
        out += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
        out += c.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    try {
        const sleepPid = await waitFor(
            `fixture ${mode} to be ready`,
            async () => {
                const m = /READY (\d+)/.exec(out);
                assert.ok(child.exitCode === null || m, `fixture exited early: ${out}`);
                return m ? Number(m[1]) : undefined;
            },
            { timeoutMs: 30_000, intervalMs: 100 },
        );
        return { child, sleepPid, exited };
    } catch (err) {
        child.kill("SIGKILL");
        throw err;
    }
}

async function awaitExit(f: Fixture): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return waitFor("fixture to exit", async () => (f.child.exitCode !== null || f.child.signalCode !== null) && f.exited, {
        timeoutMs: 20_000,
        intervalMs: 50,
    }).finally(() => f.child.kill("SIGKILL"));
}

describe("live harness: pods as network namespaces", function () {
    this.timeout(60_000);
    let natsServer: string;

    before(() => {
        requireRoot();
        natsServer = requireBinary("nats-server");
        PodNetwork.cleanupStale(HARNESS_PREFIX);
    });

    describe("requirements", () => {
        it("finds the server binaries by absolute path", () => {
            for (const name of ["nats-server", "redis-server", "redis-sentinel"]) {
                const p = requireBinary(name);
                assert.ok(path.isAbsolute(p) && fs.existsSync(p), `${name} -> ${p}`);
            }
            assert.equal(findBinary("isbt-no-such-binary"), undefined);
        });

        it("fails with install advice when a binary is missing", () => {
            assert.throws(
                () => requireBinary("isbt-no-such-binary"),
                (e: Error) => e.message.includes("isbt-no-such-binary") && e.message.includes(INSTALL_ADVICE),
            );
            assert.ok(INSTALL_ADVICE.includes("apt-get install -y nats-server redis-server redis-sentinel"));
        });

        it("accepts running as root with ip netns", () => {
            assert.doesNotThrow(() => requireRoot());
        });
    });

    describe("wait helpers", () => {
        it("waitFor returns the first usable value", async () => {
            let n = 0;
            const v = await waitFor("n to reach 3", async () => (++n >= 3 ? `n=${n}` : false), { timeoutMs: 2000, intervalMs: 10 });
            assert.equal(v, "n=3");
        });

        it("waitFor names what it waited for and the last error", async () => {
            const started = Date.now();
            await assert.rejects(
                waitFor(
                    "the impossible",
                    async () => {
                        throw new Error("boom-42");
                    },
                    { timeoutMs: 300, intervalMs: 50 },
                ),
                (e: Error) => /the impossible/.test(e.message) && /boom-42/.test(e.message),
            );
            assert.ok(Date.now() - started < 2000);
        });

        it("waitFor bounds an attempt that never settles", async () => {
            await assert.rejects(
                waitFor("a hung probe", () => new Promise<boolean>(() => undefined), { timeoutMs: 300, intervalMs: 50 }),
                /a hung probe.*did not settle/,
            );
        });
    });

    describe("a network of three pods", () => {
        let network: PodNetwork;
        let pods: Pod[];

        before(async () => {
            network = await PodNetwork.create({ id: newId("a") });
            pods = [];
            for (let i = 0; i < 3; i++) {
                pods.push(await network.addPod(podName(i), podDnsNames(i)));
            }
        });

        afterEach(function () {
            if (this.currentTest?.state === "failed") {
                dumpLogs(network);
            }
        });

        after(async () => {
            await network?.destroy();
        });

        it("gives every pod its own address in the network's subnet", () => {
            const addrs = pods.map((p) => p.address);
            assert.equal(new Set(addrs).size, 3);
            const base = network.subnet.replace(/0\/24$/, "");
            assert.match(network.subnet, /^10\.254\.\d+\.0\/24$/);
            for (const a of addrs) {
                assert.ok(a.startsWith(base) && a !== network.gateway, a);
            }
            assert.deepEqual(
                network.pods().map((p) => p.name),
                [0, 1, 2].map(podName),
            );
            assert.ok(network.bridge.length <= 15 && pods.every((p) => `${p.ns}h`.length <= 15));
        });

        it("configures eth0 with the address and a default route via the bridge", async () => {
            const r = await pods[1].exec("ip", ["-4", "-o", "addr", "show", "dev", "eth0"]);
            assert.equal(r.code, 0, r.stderr);
            assert.ok(r.stdout.includes(`${pods[1].address}/24`), r.stdout);
            const route = await pods[1].exec("ip", ["route", "show", "default"]);
            assert.ok(route.stdout.includes(`via ${network.gateway}`), route.stdout);
        });

        it("lets every pod resolve every pod's DNS names to the right address", async () => {
            for (const from of pods) {
                for (const [i, to] of pods.entries()) {
                    for (const name of podDnsNames(i)) {
                        const r = await from.exec("getent", ["hosts", name]);
                        assert.equal(r.code, 0, `${from.name} cannot resolve ${name}: ${r.stderr}`);
                        assert.equal(r.stdout.split(/\s+/)[0], to.address, `${from.name}: ${name} -> ${r.stdout}`);
                    }
                }
                const self = await from.exec("getent", ["hosts", from.name]);
                assert.equal(self.stdout.split(/\s+/)[0], from.address, "own pod name");
            }
        });

        it("fails fast for unknown names instead of asking an outside DNS server", async () => {
            const started = Date.now();
            const r = await pods[0].exec("getent", ["hosts", "no-such-pod.example"], { timeoutMs: 10_000 });
            assert.notEqual(r.code, 0);
            assert.ok(Date.now() - started < 5000);
        });

        it("resolves pod DNS names from the root namespace and writes a hosts file", () => {
            for (const [i, pod] of pods.entries()) {
                for (const name of podDnsNames(i)) {
                    assert.equal(network.resolve(name), pod.address);
                }
                assert.equal(network.resolve(`${podDnsNames(i)[3]}.`), pod.address);
            }
            assert.equal(network.resolve("unknown.example"), undefined);
            const hosts = fs.readFileSync(network.hostsFile, "utf8");
            assert.ok(hosts.includes(`${pods[2].address}\t${podDnsNames(2).join(" ")}`), hosts);
        });

        it("runs nats-server in a pod, reachable from the root namespace at the pod address", async () => {
            const nats = startNats(natsServer, pods[0], network.logDir);
            const health = await waitFor(
                "nats /healthz",
                () => httpGetJson<{ status: string }>(`http://${pods[0].address}:8222/healthz`, 2000),
                POLL,
            );
            assert.deepEqual(health, { status: "ok" });
            await tcpConnect(pods[0].address, 4222, 2000);
            const varz = await httpGetJson<{ server_name: string }>(`http://${pods[0].address}:8222/varz`, 2000);
            assert.equal(varz.server_name, pods[0].name);

            // ip netns exec execs: the pid is nats-server itself, inside the pod's namespace
            assert.equal(fs.readlinkSync(`/proc/${nats.pid}/exe`), fs.realpathSync(natsServer));
            assert.equal(ipOrThrow(["netns", "identify", String(nats.pid)]).trim(), pods[0].ns);

            nats.signal("SIGHUP");
            await waitFor("reload logged", async () => nats.logs().includes("Reloaded server configuration"), POLL);

            // nats-server 2.9 exits with status 1 after a clean SIGTERM shutdown
            const code = await nats.stop();
            assert.equal(typeof code, "number", "exited by itself, not SIGKILLed");
            assert.equal(nats.signalCode, null);
            assert.equal(nats.running, false);
            assert.equal(await nats.exited, code);
            assert.ok(nats.logs().includes("Server Exiting"), nats.logs());
            await assert.rejects(tcpConnect(pods[0].address, 4222, 2000));
        });

        it("forms a 3-node nats cluster over pod DNS names", async () => {
            const routes = [0, 1, 2].map((i) => `nats://${podDnsNames(i)[2]}:6222`).join(",");
            const servers = pods.map((pod) =>
                startNats(natsServer, pod, path.join(network.logDir, "cluster"), [
                    "--cluster_name",
                    "c",
                    "--cluster",
                    "nats://0.0.0.0:6222",
                    "--routes",
                    routes,
                ]),
            );
            for (const pod of pods) {
                await waitFor(
                    `2 routes on ${pod.name}`,
                    async () => {
                        const r = await httpGetJson<{ num_routes: number }>(`http://${pod.address}:8222/routez`, 2000);
                        return r.num_routes === 2 && r;
                    },
                    POLL,
                );
            }
            await Promise.all(servers.map((s) => s.stop("SIGTERM", 5000)));
            assert.deepEqual(
                servers.map((s) => s.signalCode),
                [null, null, null],
                "all shut down on SIGTERM",
            );
        });

        it("kill() SIGKILLs and resolves exited with null", async () => {
            const proc = pods[1].spawn("sleeper", "sleep", ["300"]);
            assert.ok(proc.running);
            assert.equal(await proc.kill(), null);
            assert.equal(proc.signalCode, "SIGKILL");
            assert.equal(await proc.exited, null);
            assert.equal(isAlive(proc.pid), false);
        });

        it("stop() escalates to SIGKILL after the grace period", async () => {
            const proc = pods[2].spawn("stubborn", "sh", ["-c", "trap '' TERM; echo armed; sleep 300"]);
            await waitFor("trap armed", async () => proc.logs().includes("armed"), POLL);
            const started = Date.now();
            assert.equal(await proc.stop("SIGTERM", 300), null);
            const took = Date.now() - started;
            assert.ok(took >= 300 && took < 5000, `took ${took}ms`);
            assert.equal(proc.signalCode, "SIGKILL");
        });

        it("resolves exited with the exit code of a process that ends by itself", async () => {
            const proc = pods[2].spawn("short", "sh", ["-c", "echo to-log; echo to-err >&2; exit 3"]);
            assert.equal(await proc.exited, 3);
            assert.equal(proc.exitCode, 3);
            assert.match(proc.logs(), /to-log[\s\S]*to-err/);
        });
    });

    describe("destroy()", () => {
        it("kills pod processes and leaves no netns, link, /etc/netns dir or temp dir", async () => {
            const network = await PodNetwork.create({ id: newId("d") });
            try {
                const a = await network.addPod("pod-a", ["pod-a.svc"]);
                const b = await network.addPod("pod-b", ["pod-b.svc"]);
                const procs = [a.spawn("sleep", "sleep", ["300"]), b.spawn("sleep", "sleep", ["300"])];
                const stray = b.exec("sleep", ["300"], { timeoutMs: 60_000 }); // not tracked as a PodProcess
                assert.ok(fs.existsSync(`/etc/netns/${a.ns}/hosts`) && fs.existsSync(network.logDir));
                assert.ok(liveNetworks().includes(network));

                await network.destroy();

                assert.deepEqual(await Promise.all(procs.map((p) => p.exited)), [null, null]);
                assert.deepEqual(
                    procs.map((p) => p.signalCode),
                    ["SIGTERM", "SIGTERM"],
                );
                assert.ok(procs.every((p) => !isAlive(p.pid)));
                assert.equal((await stray).code, null, "stray process in the pod was killed");
                assertNothingLeft(`${network.prefix}-`);
                assert.ok(!fs.existsSync(`/etc/netns/${a.ns}`) && !fs.existsSync(network.logDir));
                assert.ok(!liveNetworks().includes(network));
                await network.destroy(); // idempotent
                await assert.rejects(network.addPod("pod-c", []), /destroyed/);
            } finally {
                await network.destroy();
            }
        });
    });

    describe("crash safety", () => {
        it("cleanupAllSync (the exit-handler cleanup) removes everything synchronously", async () => {
            const network = await PodNetwork.create({ id: newId("e"), keepLogs: true });
            const pod = await network.addPod("pod-a", ["pod-a.svc"]);
            await network.addPod("pod-b", ["pod-b.svc"]);
            const nats = startNats(natsServer, pod, network.logDir);
            await waitFor("nats /healthz", () => httpGetJson(`http://${pod.address}:8222/healthz`, 2000), POLL);

            cleanupAllSync();

            assert.equal(isAlive(nats.pid), false);
            assert.equal(network.destroyed, true);
            assert.deepEqual(liveNetworks(), []);
            assertNothingLeft(`${network.prefix}-`);
            await nats.exited;
            assert.equal(nats.signalCode, null, "nats-server got SIGTERM first and shut down by itself");
            assert.ok(nats.logs().includes("Server Exiting"), nats.logs()); // keepLogs kept the temp dir
            fs.rmSync(network.logDir, { recursive: true, force: true });
            await network.destroy(); // no-op afterwards
        });

        for (const [mode, sig] of [
            ["wait", "SIGINT"],
            ["wait", "SIGTERM"],
            ["exit", undefined],
            ["throw", undefined],
        ] as const) {
            it(`cleans up when the test process ${sig ? `gets ${sig}` : `ends by "${mode}"`}`, async () => {
                const id = newId("i");
                const f = await startFixture(id, mode);
                if (sig) {
                    assert.ok(isAlive(f.sleepPid));
                    assert.equal(listHarnessResources(`${HARNESS_PREFIX}-${id}-`).netns.length, 1);
                    f.child.kill(sig);
                }
                const result = await awaitExit(f);
                if (sig) {
                    assert.equal(result.signal, sig, "the signal is re-raised after cleanup");
                }
                await waitFor("sleep in the pod to die", async () => !isAlive(f.sleepPid), { timeoutMs: 5000, intervalMs: 50 });
                assertNothingLeft(`${HARNESS_PREFIX}-${id}-`);
            });
        }

        it("cleanupStale removes the leftovers of a SIGKILLed run but not live networks", async () => {
            const live = await PodNetwork.create({ id: newId("l") });
            try {
                await live.addPod("keep-0", ["keep-0.svc"]);
                const id = newId("k");
                const f = await startFixture(id, "wait");
                f.child.kill("SIGKILL");
                await awaitExit(f);
                const prefix = `${HARNESS_PREFIX}-${id}-`;
                assert.equal(listHarnessResources(prefix).netns.length, 1, "the crash left a netns behind");
                assert.ok(isAlive(f.sleepPid), "and a process in it");

                const removed = PodNetwork.cleanupStale(HARNESS_PREFIX);

                assert.ok(
                    removed.some((r) => r.includes(`${prefix}0`)),
                    removed.join(", "),
                );
                await waitFor("stale sleep to die", async () => !isAlive(f.sleepPid), { timeoutMs: 5000, intervalMs: 50 });
                assertNothingLeft(prefix);
                const kept = listHarnessResources(`${live.prefix}-`);
                assert.deepEqual(kept.netns, [live.pods()[0].ns], "a live network of this process is kept");
                assert.ok(kept.links.includes(live.bridge));
            } finally {
                await live.destroy();
            }
            assertNothingLeft(`${live.prefix}-`);
        });

        it("refuses bad ids and subnets outside 10.254.0.0/16", async () => {
            await assert.rejects(PodNetwork.create({ id: "too-long-id" }), /1-5 chars/);
            await assert.rejects(PodNetwork.create({ id: newId("s"), subnet: "192.168.1.0/24" }), /10\.254\.0\.0\/16/);
            assert.throws(() => PodNetwork.cleanupStale("eth"), /must start with "isbt"/);
            assert.deepEqual(liveNetworks(), []);
        });
    });

    after(() => {
        // the suite itself must not leak anything (networks of other processes are theirs)
        assert.deepEqual(liveNetworks(), []);
        assert.ok(createdIds.length > 0);
        for (const id of createdIds) {
            assert.deepEqual(listHarnessResources(`${HARNESS_PREFIX}-${id}-`), { netns: [], links: [], etcDirs: [] }, id);
            assert.equal(spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout.includes(`${HARNESS_PREFIX}-${id}-`), false);
        }
    });
});
