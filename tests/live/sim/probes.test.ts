/**
 * Live tests of the kubelet-like probes (sim/pods/probes.ts): the schedule and threshold rules on
 * a real process with real exec probes, then the rendered probes in the Redis and JetStream beds:
 * a hung redis-server is restarted by its liveness probe (preStop first) and the set recovers; a
 * hung nats-server makes its pod unready, and ready again once it answers.
 *
 * Needs root, iproute2, redis-server, redis-sentinel and nats-server (FAILS, never skips, without
 * them). Run:
 *   npx mocha --no-config --require ts-node/register/transpile-only --require tests/support/setup.ts \
 *     --timeout 180000 --exit tests/live/sim/probes.test.ts
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../../sim/runtime/build";
import { newId, PodNetwork } from "../../../sim/pods/netns";
import { Pod, PodProcess } from "../../../sim/pods/pod";
import { ContainerProbes, KillReport, probeTiming, ResultRun, runProbeHandler } from "../../../sim/pods/probes";
import { RedisPods, roleOf, sentinelClient, writeAcked } from "../../../sim/pods/redis-pods";
import { JetStreamPods } from "../../../sim/pods/jetstream-pods";
import { waitFor } from "../../../sim/pods/wait";

/**
 * An exec probe that fails its first `failures` runs and passes after, counting runs in `file`
 * (a real command run in the pod, as the kubelet's exec prober runs one).
 */
function countingProbe(file: string, failures: number, timing: Record<string, number>): Record<string, unknown> {
    const script = `n=$(cat ${file} 2>/dev/null || echo 0); echo $((n + 1)) > ${file}; [ "$n" -ge ${failures} ]`;
    return { exec: { command: ["sh", "-c", script] }, ...timing };
}

