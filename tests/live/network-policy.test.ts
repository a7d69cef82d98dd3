/**
 * Live proof of issue 13, item 1: the NetworkPolicy the component renders, applied as a cluster's
 * network plugin would (sim/pods/network-policy.ts: nftables rules generated from the rendered
 * policy in every pod's network namespace, from the pods' labels and namespaces), lets clients and
 * the service's own traffic through and drops the rest:
 * - JetStream (3 pods, TLS; default clients = the namespace, metrics from monitoring/prometheus):
 *   the cluster forms through the rules (route traffic counted on the 6222 rule), a pod of the
 *   namespace publishes and consumes over TLS, a pod of another namespace is dropped on 4222, nobody
 *   but the ISB pods reaches 6222, 7777 only from the metrics selector, the unauthenticated
 *   monitoring port 8222 only from the Numaflow UI server's pods (the default `monitorSelectors`)
 *   and from the node (probes), not from Prometheus or the namespace's own pods;
 * - native Redis with Sentinel (clients selected across namespaces by label): replication and
 *   Sentinel work between the pods through the rules, also through a failover (the master's node
 *   dies, the Sentinels promote a replica, the old master rejoins), a selected pod writes through
 *   Sentinel with a replica acknowledging, unselected pods (also of the service's own namespace) are dropped on 6379
 *   and 26379, the exporter port 9121 is open to every namespace by default.
 * Traffic from the node (the harness bridge: probes, the test's own monitoring reads) is admitted,
 * as Kubernetes admits traffic from the pod's node.
 *
 * "reached" below means the SYN got into the pod: the connection opened, or the pod's kernel
 * answered with a reset because nothing listens there (the metrics exporters are not run in the
 * bed); "dropped" means no answer at all (the rules dropped it, counted by the drop counter).
 *
 * Needs root, iproute2, nft (nftables), nats-server, redis-server, redis-sentinel, redis-cli (FAILS,
 * never skips, without them). Run:
 *   npx mocha --no-config --require ts-node/register/transpile-only --require tests/support/setup.ts \
 *     --timeout 600000 --exit tests/live/network-policy.test.ts
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { build, Built } from "../../sim/runtime/build";
import { newId, PodNetwork } from "../../sim/pods/netns";
import { Pod } from "../../sim/pods/pod";
import { clientOptions, JetStreamPods } from "../../sim/pods/jetstream-pods";
import { RedisPods, roleOf, SentinelOutputs, sentinelView, splitHostPort } from "../../sim/pods/redis-pods";
import { waitFor } from "../../sim/pods/wait";
import { DROPPED, NetworkPolicyEnforcer, PodIdentity, requireNft } from "../../sim/pods/network-policy";

const ROOT = path.join(__dirname, "..", "..");
const CLIENT = path.join(ROOT, "sim", "pods", "netns-client.ts");
/** Namespace labels beyond `kubernetes.io/metadata.name`. */
const NAMESPACES = { apps: { team: "data" }, monitoring: { purpose: "monitoring" } };

type Reach = "reached" | "dropped";
/** Bound on a failover step (Sentinel's down-after-milliseconds is 10 s by default). */
const RECOVERY = { timeoutMs: 180_000, intervalMs: 500 };

/** Whether a TCP connection from `pod` to `address:port` gets into the target pod (see the header). */
async function reach(pod: Pod, address: string, port: number): Promise<Reach> {
    const r = await pod.exec("timeout", ["8", "bash", "-c", `exec 3<>/dev/tcp/${address}/${port}`], { timeoutMs: 30_000 });
    if (r.code === 0 || /Connection refused/.test(r.stderr)) return "reached";
    if (r.code === 124) return "dropped";
    throw new Error(`probe ${pod.name} → ${address}:${port}: exit ${r.code}: ${r.stderr}`);
}

