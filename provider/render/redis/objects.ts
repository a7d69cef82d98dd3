/**
 * Kubernetes objects of a native Redis ISB service: ConfigMaps (config files, scripts), the
 * client and headless Services, the StatefulSet (redis + sentinel + metrics per pod), the
 * PodDisruptionBudget and the Secrets.
 */
import { ResolvedNativeRedisService } from "../../args/resolve";
import { applyContainerTemplate } from "../container-template";
import { Container, K8sObject } from "../k8s-types";
import { objectLabels, selectorLabels } from "../labels";
import { applyPodTemplate, podLabels, renderAffinity } from "../pod-template";
import { defaultTopologySpread, withTopologySpread } from "../topology";
import { DEFAULT_REQUESTS, defaultResources, redisRequests } from "../default-resources";
import { renderDisruptionBudget, renderStatefulSet } from "../statefulset";
import { renderManagedConf, renderRedisConf, renderRoleConf, renderSentinelConf, renderSentinelSettings } from "./redis-conf";
import { renderRedisScripts } from "./scripts";
import { contentName } from "../checksum";
import { defaultPodSecurityContext } from "../security-context";
import { assertPodUsable } from "../volume-access";
import { fail } from "../../args/errors";
import {
    REDIS_ALSO_ACCEPTED_PASSWORD_KEY,
    REDIS_CONFIG_DIR,
    REDIS_DATA_DIR,
    REDIS_PASSWORD_KEY,
    REDIS_PORTS,
    REDIS_RUN_DIR,
    REDIS_SCRIPTS_DIR,
    REDIS_TLS_DIR,
    REDIS_TLS_KEYS,
    REDIS_TLS_PATHS,
    REDIS_UID,
    REDIS_USER,
    SENTINEL_DIR,
} from "./layout";

function meta(svc: ResolvedNativeRedisService, name: string, namespace: string | undefined): K8sObject["metadata"] {
    return { name, ...(namespace !== undefined && { namespace }), labels: objectLabels(svc.name, "redis") };
}

/** Stands for the namespace in content hashes (it appears only in env.sh; a namespace change replaces every object anyway). */
const NAMESPACE_TOKEN = "$(POD_NAMESPACE)";

/**
 * `svc` with content-derived ConfigMap names (`isbsvc-<n>-redis-config-<hash>`,
 * `isbsvc-<n>-redis-scripts-<hash>`): see resources/redis-native.ts for why. Called once by
 * `resolveSpec`; the content does not contain the ConfigMap names, so the hash is well defined.
 */
export function withContentDerivedNames(svc: ResolvedNativeRedisService): ResolvedNativeRedisService {
    return {
        ...svc,
        names: {
            ...svc.names,
            configMap: contentName(svc.names.configMap, renderRedisConfigMap(svc, NAMESPACE_TOKEN).data),
            scriptsConfigMap: contentName(svc.names.scriptsConfigMap, renderRedisScriptsConfigMap(svc, NAMESPACE_TOKEN).data),
        },
    };
}

export function renderRedisConfigMap(svc: ResolvedNativeRedisService, namespace: string): K8sObject {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: meta(svc, svc.names.configMap, namespace),
        data: {
            "redis.conf": renderRedisConf(svc),
            "master.conf": renderRoleConf(svc, "master"),
            "replica.conf": renderRoleConf(svc, "replica"),
            "managed.conf": renderManagedConf(svc),
            "sentinel.conf": renderSentinelConf(svc),
            "sentinel-settings.conf": renderSentinelSettings(svc),
        },
    };
}

export function renderRedisScriptsConfigMap(svc: ResolvedNativeRedisService, namespace: string): K8sObject {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: meta(svc, svc.names.scriptsConfigMap, namespace),
        data: renderRedisScripts(svc, namespace),
    };
}

/** A Secret of the service; `namespace` undefined leaves the choice to the Kubernetes provider. */
export function renderRedisSecret(
    svc: ResolvedNativeRedisService,
    name: string,
    namespace: string | undefined,
    data: Record<string, string>,
): K8sObject {
    return { apiVersion: "v1", kind: "Secret", metadata: meta(svc, name, namespace), type: "Opaque", data };
}

function servicePorts(metrics: boolean): Record<string, unknown>[] {
    return [
        { name: "tcp-redis", port: REDIS_PORTS.redis, targetPort: REDIS_PORTS.redis, protocol: "TCP" },
        { name: "tcp-sentinel", port: REDIS_PORTS.sentinel, targetPort: REDIS_PORTS.sentinel, protocol: "TCP" },
        // Only for a ServiceMonitor (render/monitoring.ts), which scrapes the Service port named `metrics`.
        ...(metrics ? [{ name: "metrics", port: REDIS_PORTS.metrics, targetPort: REDIS_PORTS.metrics, protocol: "TCP" }] : []),
    ];
}

