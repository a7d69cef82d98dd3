/** Every Kubernetes object the component registers validates against the Kubernetes OpenAPI schema. */
import { strict as assert } from "assert";
import { Secret } from "kubernetes-models/v1/Secret";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Service } from "kubernetes-models/v1/Service";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { build } from "../../sim/runtime/build";

const MODELS: Record<string, { new (data: any): { validate(): void } }> = {
    "kubernetes:core/v1:Secret": Secret,
    "kubernetes:core/v1:ConfigMap": ConfigMap,
    "kubernetes:core/v1:Service": Service,
    "kubernetes:apps/v1:StatefulSet": StatefulSet,
    "kubernetes:policy/v1:PodDisruptionBudget": PodDisruptionBudget,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": NetworkPolicy,
    // A Patch is a partial object, validated as the kind it patches (a server-side apply configuration).
    "kubernetes:core/v1:PersistentVolumeClaimPatch": PersistentVolumeClaim,
};

const SPECS: Record<string, any> = {
    defaults: { namespace: "pipelines", jetstream: { version: "2.10.29" } },
    "TLS, encryption, persistence, templates": {
        namespace: "pipelines",
        jetstream: {
            version: "2.10.29",
            tls: true,
            encryption: true,
            replicas: 5,
            persistence: { storageClassName: "fast", accessMode: "ReadWriteOncePod", volumeSize: "50Gi" },
            containerTemplate: { resources: { requests: { cpu: "500m", memory: "1Gi" } }, env: [{ name: "A", value: "b" }] },
            tolerations: [{ key: "dedicated", operator: "Equal", value: "isb", effect: "NoSchedule" }],
            imagePullSecrets: [{ name: "regcred" }],
            priority: 10,
        },
    },
    standalone: { namespace: "pipelines", jetstream: { version: "2.8.1-alpine", replicas: 1, tls: true } },
    "native Redis with TLS and persistence": {
        namespace: "pipelines",
        redis: {
            native: {
                version: "7.0.15",
                tls: true,
                replicas: 5,
                persistence: { volumeSize: "1Gi" },
                redisContainerTemplate: { resources: { limits: { memory: "1Gi" } } },
            },
        },
    },
    "network policy with selectors of every kind": {
        namespace: "pipelines",
        jetstream: { version: "2.10.29" },
        networkPolicy: {
            clientSelectors: [
                { podSelector: { matchLabels: { app: "pipeline" } } },
                { namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["data", "ml"] }] } },
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } },
                    podSelector: { matchExpressions: [{ key: "isb-client", operator: "Exists" }] },
                },
            ],
            metricsSelectors: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
        },
    },
    "external Redis": { namespace: "pipelines", redis: { external: { url: "r:6379", password: "pw" } } },
};

describe("Kubernetes schema", () => {
    for (const [title, args] of Object.entries(SPECS)) {
        it(`validates every object: ${title}`, async () => {
            const b = await build(`schema-${Object.keys(SPECS).indexOf(title)}`, args);
            const objects = b.children.filter((c) => c.type.startsWith("kubernetes:"));
            assert.ok(objects.length >= 1);
            for (const o of objects) {
                const Model = MODELS[o.type];
                assert.ok(Model, `no model for ${o.type}`);
                assert.doesNotThrow(() => new Model(o.inputs).validate(), `${o.type} ${o.name}`);
            }
        });
    }

    it("catches an invalid object (the validator is live)", () => {
        assert.throws(
            () => new StatefulSet({ metadata: { name: "x" }, spec: { replicas: "3" } } as any).validate(),
            /replicas must be integer/,
        );
        assert.throws(
            () => new NetworkPolicy({ metadata: { name: "x" }, spec: { podSelector: {}, policyTypes: "Ingress" } } as any).validate(),
            /policyTypes must be array/,
        );
    });
});
