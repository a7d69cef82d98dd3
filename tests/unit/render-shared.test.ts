/**
 * The render functions both flavours share, called directly with plain values: labels, the
 * StatefulSet and PodDisruptionBudget shapes, the pod template and anti-affinity, and the
 * container template — each compared whole, so any changed field fails.
 */
import { strict as assert } from "assert";
import { objectLabels, selectorLabels } from "../../provider/render/labels";
import { renderDisruptionBudget, renderStatefulSet, StatefulSetParts } from "../../provider/render/statefulset";
import { applyPodTemplate, podLabels, renderAffinity } from "../../provider/render/pod-template";
import { applyContainerTemplate } from "../../provider/render/container-template";
import { ResolvedContainerTemplate, ResolvedPodTemplate } from "../../provider/args/workload";

const SELECTOR = {
    "app.kubernetes.io/component": "isbsvc",
    "app.kubernetes.io/part-of": "numaflow",
    "numaflow.numaproj.io/isbsvc-name": "x",
    "numaflow.numaproj.io/isbsvc-type": "redis",
};

const SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true };

const EMPTY_POD_TEMPLATE: ResolvedPodTemplate = { labels: {}, annotations: {}, automountServiceAccountToken: false };
const EMPTY_CONTAINER_TEMPLATE: ResolvedContainerTemplate = { env: [], envFrom: [] };

describe("render: labels", () => {
    it("selects pods by the upstream labels and marks objects as managed by isbsvc-pulumi", () => {
        assert.deepEqual(selectorLabels("x", "redis"), SELECTOR);
        assert.deepEqual(objectLabels("x", "redis"), { ...SELECTOR, "app.kubernetes.io/managed-by": "isbsvc-pulumi" });
        assert.equal(selectorLabels("y", "jetstream")["numaflow.numaproj.io/isbsvc-type"], "jetstream");
    });

    it("pod labels: the user's, with the selector labels winning", () => {
        assert.deepEqual(podLabels({ ...EMPTY_POD_TEMPLATE, labels: { team: "a", "app.kubernetes.io/component": "mine" } }, SELECTOR), {
            team: "a",
            ...SELECTOR,
        });
    });
});

describe("render: StatefulSet and PodDisruptionBudget", () => {
    const parts: StatefulSetParts = {
        metadata: { name: "sts", namespace: "ns" },
        replicas: 3,
        serviceName: "svc",
        podManagementPolicy: "OrderedReady",
        selector: SELECTOR,
        podLabels: { ...SELECTOR, team: "a" },
        podAnnotations: {},
        podSpec: { containers: [] },
        volumeClaimName: "vol",
    };

    it("renders the whole StatefulSet: rolling updates, retained claims, no annotations (deleting it deletes its pods), no pod annotations when there are none", () => {
        assert.deepEqual(renderStatefulSet(parts), {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name: "sts", namespace: "ns" },
            spec: {
                replicas: 3,
                serviceName: "svc",
                podManagementPolicy: "OrderedReady",
                updateStrategy: { type: "RollingUpdate" },
                selector: { matchLabels: SELECTOR },
                persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                template: { metadata: { labels: { ...SELECTOR, team: "a" } }, spec: { containers: [] } },
            },
        });
    });

    it("adds pod annotations and one claim template per pod with persistence", () => {
        const sts = renderStatefulSet({
            ...parts,
            podAnnotations: { a: "b" },
            persistence: { accessMode: "ReadWriteOncePod", volumeSize: "5Gi", storageClassName: "fast" },
        });
        assert.deepEqual(sts.spec.template.metadata, { labels: { ...SELECTOR, team: "a" }, annotations: { a: "b" } });
        assert.deepEqual(sts.spec.volumeClaimTemplates, [
            {
                metadata: { name: "vol", labels: SELECTOR },
                spec: {
                    accessModes: ["ReadWriteOncePod"],
                    volumeMode: "Filesystem",
                    storageClassName: "fast",
                    resources: { requests: { storage: "5Gi" } },
                },
            },
        ]);
        const noClass = renderStatefulSet({ ...parts, persistence: { accessMode: "ReadWriteOnce", volumeSize: "1Gi" } });
        assert.equal("storageClassName" in noClass.spec.volumeClaimTemplates[0].spec, false, "no storage class: the cluster default");
    });

    it("renders the whole PodDisruptionBudget", () => {
        assert.deepEqual(renderDisruptionBudget({ name: "pdb" }, 2, SELECTOR), {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: "pdb" },
            spec: { maxUnavailable: 2, selector: { matchLabels: SELECTOR } },
        });
    });
});

