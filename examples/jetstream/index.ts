/** Producer stack: a JetStream ISB service; its outputs are the contract pipeline stacks read. */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { connectionOutputs, InterStepBufferService } from "isbsvc";

const config = new pulumi.Config();
const provider = new k8s.Provider("cluster", { namespace: config.get("namespace") ?? "pipelines" });

const isb = new InterStepBufferService(
    "default",
    {
        namespace: config.get("namespace") ?? "pipelines",
        jetstream: {
            version: "2.10.29",
            replicas: 3,
            tls: true,
            encryption: true,
            persistence: { volumeSize: "10Gi" },
            settings: "max_payload: 8MB\nmax_file_store: 100GB",
            bufferConfig: "stream:\n  maxMsgs: 50000\n  maxAge: 24h\nconsumer:\n  maxAckPending: 10000",
            containerTemplate: { resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } } },
        },
    },
    { providers: { kubernetes: provider } },
);

// Every output of the connection contract, under its own name (the stack outputs pipeline stacks read).
export = connectionOutputs(isb);