describe("kubelet probes: schedule and thresholds (probes.ts)", function () {
    this.timeout(120_000);
    let network: PodNetwork;
    let pod: Pod;
    let dir: string;
    const running: ContainerProbes[] = [];

    before(async () => {
        network = await PodNetwork.create({ id: newId("pb") });
        pod = await network.addPod("probe-0", ["probe-0"]);
        dir = fs.mkdtempSync(path.join(network.logDir, "probes-"));
    });

    afterEach(() => running.splice(0).forEach((p) => p.stop()));

    after(async () => {
        await network?.destroy();
    });

    /** A "container" (a sleeping process in the pod) with `spec`'s probes; kills record what they did. */
    function container(name: string, spec: Record<string, any>) {
        let proc: PodProcess = pod.spawn(name, "sleep", ["600"]);
        const kills: { preStopRanBeforeSigterm: boolean; graceMs: number }[] = [];
        const probes = new ContainerProbes(
            {
                label: `probe-0/${name}`,
                spec,
                current: () => proc,
                attempt: (handler) =>
                    runProbeHandler(handler, {
                        address: pod.address,
                        container: spec,
                        exec: (argv, timeoutMs) => pod.exec(argv[0], argv.slice(1), { timeoutMs }),
                    }),
                start: () => {
                    proc = pod.spawn(name, "sleep", ["600"]);
                },
                kill: async (_kind, graceMs): Promise<KillReport> => {
                    // killContainer: the preStop hook first, then SIGTERM within the grace period.
                    const marker = path.join(dir, `${name}.prestop`);
                    const hook = await pod.exec("sh", ["-c", `echo ran > ${marker}`]);
                    const preStopRanBeforeSigterm = fs.existsSync(marker) && proc.running;
                    const old = proc;
                    await old.stop("SIGTERM", graceMs);
                    kills.push({ preStopRanBeforeSigterm, graceMs });
                    return { preStop: { code: hook.code, output: "" }, exitCode: old.exitCode, signal: old.signalCode };
                },
            },
            30_000,
            () => undefined,
        );
        running.push(probes);
        probes.start();
        return { probes, kills, current: () => proc };
    }

    it("applies the API defaults (SetDefaults_Probe) and counts equal results in a row (worker.go doProbe)", () => {
        assert.deepEqual(probeTiming({}), {
            initialDelayMs: 0,
            periodMs: 10_000,
            timeoutMs: 1000,
            successThreshold: 1,
            failureThreshold: 3,
        });
        const run = new ResultRun({ successThreshold: 2, failureThreshold: 3 });
        assert.deepEqual(
            [false, false, true, false, false, false, false, true, true].map((r) => run.add(r)),
            [undefined, undefined, undefined, undefined, undefined, false, false, undefined, true],
        );
    });

    it("a liveness probe that fails failureThreshold-1 times in a row restarts nothing", async () => {
        const file = path.join(dir, "below");
        const c = container("below", { livenessProbe: countingProbe(file, 2, { periodSeconds: 1, failureThreshold: 3 }) });
        const pid = c.current().pid;
        await waitFor("4 passing liveness runs", async () => c.probes.events().filter((e) => e.what === "pass").length >= 4, {
            timeoutMs: 30_000,
            intervalMs: 200,
        });
        const runs = c.probes.events().filter((e) => e.kind === "liveness" && (e.what === "pass" || e.what === "fail"));
        assert.deepEqual(
            runs.slice(0, 3).map((e) => e.what),
            ["fail", "fail", "pass"],
        );
        assert.equal(c.probes.restartCount, 0);
        assert.equal(c.current().pid, pid, "the same process");
        assert.ok(c.current().running);
    });

    it("failureThreshold failures in a row restart the container: preStop, then SIGTERM; the new one is probed afresh", async () => {
        const file = path.join(dir, "at");
        const c = container("at", {
            livenessProbe: countingProbe(file, 3, { periodSeconds: 1, failureThreshold: 3, terminationGracePeriodSeconds: 7 }),
        });
        const first = c.current();
        await waitFor("a restart", async () => c.probes.restartCount === 1 && c.probes.restarts()[0], {
            timeoutMs: 30_000,
            intervalMs: 200,
        });
        const [r] = c.probes.restarts();
        assert.equal(r.kind, "liveness");
        assert.equal(r.oldPid, first.pid);
        assert.equal(r.newPid, c.current().pid);
        assert.notEqual(r.newPid, first.pid);
        assert.equal(r.signal, "SIGTERM", "sleep ends on SIGTERM within the grace period");
        assert.deepEqual(c.kills, [{ preStopRanBeforeSigterm: true, graceMs: 7000 }], "the probe's own terminationGracePeriodSeconds");
        const failsBefore = c.probes.events().filter((e) => e.pid === first.pid && e.what === "fail").length;
        assert.equal(failsBefore, 3, "exactly failureThreshold failures, then the worker is on hold");
        // The new container passes (the counter is past 3): the worker probes it from scratch, no second restart.
        await waitFor("the new container to pass", async () => c.probes.events().some((e) => e.pid === r.newPid && e.what === "pass"), {
            timeoutMs: 30_000,
            intervalMs: 200,
        });
        assert.equal(c.probes.restartCount, 1);
    });

    it("readiness and liveness wait for the startup probe; none runs before initialDelaySeconds", async () => {
        const c = container("gated", {
            startupProbe: countingProbe(path.join(dir, "startup"), 3, { periodSeconds: 1, failureThreshold: 10 }),
            readinessProbe: countingProbe(path.join(dir, "readiness"), 1, { periodSeconds: 1, initialDelaySeconds: 2 }),
            livenessProbe: countingProbe(path.join(dir, "liveness"), 0, { periodSeconds: 1 }),
        });
        const startedAt = c.current().startedAt;
        assert.equal(c.probes.ready, false);
        await waitFor("ready", async () => c.probes.ready, { timeoutMs: 30_000, intervalMs: 100 });
        const events = c.probes.events();
        const started = events.findIndex((e) => e.kind === "startup" && e.what === "recorded-success");
        assert.ok(started >= 0, "the startup probe passed");
        assert.deepEqual(
            events.slice(0, started).map((e) => `${e.kind}:${e.what}`),
            ["startup:fail", "startup:fail", "startup:fail", "startup:pass"],
            "only the startup probe runs until it passed",
        );
        const readiness = events.filter((e) => e.kind === "readiness" && (e.what === "pass" || e.what === "fail"));
        assert.deepEqual(
            readiness.slice(0, 2).map((e) => e.what),
            ["fail", "pass"],
            "ready only after its readiness probe passed",
        );
        assert.ok(readiness[0].at - startedAt >= 2000, "no readiness run before initialDelaySeconds");
        assert.equal(c.probes.restartCount, 0, "startup failures below failureThreshold restart nothing");
    });

    it("a startup probe that fails failureThreshold times restarts the container", async () => {
        const c = container("nostart", {
            startupProbe: countingProbe(path.join(dir, "nostart"), 2, { periodSeconds: 1, failureThreshold: 2 }),
            readinessProbe: countingProbe(path.join(dir, "nostart-ready"), 0, { periodSeconds: 1 }),
        });
        await waitFor("a restart", async () => c.probes.restartCount === 1, { timeoutMs: 30_000, intervalMs: 200 });
        assert.equal(c.probes.restarts()[0].kind, "startup");
        assert.ok(
            c.probes.events().every((e) => e.kind !== "readiness" || e.pid !== c.probes.restarts()[0].oldPid),
            "the container that never started got no readiness run",
        );
        await waitFor("the new container ready", async () => c.probes.ready, { timeoutMs: 30_000, intervalMs: 200 });
    });
});

