/**
 * Monitoring (issue 13, item 2): Prometheus Operator objects, only when enabled; alert expressions
 * that parse as PromQL (Prometheus' own lezer grammar) and use only metric names the exporters we
 * run define (a list read from their source, below).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parser } from "@prometheus-io/lezer-promql";
import { InterStepBufferServiceArgs } from "../../provider";
import { JETSTREAM_VERSIONS } from "../../provider/args/jetstream-versions";
import { REDIS_VERSIONS } from "../../provider/args/redis-versions";
import { build, Built, K8S } from "../../sim/runtime/build";
import { settle } from "../../sim/runtime/outputs";
import { registry } from "../../sim/runtime/mock-runtime";

const MON = {
    podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
    serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    rule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
} as const;

/**
 * Metric names (and the labels the rules use) defined by the exporters of the catalogues, read from
 * their source at each tag:
 * - prometheus-nats-exporter v0.9.1 and v0.19.2 `collector/jsz.go` `newJszCollector`
 *   (`BuildFQName(system, "server", "total_streams" | "total_message_bytes" | "max_storage")`,
 *   `BuildFQName(system, "stream", "total_messages")`, serverLabels `server_id, server_name, cluster,
 *   domain, meta_leader, is_meta_leader`, streamLabels + `account, stream_name, stream_leader,
 *   is_stream_leader`), with system = the `-prefix=nats` we pass (`collector/collector.go` `getSystem`).
 * - redis_exporter v1.33.0, v1.50.0, v1.56.0 (namespace `redis`): `exporter/exporter.go` metric map
 *   (`used_memory` → `memory_used_bytes`, `maxmemory` → `memory_max_bytes`) and metric descriptions
 *   (`connected_slave_lag_seconds` labels `slave_ip, slave_port, slave_state`; `master_link_up` labels
 *   `master_host, master_port`; `sentinel_master_sentinels`, `sentinel_master_ok_sentinels` labels
 *   `master_name, master_address`).
 */
const EXPORTER_METRICS: Record<string, { images: string[]; metrics: Record<string, string[]> }> = {
    "prometheus-nats-exporter": {
        images: ["natsio/prometheus-nats-exporter:0.9.1", "natsio/prometheus-nats-exporter:0.19.2"],
        metrics: {
            nats_server_total_streams: ["server_id", "server_name", "cluster", "domain", "meta_leader", "is_meta_leader"],
            nats_server_total_message_bytes: ["server_id", "server_name", "cluster", "domain", "meta_leader", "is_meta_leader"],
            nats_server_max_storage: ["server_id", "server_name", "cluster", "domain", "meta_leader", "is_meta_leader"],
            nats_stream_total_messages: [
                "server_id",
                "server_name",
                "cluster",
                "domain",
                "meta_leader",
                "is_meta_leader",
                "account",
                "stream_name",
                "stream_leader",
                "is_stream_leader",
            ],
        },
    },
    redis_exporter: {
        images: ["oliver006/redis_exporter:v1.33.0", "oliver006/redis_exporter:v1.50.0", "oliver006/redis_exporter:v1.56.0"],
        metrics: {
            redis_master_link_up: ["master_host", "master_port"],
            redis_connected_slave_lag_seconds: ["slave_ip", "slave_port", "slave_state"],
            redis_memory_used_bytes: [],
            redis_memory_max_bytes: [],
            redis_sentinel_master_sentinels: ["master_name", "master_address"],
            redis_sentinel_master_ok_sentinels: ["master_name", "master_address"],
        },
    },
};

/** Target labels every series gets from the Prometheus Operator, plus our endpoint label. */
const TARGET_LABELS = ["namespace", "pod", "isbsvc_target"];

interface Parsed {
    errors: number;
    metrics: string[];
    /** Label names used in matchers or `by (...)`. */
    labels: string[];
}

/** Parses `expr` with Prometheus' lezer PromQL grammar. */
function parsePromQL(expr: string): Parsed {
    const tree = parser.parse(expr);
    const out: Parsed = { errors: 0, metrics: [], labels: [] };
    tree.iterate({
        enter(n) {
            if (n.type.isError) out.errors++;
            if (n.name === "Identifier" && n.node.parent?.name === "VectorSelector") out.metrics.push(expr.slice(n.from, n.to));
            if (n.name === "LabelName") out.labels.push(expr.slice(n.from, n.to));
        },
    });
    return out;
}

