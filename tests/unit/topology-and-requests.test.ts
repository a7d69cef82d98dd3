/**
 * Topology spread by default (issue 13, item 3) and default resource requests (item 4).
 */
import { strict as assert } from "assert";
import { InterStepBufferServiceArgs } from "../../provider";
import { selectorLabels } from "../../provider/render/labels";
import { DEFAULT_REQUESTS, largestMaxmemory, redisMemoryBytes } from "../../provider/render/default-resources";
import { resolveRedisSettings } from "../../provider/args/redis-settings";
import { defaultTopologySpread } from "../../provider/render/topology";
import { renderedPodTemplateIssues } from "../../provider/args/pod-validation/rendered";
import { build, K8S } from "../../sim/runtime/build";

async function podSpec(name: string, args: InterStepBufferServiceArgs): Promise<Record<string, any>> {
    const b = await build(name, args);
    return b.child(K8S.statefulSet).inputs.spec.template.spec;
}

const spread = (key: string, selector: Record<string, string>) => ({
    maxSkew: 1,
    topologyKey: key,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: selector },
});

describe("topology spread (defaults)", () => {
    it("JetStream cluster: ScheduleAnyway over nodes and zones, selecting exactly this service's pods", async () => {
        const spec = await podSpec("topo", { namespace: "pipelines", jetstream: { version: "2.10.29" } });
        const selector = selectorLabels("topo", "jetstream");
        assert.deepEqual(spec.topologySpreadConstraints, [
            spread("kubernetes.io/hostname", selector),
            spread("topology.kubernetes.io/zone", selector),
        ]);
        // Consistent with the default soft anti-affinity over the same pods and nodes.
        const term = spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
        assert.equal(term.topologyKey, "kubernetes.io/hostname");
        assert.deepEqual(term.labelSelector, spec.topologySpreadConstraints[0].labelSelector);
        for (const c of spec.topologySpreadConstraints as Record<string, unknown>[]) {
            assert.equal(c.minDomains, undefined, "minDomains is only valid with DoNotSchedule");
            assert.equal(c.matchLabelKeys, undefined);
        }
    });

    it("native Redis gets the same constraints over its own pods", async () => {
        const spec = await podSpec("topo-r", { namespace: "pipelines", redis: { native: { version: "7.0.15" } } });
        const selector = selectorLabels("topo-r", "redis");
        assert.deepEqual(spec.topologySpreadConstraints, [
            spread("kubernetes.io/hostname", selector),
            spread("topology.kubernetes.io/zone", selector),
        ]);
    });

    it("antiAffinity none drops the node constraint, hard keeps ScheduleAnyway beside the required anti-affinity", async () => {
        const none = await podSpec("topo-none", { namespace: "pipelines", antiAffinity: "none", jetstream: { version: "2.10.29" } });
        assert.deepEqual(
            none.topologySpreadConstraints.map((c: any) => c.topologyKey),
            ["topology.kubernetes.io/zone"],
        );
        assert.equal(none.affinity, undefined);
        const hard = await podSpec("topo-hard", { namespace: "pipelines", antiAffinity: "hard", jetstream: { version: "2.10.29" } });
        assert.ok(hard.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution);
        assert.deepEqual(
            hard.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable]),
            [
                ["kubernetes.io/hostname", "ScheduleAnyway"],
                ["topology.kubernetes.io/zone", "ScheduleAnyway"],
            ],
        );
    });

    it("a standalone server gets none", async () => {
        const spec = await podSpec("topo-one", { namespace: "pipelines", jetstream: { version: "2.10.29", replicas: 1 } });
        assert.equal(spec.topologySpreadConstraints, undefined);
        assert.equal(defaultTopologySpread({ a: "b" }, 1, "soft"), undefined);
    });

    it("the user's topologySpreadConstraints replace the defaults; [] removes them", async () => {
        const mine = [{ maxSkew: 2, topologyKey: "rack", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { x: "y" } } }];
        const spec = await podSpec("topo-user", {
            namespace: "pipelines",
            jetstream: { version: "2.10.29", topologySpreadConstraints: mine },
        });
        assert.deepEqual(spec.topologySpreadConstraints, mine);
        const empty = await podSpec("topo-empty", {
            namespace: "pipelines",
            redis: { native: { version: "7.0.15", topologySpreadConstraints: [] } },
        });
        assert.deepEqual(empty.topologySpreadConstraints, []);
    });

    it("rejects a constraint that is not an object, naming the field", async () => {
        await assert.rejects(
            build("topo-bad", { namespace: "pipelines", jetstream: { version: "2.10.29", topologySpreadConstraints: ["zone"] as any } }),
            /"jetstream\.topologySpreadConstraints\[0\]" must be an object/,
        );
    });
});

