/** Builds the connection outputs of the Redis flavours from their resources. */
import * as pulumi from "@pulumi/pulumi";
import { ResolvedExternalRedisService, ResolvedNativeRedisService } from "../args/resolve";
import { MASTER_NAME } from "../args/redis-settings";
import { serviceHost } from "../render/jetstream/names";
import { REDIS_PORTS, REDIS_USER } from "../render/redis/layout";
import { NativeRedisResources } from "../resources/redis-native";
import { ExternalRedisResources } from "../resources/redis-external";
import { IsbConnection } from "./connection";

/** Native: clients find the master through Sentinel (`sentinelUrl` + `masterName`), as upstream. */
export function nativeRedisConnection(svc: ResolvedNativeRedisService, res: NativeRedisResources): IsbConnection {
    const names = svc.names;
    return {
        type: pulumi.output("redis"),
        url: pulumi.output(""),
        sentinelUrl: res.namespace.apply((ns) => `${serviceHost(names.service, ns)}:${REDIS_PORTS.sentinel}`),
        masterName: pulumi.output(MASTER_NAME),
        clusterMode: pulumi.output(false),
        user: pulumi.output(REDIS_USER),
        password: pulumi.secret(res.password.result),
        credentialsSecretName: pulumi.output(names.authSecret),
        tlsEnabled: pulumi.output(svc.redis.tls),
        caCertPem: res.caCertPem ?? pulumi.output(""),
        streamConfig: pulumi.output(""),
        namespace: res.namespace,
        serviceName: pulumi.output(names.service),
    };
}

/** External: the addresses as given; the password only when it was given as a value. */
export function externalRedisConnection(svc: ResolvedExternalRedisService, res: ExternalRedisResources): IsbConnection {
    const r = svc.redis;
    return {
        type: pulumi.output("redis"),
        url: pulumi.output(r.url),
        sentinelUrl: pulumi.output(r.sentinelUrl ?? ""),
        masterName: pulumi.output(r.masterName ?? ""),
        clusterMode: pulumi.output(r.clusterMode),
        user: pulumi.output(r.user ?? ""),
        password: pulumi.secret(pulumi.output(r.password ?? "")),
        credentialsSecretName: pulumi.output(res.credentialsSecretName),
        tlsEnabled: pulumi.output(r.tls),
        caCertPem: pulumi.output(""),
        streamConfig: pulumi.output(""),
        namespace: res.namespace,
        serviceName: pulumi.output(""),
    };
}