/** The client Service (Sentinel clients connect here) or, with `headless`, the pods' DNS Service. */
export function renderRedisService(svc: ResolvedNativeRedisService, namespace: string, headless: boolean): K8sObject {
    const names = svc.names;
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta(svc, headless ? names.headlessService : names.service, namespace),
        spec: {
            type: "ClusterIP",
            // The headless Service gives every pod its DNS name from the start (peers find each other
            // before they are ready); the client Service routes only to Ready pods.
            ...(headless && { clusterIP: "None", publishNotReadyAddresses: true }),
            selector: selectorLabels(svc.name, "redis"),
            ports: servicePorts(headless && svc.monitoring?.kind === "ServiceMonitor"),
        },
    };
}

export function renderRedisDisruptionBudget(svc: ResolvedNativeRedisService, namespace: string): K8sObject | undefined {
    if (!svc.disruptionBudget) return undefined;
    return renderDisruptionBudget(
        meta(svc, svc.names.disruptionBudget, namespace),
        svc.disruptionBudget.maxUnavailable,
        selectorLabels(svc.name, "redis"),
    );
}

function execProbe(script: string, arg: string | undefined, extra: Record<string, number>): Record<string, unknown> {
    return { exec: { command: ["/bin/sh", `${REDIS_SCRIPTS_DIR}/${script}`, ...(arg ? [arg] : [])] }, ...extra };
}

/**
 * The env of the redis and sentinel containers: the pod name, the active password (clients,
 * replication and Sentinel authenticate with it) and, while `passwordRotation.accept` is `both`,
 * the other slot's password, which the servers accept too (scripts/redis/lib.sh `acl_user_line`).
 */
function commonEnv(svc: ResolvedNativeRedisService): Record<string, unknown>[] {
    return [
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        passwordEnv(svc),
        ...(svc.redis.passwordRotation.accepted.length > 1
            ? [
                  {
                      name: "REDIS_PASSWORD_ALSO_ACCEPTED",
                      valueFrom: { secretKeyRef: { name: svc.names.authSecret, key: REDIS_ALSO_ACCEPTED_PASSWORD_KEY } },
                  },
              ]
            : []),
    ];
}

function passwordEnv(svc: ResolvedNativeRedisService): Record<string, unknown> {
    return { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: svc.names.authSecret, key: REDIS_PASSWORD_KEY } } };
}

function commonMounts(svc: ResolvedNativeRedisService): Record<string, unknown>[] {
    return [
        { name: "config", mountPath: REDIS_CONFIG_DIR, readOnly: true },
        { name: "scripts", mountPath: REDIS_SCRIPTS_DIR, readOnly: true },
        ...(svc.redis.tls ? [{ name: "tls", mountPath: REDIS_TLS_DIR, readOnly: true }] : []),
    ];
}

const PROBE_TIMING = { initialDelaySeconds: 5, timeoutSeconds: 5, periodSeconds: 5, failureThreshold: 5 };

function redisContainer(svc: ResolvedNativeRedisService): Container {
    const names = svc.names;
    return {
        name: "redis",
        image: svc.redis.version.redisImage,
        command: ["/bin/sh", `${REDIS_SCRIPTS_DIR}/start-node.sh`],
        ports: [{ name: "redis", containerPort: REDIS_PORTS.redis }],
        resources: defaultResources(redisRequests(svc.redis.settings)),
        env: commonEnv(svc),
        volumeMounts: [
            ...commonMounts(svc),
            { name: "run", mountPath: REDIS_RUN_DIR },
            { name: svc.redis.persistence ? names.volumeClaim : "redis-data", mountPath: REDIS_DATA_DIR },
        ],
        startupProbe: execProbe("ping-redis.sh", "startup", { ...PROBE_TIMING, failureThreshold: 60 }),
        livenessProbe: execProbe("ping-redis.sh", "liveness", PROBE_TIMING),
        readinessProbe: execProbe("ping-redis.sh", "readiness", PROBE_TIMING),
        lifecycle: { preStop: { exec: { command: ["/bin/sh", `${REDIS_SCRIPTS_DIR}/prestop-redis.sh`] } } },
    };
}

function sentinelContainer(svc: ResolvedNativeRedisService): Container {
    return {
        name: "sentinel",
        image: svc.redis.version.sentinelImage,
        command: ["/bin/sh", `${REDIS_SCRIPTS_DIR}/start-sentinel.sh`],
        ports: [{ name: "sentinel", containerPort: REDIS_PORTS.sentinel }],
        resources: defaultResources(DEFAULT_REQUESTS.redis.sentinel),
        env: commonEnv(svc),
        volumeMounts: [...commonMounts(svc), { name: "sentinel", mountPath: SENTINEL_DIR }],
        startupProbe: execProbe("ping-sentinel.sh", undefined, { ...PROBE_TIMING, failureThreshold: 60 }),
        livenessProbe: execProbe("ping-sentinel.sh", undefined, PROBE_TIMING),
        readinessProbe: execProbe("ping-sentinel.sh", undefined, PROBE_TIMING),
    };
}

