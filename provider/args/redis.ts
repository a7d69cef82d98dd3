/**
 * Resolution of `spec.redis`: a native Redis with Sentinel, or an external Redis.
 */
import * as pulumi from "@pulumi/pulumi";
import { at, fail } from "./errors";
import { ExternalRedisArgs, NativeRedisArgs } from "./types";
import { findRedisVersion, REDIS_VERSIONS, RedisVersion } from "./redis-versions";
import { MASTER_NAME, ResolvedRedisSettings, resolveRedisSettings } from "./redis-settings";
import { formatAddressList, parseAddressList, RedisAddress } from "./redis-url";
import { REDIS_MANAGED_ENV } from "../render/redis/layout";
import {
    POD_TEMPLATE_FIELDS,
    ResolvedContainerTemplate,
    ResolvedPersistence,
    ResolvedPodTemplate,
    resolveContainerTemplate,
    resolvePersistence,
    resolvePodTemplate,
} from "./workload";
import {
    describe,
    describeType,
    dns1123Subdomain,
    hasBlankOrControl,
    optionalBoolean,
    optionalObject,
    optionalString,
    rejectOutput,
    rejectUnknownKeys,
    requiredString,
} from "./values";

/** `spec.redis.native` with every default applied. */
export interface ResolvedNativeRedis {
    version: RedisVersion;
    replicas: number;
    /** Sentinels that must agree the master is down: a majority. */
    quorum: number;
    persistence?: ResolvedPersistence;
    settings: ResolvedRedisSettings;
    tls: boolean;
    redisContainerTemplate: ResolvedContainerTemplate;
    sentinelContainerTemplate: ResolvedContainerTemplate;
    metricsContainerTemplate: ResolvedContainerTemplate;
    podTemplate: ResolvedPodTemplate;
    /** `passwordRotation` with its defaults (`{ active: "a", accept: "active" }`: one password). */
    passwordRotation: ResolvedPasswordRotation;
}

/** A password slot: `a` is `<n>-redis-password` (the only one without rotation), `b` is `<n>-redis-password-b`. */
export type PasswordSlot = "a" | "b";

/** `spec.redis.native.passwordRotation`, resolved. */
export interface ResolvedPasswordRotation {
    /** The slot clients, replication and Sentinel authenticate with. */
    active: PasswordSlot;
    /** The slots the servers (redis-server and Sentinel) accept: the active one first. */
    accepted: PasswordSlot[];
}

/** The slot that is not `s`. */
export function otherSlot(s: PasswordSlot): PasswordSlot {
    return s === "a" ? "b" : "a";
}

function resolvePasswordRotation(raw: unknown, path: string): ResolvedPasswordRotation {
    const obj = optionalObject(raw, path);
    if (obj === undefined) return { active: "a", accepted: ["a"] };
    rejectUnknownKeys(obj, ["active", "accept"], path);
    const active = optionalString(obj.active, at(path, "active")) ?? "a";
    if (active !== "a" && active !== "b") fail(at(path, "active"), `must be "a" or "b", got ${JSON.stringify(active)}`);
    const accept = optionalString(obj.accept, at(path, "accept")) ?? "active";
    if (accept !== "both" && accept !== "active") fail(at(path, "accept"), `must be "both" or "active", got ${JSON.stringify(accept)}`);
    return { active, accepted: accept === "both" ? [active, otherSlot(active)] : [active] };
}

/** `spec.redis.external`, validated. */
export interface ResolvedExternalRedis {
    url: string;
    addresses: RedisAddress[];
    clusterMode: boolean;
    tls: boolean;
    user?: string;
    /** A password to store in a credentials Secret (may be an Output, kept secret). */
    password?: pulumi.Input<string>;
    /** An existing Secret holding the password. */
    passwordSecret?: { name: string; key: string };
    sentinelUrl?: string;
    masterName?: string;
}

export type ResolvedRedis = { native: ResolvedNativeRedis; external?: undefined } | { external: ResolvedExternalRedis; native?: undefined };

const NATIVE_FIELDS = [
    "version",
    "replicas",
    "persistence",
    "settings",
    "tls",
    "redisContainerTemplate",
    "sentinelContainerTemplate",
    "metricsContainerTemplate",
    "passwordRotation",
    ...POD_TEMPLATE_FIELDS,
];

/** Replicas: unset means 3; fewer than 3 becomes 3 with a warning (upstream semantics); fractions are errors. */
export function resolveRedisReplicas(raw: unknown, path: string): number {
    if (raw === undefined || raw === null) return 3;
    rejectOutput(raw, path);
    if (typeof raw !== "number" || !Number.isInteger(raw)) fail(path, `must be an integer, got ${describe(raw)}`);
    if (raw > 99) fail(path, `must be at most 99, got ${raw}`);
    if (raw < 3) {
        pulumi.log.warn(`${path} is ${raw}; a Redis ISB service needs 3 nodes for a Sentinel majority, using 3`);
        return 3;
    }
    return raw;
}

