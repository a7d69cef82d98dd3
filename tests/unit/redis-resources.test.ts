/** Native and external Redis ISB services: resources, properties and outputs. */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { build, Built, GEN, K8S, secretData } from "../../sim/runtime/build";
import { isSerializedSecret } from "../../sim/runtime/mock-runtime";

describe("native Redis resources", () => {
    let b: Built;
    before(async () => {
        b = await build("rds", {
            namespace: "pipelines",
            redis: { native: { version: "7.0.15", tls: true, persistence: { volumeSize: "5Gi" } } },
        });
    });

    it("creates every child parented to the component and named after it", () => {
        assert.deepEqual(b.children.map((c) => `${c.type}::${c.name}`).sort(), [
            "kubernetes:apps/v1:StatefulSet::rds-redis",
            "kubernetes:core/v1:ConfigMap::rds-redis-config",
            "kubernetes:core/v1:ConfigMap::rds-redis-scripts",
            "kubernetes:core/v1:PersistentVolumeClaimPatch::rds-redis-data-0",
            "kubernetes:core/v1:PersistentVolumeClaimPatch::rds-redis-data-1",
            "kubernetes:core/v1:PersistentVolumeClaimPatch::rds-redis-data-2",
            "kubernetes:core/v1:Secret::rds-redis-auth",
            "kubernetes:core/v1:Secret::rds-redis-tls",
            "kubernetes:core/v1:Service::rds-redis-svc",
            "kubernetes:core/v1:Service::rds-redis-svc-headless",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy::rds-redis-network-policy",
            "kubernetes:policy/v1:PodDisruptionBudget::rds-redis-pdb",
            `${GEN.password}::rds-redis-password`,
            `${GEN.csr}::rds-redis-csr`,
            `${GEN.signed}::rds-redis-cert`,
            `${GEN.key}::rds-ca-key`,
            `${GEN.key}::rds-redis-key`,
            `${GEN.selfSigned}::rds-ca`,
        ]);
    });

    it("exports the Sentinel connection contract", async () => {
        const o = b.outputs;
        assert.equal(o.type, "redis");
        assert.equal(o.url, "");
        assert.equal(o.sentinelUrl, "isbsvc-rds-redis-svc.pipelines.svc:26379");
        assert.equal(o.masterName, "mymaster");
        assert.equal(o.user, "default");
        assert.match(o.password, /^[A-Za-z0-9]{32}$/);
        assert.equal(o.credentialsSecretName, "isbsvc-rds-redis-auth");
        assert.equal(o.tlsEnabled, true);
        assert.equal(o.clusterMode, false);
        assert.match(o.caCertPem, /BEGIN CERTIFICATE/);
        assert.equal(o.streamConfig, "");
        assert.equal(await pulumi.isSecret(b.isb.password), true);
    });

    it("keeps the password in the auth Secret (with the CA) and the TLS files in their own Secret", () => {
        assert.deepEqual(secretData(b.child(K8S.secret, "rds-redis-auth")), {
            "ca.crt": b.outputs.caCertPem,
            "redis-password": b.outputs.password,
        });
        const tls = secretData(b.child(K8S.secret, "rds-redis-tls"));
        assert.deepEqual(Object.keys(tls).sort(), ["ca.crt", "tls.crt", "tls.key"]);
        for (const s of b.ofType(K8S.secret)) assert.ok(isSerializedSecret(s.raw.data));
        for (const cm of b.ofType(K8S.configMap)) {
            assert.ok(!JSON.stringify(cm.inputs).includes(b.outputs.password), `${cm.name} contains the password`);
        }
    });

    it("issues a certificate for both Services, every pod and localhost", async () => {
        const { X509Certificate } = await import("crypto");
        const leaf = new X509Certificate(secretData(b.child(K8S.secret, "rds-redis-tls"))["tls.crt"]);
        assert.ok(leaf.verify(new X509Certificate(b.outputs.caCertPem).publicKey));
        for (const host of [
            "isbsvc-rds-redis-svc.pipelines.svc",
            "isbsvc-rds-redis-1.isbsvc-rds-redis-svc-headless.pipelines.svc",
            "isbsvc-rds-redis-2.isbsvc-rds-redis-svc-headless.pipelines.svc.cluster.local",
            "localhost",
        ]) {
            assert.ok(leaf.checkHost(host), host);
        }
        assert.deepEqual(b.child(GEN.signed).inputs.allowedUses, ["digital_signature", "server_auth", "client_auth"]);
    });

    it("renders a client Service and a headless Service for the pods", () => {
        const client = b.child(K8S.service, "rds-redis-svc").inputs.spec;
        const headless = b.child(K8S.service, "rds-redis-svc-headless").inputs.spec;
        assert.equal(client.clusterIP, undefined);
        assert.equal(headless.clusterIP, "None");
        assert.equal(headless.publishNotReadyAddresses, true, "peers resolve each other before they are ready");
        assert.equal(client.publishNotReadyAddresses, undefined, "clients reach only Ready pods");
        for (const spec of [client, headless]) {
            assert.deepEqual(
                spec.ports.map((p: any) => `${p.name}:${p.port}`),
                ["tcp-redis:6379", "tcp-sentinel:26379"],
            );
        }
    });

    it("runs redis, sentinel and metrics per pod as the redis user, with probes and a failover preStop", () => {
        const spec = b.child(K8S.statefulSet).inputs.spec;
        assert.equal(spec.replicas, 3);
        assert.equal(spec.serviceName, "isbsvc-rds-redis-svc-headless");
        // All pods at once: a cold start elects the node with the most data from every pod's beacon.
        assert.equal(spec.podManagementPolicy, "Parallel");
        const pod = spec.template.spec;
        assert.deepEqual(pod.securityContext, {
            runAsUser: 999,
            runAsGroup: 999,
            fsGroup: 999,
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
        });
        const [redis, sentinel, metrics] = pod.containers;
        assert.deepEqual([redis.name, sentinel.name, metrics.name], ["redis", "sentinel", "metrics"]);
        assert.equal(redis.image, "redis:7.0.15");
        assert.deepEqual(redis.command, ["/bin/sh", "/etc/isbsvc/scripts/start-node.sh"]);
        assert.deepEqual(sentinel.command, ["/bin/sh", "/etc/isbsvc/scripts/start-sentinel.sh"]);
        assert.deepEqual(redis.readinessProbe.exec.command, ["/bin/sh", "/etc/isbsvc/scripts/ping-redis.sh", "readiness"]);
        assert.deepEqual(redis.lifecycle.preStop.exec.command, ["/bin/sh", "/etc/isbsvc/scripts/prestop-redis.sh"]);
        const pw = redis.env.find((e: any) => e.name === "REDIS_PASSWORD");
        assert.deepEqual(pw.valueFrom, { secretKeyRef: { name: "isbsvc-rds-redis-auth", key: "redis-password" } });
        assert.ok(redis.volumeMounts.some((m: any) => m.name === "isbsvc-rds-redis-vol" && m.mountPath === "/data"));
        assert.equal(spec.volumeClaimTemplates[0].spec.resources.requests.storage, "5Gi");
        assert.ok(metrics.env.some((e: any) => e.name === "REDIS_ADDR" && e.value === "rediss://localhost:6379"));
    });

    it("raises fewer than 3 replicas to 3 with a warning", async () => {
        const warnings: string[] = [];
        const original = pulumi.log.warn;
        (pulumi.log as any).warn = (m: string) => {
            warnings.push(m);
            return Promise.resolve();
        };
        try {
            const small = await build("small", { namespace: "pipelines", redis: { native: { version: "7.0.15", replicas: 1 } } });
            assert.equal(small.child(K8S.statefulSet).inputs.spec.replicas, 3);
        } finally {
            (pulumi.log as any).warn = original;
        }
        assert.ok(warnings.some((w) => /redis.native.replicas is 1/.test(w)));
    });
});

