/**
 * The pulumi-kubernetes Diff model (rules/kubernetes.ts, rules/values.ts) against the cases of
 * pulumi-kubernetes `provider/pkg/provider/diff_test.go` `TestPatchToDiff` (read at 94977969d),
 * plus the unknown-value cases settled in /work/notes/day2-rules.md.
 */
import * as assert from "assert";
import { DiffKind, checkKubernetes, diffKubernetes, forceNewPaths, patchToDiff } from "../../rules/kubernetes";
import { PropertyMap, UNKNOWN, Value, createMergePatch, encodeForPatch, jsonPathMatches } from "../../rules/values";

const A: DiffKind = "add",
    D: DiffKind = "delete",
    U: DiffKind = "update";
const AR: DiffKind = "add-replace",
    DR: DiffKind = "delete-replace",
    UR: DiffKind = "update-replace";

interface Case {
    name: string;
    apiVersion: string;
    kind: string;
    old: PropertyMap;
    news: PropertyMap;
    inputs?: PropertyMap;
    oldInputs?: PropertyMap;
    config?: { enableSecretMutable?: boolean; enableConfigMapMutable?: boolean };
    expected: Record<string, DiffKind>;
}

const pod = (image: Value, extra: PropertyMap = {}): PropertyMap => ({ spec: { containers: [{ name: "nginx", image, ...extra }] } });

/** Upstream `TestPatchToDiff`: the patch is built from `old` and `new` JSON exactly as the test does. */
const CASES: Case[] = [
    {
        name: "Adding spec and nested field",
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        old: { spec: {} },
        news: { spec: { accessModes: {} } },
        expected: { "spec.accessModes": AR },
    },
    {
        name: "Deleting spec and nested field",
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        old: { spec: { accessModes: {} } },
        news: { spec: {} },
        expected: { "spec.accessModes": DR },
    },
    {
        name: "Changing image spec",
        apiVersion: "v1",
        kind: "Pod",
        old: pod("nginx"),
        news: pod("nginx:1.15-alpine"),
        expected: { "spec.containers[0].image": UR },
    },
    {
        name: "Changing DNS policy and image spec",
        apiVersion: "v1",
        kind: "Pod",
        old: pod("nginx", { dnsPolicy: "Default" }),
        news: pod("nginx:1.15-alpine", { dnsPolicy: "None" }),
        expected: { "spec.containers[0].dnsPolicy": U, "spec.containers[0].image": UR },
    },
    {
        name: "Adding DNS policy",
        apiVersion: "v1",
        kind: "Pod",
        old: pod("nginx"),
        news: pod("nginx", { dnsPolicy: "Default" }),
        expected: { "spec.containers[0].dnsPolicy": A },
    },
    {
        name: "Deleting DNS policy",
        apiVersion: "v1",
        kind: "Pod",
        old: pod("nginx", { dnsPolicy: "Default" }),
        news: pod("nginx"),
        expected: { "spec.containers[0].dnsPolicy": D },
    },
    {
        name: "State diffs with no corresponding input property are ignored",
        apiVersion: "v1",
        kind: "Pod",
        old: { ...pod("nginx"), status: { hostIP: "10.0.0.2" } },
        news: { ...pod("nginx"), status: { hostIP: "10.0.0.3" } },
        inputs: pod("nginx"),
        oldInputs: pod("nginx"),
        expected: {},
    },
    {
        name: "PVC resources don't trigger a replace",
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        old: { spec: { resources: { requests: { storage: "10Gi" } } } },
        news: { spec: { resources: { requests: { storage: "20Gi" } } } },
        expected: { "spec.resources.requests.storage": U },
    },
    {
        name: "ConfigMap mutable",
        apiVersion: "v1",
        kind: "ConfigMap",
        config: { enableConfigMapMutable: true },
        old: { data: { property1: "3" } },
        news: { data: { property1: "4" } },
        expected: { "data.property1": U },
    },
    {
        name: "ConfigMap without enableConfigMapMutable",
        apiVersion: "v1",
        kind: "ConfigMap",
        old: { data: { property1: "3" } },
        news: { data: { property1: "4" } },
        expected: { "data.property1": UR },
    },
    {
        name: "ConfigMap immutable even when mutable",
        apiVersion: "v1",
        kind: "ConfigMap",
        config: { enableConfigMapMutable: true },
        old: { data: { property1: "3" }, immutable: true },
        news: { data: { property1: "4" }, immutable: true },
        expected: { "data.property1": UR },
    },
    {
        name: "Secret mutable",
        apiVersion: "v1",
        kind: "Secret",
        config: { enableSecretMutable: true },
        old: { data: { property1: "3" } },
        news: { data: { property1: "4" } },
        expected: { "data.property1": U },
    },
    {
        name: "Secret without enableSecretMutable",
        apiVersion: "v1",
        kind: "Secret",
        old: { data: { property1: "3" } },
        news: { data: { property1: "4" } },
        expected: { "data.property1": UR },
    },
    {
        name: "Secret type change even when mutable",
        apiVersion: "v1",
        kind: "Secret",
        config: { enableSecretMutable: true },
        old: { type: "kubernetes.io/dockerconfigjson", data: { property1: "3" } },
        news: { type: "Opaque", data: { property1: "3" } },
        expected: { type: UR },
    },
    {
        name: "Secret immutable even when mutable",
        apiVersion: "v1",
        kind: "Secret",
        config: { enableSecretMutable: true },
        old: { data: { property1: "3" }, immutable: true },
        news: { data: { property1: "4" }, immutable: true },
        expected: { "data.property1": UR },
    },
    {
        name: "Changing computed object values (null in the patch, as the upstream test builds it)",
        apiVersion: "v1",
        kind: "Pod",
        old: pod("nginx"),
        news: pod(null),
        inputs: pod(UNKNOWN),
        expected: { "spec.containers[0].image": UR },
    },
    {
        name: "Adding computed object values",
        apiVersion: "v1",
        kind: "Pod",
        old: { spec: { containers: [{ name: "nginx" }] } },
        news: pod(null),
        inputs: pod(UNKNOWN),
        expected: { "spec.containers[0].image": AR },
    },
    {
        name: "Adding computed array values",
        apiVersion: "v1",
        kind: "Pod",
        old: { spec: { containers: [] } },
        news: { spec: { containers: [null] } },
        inputs: { spec: { containers: [UNKNOWN] } },
        expected: { "spec.containers[0]": A },
    },
    {
        name: "Changing computed array values",
        apiVersion: "v1",
        kind: "Pod",
        old: { spec: { containers: [{ name: "nginx" }] } },
        news: { spec: { containers: [null] } },
        inputs: { spec: { containers: [UNKNOWN] } },
        expected: { "spec.containers[0]": U },
    },
    {
        name: "Removing array values",
        apiVersion: "v1",
        kind: "Pod",
        old: pod("nginx"),
        news: { spec: { containers: [] } },
        expected: { "spec.containers[0]": D },
    },
    {
        name: "Removing a field that was nil should not panic (#1970)",
        apiVersion: "tekton.dev/v1beta1",
        kind: "Pipeline",
        old: { taskSpec: { spec: null, steps: [{ name: "something" }] } },
        news: { taskSpec: { steps: [{ name: "something-else" }] } },
        expected: { "taskSpec.spec": D, "taskSpec.steps[0].name": U },
    },
];

