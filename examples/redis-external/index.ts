/** Producer stack: an existing (managed) Redis Cluster as the ISB service. */
import * as pulumi from "@pulumi/pulumi";
import { InterStepBufferService } from "isbsvc";

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

export const type = isb.type;
export const url = isb.url;
export const clusterMode = isb.clusterMode;
export const user = isb.user;
export const password = isb.password;
export const credentialsSecretName = isb.credentialsSecretName;
