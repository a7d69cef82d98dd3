/** Builds the connection outputs of the Redis flavours from their resources. */
import * as pulumi from "@pulumi/pulumi";
import { ResolvedExternalRedisService, ResolvedNativeRedisService } from "../args/resolve";
import { MASTER_NAME } from "../args/redis-settings";
import { serviceHost } from "../render/jetstream/names";
import { REDIS_PORTS, REDIS_USER } from "../render/redis/layout";
import { NativeRedisResources } from "../resources/redis-native";
import { ExternalRedisResources } from "../resources/redis-external";
import { IsbConnection } from "./connection";
import { revisionOutput, tlsNotAfterOutput } from "./derived";

/** Native: clients find the master through Sentinel (`sentinelUrl` + `masterName`), as upstream. */
export function nativeRedisConnection(svc: ResolvedNativeRedisService, res: NativeRedisResources): IsbConnection {
    const names = svc.names;
    const caCertPem = res.caCertPem ?? pulumi.output("");
    const material = pulumi
        .all([res.password.result, caCertPem])
        .apply(([password, ca]) => ({ user: REDIS_USER, password, tlsEnabled: svc.redis.tls, caCertPem: ca }));
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
        caCertPem,
        streamConfig: pulumi.output(""),
        namespace: res.namespace,
        serviceName: pulumi.output(names.service),
        credentialsRevision: revisionOutput(material),
        tlsNotAfter: tlsNotAfterOutput(res.certificates),
    };
}

/** External: the addresses as given; the password only when it was given as a value. */
export function externalRedisConnection(svc: ResolvedExternalRedisService, res: ExternalRedisResources): IsbConnection {
    const r = svc.redis;
    const passwordRef = r.passwordSecret ? `${r.passwordSecret.name}/${r.passwordSecret.key}` : "";
    const material = pulumi
        .output(r.password ?? "")
        .apply((password) => ({ user: r.user ?? "", password, tlsEnabled: r.tls, caCertPem: "", passwordRef }));
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
        // A user-given password may be guessable: keyed (HMAC) with a generated key.
        credentialsRevision: revisionOutput(material, res.revisionKey),
        tlsNotAfter: pulumi.output(""),
    };
}
