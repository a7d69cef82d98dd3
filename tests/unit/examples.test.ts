/**
 * The programs users run: the producer examples and the pipeline stack that reads the outputs
 * through a StackReference — run under the mocks. The root stack-config program is run in
 * manifests.test.ts.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { registry, stackOutputs, isSerializedSecret } from "../../sim/runtime/mock-runtime";
import { settle, valueOf } from "../../sim/runtime/outputs";

describe("programs and examples", () => {
    it("the producer example builds and exports the outputs pipeline stacks read", async () => {
        const producer = await import("../../examples/jetstream/index");
        assert.equal(await valueOf(producer.url), "nats://isbsvc-default-js-svc.pipelines.svc:4222");
        assert.match(await valueOf(producer.caCertPem), /BEGIN CERTIFICATE/);
        assert.equal(await pulumi.isSecret(producer.password), true);
        await settle();
        const sts = registry().find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && r.name === "default-js");
        assert.match(sts!.provider, /pulumi:providers:kubernetes::cluster::/);
    });

    it("the pipeline stack reads the outputs by StackReference and keeps the password secret", async () => {
        stackOutputs["organization/isbsvc-jetstream/dev"] = {
            outputs: {
                url: "nats://isbsvc-default-js-svc.pipelines.svc:4222",
                user: "u1",
                password: "S3cretPassw0rd",
                caCertPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                tlsEnabled: true,
                namespace: "pipelines",
                credentialsRevision: "3f9c0a7e51b2d846",
            },
            secretOutputNames: ["password"],
        };
        pulumi.runtime.setConfig(`${pulumi.getProject()}:isbStack`, "organization/isbsvc-jetstream/dev");
        const consumer = await import("../../examples/pipeline-consumer/index");
        assert.equal(await valueOf(consumer.isbUrl), "nats://isbsvc-default-js-svc.pipelines.svc:4222");
        assert.equal(await valueOf(consumer.isbPassword), "S3cretPassw0rd");
        assert.equal(await pulumi.isSecret(consumer.isbPassword), true);
        assert.equal(await pulumi.isSecret(consumer.isbUrl), false);
        await valueOf(consumer.isbEnv.id);
        await settle();
        const secret = registry().find((r) => r.name === "pipeline-isb-env")!;
        assert.ok(isSerializedSecret(secret.raw.data), "the pods' Secret data is sent as a secret");
        assert.equal(Buffer.from(secret.inputs.data.NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD, "base64").toString(), "S3cretPassw0rd");
        assert.equal(secret.inputs.metadata.namespace, "pipelines");
        await valueOf(consumer.client.id);
        await settle();
        const client = registry().find((r) => r.name === "pipeline-client")!;
        const template = client.inputs.spec.template;
        assert.equal(template.metadata.annotations["isbsvc/credentials-revision"], "3f9c0a7e51b2d846", "pods roll on rotation");
        assert.equal(template.spec.containers[0].envFrom[0].secretRef.name, "pipeline-isb-env");
        assert.equal(isSerializedSecret(client.raw.spec), false, "the revision is not secret, so the Deployment spec is not");
    });

    it("the native Redis producer example exports the Sentinel contract", async () => {
        const producer = await import("../../examples/redis-native/index");
        assert.equal(await valueOf(producer.sentinelUrl), "isbsvc-default-redis-svc.pipelines.svc:26379");
        assert.equal(await valueOf(producer.masterName), "mymaster");
        assert.equal(await valueOf(producer.tlsEnabled), true);
        assert.equal(await pulumi.isSecret(producer.password), true);
    });

    it("the external Redis producer example is in cluster mode and keeps the configured password secret", async () => {
        pulumi.runtime.setConfig(`${pulumi.getProject()}:redisPassword`, "Managed-Pw-1");
        const producer = await import("../../examples/redis-external/index");
        assert.equal(await valueOf(producer.clusterMode), true);
        assert.equal(await valueOf(producer.password), "Managed-Pw-1");
        assert.equal(await pulumi.isSecret(producer.password), true);
        assert.equal(await valueOf(producer.credentialsSecretName), "isbsvc-default-redis-auth");
    });

    it("the pipeline stack reads a Redis ISB by StackReference and keeps the password secret", async () => {
        stackOutputs["organization/isbsvc-redis-native/dev"] = {
            outputs: {
                sentinelUrl: "isbsvc-default-redis-svc.pipelines.svc:26379",
                masterName: "mymaster",
                user: "default",
                password: "R3disPassw0rd",
                namespace: "pipelines",
                credentialsRevision: "0123456789abcdef",
            },
            secretOutputNames: ["password"],
        };
        pulumi.runtime.setConfig(`${pulumi.getProject()}:isbStack`, "organization/isbsvc-redis-native/dev");
        const consumer = await import("../../examples/pipeline-consumer/redis");
        assert.equal(await valueOf(consumer.isbSentinelUrl), "isbsvc-default-redis-svc.pipelines.svc:26379");
        assert.equal(await pulumi.isSecret(consumer.isbPassword), true);
        await valueOf(consumer.isbEnv.id);
        await settle();
        const secret = registry().find((r) => r.name === "pipeline-isb-redis-env")!;
        assert.ok(isSerializedSecret(secret.raw.data));
        assert.equal(Buffer.from(secret.inputs.data.NUMAFLOW_ISBSVC_REDIS_SENTINEL_MASTER, "base64").toString(), "mymaster");
        await valueOf(consumer.client.id);
        await settle();
        const client = registry().find((r) => r.name === "pipeline-redis-client")!;
        assert.equal(client.inputs.spec.template.metadata.annotations["isbsvc/credentials-revision"], "0123456789abcdef");
    });
});
