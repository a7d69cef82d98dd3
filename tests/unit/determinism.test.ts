/**
 * Same arguments, same inputs for every child (apart from generated secrets), so previews show no
 * noise; and one changed argument changes only the objects it must.
 */
import { strict as assert } from "assert";
import { build, Built } from "../../sim/runtime/build";
import { decodedInputs, generatedValues, maskGenerated } from "../../sim/runtime/generated";

const BASE = { namespace: "pipelines", jetstream: { version: "2.10.29", tls: true, encryption: true, persistence: { volumeSize: "5Gi" } } };

/** Masked, canonical inputs of every child keyed by `type::name`. */
function snapshot(b: Built): Map<string, string> {
    const values = generatedValues(b);
    return new Map(b.children.map((c) => [`${c.type}::${c.name}`, JSON.stringify(maskGenerated(decodedInputs(c.type, c.inputs), values))]));
}

function changed(a: Built, b: Built): string[] {
    const sa = snapshot(a);
    const sb = snapshot(b);
    const keys = new Set([...sa.keys(), ...sb.keys()]);
    return [...keys].filter((k) => sa.get(k) !== sb.get(k)).sort();
}

function withJetStream(extra: Record<string, unknown>): any {
    return { ...BASE, jetstream: { ...BASE.jetstream, ...extra } };
}

describe("determinism", () => {
    let base: Built;
    before(async () => {
        base = await build("det", BASE);
    });

    it("renders byte-identical inputs for equal arguments (generated secrets aside)", async () => {
        const again = await build("det", JSON.parse(JSON.stringify(BASE)));
        assert.deepEqual(changed(base, again), []);
        assert.equal(again.outputs.streamConfig, base.outputs.streamConfig);
        assert.equal(again.outputs.url, base.outputs.url);
    });

    it("masks only generated values: the raw configuration is identical", async () => {
        const again = await build("det", BASE);
        const cm = (b: Built) => b.children.find((c) => c.type === "kubernetes:core/v1:ConfigMap")!.inputs;
        assert.equal(JSON.stringify(cm(again)), JSON.stringify(cm(base)));
        const sts = (b: Built) => b.children.find((c) => c.type === "kubernetes:apps/v1:StatefulSet")!.inputs;
        assert.equal(JSON.stringify(sts(again)), JSON.stringify(sts(base)));
    });

    it("a replicas change touches only the routes (server Secret, routes.conf) and the StatefulSet, and adds the new pods' claim patches", async () => {
        assert.deepEqual(changed(base, await build("det", withJetStream({ replicas: 5 }))), [
            "kubernetes:apps/v1:StatefulSet::det-js",
            "kubernetes:core/v1:PersistentVolumeClaimPatch::det-js-data-3",
            "kubernetes:core/v1:PersistentVolumeClaimPatch::det-js-data-4",
            "kubernetes:core/v1:Secret::det-js-server",
        ]);
    });

    it("a settings change touches only the ConfigMap: no rolling restart, the reloader applies it", async () => {
        assert.deepEqual(changed(base, await build("det", withJetStream({ settings: "max_payload: 2MB" }))), [
            "kubernetes:core/v1:ConfigMap::det-js-config",
        ]);
    });

    it("a bufferConfig change touches no resource, only the streamConfig output", async () => {
        const other = await build("det", withJetStream({ bufferConfig: { stream: { maxMsgs: 7 } } }));
        assert.deepEqual(changed(base, other), []);
        assert.notEqual(other.outputs.streamConfig, base.outputs.streamConfig);
    });

    it("toggling encryption is applied fully: config and a rolling restart onto a store of the new kind", async () => {
        const other = await build("det", withJetStream({ encryption: false }));
        assert.deepEqual(changed(base, other), ["kubernetes:apps/v1:StatefulSet::det-js", "kubernetes:core/v1:ConfigMap::det-js-config"]);
        const annotation = (b: Built) =>
            b.children.find((c) => c.type === "kubernetes:apps/v1:StatefulSet")!.inputs.spec.template.metadata.annotations[
                "isbsvc/store-encryption"
            ];
        assert.equal(annotation(base), "on");
        assert.equal(annotation(other), "off");
    });

    it("toggling TLS is applied fully: certificates, both Secrets, config, mounts and outputs", async () => {
        const other = await build("det", withJetStream({ tls: false }));
        const diff = changed(base, other);
        for (const k of [
            "kubernetes:apps/v1:StatefulSet::det-js",
            "kubernetes:core/v1:ConfigMap::det-js-config",
            "kubernetes:core/v1:Secret::det-js-client-auth",
            "kubernetes:core/v1:Secret::det-js-server",
        ])
            assert.ok(diff.includes(k), `${k} must change`);
        assert.ok(diff.filter((k) => k.startsWith("tls:")).length >= 5, "certificates go away");
        assert.ok(!diff.some((k) => k.startsWith("random:") || k.includes("Service::") || k.includes("PodDisruptionBudget")));
        assert.equal(other.outputs.tlsEnabled, false);
        assert.equal(other.outputs.caCertPem, "");
    });
});