describe("render: pod template and anti-affinity", () => {
    const term = { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: SELECTOR } };

    it("spreads pods softly, strictly or not at all; a user affinity replaces ours", () => {
        assert.deepEqual(renderAffinity(EMPTY_POD_TEMPLATE, "soft", SELECTOR), {
            podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
        });
        assert.deepEqual(renderAffinity(EMPTY_POD_TEMPLATE, "hard", SELECTOR), {
            podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] },
        });
        assert.equal(renderAffinity(EMPTY_POD_TEMPLATE, "none", SELECTOR), undefined);
        const mine = { nodeAffinity: { x: 1 } };
        assert.equal(renderAffinity({ ...EMPTY_POD_TEMPLATE, affinity: mine }, "hard", SELECTOR), mine);
    });

    it("passes every set pod field through, never mounts the token unless asked, and adds the affinity", () => {
        const base = { containers: [], securityContext: { fsGroup: 1 } };
        assert.deepEqual(applyPodTemplate(base, EMPTY_POD_TEMPLATE, undefined), { ...base, automountServiceAccountToken: false });
        const tpl: ResolvedPodTemplate = {
            labels: {},
            annotations: {},
            automountServiceAccountToken: true,
            nodeSelector: { disk: "ssd" },
            tolerations: [{ key: "k" }],
            securityContext: { runAsUser: 5 },
            imagePullSecrets: [{ name: "reg" }],
            priorityClassName: "high",
            priority: 7,
            serviceAccountName: "sa",
            runtimeClassName: "gvisor",
            dnsPolicy: "None",
            dnsConfig: { nameservers: ["1.1.1.1"] },
            resourceClaims: [{ name: "gpu" }],
        };
        assert.deepEqual(applyPodTemplate(base, tpl, { podAntiAffinity: {} }), {
            containers: [],
            automountServiceAccountToken: true,
            nodeSelector: { disk: "ssd" },
            tolerations: [{ key: "k" }],
            securityContext: { fsGroup: 1, runAsUser: 5 },
            imagePullSecrets: [{ name: "reg" }],
            priorityClassName: "high",
            priority: 7,
            serviceAccountName: "sa",
            runtimeClassName: "gvisor",
            dnsPolicy: "None",
            dnsConfig: { nameservers: ["1.1.1.1"] },
            resourceClaims: [{ name: "gpu" }],
            affinity: { podAntiAffinity: {} },
        });
    });
});

describe("render: container template", () => {
    const container = {
        name: "c",
        image: "i",
        env: [{ name: "A", value: "1" }],
        resources: { limits: { memory: "1Gi" }, requests: { cpu: "100m" } },
        readinessProbe: { httpGet: { path: "/r" }, periodSeconds: 10 },
    };

    it("without a template: only the default security context is added", () => {
        assert.deepEqual(applyContainerTemplate(container, EMPTY_CONTAINER_TEMPLATE), { ...container, securityContext: SECURITY });
        assert.deepEqual(applyContainerTemplate({ name: "bare" }, EMPTY_CONTAINER_TEMPLATE), { name: "bare", securityContext: SECURITY });
    });

    it("merges resources and the security context, appends env and envFrom, patches only the probes the container has", () => {
        const out = applyContainerTemplate(container, {
            resources: { limits: { cpu: "2" }, requests: { cpu: "500m", memory: "256Mi" } },
            imagePullPolicy: "Always",
            securityContext: { runAsUser: 1 },
            env: [{ name: "B", value: "2" }],
            envFrom: [{ secretRef: { name: "s" } }],
            readinessProbe: { periodSeconds: 3, failureThreshold: 9 },
            livenessProbe: { periodSeconds: 4 },
        });
        assert.deepEqual(out, {
            name: "c",
            image: "i",
            env: [
                { name: "A", value: "1" },
                { name: "B", value: "2" },
            ],
            envFrom: [{ secretRef: { name: "s" } }],
            resources: { limits: { memory: "1Gi", cpu: "2" }, requests: { cpu: "500m", memory: "256Mi" } },
            imagePullPolicy: "Always",
            securityContext: { ...SECURITY, runAsUser: 1 },
            readinessProbe: { httpGet: { path: "/r" }, periodSeconds: 3, failureThreshold: 9 },
        });
    });

    it("gives a container without env or envFrom exactly the template's", () => {
        const tpl = { ...EMPTY_CONTAINER_TEMPLATE, env: [{ name: "B", value: "2" }], envFrom: [{ configMapRef: { name: "m" } }] };
        assert.deepEqual(applyContainerTemplate({ name: "bare" }, tpl), {
            name: "bare",
            env: [{ name: "B", value: "2" }],
            envFrom: [{ configMapRef: { name: "m" } }],
            securityContext: SECURITY,
        });
    });

    it("creates only the resource maps that exist on either side", () => {
        assert.deepEqual(
            applyContainerTemplate({ name: "c" }, { ...EMPTY_CONTAINER_TEMPLATE, resources: { limits: { cpu: "1" } } }).resources,
            {
                limits: { cpu: "1" },
            },
        );
        assert.deepEqual(
            applyContainerTemplate({ name: "c" }, { ...EMPTY_CONTAINER_TEMPLATE, resources: { requests: { cpu: "1" } } }).resources,
            {
                requests: { cpu: "1" },
            },
        );
        assert.deepEqual(applyContainerTemplate({ name: "c" }, { ...EMPTY_CONTAINER_TEMPLATE, resources: {} }).resources, {});
    });
});
