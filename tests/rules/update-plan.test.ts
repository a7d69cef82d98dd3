/**
 * The engine model (rules/update-plan.ts) against the Pulumi engine's lifecycle tests, pulumi
 * v3.248.0 `pkg/engine/lifecycletest/delete_before_replace_test.go`, `retain_on_delete_test.go`,
 * `pulumi_test.go` `TestReplaceOnChanges`, and pulumi-kubernetes `tests/sdk/nodejs/delete-before-replace`
 * (nodejs_test.go), plus the traps the model flags for our Kubernetes objects.
 */
import * as assert from "assert";
import { CustomProvider, DiffResult, Plan, PropertyMap, ResourceState, UNKNOWN, planUpdate, stepOf } from "../../rules/update-plan";
import { deepEqual } from "../../rules/values";

const urn = (type: string, name: string) => `urn:pulumi:test::test::${type}::${name}`;

/** The lifecycle tests' provider: replace (and DBR when `dbr`) when `A` differs from the old output `A`. */
function pkgA(dbr: boolean, also: (old: ResourceState, news: PropertyMap) => DiffResult | undefined = () => undefined): CustomProvider {
    return {
        diff(old, news) {
            if (!deepEqual(old.outputs?.A ?? null, news.A ?? null))
                return { changes: "some", replaceKeys: ["A"], deleteBeforeReplace: dbr };
            return also(old, news) ?? { changes: "unknown", replaceKeys: [] };
        },
    };
}

const replacedSet = (plan: Plan) =>
    plan.steps
        .filter((s) => s.kind === "replace" || s.kind === "delete-before-replace")
        .map((s) => s.urn.split("::").pop())
        .sort();

