/** Producer stack: a native Redis ISB service with Sentinel; pipeline stacks read its outputs. */
import * as k8s from "@pulumi/kubernetes";
import { connectionOutputs, InterStepBufferService } from "isbsvc";

const provider = new k8s.Provider("cluster", {});
const ns = new k8s.core.v1.Namespace("pipelines", { metadata: { name: "pipelines" } }, { provider });

const isb = new InterStepBufferService(
    "default",
    {
        namespace: ns.metadata.name,
        redis: {
            native: {
                version: "7.0.15",
                replicas: 3,
                tls: true,
                persistence: { volumeSize: "10Gi" },
                settings: {
                    redis: "appendonly yes\nappendfsync everysec\nmaxmemory 1gb\nmaxmemory-policy noeviction\nmin-replicas-to-write 1",
                    sentinel: "sentinel down-after-milliseconds mymaster 5000\nsentinel failover-timeout mymaster 10000",
                },
                redisContainerTemplate: { resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "1536Mi" } } },
            },
        },
    },
    { providers: { kubernetes: provider } },
);

// Every output of the connection contract, under its own name (the stack outputs pipeline stacks read).
export = connectionOutputs(isb);
