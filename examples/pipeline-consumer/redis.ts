/**
 * Pipeline stack reading a Redis ISB service: the platform's Redis clients find the master
 * through Sentinel, so the pods get the Sentinel URL, master name and password.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

const config = new pulumi.Config();
const isb = new pulumi.StackReference(config.require("isbStack"));

const sentinelUrl = isb.requireOutput("sentinelUrl") as pulumi.Output<string>;
const masterName = isb.requireOutput("masterName") as pulumi.Output<string>;
const user = isb.requireOutput("user") as pulumi.Output<string>;
const password = isb.requireOutput("password") as pulumi.Output<string>;
const namespace = isb.requireOutput("namespace") as pulumi.Output<string>;
// Changes exactly when the user, password, TLS setting or CA changes (never secret).
const credentialsRevision = isb.requireOutput("credentialsRevision") as pulumi.Output<string>;

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** Connection settings for the pipeline's pods, as the platform's Redis client reads them. */
export const isbEnv = new k8s.core.v1.Secret("pipeline-isb-redis-env", {
    metadata: { name: "pipeline-isb-redis-env", namespace },
    data: pulumi.all([sentinelUrl, masterName, user, password]).apply(([s, m, u, pw]) => ({
        NUMAFLOW_ISBSVC_REDIS_SENTINEL_URL: b64(s),
        NUMAFLOW_ISBSVC_REDIS_SENTINEL_MASTER: b64(m),
        NUMAFLOW_ISBSVC_REDIS_USER: b64(u),
        NUMAFLOW_ISBSVC_REDIS_PASSWORD: b64(pw),
        NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD: b64(pw),
    })),
});

/** A pipeline client; the revision on its pod template rolls it when the Redis password rotates. */
export const client = new k8s.apps.v1.Deployment("pipeline-redis-client", {
    metadata: { name: "pipeline-redis-client", namespace },
    spec: {
        replicas: 2,
        selector: { matchLabels: { app: "pipeline-redis-client" } },
        template: {
            metadata: {
                labels: { app: "pipeline-redis-client" },
                annotations: { "isbsvc/credentials-revision": credentialsRevision },
            },
            spec: {
                containers: [
                    {
                        name: "client",
                        image: config.get("clientImage") ?? "registry.example.com/pipeline-client:1.0",
                        envFrom: [{ secretRef: { name: isbEnv.metadata.name } }],
                    },
                ],
            },
        },
    },
});

export const isbSentinelUrl = sentinelUrl;
export const isbPassword = password;