/** Runs sim/pods/netns-client.ts in `pod` with `req`; returns its JSON answer (`error` on failure). */
async function clientIn(pod: Pod, req: unknown): Promise<Record<string, any>> {
    const r = await pod.exec(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), CLIENT, JSON.stringify(req)], {
        timeoutMs: 120_000,
        env: { TS_NODE_PROJECT: path.join(ROOT, "tsconfig.test.json") },
    });
    const last = r.stdout.trim().split("\n").at(-1) ?? "";
    try {
        return JSON.parse(last);
    } catch {
        throw new Error(`client in ${pod.name} printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
    }
}

/** A bed's hook that registers each ISB pod with the enforcer (created at the first pod) before its containers start. */
function enforcing(b: Built, holder: { enforcer?: NetworkPolicyEnforcer }) {
    const isb: PodIdentity = NetworkPolicyEnforcer.fromStatefulSet(b.children);
    return async (_name: string, pod: Pod, network: PodNetwork) => {
        holder.enforcer ??= new NetworkPolicyEnforcer(NetworkPolicyEnforcer.policiesOf(b.children), {
            node: network.gateway,
            dir: network.logDir,
            namespaces: NAMESPACES,
        });
        await holder.enforcer.addPod(pod, isb);
    };
}

/** Adds a client pod `<namespace>/<name>` with `labels` to the bed's network and to the enforcer. */
async function clientPod(
    network: PodNetwork,
    e: NetworkPolicyEnforcer,
    namespace: string,
    name: string,
    labels: Record<string, string>,
): Promise<Pod> {
    const pod = await network.addPod(`${name}.${namespace}`, []);
    await e.addPod(pod, { namespace, labels });
    return pod;
}

describe("NetworkPolicy, applied as nftables rules in the pods' network namespaces", function () {
    this.timeout(600_000);

    before(() => {
        // Fail, never skip, without nftables.
        requireNft();
    });

    describe("JetStream: 3 pods with TLS, default clients, metrics from monitoring/prometheus, default 8222 readers", () => {
        let b: Built;
        let bed: JetStreamPods;
        const holder: { enforcer?: NetworkPolicyEnforcer } = {};
        let app: Pod, other: Pod, prometheus: Pod, grafana: Pod, ux: Pod, fakeUx: Pod;
        let startCounters: Record<string, number>[];
        const e = () => holder.enforcer!;

        before(async () => {
            b = await build("np", {
                namespace: "pipelines",
                jetstream: { version: "2.10.29", replicas: 3, tls: true },
                networkPolicy: {
                    metricsSelectors: [
                        {
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
                            podSelector: { matchLabels: { app: "prometheus" } },
                        },
                    ],
                },
            });
            bed = await JetStreamPods.start(b.children, { id: newId("npj"), onPodCreated: enforcing(b, holder) });
            // Before client pods are added: adding a pod a policy selects reloads the ISB pods' rules (and counters).
            startCounters = await Promise.all(bed.podNames().map((p) => e().counters(p)));
            app = await clientPod(bed.network, e(), "pipelines", "app", { app: "pipeline" });
            other = await clientPod(bed.network, e(), "other", "app", { app: "pipeline" });
            prometheus = await clientPod(bed.network, e(), "monitoring", "prometheus", { app: "prometheus" });
            grafana = await clientPod(bed.network, e(), "monitoring", "grafana", { app: "grafana" });
            // The Numaflow UI server (labels of numaproj/numaflow config/base/numaflow-server), and a pod
            // with only one of its two labels.
            ux = await clientPod(bed.network, e(), "numaflow-system", "ux", {
                "app.kubernetes.io/name": "numaflow-ux",
                "app.kubernetes.io/part-of": "numaflow",
            });
            fakeUx = await clientPod(bed.network, e(), "numaflow-system", "fake-ux", { "app.kubernetes.io/name": "numaflow-ux" });
        });

        after(async () => {
            await bed?.destroy();
        });

        it("loads the rules into every ISB pod before its server starts, and none into the client pods", async () => {
            for (const p of bed.podNames()) {
                const listed = await e().listed(p);
                assert.match(listed, /policy drop/);
                assert.match(listed, /tcp dport 6222/);
            }
            for (const c of [app, other, prometheus, grafana, ux, fakeUx]) assert.equal(await e().listed(c.name), "");
        });

        it("forms the cluster through the rules: the route connections were admitted by the 6222 rule", async () => {
            for (const p of bed.podNames()) {
                const routes = (await bed.monitor<{ num_routes: number }>(p, "/routez")).num_routes;
                assert.equal(routes, 2, `${p} has ${routes} routes`);
            }
            // Each of the 3 route connections opened at its target through the 6222 rule (at least its SYN).
            const on6222 = startCounters.map((c) => c[Object.keys(c).find((k) => k.endsWith("ingress[1] tcp/6222"))!]);
            assert.ok(
                on6222.reduce((a, n) => a + n, 0) >= 3,
                `packets admitted on 6222 per pod: ${on6222.join(", ")}; ${JSON.stringify(startCounters)}`,
            );
            assert.ok(
                startCounters.every((c) => c["dropped by policy"] === 0),
                `the policy dropped traffic of the cluster: ${JSON.stringify(startCounters)}`,
            );
            const meta = await bed.jsz(bed.podNames()[0]);
            assert.ok(meta.meta_cluster?.leader, "no meta leader");
        });

        it("lets a pod of the namespace publish and consume over TLS (stream with 3 replicas)", async () => {
            const options = clientOptions(b.outputs, (h) => bed.resolveAll(h));
            const r = await clientIn(app, { kind: "nats", options, stream: "np", replicas: 3, count: 20 });
            assert.deepEqual(
                { published: r.published, read: r.read, replicas: r.replicas },
                { published: 20, read: 20, replicas: 3 },
                JSON.stringify(r),
            );
        });

        it("drops a pod of another namespace on the client port (the client cannot connect)", async () => {
            const options = clientOptions(b.outputs, (h) => bed.resolveAll(h), { extra: { timeout: 4000 } });
            const r = await clientIn(other, { kind: "nats", options, stream: "np2", replicas: 1, count: 1 });
            assert.ok(r.error, `the client of namespace other connected: ${JSON.stringify(r)}`);
            assert.equal(await reach(other, bed.address(bed.podNames()[0]), 4222), "dropped");
        });

        it("admits 6222 only from ISB pods, 7777 only from the metrics selector, 8222 only from the Numaflow UI server and the node", async () => {
            const [p0, p1] = bed.podNames();
            const a1 = bed.address(p1);
            const isb0 = bed.network.pod(p0)!;
            const before = (await e().counters(p1))[DROPPED];
            const matrix: [Pod, number, Reach][] = [
                [isb0, 6222, "reached"],
                [app, 6222, "dropped"],
                [prometheus, 6222, "dropped"],
                [other, 6222, "dropped"],
                [prometheus, 7777, "reached"],
                [prometheus, 8222, "dropped"],
                [prometheus, 4222, "dropped"],
                [grafana, 7777, "dropped"],
                [grafana, 8222, "dropped"],
                [app, 7777, "dropped"],
                [app, 8222, "dropped"],
                [app, 4222, "reached"],
                [ux, 8222, "reached"],
                [ux, 7777, "dropped"],
                [ux, 4222, "dropped"],
                [ux, 6222, "dropped"],
                [fakeUx, 8222, "dropped"],
                [other, 8222, "dropped"],
            ];
            // One probe at a time: a drop is told by an 8 s timeout, which parallel probes on a
            // loaded machine can also hit for an admitted connection.
            const got: Reach[] = [];
            for (const [from, port] of matrix) got.push(await reach(from, a1, port));
            assert.deepEqual(
                matrix.map(([from, port], i) => `${from.name} → ${port}: ${got[i]}`),
                matrix.map(([from, port, want]) => `${from.name} → ${port}: ${want}`),
            );
            assert.ok((await e().counters(p1))[DROPPED] > before, "the drop counter did not move");
            const http = `exec 3<>/dev/tcp/${a1}/8222; printf 'GET /varz HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3`;
            const varz = await ux.exec("timeout", ["8", "bash", "-c", http]);
            assert.match(varz.stdout, /"server_name"/, `the UI server could not read the monitoring endpoint: ${varz.stderr}`);
            // The node (kubelet probes, here the harness) reads it too.
            assert.match(JSON.stringify(await bed.monitor(p1, "/varz")), /"server_name"/);
        });
    });

    describe("Redis with Sentinel: clients selected across namespaces by label, default metrics", () => {
        let b: Built;
        let bed: RedisPods;
        const holder: { enforcer?: NetworkPolicyEnforcer } = {};
        let worker: Pod, unlabelled: Pod, sameNamespace: Pod, prometheus: Pod;
        let startCounters: Record<string, number>[];
        const e = () => holder.enforcer!;

        before(async () => {
            b = await build("npr", {
                namespace: "pipelines",
                redis: { native: { version: "7.0.15", replicas: 3 } },
                networkPolicy: {
                    clientSelectors: [
                        {
                            namespaceSelector: { matchLabels: { team: "data" } },
                            podSelector: { matchExpressions: [{ key: "isb-client", operator: "Exists" }] },
                        },
                    ],
                },
            });
            bed = await RedisPods.start(b.children, { id: newId("npr"), onPodCreated: enforcing(b, holder) });
            startCounters = await Promise.all(bed.podNames().map((p) => e().counters(p)));
            worker = await clientPod(bed.network, e(), "apps", "worker", { "isb-client": "true" });
            unlabelled = await clientPod(bed.network, e(), "apps", "other", {});
            sameNamespace = await clientPod(bed.network, e(), "pipelines", "app", { "isb-client": "true" });
            prometheus = await clientPod(bed.network, e(), "monitoring", "prometheus", { app: "prometheus" });
        });

        after(async () => {
            await bed?.destroy();
        });

        it("replicates and runs Sentinel between the pods through the rules (own-pods rule counted on 6379 and 26379)", async () => {
            for (const [i, p] of bed.podNames().entries()) {
                const v = await sentinelView(bed, p, b.outputs as any);
                assert.equal(v.fields["num-slaves"], "2", `${p}: ${JSON.stringify(v.fields)}`);
                assert.equal(v.fields["num-other-sentinels"], "2", `${p}: ${JSON.stringify(v.fields)}`);
                // Counted until the first client pod was added (pod i's rules were last reloaded when pod 2 was created).
                const counted = startCounters[i];
                assert.equal(counted["dropped by policy"], 0, `${p}: the policy dropped traffic of the set: ${JSON.stringify(counted)}`);
                for (const port of [6379, 26379]) {
                    const key = Object.keys(counted).find((k) => k.endsWith(`ingress[1] tcp/${port}`))!;
                    assert.ok(counted[key] > 0, `${p}: nothing counted from the set's pods on ${port}: ${JSON.stringify(counted)}`);
                }
            }
        });

        /** A netns-client request writing `key` through Sentinel with the outputs only (pod DNS names mapped to addresses). */
        function redisRequest(key: string): Record<string, unknown> {
            const { host, port } = splitHostPort(b.outputs.sentinelUrl);
            const natMap: Record<string, { host: string; port: number }> = {};
            for (const p of bed.podNames()) {
                for (const h of bed.describe(p, "redis").hostnames) natMap[`${h}:6379`] = { host: bed.address(p), port: 6379 };
            }
            return {
                kind: "redis",
                sentinels: bed.resolveAll(host).map((a) => ({ host: a, port })),
                name: b.outputs.masterName,
                password: b.outputs.password,
                natMap,
                key,
            };
        }

        it("lets a selected pod of another namespace write through Sentinel, acknowledged by a replica", async () => {
            const req = redisRequest("np-key");
            const ok = await clientIn(worker, req);
            assert.equal(ok.value, "v", JSON.stringify(ok));
            assert.ok(ok.replicas >= 1, `no replica acknowledged the write: ${JSON.stringify(ok)}`);
            const refused = await clientIn(unlabelled, req);
            assert.ok(refused.error, `an unselected pod wrote through Sentinel: ${JSON.stringify(refused)}`);
        });

        it("fails over through the rules: the master's node dies, the Sentinels promote a replica, the client writes again, the old master rejoins", async () => {
            const outputs = b.outputs as unknown as SentinelOutputs;
            const [p0, ...others] = bed.podNames();
            assert.equal((await roleOf(bed, p0, outputs)).role, "master");
            const dropsBefore = await Promise.all(others.map(async (p) => (await e().counters(p))[DROPPED]));
            await bed.killPod(p0);
            const master = await waitFor(
                "the Sentinels of the other pods to agree on a new master",
                async () => {
                    const named = new Set(await Promise.all(others.map(async (p) => (await sentinelView(bed, p, outputs)).master)));
                    if (named.size !== 1) return false;
                    const pod = bed.podOf([...named][0].replace(/:\d+$/, ""));
                    return pod !== p0 && (await roleOf(bed, pod, outputs)).role === "master" && pod;
                },
                RECOVERY,
            );
            const replica = others.find((p) => p !== master)!;
            await waitFor(
                `${replica} to replicate ${master}`,
                async () => (await roleOf(bed, replica, outputs)).state === "connected",
                RECOVERY,
            );
            const after = await clientIn(worker, redisRequest("np-after-failover"));
            assert.equal(after.value, "v", JSON.stringify(after));
            assert.ok(after.replicas >= 1, JSON.stringify(after));
            await bed.createPod(p0);
            await waitFor(
                `${p0} to rejoin as a replica of ${master}`,
                async () => {
                    const r = await roleOf(bed, p0, outputs);
                    return r.role === "slave" && r.master === `${bed.fqdn(master)}:6379` && r.state === "connected";
                },
                RECOVERY,
            );
            const dropsAfter = await Promise.all(others.map(async (p) => (await e().counters(p))[DROPPED]));
            assert.deepEqual(dropsAfter, dropsBefore, "the policy dropped traffic of the set during the failover");
        });

        it("drops unselected pods (also of the service's namespace) on 6379 and 26379; 9121 is open to every namespace", async () => {
            const p1 = bed.podNames()[1];
            const a1 = bed.address(p1);
            const isb0 = bed.network.pod(bed.podNames()[0])!;
            const matrix: [Pod, number, Reach][] = [
                [worker, 6379, "reached"],
                [worker, 26379, "reached"],
                [isb0, 6379, "reached"],
                [isb0, 26379, "reached"],
                [unlabelled, 6379, "dropped"],
                [unlabelled, 26379, "dropped"],
                [sameNamespace, 6379, "dropped"],
                [sameNamespace, 26379, "dropped"],
                [prometheus, 6379, "dropped"],
                [prometheus, 9121, "reached"],
                [unlabelled, 9121, "reached"],
            ];
            const got = await Promise.all(matrix.map(([from, port]) => reach(from, a1, port)));
            assert.deepEqual(
                matrix.map(([from, port], i) => `${from.name} → ${port}: ${got[i]}`),
                matrix.map(([from, port, want]) => `${from.name} → ${port}: ${want}`),
            );
        });
    });
});