const JS: InterStepBufferServiceArgs = { namespace: "pipelines", monitoring: { enabled: true }, jetstream: { version: "2.10.29" } };
const REDIS: InterStepBufferServiceArgs = {
    namespace: "pipelines",
    monitoring: { enabled: true },
    redis: { native: { version: "7.0.15" } },
};

const rulesOf = (b: Built) => b.child(MON.rule).inputs.spec.groups[0].rules as Record<string, any>[];

describe("monitoring: nothing unless enabled", () => {
    for (const [name, args] of [
        ["mon-off-js", { namespace: "pipelines", jetstream: { version: "2.10.29" } }],
        ["mon-off-r", { namespace: "pipelines", redis: { native: { version: "7.0.15" } } }],
        [
            "mon-off-false",
            { namespace: "pipelines", monitoring: { enabled: false, kind: "ServiceMonitor" }, jetstream: { version: "2.10.29" } },
        ],
        ["mon-off-ext", { namespace: "pipelines", redis: { external: { url: "r:6379" } } }],
    ] as const) {
        it(`${name}: no monitoring.coreos.com object, no extra Service port`, async () => {
            const b = await build(name, args as InterStepBufferServiceArgs);
            assert.deepEqual(
                b.children.filter((c) => c.type.includes("monitoring.coreos.com")),
                [],
            );
            for (const s of b.ofType(K8S.service)) {
                if (s.inputs.metadata.name.includes("redis")) assert.ok(!s.inputs.spec.ports.some((p: any) => p.name === "metrics"));
            }
        });
    }

    it("rejects monitoring for an external Redis, an unknown kind and a bad interval, naming the field", async () => {
        await assert.rejects(
            build("mon-bad-ext", { namespace: "pipelines", monitoring: { enabled: true }, redis: { external: { url: "r:6379" } } }),
            /"monitoring\.enabled" cannot be true for an external Redis/,
        );
        await assert.rejects(build("mon-bad-kind", { ...JS, monitoring: { enabled: true, kind: "Probe" } }), /"monitoring\.kind" must be/);
        await assert.rejects(
            build("mon-bad-int", { ...JS, monitoring: { enabled: true, interval: "30 s" } }),
            /"monitoring\.interval" must be/,
        );
        await assert.rejects(build("mon-bad-key", { ...JS, monitoring: { enabled: true, scrape: true } as any }), /monitoring/);
    });
});

