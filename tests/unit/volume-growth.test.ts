/**
 * Issue 10, defect 4: the existing PVCs grow in place. One PersistentVolumeClaimPatch per pod,
 * carrying only the storage request, forced, retained on delete, after the StatefulSet
 * (provider/resources/volume-growth.ts); none when they could run before the claims exist.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { build, K8S } from "../../sim/runtime/build";
import { setPreview } from "../../sim/runtime/mock-runtime";

const { setConfig } = require("@pulumi/pulumi/runtime/config");
const PATCH = "kubernetes:core/v1:PersistentVolumeClaimPatch";

async function warningsOf(fn: () => Promise<unknown>): Promise<string[]> {
    const warnings: string[] = [];
    const original = pulumi.log.warn;
    (pulumi.log as any).warn = (msg: string) => {
        warnings.push(msg);
        return Promise.resolve();
    };
    setPreview(true);
    try {
        await fn();
    } finally {
        setPreview(false);
        (pulumi.log as any).warn = original;
    }
    return warnings;
}

describe("volume growth (PersistentVolumeClaimPatch per pod)", () => {
    for (const [flavour, args, sts, claim] of [
        [
            "jetstream",
            { jetstream: { version: "2.10.29", replicas: 5, persistence: { volumeSize: "30Gi" } } },
            "isbsvc-vg-js",
            "isbsvc-vg-js-vol",
        ],
        [
            "redis",
            { redis: { native: { version: "7.0.15", replicas: 3, persistence: { volumeSize: "30Gi" } } } },
            "isbsvc-vg-redis",
            "isbsvc-vg-redis-vol",
        ],
    ] as const) {
        it(`${flavour}: patches each claim <template>-<statefulset>-<ordinal> with the size only, forced, retained, after the StatefulSet`, async () => {
            const b = await build("vg", { namespace: "pipelines", ...args } as any);
            const set = b.child(K8S.statefulSet);
            const replicas = set.inputs.spec.replicas;
            const patches = b.ofType(PATCH);
            assert.equal(patches.length, replicas);
            const template = set.inputs.spec.volumeClaimTemplates[0];
            assert.equal(template.metadata.name, claim);
            patches.forEach((p, i) => {
                assert.equal(p.name, `vg-${flavour === "jetstream" ? "js" : "redis"}-data-${i}`);
                assert.deepEqual(p.inputs, {
                    apiVersion: "v1",
                    kind: "PersistentVolumeClaim",
                    metadata: { name: `${claim}-${sts}-${i}`, namespace: "pipelines", annotations: { "pulumi.com/patchForce": "true" } },
                    spec: { resources: { requests: { storage: "30Gi" } } },
                });
                assert.equal(p.inputs.spec.resources.requests.storage, template.spec.resources.requests.storage);
                assert.equal(p.options.retainOnDelete, true, "retainOnDelete (a delete would relinquish a required field)");
                assert.deepEqual(p.options.dependencies, [set.urn], "after the StatefulSet (its await: every claim exists)");
            });
        });
    }

    it("with the namespace omitted, the patches use the namespace the component decided (a plain value)", async () => {
        const b = await build("vgns", { jetstream: { version: "2.10.29", persistence: {} } });
        for (const p of b.ofType(PATCH)) assert.equal(p.inputs.metadata.namespace, b.outputs.namespace);
        assert.equal(b.ofType(PATCH).length, 3);
        assert.equal(b.ofType(PATCH)[0].inputs.spec.resources.requests.storage, "20Gi");
    });

    it("no patches without persistence, with skipAwait, or without server-side apply; the preview warning says which", async () => {
        assert.equal((await build("vg0", { namespace: "p", jetstream: { version: "2.10.29" } })).ofType(PATCH).length, 0);
        let skip: any;
        const skipWarnings = await warningsOf(async () => {
            skip = await build("vg1", { namespace: "p", skipAwait: true, jetstream: { version: "2.10.29", persistence: {} } });
        });
        assert.equal(skip.ofType(PATCH).length, 0);
        assert.ok(
            skipWarnings.some((w) => /PVCs are NOT grown \(skipAwait.*a volumeSize change has no effect on the cluster/s.test(w)),
            skipWarnings.join("\n"),
        );
        setConfig("kubernetes:enableServerSideApply", "false");
        try {
            let csa: any;
            const csaWarnings = await warningsOf(async () => {
                csa = await build("vg2", { namespace: "p", redis: { native: { version: "7.0.15", persistence: {} } } });
            });
            assert.equal(csa.ofType(PATCH).length, 0);
            assert.ok(
                csaWarnings.some((w) => /NOT grown \(kubernetes:enableServerSideApply is false/.test(w)),
                csaWarnings.join("\n"),
            );
        } finally {
            setConfig("kubernetes:enableServerSideApply", "");
        }
        const growWarnings = await warningsOf(() => build("vg3", { namespace: "p", jetstream: { version: "2.10.29", persistence: {} } }));
        assert.ok(
            growWarnings.some((w) =>
                /claim template is never changed after creation.*grows every PVC in place, existing ones and those of replicas added later.*allowVolumeExpansion: true.*never shrinks.*reach no PVC, existing or new.*Turning persistence on or off does replace the StatefulSet/s.test(
                    w,
                ),
            ),
            growWarnings.join("\n"),
        );
    });
});
