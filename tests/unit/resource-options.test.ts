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
