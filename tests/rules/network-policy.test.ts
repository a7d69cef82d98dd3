/**
 * The NetworkPolicies the component renders pass the API server's create validation (modelled in
 * rules/network-policy.ts from kubernetes/kubernetes `ValidateNetworkPolicy`), for the defaults and
 * for selectors of every kind; and the model rejects what the API server rejects.
 */
import { strict as assert } from "assert";
import { build } from "../../sim/runtime/build";
import { validateNetworkPolicy } from "../../rules/network-policy";

const NP_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const SELECTORS = {
    clientSelectors: [
        { podSelector: { matchLabels: { "app.kubernetes.io/name": "pipeline", tier: "" } } },
        { namespaceSelector: { matchExpressions: [{ key: "team", operator: "NotIn", values: ["legacy"] }] } },
        {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } },
            podSelector: {
                matchExpressions: [
                    { key: "isb-client", operator: "Exists" },
                    { key: "batch", operator: "DoesNotExist" },
                ],
            },
        },
    ],
    metricsSelectors: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: {} }],
};

describe("NetworkPolicy: API server validation (rules/network-policy.ts)", () => {
    const specs: Record<string, any> = {
        "JetStream defaults": { namespace: "pipelines", jetstream: { version: "2.10.29" } },
        "JetStream, longest name, selectors of every kind": {
            namespace: "pipelines",
            jetstream: { version: "2.10.29" },
            networkPolicy: SELECTORS,
        },
        "native Redis defaults": { namespace: "pipelines", redis: { native: { version: "7.0.15" } } },
        "native Redis, selectors of every kind": {
            namespace: "pipelines",
            redis: { native: { version: "7.0.15" } },
            networkPolicy: SELECTORS,
        },
    };
    for (const [title, args] of Object.entries(specs)) {
        it(`accepts the rendered policy: ${title}`, async () => {
            const name = title.includes("longest") ? "a".repeat(42) : "np";
            const b = await build(name, args);
            const policies = b.children.filter((c) => c.type === NP_TYPE);
            assert.equal(policies.length, 1);
            assert.deepEqual(validateNetworkPolicy(policies[0].inputs), []);
        });
    }

    it("rejects what the API server rejects", () => {
        const base = { metadata: { name: "np" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } };
        const fields = (spec: any, metadata: any = base.metadata) => validateNetworkPolicy({ metadata, spec }).map((e) => e.field);
        assert.deepEqual(fields({ ...base.spec, ingress: [{ from: [{}] }] }), ["spec.ingress[0].from[0]"]);
        assert.deepEqual(fields({ ...base.spec, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }] }), [
            "spec.ingress[0].from[0]",
        ]);
        assert.deepEqual(
            fields({ ...base.spec, ingress: [{ ports: [{ port: 0 }, { port: 80, protocol: "ICMP" }, { port: "http", endPort: 90 }] }] }),
            ["spec.ingress[0].ports[0].port", "spec.ingress[0].ports[1].protocol", "spec.ingress[0].ports[2].endPort"],
        );
        assert.deepEqual(fields({ ...base.spec, ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }), ["spec.ingress[0].ports[0].endPort"]);
        assert.deepEqual(fields({ podSelector: { matchExpressions: [{ key: "a", operator: "In" }] } }), [
            "spec.podSelector.matchExpressions[0].values",
        ]);
        assert.deepEqual(fields({ podSelector: { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] } }), [
            "spec.podSelector.matchExpressions[0].values",
        ]);
        assert.deepEqual(fields({ podSelector: { matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] } }), [
            "spec.podSelector.matchExpressions[0].operator",
        ]);
        assert.deepEqual(fields({ podSelector: { matchLabels: { "bad key!": "x", ok: "bad value!" } } }), [
            "spec.podSelector.matchLabels.bad key!",
            "spec.podSelector.matchLabels.ok",
        ]);
        assert.deepEqual(fields({ podSelector: {}, policyTypes: ["Ingress", "Egress", "Ingress"] }), ["spec.policyTypes"]);
        assert.deepEqual(fields({ podSelector: {}, policyTypes: ["ingress"] }), ["spec.policyTypes[0]"]);
        assert.deepEqual(fields(base.spec, { name: "Bad_Name" }), ["metadata.name"]);
    });
});
