/**
 * Pipeline stack: reads the ISB service outputs of another stack and hands them to pipeline
 * pods as the environment the platform's clients expect. The password stays secret end to end.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

const config = new pulumi.Config();
const isb = new pulumi.StackReference(config.require("isbStack"));

const url = isb.requireOutput("url") as pulumi.Output<string>;
const user = isb.requireOutput("user") as pulumi.Output<string>;
const password = isb.requireOutput("password") as pulumi.Output<string>;
const caCertPem = isb.requireOutput("caCertPem") as pulumi.Output<string>;
const tlsEnabled = isb.requireOutput("tlsEnabled") as pulumi.Output<boolean>;
const namespace = isb.requireOutput("namespace") as pulumi.Output<string>;
// Changes exactly when the user, password, TLS setting or CA changes (never secret).
const credentialsRevision = isb.requireOutput("credentialsRevision") as pulumi.Output<string>;

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** Connection settings for the pipeline's pods: verify the server against the exported CA. */
export const isbEnv = new k8s.core.v1.Secret("pipeline-isb-env", {
    metadata: { name: "pipeline-isb-env", namespace },
    data: pulumi.all([url, user, password, caCertPem, tlsEnabled]).apply(([u, us, pw, ca, tls]) => ({
        NUMAFLOW_ISBSVC_JETSTREAM_URL: b64(u),
        NUMAFLOW_ISBSVC_JETSTREAM_USER: b64(us),
        NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD: b64(pw),
        NUMAFLOW_ISBSVC_JETSTREAM_TLS_ENABLED: b64(String(tls)),
        ...(ca ? { NUMAFLOW_ISBSVC_JETSTREAM_CA_CERT: b64(ca) } : {}),
    })),
});

/**
 * A pipeline client reading the Secret above. Pods read Secret-backed env only when they start, so
 * the ISB's `credentialsRevision` is on the pod template: a rotation of the password or CA changes
 * the template and rolls the pods onto the new values; nothing else does.
 */
export const client = new k8s.apps.v1.Deployment("pipeline-client", {
    metadata: { name: "pipeline-client", namespace },
    spec: {
        replicas: 2,
        selector: { matchLabels: { app: "pipeline-client" } },
        template: {
            metadata: {
                labels: { app: "pipeline-client" },
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

export const isbUrl = url;
export const isbPassword = password;