function metricsContainer(svc: ResolvedNativeRedisService): Container {
    const scheme = svc.redis.tls ? "rediss" : "redis";
    return {
        name: "metrics",
        image: svc.redis.version.redisExporterImage,
        ports: [{ name: "metrics", containerPort: REDIS_PORTS.metrics }],
        resources: defaultResources(DEFAULT_REQUESTS.redis.metrics),
        env: [
            { name: "REDIS_ADDR", value: `${scheme}://localhost:${REDIS_PORTS.redis}` },
            { name: "REDIS_USER", value: REDIS_USER },
            passwordEnv(svc),
            ...(svc.redis.tls ? [{ name: "REDIS_EXPORTER_TLS_CA_CERT_FILE", value: REDIS_TLS_PATHS.ca }] : []),
        ],
        ...(svc.redis.tls && { volumeMounts: [{ name: "tls", mountPath: REDIS_TLS_DIR, readOnly: true }] }),
    };
}

function volumes(svc: ResolvedNativeRedisService): Record<string, unknown>[] {
    const names = svc.names;
    return [
        { name: "config", configMap: { name: names.configMap, defaultMode: 0o444 } },
        { name: "scripts", configMap: { name: names.scriptsConfigMap, defaultMode: 0o555 } },
        ...(svc.redis.tls
            ? [
                  {
                      name: "tls",
                      secret: {
                          secretName: names.tlsSecret,
                          defaultMode: 0o440,
                          items: Object.values(REDIS_TLS_KEYS).map((key) => ({ key, path: key })),
                      },
                  },
              ]
            : []),
        { name: "run", emptyDir: { medium: "Memory" } },
        { name: "sentinel", emptyDir: {} },
        ...(svc.redis.persistence ? [] : [{ name: "redis-data", emptyDir: {} }]),
    ];
}

export function renderRedisStatefulSet(svc: ResolvedNativeRedisService, namespace: string): K8sObject {
    const names = svc.names;
    const r = svc.redis;
    const selector = selectorLabels(svc.name, "redis");
    const podSpec = applyPodTemplate(
        {
            // The image's redis user; fsGroup makes the volumes writable (no root init container).
            securityContext: defaultPodSecurityContext(REDIS_UID),
            terminationGracePeriodSeconds: 60,
            containers: [
                applyContainerTemplate(redisContainer(svc), r.redisContainerTemplate),
                applyContainerTemplate(sentinelContainer(svc), r.sentinelContainerTemplate),
                applyContainerTemplate(metricsContainer(svc), r.metricsContainerTemplate),
            ],
            volumes: volumes(svc),
            ...withTopologySpread(defaultTopologySpread(selector, r.replicas, svc.antiAffinity)),
        },
        r.podTemplate,
        renderAffinity(r.podTemplate, svc.antiAffinity, selector),
    );
    return renderStatefulSet({
        metadata: meta(svc, names.statefulSet, namespace),
        replicas: r.replicas,
        serviceName: names.headlessService,
        // Every pod at once: a cold start elects the node with the most data, which needs every
        // pod's beacon (scripts/redis/start-node.sh); with OrderedReady pod 0 would start alone.
        podManagementPolicy: "Parallel",
        selector,
        podLabels: podLabels(r.podTemplate, selector),
        podAnnotations: r.podTemplate.annotations,
        podSpec,
        persistence: r.persistence,
        volumeClaimName: names.volumeClaim,
    });
}

/**
 * Rejects a security context under which a Redis pod could not work: a container that cannot read
 * its config, scripts or TLS files or write its volumes (volume-access.ts). Called at construction.
 */
export function assertRedisPodUsable(svc: ResolvedNativeRedisService): void {
    const r = svc.redis;
    const sts = renderRedisStatefulSet(svc, "default");
    const spec = (sts.spec as Record<string, any>).template.spec;
    assertPodUsable(
        spec,
        r.persistence ? [svc.names.volumeClaim] : [],
        "redis.native",
        {
            redis: { template: "redis.native.redisContainerTemplate", securityContext: r.redisContainerTemplate.securityContext },
            sentinel: { template: "redis.native.sentinelContainerTemplate", securityContext: r.sentinelContainerTemplate.securityContext },
            metrics: { template: "redis.native.metricsContainerTemplate", securityContext: r.metricsContainerTemplate.securityContext },
        },
        [],
        fail,
    );
}
