/**
 * The `ignoreChanges` model (rules/ignore-changes.ts) against the cases of pulumi/pulumi v3.248.0
 * `sdk/go/common/resource/properties_path_test.go` `TestReset` (expected `null`: Reset reports a
 * path failure), then what it means for the component's StatefulSet in the update-plan model.
 */
import { strict as assert } from "assert";
import { parsePropertyPath, processIgnoreChanges } from "../../rules/ignore-changes";
import { planUpdate, ResourceState, stepOf } from "../../rules/update-plan";
import { checkKubernetes } from "../../rules/kubernetes";
import { PropertyMap } from "../../rules/values";

const UPSTREAM: [string, string, PropertyMap, PropertyMap, PropertyMap | null][] = [
    ["Missing key, not in object", "missing", { root: 1 }, { root: 2 }, { root: 2 }],
    ["Missing key, not an object", "root.missing", { root: 1 }, { root: 2 }, { root: 2 }],
    ["Missing index, changed from an object", "root.nested", { root: { nested: 1 } }, { root: 2 }, null],
    ["Missing index, changed to an object", "root.nested", { root: 1 }, { root: { nested: 2 } }, { root: {} }],
    ["Missing key along path, not in object", "missing.path", { root: 1 }, { root: 2 }, { root: 2 }],
    ["Missing key along path, not an object", "root.missing.path", { root: 1 }, { root: 2 }, { root: 2 }],
    ["Missing index, not in array", "array[1]", { array: [1] }, { array: [1] }, { array: [1] }],
    ["Missing index, not an array", "root[0]", { root: 1 }, { root: 2 }, { root: 2 }],
    ["Missing index, changed from an array", "root[0]", { root: [1] }, { root: 2 }, null],
    ["Missing index, changed to an array", "root[0]", { root: 1 }, { root: [2] }, null],
    ["Index out of bound in old", "root[1]", { root: [2] }, { root: [3, 4] }, null],
    ["Index out of bound in new", "root[1]", { root: [1, 2] }, { root: [3] }, null],
    ["Missing index along path", "root[0].other", { root: { nested: 1 } }, { root: { nested: 2 } }, { root: { nested: 2 } }],
    ["Index out of bound in old along path", "root[1].nested", { root: [{ nested: 1 }] }, { root: [{ nested: 3 }, { nested: 4 }] }, null],
    ["Single path element", "root", { root: 1 }, { root: 2 }, { root: 1 }],
    ["Nested path element, changed", "root.nested", { root: { nested: 1 } }, { root: { nested: 2 } }, { root: { nested: 1 } }],
    ["Nested path element, added", "root.nested", { root: {} }, { root: { nested: 2 } }, { root: {} }],
    ["Nested path element, removed", "root.nested", { root: { nested: 1 } }, { root: {} }, { root: { nested: 1 } }],
    ["Nested path element, fully removed", "root.nested", { root: { nested: 1 } }, {}, null],
    ["Nested path element, nested added", "root.nested", {}, { root: { nested: 2 } }, { root: {} }],
    ["Array index", "array[0]", { array: [1] }, { array: [2] }, { array: [1] }],
    ["Array index, along path", "array[0].item", { array: [{ item: 1 }] }, { array: [{ item: 2 }] }, { array: [{ item: 1 }] }],
    ["Array index, added", "array[0]", { array: [] }, { array: [2] }, null],
    ["Array index, removed", "array[0]", { array: [1] }, { array: [] }, null],
    ["Single wildcard at root", "*", { root: 1 }, { root: 2 }, { root: 1 }],
    ["Wildcard followed by path element", "*.nested", { root: { nested: 1 } }, { root: { nested: 2 } }, { root: { nested: 1 } }],
];

const IGNORE = ["spec.volumeClaimTemplates[0].spec"];

function statefulSet(template: PropertyMap | undefined): PropertyMap {
    return checkKubernetes({
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "isbsvc-default-js", namespace: "pipelines" },
        spec: {
            replicas: 3,
            serviceName: "svc",
            selector: { matchLabels: { a: "b" } },
            template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "main", image: "nats" }] } },
            ...(template && { volumeClaimTemplates: [template] }),
        },
    });
}

const claim = (size: string, storageClassName = "standard"): PropertyMap => ({
    metadata: { name: "data" },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: size } } },
});

function planStatefulSet(before: PropertyMap | undefined, after: PropertyMap | undefined, ignoreChanges?: string[]) {
    const urn = "urn:pulumi:s::p::kubernetes:apps/v1:StatefulSet::default-js";
    const base: ResourceState = { urn, type: "kubernetes:apps/v1:StatefulSet", name: "default-js", inputs: statefulSet(before) };
    const news: ResourceState = { ...base, inputs: statefulSet(after), options: { ignoreChanges } };
    return stepOf(planUpdate([base], [news]), urn);
}

describe("rules: ignoreChanges (pulumi processIgnoreChanges / PropertyPath.Reset)", () => {
    it("parses property paths with keys, indices, quoted keys and wildcards", () => {
        assert.deepEqual(parsePropertyPath("spec.volumeClaimTemplates[0].spec"), ["spec", "volumeClaimTemplates", 0, "spec"]);
        assert.deepEqual(parsePropertyPath('metadata.annotations["a.b/c"]'), ["metadata", "annotations", "a.b/c"]);
        assert.deepEqual(parsePropertyPath("root[*].x"), ["root", "*", "x"]);
    });

    for (const [name, path, old, news, expected] of UPSTREAM) {
        it(`TestReset: ${name}`, () => {
            const r = processIgnoreChanges(news, old, [path]);
            if (expected === null) assert.deepEqual(r.invalidPaths, [path]);
            else {
                assert.deepEqual(r.invalidPaths, []);
                assert.deepEqual(r.inputs, expected);
            }
        });
    }

    it("never mutates the new inputs it is given", () => {
        const news = { root: { nested: 2 } };
        processIgnoreChanges(news, { root: { nested: 1 } }, ["root.nested"]);
        assert.deepEqual(news, { root: { nested: 2 } });
    });

    it("the StatefulSet: a claim size or class change is no change with the component's ignoreChanges, a delete-before-replace without", () => {
        const step = planStatefulSet(claim("10Gi"), claim("20Gi", "fast"), IGNORE);
        assert.equal(step.kind, "same");
        assert.deepEqual((step.inputs.spec as any).volumeClaimTemplates, [claim("10Gi")], "the state keeps the first template");
        assert.equal(planStatefulSet(claim("10Gi"), claim("20Gi")).kind, "delete-before-replace");
    });

    it("the StatefulSet: turning persistence on or off is a path failure (the new value goes through): still a replacement", () => {
        assert.deepEqual(processIgnoreChanges(statefulSet(claim("1Gi")), statefulSet(undefined), IGNORE).invalidPaths, IGNORE);
        assert.equal(planStatefulSet(undefined, claim("10Gi"), IGNORE).kind, "delete-before-replace");
        assert.equal(planStatefulSet(claim("10Gi"), undefined, IGNORE).kind, "delete-before-replace");
    });
});
