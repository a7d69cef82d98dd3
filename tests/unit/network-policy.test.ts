/**
 * Issue 13, item 1: the NetworkPolicy. What is rendered for each flavour (ports, peers, the
 * service's own pods), when none is, how `networkPolicy` is validated, and the nftables translator
 * of the live test (sim/pods/network-policy.ts) on the rendered objects, without root.
 */
import { strict as assert } from "assert";
import { resolveSpec } from "../../provider/args/resolve";
import { SpecError } from "../../provider";
import { renderNetworkPolicy } from "../../provider/render/network-policy";
import { build } from "../../sim/runtime/build";
import { isolatingPolicies, nftRuleset, peerMatches, PolicedPod, selectorMatches } from "../../sim/pods/network-policy";
import { K8sObject } from "../../provider/render/k8s-types";

const JS = { namespace: "pipelines", jetstream: { version: "2.10.29" } };
const REDIS = { namespace: "pipelines", redis: { native: { version: "7.0.15" } } };
const NP_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

function policy(args: any, name = "np"): K8sObject | undefined {
    return renderNetworkPolicy(resolveSpec(name, args), "pipelines");
}

function rule(p: K8sObject, port: number): Record<string, any>[] {
    return p.spec.ingress.filter((r: any) => r.ports.some((x: any) => x.port === port));
}

describe("NetworkPolicy: rendering", () => {
    it("JetStream: 4222 from the same namespace, 6222 only from the service's pods, 7777 from every namespace, 8222 only from the Numaflow UI server", () => {
        const p = policy(JS)!;
        const own = { podSelector: { matchLabels: p.spec.podSelector.matchLabels } };
        assert.equal(p.metadata.name, "isbsvc-np-js-network-policy");
        assert.equal(p.metadata.namespace, "pipelines");
        assert.deepEqual(p.spec.policyTypes, ["Ingress"]);
        assert.equal(p.spec.podSelector.matchLabels["numaflow.numaproj.io/isbsvc-name"], "np");
        assert.deepEqual(rule(p, 4222), [{ ports: [{ port: 4222, protocol: "TCP" }], from: [{ podSelector: {} }] }]);
        assert.deepEqual(rule(p, 6222), [{ ports: [{ port: 6222, protocol: "TCP" }], from: [own] }]);
        assert.deepEqual(rule(p, 7777), [{ ports: [{ port: 7777, protocol: "TCP" }], from: [{ namespaceSelector: {} }] }]);
        assert.deepEqual(rule(p, 8222), [
            {
                ports: [{ port: 8222, protocol: "TCP" }],
                from: [
                    {
                        namespaceSelector: {},
                        podSelector: { matchLabels: { "app.kubernetes.io/name": "numaflow-ux", "app.kubernetes.io/part-of": "numaflow" } },
                    },
                ],
            },
        ]);
        assert.equal(p.spec.ingress.length, 4);
    });

    it("JetStream: monitorSelectors replaces the 8222 peers; [] leaves 8222 to the node only (no rule); metricsSelectors no longer opens it", () => {
        const monitorSelectors = [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "numaflow-system" } }, podSelector: {} },
        ];
        assert.deepEqual(rule(policy({ ...JS, networkPolicy: { monitorSelectors } })!, 8222)[0].from, monitorSelectors);
        const closed = policy({ ...JS, networkPolicy: { monitorSelectors: [] } })!;
        assert.deepEqual(rule(closed, 8222), []);
        assert.equal(closed.spec.ingress.length, 3);
        const metricsOnly = policy({ ...JS, networkPolicy: { metricsSelectors: [{ namespaceSelector: {} }] } })!;
        assert.equal(rule(metricsOnly, 8222).length, 1);
        assert.notDeepEqual(rule(metricsOnly, 8222)[0].from, [{ namespaceSelector: {} }]);
    });

    it("Redis: 6379 and 26379 from the clients and from the set's own pods (replication, Sentinel), 9121 from metrics peers", () => {
        const p = policy({ ...REDIS, networkPolicy: { clientSelectors: [{ podSelector: { matchLabels: { app: "x" } } }] } })!;
        const own = { podSelector: { matchLabels: p.spec.podSelector.matchLabels } };
        assert.equal(p.metadata.name, "isbsvc-np-redis-network-policy");
        const both = [
            { port: 6379, protocol: "TCP" },
            { port: 26379, protocol: "TCP" },
        ];
        assert.deepEqual(rule(p, 6379), [
            { ports: both, from: [{ podSelector: { matchLabels: { app: "x" } } }] },
            { ports: both, from: [own] },
        ]);
        assert.deepEqual(rule(p, 26379), rule(p, 6379));
        assert.deepEqual(rule(p, 9121), [{ ports: [{ port: 9121, protocol: "TCP" }], from: [{ namespaceSelector: {} }] }]);
    });

    it("passes the user's peers through as NetworkPolicyPeers", () => {
        const clientSelectors = [
            {
                namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["data"] }] },
                podSelector: { matchLabels: { a: "b" } },
            },
        ];
        const metricsSelectors = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }];
        const p = policy({ ...JS, networkPolicy: { clientSelectors, metricsSelectors } })!;
        assert.deepEqual(rule(p, 4222)[0].from, clientSelectors);
        assert.deepEqual(rule(p, 7777)[0].from, metricsSelectors);
    });

    it("is created by default, not with enabled: false, and never for an external Redis or in numaflow mode", async () => {
        const count = async (args: any) => (await build("np", args)).children.filter((c) => c.type === NP_TYPE).length;
        assert.equal(await count(JS), 1);
        assert.equal(await count(REDIS), 1);
        assert.equal(await count({ ...JS, networkPolicy: { enabled: false } }), 0);
        assert.equal(await count({ ...REDIS, networkPolicy: { enabled: false, clientSelectors: [{ podSelector: {} }] } }), 0);
        assert.equal(await count({ namespace: "p", redis: { external: { url: "r:6379", password: "pw" } } }), 0);
        assert.equal(policy({ namespace: "p", redis: { external: { url: "r:6379" } } }), undefined);
        assert.equal(await count({ ...JS, provisioner: "numaflow" }), 0);
    });

    it("names the Pulumi child after the component and puts it in the service's namespace", async () => {
        const b = await build("np", JS);
        const c = b.children.find((x) => x.type === NP_TYPE)!;
        assert.equal(c.name, "np-js-network-policy");
        assert.equal(c.inputs.metadata.namespace, "pipelines");
    });
});