function resolveNative(raw: unknown, path: string): ResolvedNativeRedis {
    const obj = optionalObject(raw, path) as (NativeRedisArgs & Record<string, unknown>) | undefined;
    if (obj === undefined) fail(path, "must be an object");
    if (obj.initContainerTemplate !== undefined) {
        fail(at(path, "initContainerTemplate"), "is not used: pods run as the redis user with fsGroup, there is no init container");
    }
    rejectUnknownKeys(obj, NATIVE_FIELDS, path);
    const versionText = requiredString(obj.version, at(path, "version"));
    const version = findRedisVersion(versionText);
    if (!version) {
        fail(
            at(path, "version"),
            `is not a supported version: ${JSON.stringify(versionText)}; supported versions are: ` +
                REDIS_VERSIONS.map((v) => v.version).join(", "),
        );
    }
    const replicas = resolveRedisReplicas(obj.replicas, at(path, "replicas"));
    return {
        version,
        replicas,
        quorum: Math.floor(replicas / 2) + 1,
        persistence: resolvePersistence(obj.persistence, at(path, "persistence")),
        settings: resolveRedisSettings(obj.settings, at(path, "settings"), version.server),
        tls: optionalBoolean(obj.tls, at(path, "tls")) ?? false,
        redisContainerTemplate: resolveContainerTemplate(obj.redisContainerTemplate, at(path, "redisContainerTemplate"), REDIS_MANAGED_ENV),
        sentinelContainerTemplate: resolveContainerTemplate(
            obj.sentinelContainerTemplate,
            at(path, "sentinelContainerTemplate"),
            REDIS_MANAGED_ENV,
        ),
        metricsContainerTemplate: resolveContainerTemplate(
            obj.metricsContainerTemplate,
            at(path, "metricsContainerTemplate"),
            REDIS_MANAGED_ENV,
        ),
        podTemplate: resolvePodTemplate(obj, path),
        passwordRotation: resolvePasswordRotation(obj.passwordRotation, at(path, "passwordRotation")),
    };
}

function resolvePasswordSecret(raw: unknown, path: string): { name: string; key: string } | undefined {
    const obj = optionalObject(raw, path);
    if (obj === undefined) return undefined;
    rejectUnknownKeys(obj, ["name", "key"], path);
    const name = dns1123Subdomain(requiredString(obj.name, at(path, "name")), at(path, "name"));
    const key = requiredString(obj.key, at(path, "key"));
    if (!/^[-._a-zA-Z0-9]+$/.test(key)) fail(at(path, "key"), `must be a valid Secret key, got ${JSON.stringify(key)}`);
    return { name, key };
}

/** The client user: trimmed, empty means none; no blanks or control characters inside. */
function resolveUser(raw: unknown, path: string): string | undefined {
    const user = optionalString(raw, path, true)?.trim() || undefined;
    if (user !== undefined && (user.length > 256 || hasBlankOrControl(user))) {
        fail(path, "must be a user name without blanks or control characters");
    }
    return user;
}

function resolveExternal(raw: unknown, path: string): ResolvedExternalRedis {
    const obj = optionalObject(raw, path) as (ExternalRedisArgs & Record<string, unknown>) | undefined;
    if (obj === undefined) fail(path, "must be an object");
    rejectUnknownKeys(obj, ["url", "user", "password", "passwordSecret", "sentinelUrl", "masterName"], path);
    // The url and Sentinel fields may carry credentials by mistake: their messages never echo them.
    const url = requiredString(obj.url, at(path, "url"), true);
    const addresses = parseAddressList(url, at(path, "url"));
    // Empty means "no Sentinel" in the contract: treat an empty or blank value as unset.
    const sentinelText = optionalString(obj.sentinelUrl, at(path, "sentinelUrl"), true)?.trim() || undefined;
    const sentinels = sentinelText === undefined ? undefined : parseAddressList(sentinelText, at(path, "sentinelUrl"));
    const masterName = optionalString(obj.masterName, at(path, "masterName"))?.trim() || undefined;
    if ((sentinels === undefined) !== (masterName === undefined)) {
        fail(
            sentinels === undefined ? at(path, "sentinelUrl") : at(path, "masterName"),
            "is required (non-empty) when the other of sentinelUrl and masterName is set",
        );
    }
    if (masterName !== undefined && (masterName.length > 256 || hasBlankOrControl(masterName))) {
        fail(at(path, "masterName"), "must be a Sentinel master set name without blanks or control characters");
    }
    const clusterMode = addresses.length >= 2;
    if (clusterMode && sentinels !== undefined) {
        fail(at(path, "sentinelUrl"), "cannot be combined with several url addresses (cluster mode)");
    }
    const schemes = new Set(addresses.map((a) => a.scheme === "rediss"));
    if (schemes.size > 1) fail(at(path, "url"), "mixes rediss:// and plain addresses");
    const password = obj.password === null ? undefined : obj.password;
    if (password !== undefined && !pulumi.Output.isInstance(password) && typeof password !== "string") {
        // Only the type: a password given as a number must not appear in the message.
        fail(at(path, "password"), `must be a string or a secret Output, got ${describeType(password)}`);
    }
    const passwordSecret = resolvePasswordSecret(obj.passwordSecret, at(path, "passwordSecret"));
    if (password !== undefined && passwordSecret !== undefined) {
        fail(at(path, "password"), "and passwordSecret are both set; use one of them");
    }
    return {
        url: formatAddressList(addresses),
        addresses,
        clusterMode,
        tls: addresses[0].scheme === "rediss",
        user: resolveUser(obj.user, at(path, "user")),
        password: password as pulumi.Input<string> | undefined,
        passwordSecret,
        sentinelUrl: sentinels && formatAddressList(sentinels),
        masterName,
    };
}

export function resolveRedis(raw: unknown, path: string): ResolvedRedis {
    const obj = optionalObject(raw, path);
    if (obj === undefined) fail(path, "must be an object");
    rejectUnknownKeys(obj, ["native", "external"], path);
    const hasNative = obj.native !== undefined && obj.native !== null;
    const hasExternal = obj.external !== undefined && obj.external !== null;
    if (hasNative && hasExternal) fail(at(path, "native"), 'and "redis.external" are both set; use exactly one');
    if (!hasNative && !hasExternal) fail(at(path, "native"), 'or "redis.external" must be set (exactly one of them)');
    return hasNative
        ? { native: resolveNative(obj.native, at(path, "native")) }
        : { external: resolveExternal(obj.external, at(path, "external")) };
}

export { MASTER_NAME };
