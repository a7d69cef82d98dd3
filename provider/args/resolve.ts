/**
 * Top-level spec resolution: exactly one flavour, names, namespace and the options shared by
 * every flavour. Throws a SpecError naming the field on any invalid input.
 */
import * as pulumi from "@pulumi/pulumi";
import { at, fail, SpecError, SpecIssue } from "./errors";
import { podTemplateIssues } from "./pod-validation";
import { resolveContainerTemplate, resolvePodTemplate, ResolvedContainerTemplate } from "./workload";
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
import { resolveNetworkPolicy, ResolvedNetworkPolicy } from "./network-policy";
import { resolveMonitoring, ResolvedMonitoring } from "./monitoring";
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
    /** The NetworkPolicy; undefined when disabled (and always for an external Redis: no pods). */
    networkPolicy?: ResolvedNetworkPolicy;
    /** Prometheus Operator objects; undefined when monitoring is off. */
    monitoring?: ResolvedMonitoring;
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
    "networkPolicy",
    "monitoring",
];

/**
 * Longest ISB name: the StatefulSet pods' controller-revision-hash label value
 * (`isbsvc-<name>-js-<10 chars>`) must fit the 63-character label limit.
 */
export const MAX_JETSTREAM_NAME = 63 - "isbsvc-".length - "-js-".length - 10;

/** Longest native Redis name: `isbsvc-<name>-redis-svc-headless` must be a 63-character DNS label. */
export const MAX_REDIS_NAME = 63 - "isbsvc-".length - "-redis-svc-headless".length;

/**
 * Validates and resolves the component arguments. Every pass-through rule violation is reported
 * together with any other problem found: resolution stops at the first structural problem (a wrong
 * type, an unknown key, a bad version, ...), and the pod-template rules are then still checked on
 * the parts of the pod template that resolve, so one SpecError lists them all.
 */
export function resolveSpec(
    name: string,
    args: InterStepBufferServiceArgs | undefined,
    opts?: pulumi.ComponentResourceOptions,
): ResolvedService {
    try {
        return resolveChecked(name, args, opts);
    } catch (e) {
        if (!(e instanceof SpecError) || e.issues.length > 1) throw e;
        const more = bestEffortPodIssues(args).filter((i) => i.field !== e.field);
        if (more.length === 0) throw e;
        throw new SpecError([...e.issues, ...more]);
    }
}

/**
 * The resolved service of a spec whose only problems are pass-through pod-template rule
 * violations, with those violations, instead of a SpecError: what the pods would have been had the
 * rules not stopped them. tests/engine/pod-validation.test.ts renders such specs and dry-run
 * creates their pods on a real API server, to check that our rules and the API server agree. The
 * pod-usability checks (volume access under the security context) are skipped too. Structural
 * problems still throw.
 */
export function resolveSpecKeepingPodIssues(
    name: string,
    args: InterStepBufferServiceArgs,
): { svc: ResolvedService; podIssues: SpecIssue[] } {
    const podIssues: SpecIssue[] = [];
    return { svc: resolveChecked(name, args, undefined, podIssues), podIssues };
}

/** The pod-template fields of each flavour: where they live, their container templates, the pod's containers. */
const FLAVOURS = [
    {
        path: "jetstream",
        templates: ["containerTemplate", "reloaderContainerTemplate", "metricsContainerTemplate"],
        containers: ["main", "reloader", "metrics"],
    },
    {
        path: "redis.native",
        templates: ["redisContainerTemplate", "sentinelContainerTemplate", "metricsContainerTemplate"],
        containers: ["redis", "sentinel", "metrics"],
    },
] as const;

/** Runs `f`; any failure (the spec is already known to be invalid) means "this part cannot be checked". */
function attempt<T>(f: () => T): T | undefined {
    try {
        return f();
    } catch {
        return undefined;
    }
}

/** The pod-template rule violations of the parts of a spec that resolve on their own. */
function bestEffortPodIssues(args: unknown): SpecIssue[] {
    return (
        attempt(() => {
            const obj = optionalObject(args, "args");
            const js = optionalObject(obj?.jetstream, "jetstream");
            const native = js ? undefined : optionalObject(optionalObject(obj?.redis, "redis")?.native, "redis.native");
            const raw = js ?? native;
            if (raw === undefined) return [];
            const flavour = js ? FLAVOURS[0] : FLAVOURS[1];
            const pod = attempt(() => resolvePodTemplate(raw, flavour.path));
            const templates: Record<string, ResolvedContainerTemplate> = {};
            for (const f of flavour.templates) {
                const t = attempt(() => resolveContainerTemplate(raw[f], at(flavour.path, f)));
                if (t) templates[f] = t;
            }
            const issues = pod ? podTemplateIssues(pod, templates, flavour.containers, flavour.path) : [];
            // Without a resolvable pod template, still check the container templates.
            return pod ? issues : podTemplateIssues(EMPTY_POD, templates, flavour.containers, flavour.path);
        }) ?? []
    );
}

