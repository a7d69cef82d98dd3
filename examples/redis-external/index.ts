/** Producer stack: an existing (managed) Redis Cluster as the ISB service. */
import * as pulumi from "@pulumi/pulumi";
import { connectionOutputs, InterStepBufferService } from "isbsvc";

const config = new pulumi.Config();

const isb = new InterStepBufferService("default", {
    namespace: "pipelines",
    redis: {
        external: {
            // Two or more addresses: Redis Cluster mode.
            url: "rediss://redis-0.cache.example.com:6379,rediss://redis-1.cache.example.com:6379",
            user: "isb",
            password: config.requireSecret("redisPassword"),
        },
    },
});

// Every output of the connection contract, under its own name (the stack outputs pipeline stacks read).
export = connectionOutputs(isb);