describe("kubelet probes in the Redis bed: a hung redis-server is restarted by its liveness probe", function () {
    this.timeout(400_000);
    let pods: RedisPods;
    let built: Awaited<ReturnType<typeof build>>;
    const changes: string[] = [];

    before(async () => {
        built = await build("pr", { namespace: "live", redis: { native: { version: "7.0.15" } } });
        pods = await RedisPods.start(built.children, { id: newId("pr") });
        pods.onReadyChange((p, ready) => changes.push(`${p}:${ready}`));
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") pods?.dumpLogs();
    });

    after(async () => {
        await pods?.destroy();
    });

    it("every pod is Ready by its probes once started", () => {
        for (const p of pods.podNames()) assert.ok(pods.isReady(p), `${p} Ready`);
    });

    it("SIGSTOP of a replica's redis-server: unready, restarted after failureThreshold liveness failures (preStop run), the set recovers", async () => {
        const outputs = built.outputs;
        const replica = (await Promise.all(pods.podNames().map(async (p) => [p, (await roleOf(pods, p, outputs)).role] as const))).find(
            ([, r]) => r === "slave",
        )![0];
        const hung = pods.process(replica, "redis")!;
        const spec = pods.describe(replica, "redis").container.livenessProbe;
        process.kill(hung.pid, "SIGSTOP"); // hung: the kernel accepts connections, nothing answers
        try {
            await waitFor(`${replica} unready`, async () => !pods.isReady(replica), { timeoutMs: 120_000, intervalMs: 250 });
            const restarted = await waitFor(
                `${replica}/redis restarted by its liveness probe`,
                async () => pods.probes(replica).container("redis").restarts()[0],
                { timeoutMs: 240_000, intervalMs: 500 },
            );
            const fails = pods
                .probes(replica)
                .container("redis")
                .events()
                .filter((e) => e.pid === hung.pid && e.kind === "liveness" && e.what === "fail");
            assert.equal(fails.length, spec.failureThreshold, "restarted at exactly failureThreshold failures");
            assert.equal(restarted.oldPid, hung.pid);
            assert.equal(restarted.preStop?.code, 0, `preStop ran: ${restarted.preStop?.output}`);
            assert.equal(restarted.signal, "SIGKILL", "a stopped process ignores SIGTERM until the grace period runs out");
            assert.equal(restarted.graceMs, pods.terminationGraceMs);
            assert.ok(pods.process(replica, "redis")!.pid !== hung.pid);
        } finally {
            if (hung.running) process.kill(hung.pid, "SIGCONT");
        }
        await pods.waitReady(replica, 120_000);
        assert.deepEqual(
            changes.filter((c) => c.startsWith(replica)),
            [`${replica}:false`, `${replica}:true`],
            "onReadyChange: unready while hung, ready after the restart",
        );
        assert.equal((await roleOf(pods, replica, outputs)).role, "slave");
        const client = sentinelClient(pods, outputs);
        try {
            await client.connect();
            const report = await writeAcked(client, ["after-restart"], { value: () => "v" });
            assert.deepEqual(report.acked, ["after-restart"]);
        } finally {
            client.disconnect();
        }
    });
});

describe("kubelet probes in the JetStream bed: a pod whose /healthz fails becomes unready", function () {
    this.timeout(300_000);
    let cluster: JetStreamPods;

    before(async () => {
        const built = await build("pj", { namespace: "live", jetstream: { version: "2.9.15", replicas: 1 } });
        cluster = await JetStreamPods.start(built.children, { id: newId("pj") });
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") cluster?.dumpLogs();
    });

    after(async () => {
        await cluster?.destroy();
    });

    it("Ready by its httpGet probes; unready after failureThreshold failed /healthz; ready again when it answers", async () => {
        const pod = cluster.podNames()[0];
        await cluster.waitReady(pod);
        const changes: boolean[] = [];
        const off = cluster.onReadyChange((p, ready) => p === pod && changes.push(ready));
        const nats = cluster.process(pod)!;
        const readiness = cluster.describe(pod).container.readinessProbe;
        process.kill(nats.pid, "SIGSTOP");
        try {
            await waitFor(`${pod} unready`, async () => !cluster.isReady(pod), { timeoutMs: 120_000, intervalMs: 250 });
            const probes = cluster.probes(pod).container("nats");
            const runs = probes.events().filter((e) => e.kind === "readiness" && (e.what === "pass" || e.what === "fail"));
            const tail = runs.slice(-readiness.failureThreshold).map((e) => e.what);
            assert.deepEqual(tail, Array(readiness.failureThreshold).fill("fail"), "unready at failureThreshold failures in a row");
            assert.equal(probes.restartCount, 0, "liveness (3 x 30 s) has not run out yet");
        } finally {
            process.kill(nats.pid, "SIGCONT");
        }
        await waitFor(`${pod} ready again`, async () => cluster.isReady(pod), { timeoutMs: 60_000, intervalMs: 250 });
        off();
        assert.deepEqual(changes, [false, true]);
        assert.equal(cluster.process(pod)!.pid, nats.pid, "the same process: readiness never restarts");
    });
});