describe("monitoring: objects", () => {
    it("JetStream: a PodMonitor on the metrics port and a PrometheusRule, with the user's labels and interval", async () => {
        const b = await build("mon-js", { ...JS, monitoring: { enabled: true, labels: { release: "kps" }, interval: "30s" } });
        const pm = b.child(MON.podMonitor, "mon-js-js-monitor").inputs;
        assert.equal(pm.apiVersion, "monitoring.coreos.com/v1");
        assert.equal(pm.metadata.name, "isbsvc-mon-js-js-monitor");
        assert.equal(pm.metadata.namespace, "pipelines");
        assert.equal(pm.metadata.labels.release, "kps");
        assert.deepEqual(pm.spec.selector.matchLabels, b.child(K8S.statefulSet).inputs.spec.selector.matchLabels);
        assert.deepEqual(pm.spec.podMetricsEndpoints, [{ port: "metrics", path: "/metrics", interval: "30s" }]);
        const metricsPort = b
            .child(K8S.statefulSet)
            .inputs.spec.template.spec.containers.find((c: any) => c.name === "metrics")
            .ports.find((p: any) => p.name === "metrics");
        assert.equal(metricsPort.containerPort, 7777);
        const rule = b.child(MON.rule, "mon-js-js-alerts").inputs;
        assert.equal(rule.metadata.labels.release, "kps");
        assert.deepEqual(
            rulesOf(b).map((r) => r.alert),
            ["IsbJetStreamNoMetaLeader", "IsbJetStreamStreamUnderReplicated", "IsbJetStreamStorageHigh", "IsbJetStreamServerNotReady"],
        );
    });

    it("JetStream ServiceMonitor: endpoints on the headless Service's metrics port", async () => {
        const b = await build("mon-jsm", { ...JS, monitoring: { enabled: true, kind: "ServiceMonitor" } });
        const sm = b.child(MON.serviceMonitor).inputs;
        assert.deepEqual(sm.spec.endpoints, [{ port: "metrics", path: "/metrics" }]);
        assert.ok(b.child(K8S.service).inputs.spec.ports.some((p: any) => p.name === "metrics" && p.port === 7777));
        assert.equal(b.ofType(MON.podMonitor).length, 0);
    });

    it("native Redis: the exporter and, through /scrape, the pod's own Sentinel (TLS scheme with TLS), kept apart by a target label", async () => {
        for (const tls of [false, true]) {
            const b = await build(`mon-r-${tls}`, { ...REDIS, redis: { native: { version: "7.0.15", tls } } });
            const eps = b.child(MON.podMonitor).inputs.spec.podMetricsEndpoints;
            assert.equal(eps.length, 2);
            assert.deepEqual(eps[0], {
                port: "metrics",
                path: "/metrics",
                relabelings: [{ action: "replace", targetLabel: "isbsvc_target", replacement: "redis" }],
            });
            assert.deepEqual(eps[1].params, { target: [`${tls ? "rediss" : "redis"}://localhost:26379`] });
            assert.equal(eps[1].path, "/scrape");
            assert.equal(eps[1].relabelings[0].replacement, "sentinel");
            assert.deepEqual(
                rulesOf(b).map((r) => r.alert),
                ["IsbRedisMasterLinkDown", "IsbRedisSentinelsBelowQuorum", "IsbRedisReplicaLag", "IsbRedisMemoryNearMax"],
            );
        }
    });

    it("native Redis ServiceMonitor: the headless Service (only) gets a metrics port", async () => {
        const b = await build("mon-rsm", { ...REDIS, monitoring: { enabled: true, kind: "ServiceMonitor" } });
        const ports = (name: string) => b.child(K8S.service, name).inputs.spec.ports.map((p: any) => `${p.name}:${p.port}`);
        assert.deepEqual(ports("mon-rsm-redis-svc-headless"), ["tcp-redis:6379", "tcp-sentinel:26379", "metrics:9121"]);
        assert.deepEqual(ports("mon-rsm-redis-svc"), ["tcp-redis:6379", "tcp-sentinel:26379"]);
        assert.equal(b.child(MON.serviceMonitor).inputs.spec.endpoints.length, 2);
    });

    it("rules follow the spec: replicas, bucket replicas, storage limit (min of max_file_store and volume), Sentinel quorum", async () => {
        const js = await build("mon-js5", {
            ...JS,
            jetstream: {
                version: "2.10.29",
                replicas: 5,
                persistence: { volumeSize: "10Gi" },
                bufferConfig: { stream: { replicas: 5 }, otBucket: { replicas: 3 } },
            },
        });
        const byName = Object.fromEntries(rulesOf(js).map((r) => [r.alert, r.expr]));
        assert.match(byName.IsbJetStreamServerNotReady, /< 5$/);
        assert.match(byName.IsbJetStreamStreamUnderReplicated, /stream_name!~"KV_\.\*"\}\) < 5 or .*stream_name=~"KV_\.\*"\}\) < 3$/);
        assert.match(byName.IsbJetStreamStorageHigh, new RegExp(`> ${Math.floor(0.8 * 10 * 2 ** 30)}$`));
        const standalone = await build("mon-js1", { ...JS, jetstream: { version: "2.10.29", replicas: 1 } });
        assert.ok(!rulesOf(standalone).some((r) => r.alert === "IsbJetStreamNoMetaLeader"), "no meta group without a cluster");
        const r5 = await build("mon-r5", { ...REDIS, redis: { native: { version: "7.0.15", replicas: 5 } } });
        assert.match(rulesOf(r5).find((r) => r.alert === "IsbRedisSentinelsBelowQuorum")!.expr, /< 3 or max\(.*\) < 3$/);
    });

    it("with a namespace Output the rules name the resolved namespace", async () => {
        const b = await build("mon-nsout", { ...JS, namespace: pulumi.output("streams") });
        for (const r of rulesOf(b)) assert.match(r.expr, /namespace="streams",pod=~"isbsvc-mon-nsout-js-\[0-9\]\+"/);
        assert.equal(b.child(MON.podMonitor).inputs.metadata.namespace, "streams");
    });

    it("every object validates against the Prometheus Operator CRD schemas (@kubernetes-models/prometheus-operator)", async () => {
        // ESM-only package: load it with a real dynamic import.
        const load = new Function("m", "return import(m)") as (m: string) => Promise<any>;
        const base = "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/";
        const models: Record<string, any> = {
            [MON.podMonitor]: (await load(base + "PodMonitor")).PodMonitor,
            [MON.serviceMonitor]: (await load(base + "ServiceMonitor")).ServiceMonitor,
            [MON.rule]: (await load(base + "PrometheusRule")).PrometheusRule,
        };
        const cases: InterStepBufferServiceArgs[] = [
            { ...JS, monitoring: { enabled: true, interval: "15s", labels: { release: "x" } } },
            { ...JS, monitoring: { enabled: true, kind: "ServiceMonitor" } },
            { ...REDIS, redis: { native: { version: "7.0.15", tls: true } } },
            { ...REDIS, monitoring: { enabled: true, kind: "ServiceMonitor", interval: "1m30s" } },
        ];
        let n = 0;
        for (const [i, args] of cases.entries()) {
            const b = await build(`mon-schema-${i}`, args);
            for (const c of b.children.filter((x) => x.type.includes("monitoring.coreos.com"))) {
                assert.doesNotThrow(() => new models[c.type](c.inputs).validate(), `${c.type} ${c.name}`);
                n++;
            }
        }
        assert.equal(n, 8);
        assert.throws(() =>
            new models[MON.podMonitor]({ metadata: { name: "x" }, spec: { podMetricsEndpoints: [{ interval: "30 s" }] } }).validate(),
        );
    });
});

