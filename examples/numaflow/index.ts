/**
 * Producer stack, provisioner "numaflow": Pulumi creates the two Secrets the Numaflow controller
 * looks for (our generated credentials and certificates) and the InterStepBufferService resource
 * `default`; the controller builds the StatefulSet, Service and ConfigMap. `pulumi up` returns when
 * the resource's status.phase is Running (or fails after customTimeouts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { connectionOutputs, InterStepBufferService } from "isbsvc";

const config = new pulumi.Config();
const namespace = config.get("namespace") ?? "pipelines";
const provider = new k8s.Provider("cluster", { namespace });

const isb = new InterStepBufferService(
    "default", // Pipelines without spec.interStepBufferServiceName use the ISB service named "default"
    {
        namespace,
        provisioner: "numaflow",
        jetstream: {
            version: "2.10.29",
            replicas: 3,
            tls: true,
            persistence: { volumeSize: "10Gi" },
            settings: "max_payload: 8MB",
            bufferConfig: "stream:\n  maxMsgs: 50000\n  maxAge: 24h",
            containerTemplate: { resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } } },
        },
        customTimeouts: { create: "30m", update: "30m" },
    },
    { providers: { kubernetes: provider } },
);

// The same connection contract as provisioner "direct", for clients outside Numaflow (TLS verified with caCertPem).
export = connectionOutputs(isb);
