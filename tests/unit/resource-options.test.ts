/** Resource options through the component, and the await options for slow clusters. */
import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import { build, K8S } from "../../sim/runtime/build";

const { setConfig } = require("@pulumi/pulumi/runtime/config");

const JS = { namespace: "pipelines", jetstream: { version: "2.10.29" } };

describe("resource options", () => {
    it("children inherit protect and retainOnDelete from the component (retainOnDelete with kubernetes:upsertExistingObjects)", async () => {
        setConfig("kubernetes:upsertExistingObjects", "true");
        try {
            const b = await build("opts", JS, { protect: true, retainOnDelete: true });
            assert.equal(b.component.options.protect, true);
            for (const c of b.children) {
                assert.equal(c.options.protect, true, `${c.name} is not protected`);
                assert.equal(c.options.retainOnDelete, true, `${c.name} is not retained`);
            }
        } finally {
            setConfig("kubernetes:upsertExistingObjects", "");
        }
    });

    it("with retainOnDelete, every Secret and fixed-name ConfigMap (re-created under its name on a change) forces field conflicts (pulumi.com/patchForce); without it none does", async () => {
        const force = (c: any) => c.inputs.metadata?.annotations?.["pulumi.com/patchForce"];
        const specs = [
            JS,
            { namespace: "pipelines", jetstream: { version: "2.10.29", tls: true } },
            { namespace: "pipelines", redis: { native: { version: "7.0.15", tls: true } } },
            { namespace: "pipelines", redis: { external: { url: "r.example.com:6379", user: "isb", password: "pw" } } },
        ];
        setConfig("kubernetes:upsertExistingObjects", "true");
        try {
            for (const [i, spec] of specs.entries()) {
                const b = await build(`force${i}`, spec as any, { retainOnDelete: true });
                const objects = b.children.filter((c) => /^kubernetes:core\/v1:(Secret|ConfigMap)$/.test(c.type));
                assert.ok(objects.length > 0);
                // The native Redis ConfigMaps have content-derived names: a change creates a new one first.
                for (const c of objects) assert.equal(force(c), /-redis-(config|scripts)$/.test(c.name) ? undefined : "true", `${c.name}`);
                const plain = await build(`noforce${i}`, spec as any);
                for (const c of plain.children.filter((x) => x.type.startsWith("kubernetes:") && !x.type.endsWith("Patch")))
                    assert.equal(force(c), undefined, `${c.name} without retainOnDelete`);
            }
        } finally {
            setConfig("kubernetes:upsertExistingObjects", "");
        }
    });

    it("the StatefulSet ignores changes of its claim template's spec (fixed at creation; no replacement, no orphaned pods)", async () => {
        for (const spec of [
            { namespace: "pipelines", jetstream: { version: "2.10.29", persistence: {} } },
            { namespace: "pipelines", redis: { native: { version: "7.0.15", persistence: {} } } },
        ]) {
            const b = await build("ignore", spec as any);
            const sts = b.children.find((c) => c.type === "kubernetes:apps/v1:StatefulSet")!;
            assert.deepEqual(sts.options.ignoreChanges, ["spec.volumeClaimTemplates[0].spec"]);
            assert.equal(sts.inputs.metadata.annotations?.["pulumi.com/deletionPropagationPolicy"], undefined);
        }
    });

    it("rejects retainOnDelete without upsertExistingObjects on the default provider, and with an explicit provider", () => {
        const { InterStepBufferService } = require("../../provider");
        const saved = process.env.PULUMI_K8S_UPSERT_EXISTING_OBJECTS;
        delete process.env.PULUMI_K8S_UPSERT_EXISTING_OBJECTS;
        try {
            for (const args of [JS, { namespace: "pipelines", redis: { native: { version: "7.0.15" } } }]) {
                assert.throws(
                    () => new InterStepBufferService("ret", args, { retainOnDelete: true }),
                    /retainOnDelete is set.*AlreadyExists.*kubernetes:upsertExistingObjects true/s,
                );
            }
            const provider = new k8s.Provider("retprov", {});
            setConfig("kubernetes:upsertExistingObjects", "true");
            assert.throws(
                () => new InterStepBufferService("ret2", JS, { retainOnDelete: true, providers: { kubernetes: provider } }),
                /explicit Kubernetes provider the component cannot check its upsertExistingObjects/,
            );
        } finally {
            setConfig("kubernetes:upsertExistingObjects", "");
            if (saved !== undefined) process.env.PULUMI_K8S_UPSERT_EXISTING_OBJECTS = saved;
        }
    });

    it("sends the component's aliases; children names derive from the component name so aliases carry over", async () => {
        const b = await build("renamed", JS, { aliases: [{ name: "old-name" }] });
        assert.equal(b.component.options.aliases.length, 1);
        for (const c of b.children) assert.ok(c.name.startsWith("renamed-"), c.name);
    });

    it("waits up to 20 minutes for the StatefulSet by default, and takes custom timeouts", async () => {
        const def = await build("tdef", JS);
        assert.deepEqual(def.child(K8S.statefulSet).options.customTimeouts, { create: "20m", update: "20m", pb_delete: "", read: "" });
        const custom = await build("tcus", { ...JS, customTimeouts: { create: "1h", delete: "5m" } });
        assert.deepEqual(custom.child(K8S.statefulSet).options.customTimeouts, { create: "1h", update: "20m", pb_delete: "5m", read: "" });
    });

    it("skipAwait annotates the StatefulSet and the Services only", async () => {
        const b = await build("skip", { namespace: "pipelines", redis: { native: { version: "7.0.15" } }, skipAwait: true });
        const annotated = b.children
            .filter((c) => c.inputs.metadata?.annotations?.["pulumi.com/skipAwait"] === "true")
            .map((c) => c.name)
            .sort();
        assert.deepEqual(annotated, ["skip-redis", "skip-redis-svc", "skip-redis-svc-headless"]);
        const plain = await build("noskip", JS);
        assert.ok(!plain.children.some((c) => c.inputs.metadata?.annotations?.["pulumi.com/skipAwait"]));
    });

    it("rejects a timeout that is not a duration", () => {
        const { InterStepBufferService } = require("../../provider");
        assert.throws(
            () => new InterStepBufferService("badt", { ...JS, customTimeouts: { create: "soon" } }),
            /"customTimeouts.create" must be a duration/,
        );
    });
});