describe("rules: engine step generation (pulumi v3.248.0 step_generator.go)", () => {
    it("TestDeleteBeforeReplace: dependents by provider or by a replacing property are deleted first", () => {
        //      A            A, C, D are providers; B, E, H use them; C F I / G J / K L depend by property.
        //  B   C   D        Expected replaced: A, B, C, E, F, K.
        //    E F G H I J
        //      K L
        const P = "pulumi:providers:pkgA",
            T = "pkgA:m:typA";
        const [A, B, C, D, E, F, G, H, I, J, K, L] = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"].map((n) =>
            urn("ACD".includes(n) ? P : T, n),
        );
        // newResource() of target_test.go: one input "foo" per property dependency; outputs as given.
        const r = (u: string, provider: string | undefined, deps: Record<string, string[]>, outputs: PropertyMap = {}): ResourceState => ({
            urn: u,
            type: u.split("::")[2],
            name: u.split("::")[3],
            provider,
            outputs,
            inputs: Object.fromEntries(Object.keys(deps).map((k) => [k, "foo"])),
            propertyDependencies: deps,
            dependencies: [...new Set(Object.values(deps).flat())],
        });
        const olds = [
            r(A, undefined, {}, { A: "foo" }),
            r(B, A, {}),
            r(C, undefined, { A: [A] }, { A: "bar" }),
            r(D, undefined, { B: [A] }),
            r(E, C, {}),
            r(F, undefined, { A: [C] }),
            r(G, undefined, { B: [C] }),
            r(H, D, {}),
            r(I, undefined, { A: [D] }),
            r(J, undefined, { B: [D] }),
            r(K, undefined, { A: [F, G] }),
            r(L, undefined, { B: [F, G] }),
        ];
        olds[0].inputs = { A: "foo" };
        const news = olds.map((o): ResourceState => ({
            ...o,
            inputs: o.urn === A ? { A: "bar" } : {},
            propertyDependencies: {},
            dependencies: [],
        }));
        const plan = planUpdate(olds, news, { providers: { [P]: pkgA(true), pkgA: pkgA(false) } });
        assert.deepStrictEqual(replacedSet(plan), ["A", "B", "C", "E", "F", "K"]);
        assert.deepStrictEqual(
            plan.dependentDeletes.map((d) => d.urn.split("::").pop()),
            ["K", "F", "E", "C", "B"],
        );
        assert.strictEqual(stepOf(plan, K).deletedFirstFor, A);
    });

    describe("TestExplicitDeleteBeforeReplace", () => {
        const T = "pkgA:index:typ";
        const resA = urn(T, "resA"),
            resB = urn(T, "resB");
        const state = (a: string, b: string, dbr?: boolean): ResourceState[] => [
            { urn: resA, type: T, name: "resA", inputs: { A: a }, outputs: { A: a }, options: { deleteBeforeReplace: dbr } },
            {
                urn: resB,
                type: T,
                name: "resB",
                inputs: { A: b },
                outputs: { A: b },
                propertyDependencies: { A: [resA] },
                dependencies: [resA],
            },
        ];
        const providers = { pkgA: pkgA(false) };
        it("a provider CBD replace leaves the dependent alone", () => {
            const plan = planUpdate(state("foo", "foo"), state("bar", "foo"), { providers });
            assert.deepStrictEqual([stepOf(plan, resA).kind, stepOf(plan, resB).kind], ["replace", "same"]);
        });
        it("deleteBeforeReplace: true on resA deletes resB first and re-creates it", () => {
            const plan = planUpdate(state("bar", "foo"), state("baz", "foo", true), { providers });
            assert.deepStrictEqual([stepOf(plan, resA).kind, stepOf(plan, resB).kind], ["delete-before-replace", "delete-before-replace"]);
            assert.deepStrictEqual(plan.dependentDeletes, [{ urn: resB, because: resA }]);
        });
        it("a change of resB alone is a CBD replace of resB only", () => {
            const plan = planUpdate(state("baz", "foo", true), state("baz", "qux", true), { providers });
            assert.deepStrictEqual([stepOf(plan, resA).kind, stepOf(plan, resB).kind], ["same", "replace"]);
        });
    });

    it("TestDependencyChangeDBR: a dependent already registered (no longer dependent) is not deleted", () => {
        const T = "pkgA:index:typ",
            resA = urn(T, "resA"),
            resB = urn(T, "resB");
        const olds: ResourceState[] = [
            { urn: resA, type: T, name: "resA", inputs: { A: "foo" }, outputs: { A: "foo" } },
            { urn: resB, type: T, name: "resB", inputs: { A: "foo" }, outputs: { A: "foo" }, propertyDependencies: { A: [resA] } },
        ];
        const news: ResourceState[] = [
            { ...olds[1], propertyDependencies: {} },
            { ...olds[0], inputs: { A: "bar" } },
        ];
        const plan = planUpdate(olds, news, { providers: { pkgA: pkgA(true) } });
        assert.deepStrictEqual([stepOf(plan, resB).kind, stepOf(plan, resA).kind], ["same", "delete-before-replace"]);
        assert.deepStrictEqual(plan.dependentDeletes, []);
    });

    it("TestDBRProtect: a protected dependent of a DBR is an error", () => {
        const T = "pkgA:index:typ",
            resA = urn(T, "resA"),
            resB = urn(T, "resB");
        const olds: ResourceState[] = [
            { urn: resA, type: T, name: "resA", inputs: { A: "foo" }, outputs: { A: "foo" } },
            {
                urn: resB,
                type: T,
                name: "resB",
                inputs: { A: "foo" },
                outputs: { A: "foo" },
                propertyDependencies: { A: [resA] },
                options: { protect: true },
            },
        ];
        const plan = planUpdate(olds, [{ ...olds[0], inputs: { A: "bar" } }, olds[1]], { providers: { pkgA: pkgA(true) } });
        assert.deepStrictEqual(
            plan.problems.map((p) => [p.code, p.urn]),
            [["protected-dependent", resB]],
        );
    });

    it("TestDBRReplaceOnChanges: an unknown under replaceOnChanges of a dependent replaces it (engine input diff)", () => {
        const T = "pkgA:index:typA",
            resA = urn(T, "resA"),
            resB = urn(T, "resB");
        const provider: CustomProvider = {
            diff: (old) =>
                old.name === "resA"
                    ? { changes: "some", replaceKeys: ["value"], deleteBeforeReplace: true }
                    : { changes: "unknown", replaceKeys: [] },
        };
        const olds: ResourceState[] = [
            { urn: resA, type: T, name: "resA", inputs: { value: "foo" } },
            {
                urn: resB,
                type: T,
                name: "resB",
                inputs: { value: "foo" },
                propertyDependencies: { value: [resA] },
                options: { replaceOnChanges: ["value"] },
            },
        ];
        const plan = planUpdate(olds, [{ ...olds[0], inputs: { value: "bar" } }, olds[1]], { providers: { pkgA: provider } });
        assert.deepStrictEqual(plan.dependentDeletes, [{ urn: resB, because: resA }]);
    });

    it("TestReplaceOnChanges: replaceOnChanges turns an update of that path into a replace", () => {
        const T = "pkgA:index:typ",
            res = urn(T, "res");
        const old: ResourceState = { urn: res, type: T, name: "res", inputs: { foo: "a", bar: "x" } };
        const providers = { pkgA: { diff: () => ({ changes: "unknown", replaceKeys: [] }) } as CustomProvider };
        const opts = { providers };
        assert.strictEqual(stepOf(planUpdate([old], [{ ...old, inputs: { foo: "b", bar: "x" } }], opts), res).kind, "update");
        const news = { ...old, inputs: { foo: "b", bar: "x" }, options: { replaceOnChanges: ["foo"] } };
        assert.strictEqual(stepOf(planUpdate([old], [news], opts), res).kind, "replace");
    });

    it("TestRetainOnDelete: the delete half of a replace and a delete only forget the resource", () => {
        const T = "pkgA:m:typA",
            res = urn(T, "resA");
        const old: ResourceState = {
            urn: res,
            type: T,
            name: "resA",
            inputs: { A: "bar" },
            outputs: { A: "bar" },
            options: { retainOnDelete: true },
        };
        const replaced = stepOf(planUpdate([old], [{ ...old, inputs: { A: "baz" } }], { providers: { pkgA: pkgA(false) } }), res);
        assert.deepStrictEqual([replaced.kind, replaced.retained], ["replace", true]);
        const deleted = stepOf(planUpdate([old], []), res);
        assert.deepStrictEqual([deleted.kind, deleted.retained], ["delete", true]);
    });

    it("protect: replacing or deleting a protected resource is an error (continueStepsFromDiff, DeleteStep.Apply)", () => {
        const T = "pkgA:m:typA",
            res = urn(T, "resA");
        const old: ResourceState = { urn: res, type: T, name: "resA", inputs: { A: "a" }, outputs: { A: "a" }, options: { protect: true } };
        const plan = planUpdate([old], [{ ...old, inputs: { A: "b" } }], { providers: { pkgA: pkgA(false) } });
        assert.deepStrictEqual(
            plan.problems.map((p) => p.code),
            ["protected-replace"],
        );
        assert.deepStrictEqual(
            planUpdate([old], []).problems.map((p) => p.code),
            ["protected-delete"],
        );
    });

    it("--replace targets replace create-before-delete with key id; new resources are created", () => {
        const T = "pkgA:m:typA",
            res = urn(T, "r"),
            added = urn(T, "n");
        const old: ResourceState = { urn: res, type: T, name: "r", inputs: { A: "a" }, outputs: { A: "a" } };
        const plan = planUpdate([old], [old, { ...old, urn: added, name: "n" }], {
            targetReplaces: [res],
            providers: { pkgA: pkgA(true) },
        });
        assert.deepStrictEqual(
            [stepOf(plan, res).kind, stepOf(plan, res).replaceKeys, stepOf(plan, added).kind],
            ["replace", ["id"], "create"],
        );
    });

    it("a changed provider reference replaces (providerChanged); component resources are never dependents", () => {
        const T = "pkgA:m:typA",
            res = urn(T, "r"),
            comp = urn("isbsvc:index:C", "c");
        const old: ResourceState = { urn: res, type: T, name: "r", inputs: {}, provider: "urn:p1" };
        const plan = planUpdate([old], [{ ...old, provider: "urn:p2" }], { providers: { pkgA: pkgA(false) } });
        assert.deepStrictEqual(stepOf(plan, res).replaceKeys, ["provider"]);
        const root: ResourceState = { urn: urn(T, "root"), type: T, name: "root", inputs: { A: "a" }, outputs: { A: "a" } };
        const component: ResourceState = {
            urn: comp,
            type: "isbsvc:index:C",
            name: "c",
            custom: false,
            inputs: { x: "a" },
            propertyDependencies: { x: [root.urn] },
        };
        const p2 = planUpdate([root, component], [{ ...root, inputs: { A: "b" } }, component], { providers: { pkgA: pkgA(true) } });
        assert.deepStrictEqual(p2.dependentDeletes, []);
    });
});

