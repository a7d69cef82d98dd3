/**
 * Top-level spec resolution: exactly one flavour, names, namespace and the options shared by
 * every flavour. Throws a SpecError naming the field on any invalid input.
 */
import * as pulumi from "@pulumi/pulumi";
import { fail } from "./errors";
import { resolveNamespace } from "./namespace";
import { jetStreamNames, JetStreamNames } from "../render/jetstream/names";
import { redisNames, RedisNames } from "../render/redis/names";
import { assertRedisPodUsable, withContentDerivedNames } from "../render/redis/objects";
import { assertJetStreamPodUsable } from "../render/jetstream/objects";
import { InterStepBufferServiceArgs } from "./types";
import { checkNumaflowArgs, Provisioner, resolveProvisioner } from "./provisioner";
import { renderIsbSvcJetStreamSpec } from "../render/numaflow/isbsvc";
import { resolveJetStream, ResolvedJetStream } from "./jetstream";
import { resolveRedis, ResolvedExternalRedis, ResolvedNativeRedis } from "./redis";
import {
    AntiAffinity,
    ResolvedAwait,
    resolveAwait,
    ResolvedCertificates,
    ResolvedDisruptionBudget,
    resolveAntiAffinity,
    resolveCertificates,
    resolveDisruptionBudget,
} from "./options";
import { dns1035Label, dns1123Subdomain, optionalObject, optionalString, rejectUnknownKeys } from "./values";

/** Everything a flavour needs to render, with defaults applied. */
export interface ResolvedCommon {
    /** The ISB service name (the component name). */
    name: string;
    /**
     * Namespace: a validated string, or the user's Output validated when it resolves; decided at
     * construction, never taken from a child's output (args/namespace.ts).
     */
    namespace: pulumi.Input<string>;
    clusterDomain: string;
    certificates: ResolvedCertificates;
    disruptionBudget?: ResolvedDisruptionBudget;
    antiAffinity: AntiAffinity;
    await: ResolvedAwait;
}

/** A resolved JetStream ISB service. */
export interface ResolvedJetStreamService extends ResolvedCommon {
    type: "jetstream";
    jetstream: ResolvedJetStream;
    /** Names of every object, derived once from the service name. */
    names: JetStreamNames;
    /** Who builds the servers (args/provisioner.ts). */
    provisioner: Provisioner;
    /** With provisioner `numaflow`: `spec.jetstream` of the InterStepBufferService custom resource. */
    numaflowSpec?: Record<string, unknown>;
}

/** A resolved native Redis ISB service. */
export interface ResolvedNativeRedisService extends ResolvedCommon {
    type: "redis-native";
    redis: ResolvedNativeRedis;
    /** Names of every object, derived once from the service name. */
    names: RedisNames;
}

/** A resolved external Redis ISB service. */
export interface ResolvedExternalRedisService extends ResolvedCommon {
    type: "redis-external";
    redis: ResolvedExternalRedis;
    /** Names of every object, derived once from the service name (the credentials Secret's). */
    names: RedisNames;
}

export type ResolvedService = ResolvedJetStreamService | ResolvedNativeRedisService | ResolvedExternalRedisService;

const TOP_FIELDS = [
    "namespace",
    "provisioner",
    "jetstream",
    "redis",
    "clusterDomain",
    "certificates",
    "podDisruptionBudget",
    "antiAffinity",
    "skipAwait",
    "customTimeouts",
];

/**
 * Longest ISB name: the StatefulSet pods' controller-revision-hash label value
 * (`isbsvc-<name>-js-<10 chars>`) must fit the 63-character label limit.
 */
export const MAX_JETSTREAM_NAME = 63 - "isbsvc-".length - "-js-".length - 10;

/** Longest native Redis name: `isbsvc-<name>-redis-svc-headless` must be a 63-character DNS label. */
export const MAX_REDIS_NAME = 63 - "isbsvc-".length - "-redis-svc-headless".length;

/** Validates and resolves the component arguments. */
export function resolveSpec(
    name: string,
    args: InterStepBufferServiceArgs | undefined,
    opts?: pulumi.ComponentResourceOptions,
): ResolvedService {
    // Plain JavaScript and other languages can pass anything: check the type before using it.
    if (typeof name !== "string") fail("name", `must be a string, got ${name === null ? "null" : typeof name}`);
    const obj = optionalObject(args, "args");
    if (obj === undefined) fail("args", "are required: set exactly one of jetstream or redis");
    rejectUnknownKeys(obj, TOP_FIELDS, "");
    const provisioner = resolveProvisioner(obj.provisioner);
    if (provisioner === "numaflow") checkNumaflowArgs(obj);
    const hasJs = obj.jetstream !== undefined && obj.jetstream !== null;
    const hasRedis = obj.redis !== undefined && obj.redis !== null;
    if (hasJs && hasRedis) fail("jetstream", 'and "redis" are both set; an ISB service is exactly one of them');
    if (!hasJs && !hasRedis) fail("jetstream", 'or "redis" must be set (exactly one of them)');
    dns1035Label(name, "name", hasJs ? MAX_JETSTREAM_NAME : MAX_REDIS_NAME);
    const base = (replicas: number): ResolvedCommon => ({
        name,
        namespace: resolveNamespace(obj.namespace, opts),
        clusterDomain: dns1123Subdomain(optionalString(obj.clusterDomain, "clusterDomain") ?? "cluster.local", "clusterDomain"),
        certificates: resolveCertificates(obj.certificates, "certificates"),
        disruptionBudget: resolveDisruptionBudget(obj.podDisruptionBudget, "podDisruptionBudget", replicas),
        antiAffinity: resolveAntiAffinity(obj.antiAffinity, "antiAffinity", replicas),
        await: resolveAwait(obj.skipAwait, obj.customTimeouts),
    });
    if (hasJs) {
        const jetstream = resolveJetStream(obj.jetstream, "jetstream");
        const svc: ResolvedService = {
            type: "jetstream",
            ...base(jetstream.replicas),
            jetstream,
            names: jetStreamNames(name),
            provisioner,
            ...(provisioner === "numaflow" && {
                numaflowSpec: renderIsbSvcJetStreamSpec(obj.jetstream as Record<string, unknown>, jetstream),
            }),
        };
        // In numaflow mode the controller builds the pods (not our pod template): nothing to check.
        if (provisioner === "direct") assertJetStreamPodUsable(svc);
        return svc;
    }
    const redis = resolveRedis(obj.redis, "redis");
    if (redis.native) {
        const svc = withContentDerivedNames({
            type: "redis-native",
            ...base(redis.native.replicas),
            redis: redis.native,
            names: redisNames(name),
        });
        assertRedisPodUsable(svc);
        return svc;
    }
    return { type: "redis-external", ...base(0), redis: redis.external, names: redisNames(name) };
}