describe("default resource requests", () => {
    const requestsOf = (spec: Record<string, any>) => Object.fromEntries(spec.containers.map((c: any) => [c.name, c.resources]));

    it("every JetStream container has a CPU and memory request, and no limit", async () => {
        const spec = await podSpec("req-js", { namespace: "pipelines", jetstream: { version: "2.10.29" } });
        assert.deepEqual(requestsOf(spec), {
            main: { requests: DEFAULT_REQUESTS.jetstream.main },
            reloader: { requests: DEFAULT_REQUESTS.jetstream.reloader },
            metrics: { requests: DEFAULT_REQUESTS.jetstream.metrics },
        });
        assert.deepEqual(DEFAULT_REQUESTS.jetstream.main, { cpu: "100m", memory: "256Mi" });
    });

    it("every native Redis container has a CPU and memory request; the Redis one covers the default maxmemory (512mb)", async () => {
        const spec = await podSpec("req-r", { namespace: "pipelines", redis: { native: { version: "7.0.15" } } });
        assert.deepEqual(requestsOf(spec), {
            redis: { requests: DEFAULT_REQUESTS.redis.redis },
            sentinel: { requests: DEFAULT_REQUESTS.redis.sentinel },
            metrics: { requests: DEFAULT_REQUESTS.redis.metrics },
        });
        const mi = Number(DEFAULT_REQUESTS.redis.redis.memory.replace(/Mi$/, ""));
        assert.ok(mi >= 512 + 64);
    });

    it("a template overrides field by field: one request replaced, the other kept, limits added", async () => {
        const spec = await podSpec("req-override", {
            namespace: "pipelines",
            jetstream: {
                version: "2.10.29",
                containerTemplate: { resources: { requests: { memory: "2Gi" }, limits: { memory: "4Gi" } } },
                metricsContainerTemplate: { resources: { requests: { cpu: "50m" } } },
            },
        });
        const r = requestsOf(spec);
        assert.deepEqual(r.main, { requests: { cpu: "100m", memory: "2Gi" }, limits: { memory: "4Gi" } });
        assert.deepEqual(r.metrics, { requests: { cpu: "50m", memory: "32Mi" } });
        assert.deepEqual(r.reloader, { requests: DEFAULT_REQUESTS.jetstream.reloader });
        const redis = await podSpec("req-override-r", {
            namespace: "pipelines",
            redis: { native: { version: "7.0.15", redisContainerTemplate: { resources: { requests: { memory: "3Gi" } } } } },
        });
        assert.deepEqual(requestsOf(redis).redis, { requests: { cpu: "100m", memory: "3Gi" } });
    });

    it("a limit below a default request (and no request of that name) lowers the request to the limit; a larger one keeps the default", async () => {
        // The API server refuses a request above its limit (found by tests/engine/pod-validation.test.ts).
        const spec = await podSpec("req-limit", {
            namespace: "pipelines",
            jetstream: {
                version: "2.10.29",
                containerTemplate: { resources: { limits: { memory: "128Mi", cpu: "2" } } },
                reloaderContainerTemplate: { resources: { limits: { cpu: "5m" }, requests: { cpu: "1m" } } },
            },
        });
        const r = requestsOf(spec);
        assert.deepEqual(r.main, { limits: { memory: "128Mi", cpu: "2" }, requests: { cpu: "100m", memory: "128Mi" } });
        assert.deepEqual(r.reloader, { limits: { cpu: "5m" }, requests: { cpu: "1m", memory: "16Mi" } });
        assert.deepEqual(renderedPodTemplateIssues({ spec }), [], "the rendered template passes the API server's rules");
        const redis = await podSpec("req-limit-r", {
            namespace: "pipelines",
            redis: { native: { version: "7.0.15", redisContainerTemplate: { resources: { limits: { memory: "0.5Gi" } } } } },
        });
        assert.deepEqual(requestsOf(redis).redis, { limits: { memory: "0.5Gi" }, requests: { cpu: "100m", memory: "0.5Gi" } });
    });

    it("the Redis memory request follows the largest maxmemory a node can run with (Redis memtoll units)", async () => {
        assert.equal(redisMemoryBytes("512mb"), 512 * 2 ** 20);
        assert.equal(redisMemoryBytes("2GB"), 2 * 2 ** 30);
        assert.equal(redisMemoryBytes("1g"), 1e9);
        assert.equal(redisMemoryBytes("100k"), 1e5);
        assert.equal(redisMemoryBytes("4096"), 4096);
        assert.equal(redisMemoryBytes("1.5gb"), undefined);
        const settings = (s: Record<string, string>) => resolveRedisSettings(s, "s", [7, 0]);
        assert.equal(largestMaxmemory(settings({})), 512 * 2 ** 20, "the default");
        assert.equal(largestMaxmemory(settings({ redis: "maxmemory 1gb\nmaxmemory 2gb" })), 2 * 2 ** 30, "the last line wins");
        assert.equal(largestMaxmemory(settings({ redis: "maxmemory 1gb", replica: "maxmemory 3gb" })), 3 * 2 ** 30, "a role snippet");
        assert.equal(largestMaxmemory(settings({ redis: "maxmemory 0" })), undefined, "0 = no limit");
        assert.equal(largestMaxmemory(settings({ redis: "appendonly yes" })), undefined, "no maxmemory");
        const spec = await podSpec("req-maxmem", {
            namespace: "pipelines",
            redis: { native: { version: "7.0.15", settings: { redis: "maxmemory 2gb\nmaxmemory-policy noeviction" } } },
        });
        assert.deepEqual(requestsOf(spec).redis, { requests: { cpu: "100m", memory: `${2048 + 64}Mi` } });
        const unlimited = await podSpec("req-nomax", {
            namespace: "pipelines",
            redis: { native: { version: "7.0.15", settings: { redis: "appendonly yes" } } },
        });
        assert.deepEqual(requestsOf(unlimited).redis, { requests: DEFAULT_REQUESTS.redis.redis });
    });

    it("the defaults are not shared objects (rendering twice cannot alias them)", async () => {
        const a = await podSpec("req-alias-a", { namespace: "pipelines", jetstream: { version: "2.10.29" } });
        a.containers[0].resources.requests.cpu = "9";
        assert.equal(DEFAULT_REQUESTS.jetstream.main.cpu, "100m");
    });
});