const SECRET = "kubernetes:core/v1:Secret",
    STS = "kubernetes:apps/v1:StatefulSet",
    PW = "random:index/randomPassword:RandomPassword";
const pwUrn = urn(PW, "default-js-password"),
    secretUrn = urn(SECRET, "default-js-client-auth"),
    stsUrn = urn(STS, "default-js");
const md = (name: string) => ({ name, namespace: "pipelines" });

/** A password, a Secret made from it, and a StatefulSet whose metadata and spec depend on the Secret (as `objectArgs` does). */
function isbState(opts: { secretRetained?: boolean; stsDependsBy?: "property" | "dependsOn" } = {}): ResourceState[] {
    const stsDeps: Record<string, string[]> = opts.stsDependsBy === "dependsOn" ? {} : { metadata: [secretUrn], spec: [secretUrn] };
    return [
        { urn: pwUrn, type: PW, name: "default-js-password", inputs: { length: 32, special: false } },
        {
            urn: secretUrn,
            type: SECRET,
            name: "default-js-client-auth",
            inputs: { apiVersion: "v1", kind: "Secret", metadata: md("isbsvc-default-js-client-auth"), data: { password: "cHc=" } },
            propertyDependencies: { metadata: [pwUrn], data: [pwUrn] },
            dependencies: [pwUrn],
            options: { retainOnDelete: opts.secretRetained },
        },
        {
            urn: stsUrn,
            type: STS,
            name: "default-js",
            inputs: {
                apiVersion: "apps/v1",
                kind: "StatefulSet",
                metadata: md("isbsvc-default-js"),
                spec: { serviceName: "isbsvc-default-js-svc", selector: { matchLabels: { app: "js" } }, replicas: 3 },
            },
            propertyDependencies: stsDeps,
            dependencies: [secretUrn],
        },
    ];
}