describe("rules: pulumi-kubernetes patch → detailed diff (diff_test.go TestPatchToDiff)", () => {
    for (const c of CASES) {
        it(c.name, () => {
            const patch = createMergePatch(c.old as any, c.news as any);
            const obj = { apiVersion: c.apiVersion, kind: c.kind, ...c.old };
            const diff = patchToDiff(patch, c.old, c.inputs ?? c.news, forceNewPaths(obj, c.config), c.oldInputs ?? c.old);
            assert.deepStrictEqual(diff, c.expected);
        });
    }
});

describe("rules: JSONPath matching as client-go counts it (openapi/match.go PatchPropertiesChanged)", () => {
    it("finds a key holding null (a deletion matches its force-new path)", () => {
        assert.strictEqual(jsonPathMatches({ metadata: { name: null } }, ".metadata.name"), true);
    });
    it('does not look inside null or scalars ("not found")', () => {
        assert.strictEqual(jsonPathMatches({ metadata: null }, ".metadata.name"), false);
        assert.strictEqual(jsonPathMatches({ spec: "x" }, ".spec.selector"), false);
    });
    it('counts [*] over a non-array as a match (an error other than "not found")', () => {
        assert.strictEqual(jsonPathMatches({ spec: { containers: { Element: { V: "" } } } }, ".spec.containers[*].image"), true);
    });
    it("matches a prefix of the path", () => {
        assert.strictEqual(jsonPathMatches({ data: { password: "x" } }, ".data"), true);
    });
});

/** Objects as our component renders them, after Check (namespace filled). */
const secret = (data: Value, metadata: Value = { name: "isbsvc-default-js-client-auth", namespace: "pipelines" }): PropertyMap => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata,
    type: "Opaque",
    data,
});
const sts = (spec: Value): PropertyMap => ({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "isbsvc-default-js", namespace: "pipelines" },
    spec,
});
const stsSpec = { replicas: 3, serviceName: "isbsvc-default-js-svc", selector: { matchLabels: { app: "js" } }, template: { spec: {} } };

