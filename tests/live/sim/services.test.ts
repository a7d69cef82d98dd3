/**
 * The bed's Services (`sim/pods/services.ts`), derived from the rendered Service objects: the
 * pure rules (endpoints, FindPort, DNS records, the nftables script), then live on the rendered
 * native Redis pods: the client Service is a cluster IP that reaches the Ready pods only, on the
 * `targetPort`; a deliberately broken copy of the rendered Service (Sentinel port pointing at the
 * wrong target port) makes the output-only Sentinel client fail; the headless Service publishes a
 * pod's records only while it exists; a recreated pod has a new address.
 *
 * Needs root, iproute2, nftables, redis-server, redis-sentinel, redis-cli (FAILS, never skips,
 * without them). Run:
 *   npx mocha --no-config --require ts-node/register/transpile-only --require tests/support/setup.ts \
 *     --timeout 300000 --exit tests/live/sim/services.test.ts
 */
import { strict as assert } from "node:assert";
import * as net from "node:net";
import Redis from "ioredis";
import { build, Built } from "../../../sim/runtime/build";
import { newId } from "../../../sim/pods/netns";
import { ChildResource } from "../../../sim/pods/pod-files";
import { RedisPods, sentinelClient, SentinelOutputs, splitHostPort } from "../../../sim/pods/redis-pods";
import {
    dnsRecords,
    endpointsOf,
    findPort,
    nftScript,
    PodStatus,
    ServiceSpec,
    servicesOf,
    usableEndpoints,
} from "../../../sim/pods/services";

const VERSION = "7.0.15";

function pod(name: string, o: Partial<PodStatus> = {}): PodStatus {
    return {
        name,
        namespace: "ns",
        labels: { app: "x" },
        hostname: name,
        subdomain: "hl",
        address: `10.0.0.${name.slice(-1)}`,
        ready: true,
        terminating: false,
        containerPorts: [
            { name: "sentinel", containerPort: 26379 },
            { name: "redis", containerPort: 6379 },
        ],
        ...o,
    };
}

function svc(o: Partial<ServiceSpec> = {}): ServiceSpec {
    return {
        name: "cs",
        namespace: "ns",
        headless: false,
        ports: [{ name: "s", port: 26379, targetPort: "sentinel", protocol: "TCP" }],
        selector: { app: "x" },
        publishNotReadyAddresses: false,
        ...o,
    };
}