const EMPTY_POD = { labels: {}, annotations: {}, automountServiceAccountToken: false };

/**
 * Validates and resolves the component arguments; throws at the first structural problem. With
 * `keptPodIssues`, pod-template rule violations go there instead (see resolveSpecKeepingPodIssues).
 */
function resolveChecked(
    name: string,
    args: InterStepBufferServiceArgs | undefined,
    opts?: pulumi.ComponentResourceOptions,
    keptPodIssues?: SpecIssue[],
): ResolvedService {
    const keep = (issues: SpecIssue[]): SpecIssue[] => {
        if (!keptPodIssues) return issues;
        keptPodIssues.push(...issues);
        return [];
    };
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
    const base = (replicas: number, external = false): ResolvedCommon => ({
        name,
        namespace: resolveNamespace(obj.namespace, opts),
        clusterDomain: dns1123Subdomain(optionalString(obj.clusterDomain, "clusterDomain") ?? "cluster.local", "clusterDomain"),
        certificates: resolveCertificates(obj.certificates, "certificates"),
        disruptionBudget: resolveDisruptionBudget(obj.podDisruptionBudget, "podDisruptionBudget", replicas),
        antiAffinity: resolveAntiAffinity(obj.antiAffinity, "antiAffinity", replicas),
        await: resolveAwait(obj.skipAwait, obj.customTimeouts),
        networkPolicy: resolveNetworkPolicy(obj.networkPolicy, "networkPolicy", hasJs),
        monitoring: resolveMonitoring(obj.monitoring, "monitoring", external),
    });
    if (hasJs) {
        const jetstream = resolveJetStream(obj.jetstream, "jetstream");
        // The pod template is validated in both modes: in numaflow mode the controller builds its
        // pods from the same fields.
        const issues = keep(
            podTemplateIssues(
                jetstream.podTemplate,
                {
                    containerTemplate: jetstream.containerTemplate,
                    reloaderContainerTemplate: jetstream.reloaderContainerTemplate,
                    metricsContainerTemplate: jetstream.metricsContainerTemplate,
                },
                ["main", "reloader", "metrics"],
                "jetstream",
            ),
        );
        const common = collect(() => base(jetstream.replicas), issues);
        throwIssues(issues);
        const svc: ResolvedService = {
            type: "jetstream",
            ...(common as ResolvedCommon),
            jetstream,
            names: jetStreamNames(name),
            provisioner,
            ...(provisioner === "numaflow" && {
                numaflowSpec: renderIsbSvcJetStreamSpec(obj.jetstream as Record<string, unknown>, jetstream),
            }),
        };
        // In numaflow mode the controller builds the pods (not our pod template): nothing to check.
        if (provisioner === "direct" && !keptPodIssues) assertJetStreamPodUsable(svc);
        return svc;
    }
    const redis = resolveRedis(obj.redis, "redis");
    if (redis.native) {
        const issues = keep(
            podTemplateIssues(
                redis.native.podTemplate,
                {
                    redisContainerTemplate: redis.native.redisContainerTemplate,
                    sentinelContainerTemplate: redis.native.sentinelContainerTemplate,
                    metricsContainerTemplate: redis.native.metricsContainerTemplate,
                },
                ["redis", "sentinel", "metrics"],
                "redis.native",
            ),
        );
        const common = collect(() => base(redis.native!.replicas), issues);
        throwIssues(issues);
        const svc = withContentDerivedNames({
            type: "redis-native",
            ...(common as ResolvedCommon),
            redis: redis.native,
            names: redisNames(name),
        });
        if (!keptPodIssues) assertRedisPodUsable(svc);
        return svc;
    }
    return { type: "redis-external", ...base(0, true), networkPolicy: undefined, redis: redis.external, names: redisNames(name) };
}

/** Every pass-through rule violation of the spec, thrown together (nothing is registered before). */
function throwIssues(issues: SpecIssue[]): void {
    if (issues.length > 0) throw new SpecError(issues);
}

/** Runs `f`, adding the problems of a SpecError it throws to `issues` (then the result is undefined). */
function collect<T>(f: () => T, issues: SpecIssue[]): T | undefined {
    try {
        return f();
    } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        issues.push(...e.issues);
        return undefined;
    }
}