describe("external Redis", () => {
    it("deploys nothing but a credentials Secret (and the credentialsRevision key) when a password is given, and keeps it secret", async () => {
        const b = await build("ext", {
            namespace: "pipelines",
            redis: {
                external: {
                    url: "redis.example.com:6379",
                    user: "isb",
                    password: pulumi.secret("Ext3rnalPw"),
                },
            },
        });
        assert.deepEqual(b.children.map((c) => `${c.type}::${c.name}`).sort(), [
            "kubernetes:core/v1:Secret::ext-redis-auth",
            "random:index/randomPassword:RandomPassword::ext-credentials-revision-key",
        ]);
        const secret = b.child("kubernetes:core/v1:Secret");
        assert.deepEqual(secretData(secret), { "redis-password": "Ext3rnalPw" });
        assert.ok(isSerializedSecret(secret.raw.data));
        assert.equal(b.outputs.url, "redis.example.com:6379");
        assert.equal(b.outputs.user, "isb");
        assert.equal(b.outputs.password, "Ext3rnalPw");
        assert.equal(await pulumi.isSecret(b.isb.password), true);
        assert.equal(b.outputs.credentialsSecretName, "isbsvc-ext-redis-auth");
        assert.equal(b.outputs.clusterMode, false);
    });

    it("treats two or more addresses as cluster mode and creates nothing for a referenced password", async () => {
        const b = await build("cluster", {
            namespace: "pipelines",
            redis: {
                external: {
                    url: "rediss://r-0.r:6379,rediss://r-1.r:6379",
                    passwordSecret: { name: "managed-redis", key: "password" },
                },
            },
        });
        assert.equal(b.children.length, 0);
        assert.equal(b.outputs.clusterMode, true);
        assert.equal(b.outputs.tlsEnabled, true);
        assert.equal(b.outputs.credentialsSecretName, "managed-redis");
        assert.equal(b.outputs.password, "");
    });

    it("passes Sentinel addresses and the master name through", async () => {
        const b = await build("sent", {
            namespace: "pipelines",
            redis: {
                external: {
                    url: "redis:6379",
                    sentinelUrl: "s-0:26379,s-1:26379,s-2:26379",
                    masterName: "prod",
                },
            },
        });
        assert.equal(b.outputs.sentinelUrl, "s-0:26379,s-1:26379,s-2:26379");
        assert.equal(b.outputs.masterName, "prod");
    });
});