describe("NetworkPolicy: validation", () => {
    const bad: { title: string; np: any; field: string; message: RegExp; redis?: boolean }[] = [
        { title: "unknown key", np: { allowAll: true }, field: "networkPolicy.allowAll", message: /not a known field/ },
        { title: "enabled not a boolean", np: { enabled: "yes" }, field: "networkPolicy.enabled", message: /boolean/ },
        { title: "empty client list", np: { clientSelectors: [] }, field: "networkPolicy.clientSelectors", message: /admits every source/ },
        {
            title: "empty metrics list",
            np: { metricsSelectors: [] },
            field: "networkPolicy.metricsSelectors",
            message: /at least one peer/,
        },
        {
            title: "monitorSelectors on Redis (no port 8222)",
            np: { monitorSelectors: [{ podSelector: {} }] },
            field: "networkPolicy.monitorSelectors",
            message: /applies to JetStream only/,
            redis: true,
        },
        {
            title: "a monitor peer selecting nothing",
            np: { monitorSelectors: [{}] },
            field: "networkPolicy.monitorSelectors[0]",
            message: /must set podSelector/,
        },
        {
            title: "a peer selecting nothing",
            np: { clientSelectors: [{}] },
            field: "networkPolicy.clientSelectors[0]",
            message: /must set podSelector/,
        },
        {
            title: "ipBlock (not supported)",
            np: { clientSelectors: [{ ipBlock: { cidr: "10.0.0.0/8" } }] },
            field: "networkPolicy.clientSelectors[0].ipBlock",
            message: /not a known field/,
        },
        {
            title: "a peer that is not an object",
            np: { clientSelectors: ["app=x"] },
            field: "networkPolicy.clientSelectors[0]",
            message: /must be an object/,
        },
        {
            title: "bad label key",
            np: { clientSelectors: [{ podSelector: { matchLabels: { "-bad": "x" } } }] },
            field: "networkPolicy.clientSelectors[0].podSelector.matchLabels.-bad",
            message: /label key/,
        },
        {
            title: "bad label key prefix",
            np: { clientSelectors: [{ podSelector: { matchLabels: { "Example.com/app": "x" } } }] },
            field: "networkPolicy.clientSelectors[0].podSelector.matchLabels.Example.com/app",
            message: /label key/,
        },
        {
            title: "bad label value",
            np: { clientSelectors: [{ podSelector: { matchLabels: { app: "a b" } } }] },
            field: "networkPolicy.clientSelectors[0].podSelector.matchLabels.app",
            message: /label value/,
        },
        {
            title: "label value too long",
            np: { clientSelectors: [{ podSelector: { matchLabels: { app: "a".repeat(64) } } }] },
            field: "networkPolicy.clientSelectors[0].podSelector.matchLabels.app",
            message: /at most 63/,
        },
        {
            title: "unknown operator",
            np: { clientSelectors: [{ podSelector: { matchExpressions: [{ key: "a", operator: "Equals", values: ["b"] }] } }] },
            field: "networkPolicy.clientSelectors[0].podSelector.matchExpressions[0].operator",
            message: /In, NotIn, Exists, DoesNotExist/,
        },
        {
            title: "In without values",
            np: { clientSelectors: [{ namespaceSelector: { matchExpressions: [{ key: "a", operator: "In" }] } }] },
            field: "networkPolicy.clientSelectors[0].namespaceSelector.matchExpressions[0].values",
            message: /non-empty when operator is In/,
        },
        {
            title: "Exists with values",
            np: { metricsSelectors: [{ podSelector: { matchExpressions: [{ key: "a", operator: "Exists", values: ["b"] }] } }] },
            field: "networkPolicy.metricsSelectors[0].podSelector.matchExpressions[0].values",
            message: /empty when operator is Exists/,
        },
        {
            title: "unknown selector key",
            np: { clientSelectors: [{ podSelector: { labels: { a: "b" } } }] },
            field: "networkPolicy.clientSelectors[0].podSelector.labels",
            message: /not a known field/,
        },
    ];
    for (const c of bad) {
        it(`rejects ${c.title}, naming ${c.field}`, () => {
            let err: unknown;
            try {
                resolveSpec("np", { ...(c.redis ? REDIS : JS), networkPolicy: c.np });
            } catch (e) {
                err = e;
            }
            assert.ok(err instanceof SpecError, `expected a SpecError, got ${String(err)}`);
            assert.equal(err.field, c.field);
            assert.match(err.message, c.message);
        });
    }

    it("accepts prefixed keys, empty label values and every operator", () => {
        const np = {
            clientSelectors: [
                {
                    podSelector: {
                        matchLabels: { "app.kubernetes.io/name": "pipeline", empty: "" },
                        matchExpressions: [
                            { key: "a", operator: "In", values: ["x", "y"] },
                            { key: "b", operator: "NotIn", values: ["z"] },
                            { key: "c", operator: "Exists" },
                            { key: "d", operator: "DoesNotExist", values: [] },
                        ],
                    },
                },
            ],
        };
        const p = policy({ ...JS, networkPolicy: np })!;
        assert.deepEqual(rule(p, 4222)[0].from[0].podSelector.matchExpressions[3], { key: "d", operator: "DoesNotExist" });
    });
});