describe("Services of the bed: the rules (services.ts)", () => {
    it("reads the rendered Service objects that select the pods, with defaults for targetPort and protocol", () => {
        const children = [
            {
                type: "kubernetes:core/v1:Service",
                inputs: { kind: "Service", metadata: { name: "a" }, spec: { selector: { app: "x" }, ports: [{ port: 80 }] } },
            },
            {
                type: "kubernetes:core/v1:Service",
                inputs: { kind: "Service", metadata: { name: "b" }, spec: { selector: { app: "y" }, ports: [{ port: 80 }] } },
            },
            {
                type: "kubernetes:core/v1:Service",
                inputs: {
                    kind: "Service",
                    metadata: { name: "c", namespace: "n" },
                    spec: { clusterIP: "None", selector: { app: "x" }, publishNotReadyAddresses: true },
                },
            },
        ] as unknown as ChildResource[];
        const got = servicesOf(children, { app: "x", other: "1" });
        assert.deepEqual(
            got.map((s) => [s.name, s.namespace, s.headless, s.publishNotReadyAddresses]),
            [
                ["a", "default", false, false],
                ["c", "n", true, true],
            ],
        );
        assert.deepEqual(got[0].ports, [{ port: 80, targetPort: 80, protocol: "TCP" }]);
    });

    it("FindPort: a number as is, a name as the container port of that name and protocol, else none", () => {
        const p = pod("p-0");
        assert.equal(findPort(p, { port: 1, targetPort: 7000, protocol: "TCP" }), 7000);
        assert.equal(findPort(p, { port: 1, targetPort: "sentinel", protocol: "TCP" }), 26379);
        assert.equal(findPort(p, { port: 1, targetPort: "sentinel", protocol: "UDP" }), undefined);
        assert.equal(findPort(p, { port: 1, targetPort: "nope", protocol: "TCP" }), undefined);
    });

    it("endpoints: ready = publishNotReadyAddresses || (Ready && !terminating); kube-proxy uses ready ones, else serving terminating ones", () => {
        const pods = [pod("p-1"), pod("p-2", { ready: false }), pod("p-3", { terminating: true }), pod("p-4", { address: undefined })];
        const s = svc();
        const eps = endpointsOf(s, s.ports[0], pods);
        assert.deepEqual(
            eps.map((e) => [e.pod, e.port, e.ready, e.serving, e.terminating]),
            [
                ["p-1", 26379, true, true, false],
                ["p-2", 26379, false, false, false],
                ["p-3", 26379, false, true, true],
            ],
        );
        assert.deepEqual(
            usableEndpoints(eps).map((e) => e.pod),
            ["p-1"],
        );
        assert.deepEqual(
            usableEndpoints(eps.filter((e) => e.pod !== "p-1")).map((e) => e.pod),
            ["p-3"],
            "fallback: serving terminating",
        );
        const pub = svc({ publishNotReadyAddresses: true });
        assert.deepEqual(
            endpointsOf(pub, pub.ports[0], pods).map((e) => e.ready),
            [true, true, true],
        );
    });

    it("DNS: a ClusterIP Service answers its cluster IP, a headless one its ready endpoints and their pod names", () => {
        const pods = [pod("p-1"), pod("p-2", { ready: false })];
        const records = dnsRecords([{ ...svc(), clusterIP: "10.253.0.1" }, svc({ name: "hl", headless: true })], pods, "cluster.local");
        const lookup = (n: string) => records.filter((r) => r.names.includes(n)).map((r) => r.address);
        assert.deepEqual(lookup("cs.ns.svc.cluster.local"), ["10.253.0.1"]);
        assert.deepEqual(lookup("hl.ns.svc"), ["10.0.0.1"], "the not-ready pod is not published");
        assert.deepEqual(lookup("p-1.hl.ns.svc.cluster.local"), ["10.0.0.1"]);
        assert.deepEqual(lookup("p-2.hl"), []);
        const published = dnsRecords([svc({ name: "hl", headless: true, publishNotReadyAddresses: true })], pods, "cluster.local");
        assert.deepEqual(
            published.filter((r) => r.names.includes("p-2.hl")).map((r) => r.address),
            ["10.0.0.2"],
        );
    });

    it("nftables: DNAT to each usable endpoint's targetPort, reject when there is none", () => {
        const s = { ...svc(), clusterIP: "10.253.0.1" };
        const script = nftScript("t", [s], [pod("p-1"), pod("p-2")]);
        assert.match(script, /ip daddr 10\.253\.0\.1 tcp dport 26379 goto service-0-tcp-26379/);
        assert.match(script, /numgen random mod 2 vmap/);
        assert.match(script, /dnat to 10\.0\.0\.1:26379/);
        assert.match(script, /dnat to 10\.0\.0\.2:26379/);
        const none = nftScript("t", [s], [pod("p-1", { ready: false })]);
        assert.match(none, /ip daddr 10\.253\.0\.1 tcp dport 26379 goto reject-chain/);
        assert.doesNotMatch(none, /dnat/);
    });
});

/** The rendered client Service (the one `sentinelUrl` names). */
function clientService(children: ChildResource[], outputs: SentinelOutputs): ChildResource {
    const name = splitHostPort(outputs.sentinelUrl).host.split(".")[0];
    const found = children.find((c) => c.inputs.kind === "Service" && c.inputs.metadata.name === name);
    if (!found) throw new Error(`no Service ${name}`);
    return found;
}

