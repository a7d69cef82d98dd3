/**
 * Pipeline stack: a Numaflow Pipeline in the ISB service's namespace that names the
 * InterStepBufferService to use. The Numaflow controller injects the connection (URL, the
 * client-auth Secret's user and password) into the vertex pods; nothing secret passes through here.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

const config = new pulumi.Config();
const isb = new pulumi.StackReference(config.require("isbStack"));
const namespace = isb.requireOutput("namespace") as pulumi.Output<string>;
const isbsvcName = config.get("isbsvcName") ?? "default";

export const pipeline = new k8s.apiextensions.CustomResource("simple-pipeline", {
    apiVersion: "numaflow.numaproj.io/v1alpha1",
    kind: "Pipeline",
    metadata: { name: "simple-pipeline", namespace },
    spec: {
        // Pipelines look the ISB service up by name in their own namespace.
        interStepBufferServiceName: isbsvcName,
        vertices: [
            { name: "in", scale: { min: 1 }, source: { generator: { rpu: 5, duration: "1s" } } },
            {
                name: "cat",
                scale: { min: 1 },
                udf: { container: { image: "quay.io/numaio/numaflow-go/map-cat:stable" } },
            },
            { name: "out", scale: { min: 1 }, sink: { log: {} } },
        ],
        edges: [
            { from: "in", to: "cat" },
            { from: "cat", to: "out" },
        ],
    },
});

export const isbUrl = isb.requireOutput("url");