describe("rules: pulumi-kubernetes Diff with unknowns (provider.go Diff; encoding settled in day2-rules.md)", () => {
    it('encodes an unknown as {Element:{V:""}}, never null', () => {
        assert.deepStrictEqual(encodeForPatch({ a: UNKNOWN }), { a: { Element: { V: "" } } });
    });
    it("an unknown metadata replaces create-before-delete (name and namespace deleted in the patch)", () => {
        const d = diffKubernetes(secret({ p: "a" }), secret({ p: "a" }, UNKNOWN));
        assert.strictEqual(d.detailedDiff["metadata.name"], DR);
        assert.strictEqual(d.detailedDiff["metadata.namespace"], DR);
        assert.strictEqual(d.deleteBeforeReplace, false);
    });
    it('an unknown metadata.namespace is read as "default": no change for an object in default', () => {
        const old = secret({ p: "a" }, { name: "s", namespace: "default" });
        assert.strictEqual(diffKubernetes(old, secret({ p: "a" }, { name: "s", namespace: UNKNOWN })).changes, "none");
    });
    it('an unknown metadata.namespace is read as "default": replace (not DBR) for an object elsewhere', () => {
        const d = diffKubernetes(secret({ p: "a" }), secret({ p: "a" }, { name: "isbsvc-default-js-client-auth", namespace: UNKNOWN }));
        assert.deepStrictEqual(d.detailedDiff, { "metadata.namespace": UR });
        assert.strictEqual(d.deleteBeforeReplace, false);
    });
    it("Check fills the provider's default namespace into an unknown or absent namespace", () => {
        const checked = checkKubernetes(secret({}, { name: "s", namespace: UNKNOWN }), { defaultNamespace: "pipelines" });
        assert.deepStrictEqual(checked.metadata, { name: "s", namespace: "pipelines" });
        assert.deepStrictEqual(checkKubernetes(secret({}, { name: "s" })).metadata, { name: "s", namespace: "default" });
        assert.strictEqual(checkKubernetes(secret({}, UNKNOWN)).metadata, UNKNOWN);
    });
    it("an unknown Secret data value replaces delete-before-replace (named, same name and namespace)", () => {
        const d = diffKubernetes(secret({ password: "YQ==" }), secret({ password: UNKNOWN }));
        assert.deepStrictEqual(d.detailedDiff, { "data.password": UR });
        assert.strictEqual(d.deleteBeforeReplace, true);
    });
    it("an unknown Secret data object replaces DBR (every old key deleted); with enableSecretMutable it updates", () => {
        assert.strictEqual(diffKubernetes(secret({ password: "YQ==" }), secret(UNKNOWN)).deleteBeforeReplace, true);
        const mutable = diffKubernetes(secret({ password: "YQ==" }), secret(UNKNOWN), { enableSecretMutable: true });
        assert.deepStrictEqual(mutable.replaces, []);
        assert.deepStrictEqual(mutable.detailedDiff, { "data.password": D });
    });
    it("an unknown StatefulSet spec replaces; an unknown spec.replicas updates", () => {
        assert.ok(diffKubernetes(sts(stsSpec), sts(UNKNOWN)).replaces.includes("spec.serviceName"));
        const d = diffKubernetes(sts(stsSpec), sts({ ...stsSpec, replicas: UNKNOWN }));
        assert.deepStrictEqual(d.detailedDiff, { "spec.replicas": U });
    });
    it("a renamed object replaces create-before-delete", () => {
        const d = diffKubernetes(secret({}), secret({}, { name: "other", namespace: "pipelines" }));
        assert.deepStrictEqual(d.replaces, ["metadata.name"]);
        assert.strictEqual(d.deleteBeforeReplace, false);
    });
    it("an autonamed object is never DBR (naming.go IsAutonamed)", () => {
        const md = { name: "s-1a2b3c", namespace: "pipelines", annotations: { "pulumi.com/autonamed": "true" } };
        assert.strictEqual(diffKubernetes(secret({ p: "a" }, md), secret({ p: "b" }, md)).deleteBeforeReplace, false);
    });
    it("a policy/v1 PodDisruptionBudget spec change is an update", () => {
        const pdb = (n: number): PropertyMap => ({
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: "p", namespace: "x" },
            spec: { maxUnavailable: n },
        });
        assert.deepStrictEqual(diffKubernetes(pdb(1), pdb(2)).detailedDiff, { "spec.maxUnavailable": U });
    });
    it("a headless Service with an unknown spec replaces (clusterIP deleted in the patch)", () => {
        const svc = (spec: Value): PropertyMap => ({ apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "x" }, spec });
        assert.ok(diffKubernetes(svc({ clusterIP: "None", ports: [] }), svc(UNKNOWN)).replaces.includes("spec.clusterIP"));
    });
});