describe("rules: Kubernetes objects through the engine (pulumi-kubernetes Diff + calculateDependentReplacements)", () => {
    it("tests/sdk/nodejs/delete-before-replace: a named Pod whose image changes is replaced delete-before-replace", () => {
        const POD = "kubernetes:core/v1:Pod",
            pod = urn(POD, "pod-test");
        const inputs = (image: string): PropertyMap => ({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "pod-test", namespace: "ns" },
            spec: { containers: [{ name: "nginx", image }] },
        });
        const old: ResourceState = { urn: pod, type: POD, name: "pod-test", inputs: inputs("nginx:1.13-alpine") };
        assert.strictEqual(stepOf(planUpdate([old], [{ ...old, inputs: inputs("nginx:1.15-alpine") }]), pod).kind, "delete-before-replace");
    });

    it("preview of a password rotation: metadata unknown all the way down → create-before-delete replaces, undecided", () => {
        const olds = isbState();
        const plan = planUpdate(olds, olds, { preview: true, targetReplaces: [pwUrn] });
        assert.deepStrictEqual(
            [pwUrn, secretUrn, stsUrn].map((u) => stepOf(plan, u).kind),
            ["replace", "replace", "replace"],
        );
        assert.deepStrictEqual(
            plan.problems.map((p) => [p.code, p.urn]),
            [
                ["replace-undecided-at-preview", secretUrn],
                ["replace-undecided-at-preview", stsUrn],
            ],
        );
        assert.deepStrictEqual(plan.dependentDeletes, []);
    });

    it("the same rotation at up (known values): Secret DBR, StatefulSet deleted first because its metadata depends on it", () => {
        const olds = isbState();
        const news = olds.map((r) => (r.urn === secretUrn ? { ...r, inputs: { ...r.inputs, data: { password: "bmV3" } } } : r));
        const plan = planUpdate(olds, news, { targetReplaces: [pwUrn] });
        assert.deepStrictEqual(
            [pwUrn, secretUrn, stsUrn].map((u) => stepOf(plan, u).kind),
            ["replace", "delete-before-replace", "delete-before-replace"],
        );
        assert.deepStrictEqual(plan.dependentDeletes, [{ urn: stsUrn, because: secretUrn }]);
    });

    it("a dependsOn-only edge never deletes the dependent (no property depends on the replaced resource)", () => {
        const olds = isbState({ stsDependsBy: "dependsOn" });
        const news = olds.map((r) => (r.urn === secretUrn ? { ...r, inputs: { ...r.inputs, data: { password: "bmV3" } } } : r));
        assert.deepStrictEqual(planUpdate(olds, news).dependentDeletes, []);
    });

    it("with enableSecretMutable the Secret updates in place and nothing is deleted", () => {
        const olds = isbState();
        const news = olds.map((r) => (r.urn === secretUrn ? { ...r, inputs: { ...r.inputs, data: { password: "bmV3" } } } : r));
        const plan = planUpdate(olds, news, { kubernetes: { enableSecretMutable: true } });
        assert.deepStrictEqual([stepOf(plan, secretUrn).kind, plan.dependentDeletes.length], ["update", 0]);
    });

    it("retainOnDelete + DBR of a named object: AlreadyExists without upsertExistingObjects, an SSA conflict with it unless forced", () => {
        const olds = isbState({ secretRetained: true });
        const news = olds.map((r) => (r.urn === secretUrn ? { ...r, inputs: { ...r.inputs, data: { password: "bmV3" } } } : r));
        assert.deepStrictEqual(
            planUpdate(olds, news).problems.map((p) => [p.code, p.urn]),
            [["retained-recreate", secretUrn]],
        );
        // The real engine (pulumi-kubernetes 4.25): "Server-Side Apply field conflict detected" (tests/engine/day2.test.ts).
        assert.deepStrictEqual(
            planUpdate(olds, news, { kubernetes: { upsertExistingObjects: true } }).problems.map((p) => [p.code, p.urn]),
            [["retained-recreate-conflict", secretUrn]],
        );
        const forced = news.map((r) =>
            r.urn === secretUrn
                ? {
                      ...r,
                      inputs: {
                          ...r.inputs,
                          metadata: { ...((r.inputs as PropertyMap).metadata as any), annotations: { "pulumi.com/patchForce": "true" } },
                      },
                  }
                : r,
        );
        assert.deepStrictEqual(planUpdate(olds, forced, { kubernetes: { upsertExistingObjects: true } }).problems, []);
        assert.deepStrictEqual(
            planUpdate(olds, news, { kubernetes: { upsertExistingObjects: true, enablePatchForce: true } }).problems,
            [],
        );
    });

    it("deleteBeforeReplace: false on a named object: create-before-delete of the same name is flagged", () => {
        const olds = isbState();
        const news = olds.map((r) =>
            r.urn === secretUrn
                ? { ...r, inputs: { ...r.inputs, data: { password: "bmV3" } }, options: { deleteBeforeReplace: false } }
                : r,
        );
        const plan = planUpdate(olds, news);
        assert.deepStrictEqual(
            plan.problems.map((p) => p.code),
            ["create-before-delete-same-name"],
        );
    });

    it("preview with an unknown metadata: create-before-delete replace, flagged as undecided", () => {
        const olds = isbState();
        const news = olds.map((r): ResourceState => (r.urn === secretUrn ? { ...r, inputs: { ...r.inputs, metadata: UNKNOWN } } : r));
        const plan = planUpdate(olds, news, { preview: true, propagateUnknowns: false });
        assert.strictEqual(stepOf(plan, secretUrn).kind, "replace");
        assert.deepStrictEqual(
            plan.problems.map((p) => p.code),
            ["replace-undecided-at-preview"],
        );
        assert.strictEqual(stepOf(plan, secretUrn).outputsUnknown, true);
    });

    it("a certificate whose earlyRenewalHours ≥ validityPeriodHours is flagged", () => {
        const T = "tls:index/locallySignedCert:LocallySignedCert",
            u = urn(T, "c");
        const r: ResourceState = { urn: u, type: T, name: "c", inputs: { validityPeriodHours: 10, earlyRenewalHours: 10 } };
        assert.deepStrictEqual(
            planUpdate([], [r]).problems.map((p) => p.code),
            ["certificate-always-renews"],
        );
    });
});