describe("NetworkPolicy: the nftables translator of the live test (sim/pods/network-policy.ts)", () => {
    const labels = (app: string) => ({ app });
    it("matches selectors as Kubernetes does", () => {
        assert.ok(selectorMatches({}, {}));
        assert.ok(selectorMatches({ matchLabels: { a: "1" } }, { a: "1", b: "2" }));
        assert.ok(!selectorMatches({ matchLabels: { a: "1" } }, { a: "2" }));
        assert.ok(selectorMatches({ matchExpressions: [{ key: "a", operator: "In", values: ["1", "2"] }] }, { a: "2" }));
        assert.ok(!selectorMatches({ matchExpressions: [{ key: "a", operator: "In", values: ["1"] }] }, {}));
        assert.ok(selectorMatches({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, {}));
        assert.ok(selectorMatches({ matchExpressions: [{ key: "a", operator: "Exists" }] }, { a: "" }));
        assert.ok(!selectorMatches({ matchExpressions: [{ key: "a", operator: "DoesNotExist" }] }, { a: "" }));
    });

    it("reads podSelector-only peers in the policy's namespace, namespaceSelector peers across namespaces", () => {
        const src = { namespace: "apps", labels: labels("x") };
        const ns = { apps: { team: "data" } };
        assert.ok(!peerMatches({ podSelector: {} }, "pipelines", src, ns));
        assert.ok(peerMatches({ podSelector: {} }, "apps", src, ns));
        assert.ok(peerMatches({ namespaceSelector: {} }, "pipelines", src, ns));
        assert.ok(peerMatches({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } } }, "pipelines", src, ns));
        assert.ok(
            peerMatches({ namespaceSelector: { matchLabels: { team: "data" } }, podSelector: { matchLabels: { app: "x" } } }, "p", src, ns),
        );
        assert.ok(
            !peerMatches(
                { namespaceSelector: { matchLabels: { team: "data" } }, podSelector: { matchLabels: { app: "y" } } },
                "p",
                src,
                ns,
            ),
        );
    });

    it("turns the rendered JetStream policy into per-pod rules: clients on 4222, the set on 6222, metrics peers on 7777, the UI on 8222", async () => {
        const b = await build("np", {
            ...JS,
            networkPolicy: { metricsSelectors: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] },
        });
        const policies = b.children.filter((c) => c.type === NP_TYPE).map((c) => c.inputs as K8sObject);
        const stsLabels = b.children.find((c) => c.type === "kubernetes:apps/v1:StatefulSet")!.inputs.spec.template.metadata.labels;
        const pod = (name: string, namespace: string, address: string, l: Record<string, string>): PolicedPod => ({
            name,
            netns: name,
            address,
            namespace,
            labels: l,
        });
        const isb0 = pod("isb-0", "pipelines", "10.0.0.2", stsLabels);
        const isb1 = pod("isb-1", "pipelines", "10.0.0.3", stsLabels);
        const app = pod("app", "pipelines", "10.0.0.4", labels("app"));
        const other = pod("other", "other", "10.0.0.5", labels("app"));
        const prom = pod("prom", "monitoring", "10.0.0.6", labels("prometheus"));
        const ux = pod("ux", "numaflow-system", "10.0.0.7", {
            "app.kubernetes.io/name": "numaflow-ux",
            "app.kubernetes.io/part-of": "numaflow",
        });
        const all = [isb0, isb1, app, other, prom, ux];
        assert.equal(isolatingPolicies(policies, app).length, 0);
        assert.equal(nftRuleset(policies, app, all, "10.0.0.1"), undefined);
        const rules = nftRuleset(policies, isb0, all, "10.0.0.1")!;
        assert.match(rules, /policy drop;/);
        assert.match(rules, /ip saddr 10\.0\.0\.1 accept/);
        assert.match(rules, /ct state established,related accept/);
        assert.match(rules, /ip saddr \{ 10\.0\.0\.2, 10\.0\.0\.3, 10\.0\.0\.4 \} tcp dport 4222 counter accept/);
        assert.match(rules, /ip saddr \{ 10\.0\.0\.2, 10\.0\.0\.3 \} tcp dport 6222 counter accept/);
        assert.match(rules, /ip saddr \{ 10\.0\.0\.6 \} tcp dport 7777 counter accept/);
        assert.match(rules, /ip saddr \{ 10\.0\.0\.7 \} tcp dport 8222 counter accept/);
        assert.doesNotMatch(rules, /10\.0\.0\.6 \} tcp dport 8222/);
        assert.doesNotMatch(rules, /10\.0\.0\.5/);
    });

    it("renders a rule without peers or ports as every source or every port, and skips a rule no pod matches", () => {
        const p: K8sObject = {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "t", namespace: "ns" },
            spec: {
                podSelector: {},
                ingress: [
                    { ports: [{ port: 80 }] },
                    { from: [{ podSelector: { matchLabels: { a: "b" } } }] },
                    { from: [{ podSelector: { matchLabels: { none: "x" } } }], ports: [{ port: 81, endPort: 90, protocol: "UDP" }] },
                ],
            },
        };
        const target: PolicedPod = { name: "t", netns: "t", address: "10.0.0.9", namespace: "ns", labels: {} };
        const src: PolicedPod = { name: "s", netns: "s", address: "10.0.0.8", namespace: "ns", labels: { a: "b" } };
        const rules = nftRuleset([p], target, [target, src], "10.0.0.1")!;
        assert.match(rules, /^\s+tcp dport 80 counter accept/m);
        assert.match(rules, /^\s+ip saddr \{ 10\.0\.0\.8 \} counter accept/m);
        assert.match(rules, /no pod matches its peers/);
        assert.doesNotMatch(rules, /dport 81/);
    });
});
