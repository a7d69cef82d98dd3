/** examples/numaflow: the producer (provisioner numaflow) and the pipeline stack, under the mocks. */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { registry, stackOutputs } from "../../sim/runtime/mock-runtime";
import { settle, valueOf } from "../../sim/runtime/outputs";

describe("examples/numaflow", () => {
    it("the producer creates the Secrets and the InterStepBufferService `default` and exports the contract", async () => {
        const before = registry().length;
        const producer = await import("../../examples/numaflow/index");
        assert.equal(await valueOf(producer.url), "nats://isbsvc-default-js-svc.pipelines.svc:4222");
        assert.match(await valueOf(producer.caCertPem), /BEGIN CERTIFICATE/);
        assert.equal(await pulumi.isSecret(producer.password), true);
        await settle();
        const fresh = registry().slice(before);
        const cr = fresh.find(
            (r) => r.type === "kubernetes:numaflow.numaproj.io/v1alpha1:InterStepBufferService" && r.name === "default-isbsvc",
        )!;
        assert.equal(cr.inputs.metadata.name, "default");
        assert.equal(cr.inputs.metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.phase}=Running");
        assert.equal(cr.options.customTimeouts?.create, "30m");
        assert.match(cr.provider, /pulumi:providers:kubernetes::cluster::/);
        const kinds = fresh.filter((r) => r.type.startsWith("kubernetes:") && r.custom).map((r) => `${r.type}::${r.name}`);
        assert.deepEqual(kinds.sort(), [
            "kubernetes:core/v1:Secret::default-js-client-auth",
            "kubernetes:core/v1:Secret::default-js-server",
            "kubernetes:numaflow.numaproj.io/v1alpha1:InterStepBufferService::default-isbsvc",
        ]);
    });

    it("the pipeline stack names the ISB service and lives in its namespace", async () => {
        stackOutputs["organization/isbsvc-numaflow/dev"] = {
            outputs: { url: "nats://isbsvc-default-js-svc.pipelines.svc:4222", namespace: "pipelines" },
            secretOutputNames: [],
        };
        pulumi.runtime.setConfig(`${pulumi.getProject()}:isbStack`, "organization/isbsvc-numaflow/dev");
        const stack = await import("../../examples/numaflow/pipeline/index");
        await valueOf(stack.pipeline.id);
        await settle();
        const p = registry().find((r) => r.type === "kubernetes:numaflow.numaproj.io/v1alpha1:Pipeline")!;
        assert.equal(p.inputs.spec.interStepBufferServiceName, "default");
        assert.equal(p.inputs.metadata.namespace, "pipelines");
        assert.deepEqual(
            p.inputs.spec.edges.map((e: { from: string; to: string }) => `${e.from}->${e.to}`),
            ["in->cat", "cat->out"],
        );
    });
});