describe("rules: pulumi-kubernetes Patch resources (provider.go Diff/Delete, await.go Creation, kinds/util.go IsPatchResource)", () => {
    const PATCH = "kubernetes:core/v1:PersistentVolumeClaimPatch",
        PVC = "kubernetes:core/v1:PersistentVolumeClaim";
    const claim = (type: string, extra: PropertyMap = {}, options: ResourceState["options"] = {}): ResourceState => ({
        urn: urn(type, "data-0"),
        type,
        name: "data-0",
        inputs: {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: "vol-sts-0", namespace: "pipelines" },
            spec: { resources: { requests: { storage: "10Gi" } }, ...extra },
        },
        options,
    });
    const withSpec = (r: ResourceState, spec: PropertyMap): ResourceState => ({ ...r, inputs: { ...r.inputs, spec } });

    it("a storage change of a Patch is an update; so is an accessModes change, which replaces a plain PVC", () => {
        for (const [type, modesKind] of [
            [PATCH, "update"],
            [PVC, "delete-before-replace"],
        ] as const) {
            const old = claim(type, { accessModes: ["ReadWriteOnce"] });
            const grown = withSpec(old, { resources: { requests: { storage: "20Gi" } }, accessModes: ["ReadWriteOnce"] });
            assert.strictEqual(stepOf(planUpdate([old], [grown]), old.urn).kind, "update", type);
            const modes = withSpec(old, { resources: { requests: { storage: "10Gi" } }, accessModes: ["ReadWriteMany"] });
            assert.strictEqual(stepOf(planUpdate([old], [modes]), old.urn).kind, modesKind, type);
        }
    });

    it("a Patch whose object name changes is replaced create-before-delete (a new object), never flagged AlreadyExists", () => {
        const old = claim(PATCH, {}, { retainOnDelete: true });
        const renamed: ResourceState = { ...old, inputs: { ...old.inputs, metadata: { name: "vol-sts-9", namespace: "pipelines" } } };
        const plan = planUpdate([old], [renamed]);
        assert.strictEqual(stepOf(plan, old.urn).kind, "replace");
        assert.deepStrictEqual(plan.problems, []);
    });

    it("deleting a Patch that sends a required field is flagged unless retainOnDelete; a plain PVC's delete is not", () => {
        assert.deepStrictEqual(
            planUpdate([claim(PATCH)], []).problems.map((p) => p.code),
            ["patch-relinquishes-required-field"],
        );
        assert.deepStrictEqual(planUpdate([claim(PATCH, {}, { retainOnDelete: true })], []).problems, []);
        assert.deepStrictEqual(planUpdate([claim(PVC)], []).problems, []);
        const labelsOnly: ResourceState = { ...claim(PATCH), inputs: { ...claim(PATCH).inputs, spec: { volumeName: "pv-1" } } };
        assert.deepStrictEqual(planUpdate([labelsOnly], []).problems, []);
    });

    it("IsPatchResource: the type's name is the kind + Patch (a custom resource named …Patch is not)", () => {
        const { isPatchResource } = require("../../rules/kubernetes");
        assert.strictEqual(isPatchResource(PATCH, { kind: "PersistentVolumeClaim" }), true);
        assert.strictEqual(isPatchResource(PVC, { kind: "PersistentVolumeClaim" }), false);
        assert.strictEqual(isPatchResource("kubernetes:example.com/v1:WidgetPatch", { kind: "WidgetPatch" }), false);
    });
});