/** `children` with the client Service's Sentinel port given `targetPort` (a deep copy; the original is untouched). */
function withSentinelTarget(children: ChildResource[], outputs: SentinelOutputs, targetPort: number | string): ChildResource[] {
    const target = clientService(children, outputs);
    return children.map((c) => {
        if (c !== target) return c;
        const copy = JSON.parse(JSON.stringify(c.inputs));
        const port = copy.spec.ports.find((p: Record<string, any>) => p.port === 26379);
        port.targetPort = targetPort;
        return { ...c, inputs: copy };
    });
}

/** `INFO server`'s run_id of whatever answers at `host:port` (one connection, no retries). */
async function runIdAt(host: string, port: number, password: string): Promise<string> {
    const client = new Redis({
        host,
        port,
        password,
        lazyConnect: true,
        connectTimeout: 2000,
        commandTimeout: 3000,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        enableReadyCheck: false,
    });
    client.on("error", () => undefined);
    try {
        await client.connect();
        const info = String(await client.call("INFO", "server"));
        const m = /run_id:(\w+)/.exec(info);
        if (!m) throw new Error(`no run_id in ${info}`);
        return m[1];
    } finally {
        client.disconnect();
    }
}

/** The error a TCP connect to `host:port` ends with (undefined when it connects) within `timeoutMs`. */
function connectError(host: string, port: number, timeoutMs = 2000): Promise<string | undefined> {
    return new Promise((resolve) => {
        const socket = net.connect({ host, port });
        const timer = setTimeout(() => {
            socket.destroy();
            resolve("timeout");
        }, timeoutMs);
        socket.once("connect", () => {
            clearTimeout(timer);
            socket.destroy();
            resolve(undefined);
        });
        socket.once("error", (e: NodeJS.ErrnoException) => {
            clearTimeout(timer);
            resolve(e.code ?? e.message);
        });
    });
}

/** Writes and reads a key with a Sentinel client built from the outputs only (no Sentinel retries). */
async function roundTrip(pods: RedisPods, outputs: SentinelOutputs, key: string): Promise<string | null> {
    const client = sentinelClient(pods, outputs, { extra: { sentinelRetryStrategy: () => null } });
    try {
        await client.connect();
        await client.set(key, "v");
        return await client.get(key);
    } finally {
        client.disconnect();
    }
}