describe("monitoring: alert expressions", () => {
    let all: { flavour: string; rule: Record<string, any> }[] = [];
    before(async () => {
        const specs: [string, InterStepBufferServiceArgs][] = [
            ["nats", { ...JS, jetstream: { version: "2.10.29", persistence: { volumeSize: "1Gi" } } }],
            ["nats", { ...JS, jetstream: { version: "2.12.7", replicas: 1 } }],
            ["redis", REDIS],
            ["redis", { ...REDIS, redis: { native: { version: "6.2.6", tls: true, replicas: 5 } } }],
        ];
        all = [];
        for (const [i, [flavour, args]] of specs.entries()) {
            const b = await build(`mon-expr-${i}`, args);
            for (const rule of rulesOf(b)) all.push({ flavour, rule });
        }
        await settle();
    });

    it("parse as PromQL without an error node (and the parser does flag broken PromQL)", () => {
        assert.ok(all.length >= 14);
        for (const { rule } of all) assert.equal(parsePromQL(rule.expr).errors, 0, `${rule.alert}: ${rule.expr}`);
        assert.ok(parsePromQL('count(up{a="b"} unless').errors > 0);
        assert.ok(parsePromQL('max by (pod) (x{a="b"}) >').errors > 0);
    });

    it("use only metric names and labels the exporters of the catalogue define (source-derived list)", () => {
        // The catalogues run exactly the exporter images the list was read from.
        const natsImages = new Set(JETSTREAM_VERSIONS.map((v) => v.metricsExporterImage));
        const redisImages = new Set(REDIS_VERSIONS.map((v) => v.redisExporterImage));
        assert.deepEqual([...natsImages].sort(), [...EXPORTER_METRICS["prometheus-nats-exporter"].images].sort());
        assert.deepEqual([...redisImages].sort(), [...EXPORTER_METRICS.redis_exporter.images].sort());
        for (const { flavour, rule } of all) {
            const known = EXPORTER_METRICS[flavour === "nats" ? "prometheus-nats-exporter" : "redis_exporter"].metrics;
            const p = parsePromQL(rule.expr);
            assert.ok(p.metrics.length > 0, rule.alert);
            for (const m of p.metrics) {
                assert.ok(m in known, `${rule.alert}: ${m} is not a metric of the exporter`);
                for (const l of p.labels) {
                    const everywhere = p.metrics.some((x) => known[x].includes(l));
                    assert.ok(
                        TARGET_LABELS.includes(l) || everywhere,
                        `${rule.alert}: label ${l} is not defined for ${p.metrics.join(", ")}`,
                    );
                }
            }
            assert.ok(["critical", "warning"].includes(rule.labels.severity));
            assert.ok(rule.annotations.summary && rule.annotations.description, rule.alert);
            assert.match(rule.for, /^\d+m$/);
        }
    });

    it("every alert is documented in README.md", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
        for (const name of new Set(all.map((a) => a.rule.alert))) assert.ok(readme.includes(`\`${name}\``), `README.md documents ${name}`);
        assert.ok(registry().length > 0);
    });
});