describe("Services of the bed: live on the rendered Redis pods", function () {
    this.timeout(300_000);
    let built: Built;
    let pods: RedisPods;
    let outputs: SentinelOutputs;
    let vip: string;
    const SAMPLES = 40;

    before(async () => {
        built = await build("sv", { namespace: "live", redis: { native: { version: VERSION } } });
        outputs = built.outputs;
        pods = await RedisPods.start(built.children, { id: newId("sv") });
        vip = pods.clusterIP(clientService(built.children, outputs).inputs.metadata.name);
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") pods?.dumpLogs();
    });

    after(async () => {
        await pods?.destroy();
    });

    /** Which pods' Sentinels answer `SAMPLES` fresh connections to the cluster IP. */
    async function sentinelsBehindVip(): Promise<Set<string>> {
        const byRunId = new Map<string, string>();
        for (const p of pods.podNames()) {
            if (pods.running(p, "sentinel")) byRunId.set(await runIdAt(pods.address(p), 26379, outputs.password), p);
        }
        const seen = new Set<string>();
        for (let i = 0; i < SAMPLES; i++) seen.add(byRunId.get(await runIdAt(vip, 26379, outputs.password)) ?? "unknown");
        return seen;
    }

    it("the client Service's name is a cluster IP of the Service range, not a pod address", () => {
        const host = splitHostPort(outputs.sentinelUrl).host;
        assert.deepEqual(pods.resolveAll(host), [vip]);
        assert.ok(vip.startsWith("10.253."), vip);
        assert.ok(!pods.podNames().some((p) => pods.address(p) === vip));
    });

    it("forwards to every Ready pod, and only to Ready pods: a pod whose Sentinel died is left out until Ready again", async () => {
        assert.deepEqual([...(await sentinelsBehindVip())].sort(), pods.podNames());
        const [, , p2] = pods.podNames();
        await pods.killContainer(p2, "sentinel");
        assert.equal(pods.isReady(p2), false);
        const without = await sentinelsBehindVip();
        assert.deepEqual(
            [...without].sort(),
            pods.podNames().filter((p) => p !== p2),
            "every connection reached a Ready pod",
        );
        pods.startContainer(p2, "sentinel");
        await pods.waitReady(p2);
        assert.deepEqual([...(await sentinelsBehindVip())].sort(), pods.podNames());
    });

    it("refuses connections to the cluster IP while no pod is Ready", async () => {
        for (const p of pods.podNames()) await pods.setReady(p, false);
        try {
            assert.equal(await connectError(vip, 26379), "ECONNREFUSED");
        } finally {
            for (const p of pods.podNames()) await pods.setReady(p, true);
        }
        assert.equal(await connectError(vip, 26379), undefined);
    });

    it("maps port to targetPort: the Service's 6379 reaches redis, 26379 Sentinel, a named targetPort resolves through the container ports", async () => {
        const redisIds = new Set(await Promise.all(pods.podNames().map((p) => runIdAt(pods.address(p), 6379, outputs.password))));
        const sentinelIds = new Set(await Promise.all(pods.podNames().map((p) => runIdAt(pods.address(p), 26379, outputs.password))));
        assert.ok(redisIds.has(await runIdAt(vip, 6379, outputs.password)));
        assert.ok(sentinelIds.has(await runIdAt(vip, 26379, outputs.password)));
        try {
            await pods.applyServices(withSentinelTarget(built.children, outputs, "sentinel"));
            assert.ok(sentinelIds.has(await runIdAt(vip, 26379, outputs.password)), "targetPort: sentinel (named)");
            await pods.applyServices(withSentinelTarget(built.children, outputs, "no-such-port"));
            assert.equal(await connectError(vip, 26379), "ECONNREFUSED", "a name no container port has: no endpoints");
        } finally {
            await pods.applyServices(built.children);
        }
    });

    it("mutant: the rendered client Service with its Sentinel port on the wrong targetPort makes the output-only client fail; the rendered one works", async () => {
        assert.equal(await roundTrip(pods, outputs, "through-the-service"), "v", "the rendered Service");
        for (const wrong of [6379, 26380]) {
            try {
                await pods.applyServices(withSentinelTarget(built.children, outputs, wrong));
                await assert.rejects(roundTrip(pods, outputs, "broken"), `targetPort ${wrong}: the client must fail`);
            } finally {
                await pods.applyServices(built.children);
            }
        }
        assert.equal(await roundTrip(pods, outputs, "restored"), "v");
    });

    it("publishes a pod's headless records only while it exists; the recreated pod has a new address, the old one is dead", async () => {
        const [p0, , p2] = pods.podNames();
        const fqdn = pods.fqdn(p2);
        const headless = fqdn.split(".").slice(1).join(".");
        const old = pods.address(p2);
        assert.deepEqual(pods.resolveAll(fqdn), [old]);
        const inPod = async (name: string) => (await pods.exec(p0, "redis", ["getent", "hosts", name])).stdout.trim().split(/\s+/)[0] ?? "";
        assert.equal(await inPod(fqdn), old, "pod 0 resolves pod 2");
        await pods.deletePod(p2);
        assert.deepEqual(pods.resolveAll(fqdn), [], "no record after the deletion");
        assert.equal(await inPod(fqdn), "", "pod 0 no longer resolves pod 2");
        assert.equal(pods.resolveAll(headless).length, 2, "the headless Service answers the two pods left");
        await pods.createPod(p2);
        const fresh = pods.address(p2);
        assert.notEqual(fresh, old, "a recreated pod has a new address");
        assert.deepEqual(pods.resolveAll(fqdn), [fresh]);
        assert.equal(await inPod(fqdn), fresh);
        assert.equal(pods.resolveAll(headless).length, 3);
        assert.notEqual(await connectError(old, 6379, 2000), undefined, "nothing answers at the old address");
        assert.equal(await connectError(fresh, 6379), undefined);
        assert.equal(await roundTrip(pods, outputs, "after-recreation"), "v");
    });
});
