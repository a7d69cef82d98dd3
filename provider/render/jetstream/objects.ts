/**
 * Kubernetes objects of a JetStream ISB service, rendered as plain values from the resolved spec
 * and the namespace: the headless Service, the StatefulSet, the PodDisruptionBudget and the
 * ConfigMap. Secrets are rendered in secrets.ts because their content is generated.
 */
import { ResolvedJetStreamService } from "../../args/resolve";
import { parseDuration } from "../../args/values";
import { applyContainerTemplate } from "../container-template";
import { Container, K8sObject } from "../k8s-types";
import { objectLabels, selectorLabels } from "../labels";
import { renderNatsConf } from "./nats-conf";
import { renderDisruptionBudget, renderStatefulSet } from "../statefulset";
import { applyPodTemplate, podLabels, renderAffinity } from "../pod-template";
import { defaultPodSecurityContext, NATS_UID } from "../security-context";
import { assertPodUsable } from "../volume-access";
import { fail } from "../../args/errors";
import { defaultTopologySpread, withTopologySpread } from "../topology";
import { DEFAULT_REQUESTS, defaultResources } from "../default-resources";
import {
    CONFIG_DIR,
    CONFIG_FILE,
    CONFIG_MAP_KEY,
    configPath,
    DATA_DIR,
    ENCRYPTION_KEY,
    JS_PORTS,
    PID_DIR,
    PID_FILE,
    SERVER_SECRET_FILES,
} from "./layout";

/** Pod annotation whose change rolls the pods when the store kind changes. */
export const STORE_ANNOTATION = "isbsvc/store-encryption";

function meta(svc: ResolvedJetStreamService, name: string, namespace: string | undefined): K8sObject["metadata"] {
    return { name, ...(namespace !== undefined && { namespace }), labels: objectLabels(svc.name, "jetstream") };
}

/** A Secret of the service; `namespace` undefined leaves the choice to the Kubernetes provider. */
export function renderJetStreamSecret(
    svc: ResolvedJetStreamService,
    name: string,
    namespace: string | undefined,
    data: Record<string, string>,
): K8sObject {
    return { apiVersion: "v1", kind: "Secret", metadata: meta(svc, name, namespace), type: "Opaque", data };
}

export function renderJetStreamConfigMap(svc: ResolvedJetStreamService, namespace: string): K8sObject {
    const names = svc.names;
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: meta(svc, names.configMap, namespace),
        data: { [CONFIG_MAP_KEY]: renderNatsConf(svc) },
    };
}

export function renderJetStreamService(svc: ResolvedJetStreamService, namespace: string): K8sObject {
    const names = svc.names;
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta(svc, names.service, namespace),
        spec: {
            type: "ClusterIP",
            clusterIP: "None",
            publishNotReadyAddresses: true,
            selector: selectorLabels(svc.name, "jetstream"),
            ports: [
                { name: "tcp-client", port: JS_PORTS.client, targetPort: JS_PORTS.client, protocol: "TCP" },
                { name: "cluster", port: JS_PORTS.cluster, targetPort: JS_PORTS.cluster, protocol: "TCP" },
                { name: "metrics", port: JS_PORTS.metrics, targetPort: JS_PORTS.metrics, protocol: "TCP" },
                { name: "monitor", port: JS_PORTS.monitor, targetPort: JS_PORTS.monitor, protocol: "TCP" },
            ],
        },
    };
}

export function renderJetStreamDisruptionBudget(svc: ResolvedJetStreamService, namespace: string): K8sObject | undefined {
    if (!svc.disruptionBudget) return undefined;
    return renderDisruptionBudget(
        meta(svc, svc.names.disruptionBudget, namespace),
        svc.disruptionBudget.maxUnavailable,
        selectorLabels(svc.name, "jetstream"),
    );
}

function httpProbe(path: string, extra: Record<string, number>): Record<string, unknown> {
    return { httpGet: { path, port: JS_PORTS.monitor }, initialDelaySeconds: 10, timeoutSeconds: 5, ...extra };
}

function mainContainer(svc: ResolvedJetStreamService): Container {
    const names = svc.names;
    const { version } = svc.jetstream;
    const secretRef = (key: string) => ({ secretKeyRef: { name: names.serverSecret, key } });
    return {
        name: "main",
        image: version.natsImage,
        command: [version.startCommand, "--config", configPath(CONFIG_FILE)],
        ...(svc.jetstream.startArgs.length && { args: svc.jetstream.startArgs }),
        ports: [
            { name: "client", containerPort: JS_PORTS.client },
            { name: "cluster", containerPort: JS_PORTS.cluster },
            { name: "monitor", containerPort: JS_PORTS.monitor },
        ],
        resources: defaultResources(DEFAULT_REQUESTS.jetstream.main),
        env: [
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "SERVER_NAME", value: "$(POD_NAME)" },
            { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
            { name: "CLUSTER_ADVERTISE", value: `$(POD_NAME).${names.service}.$(POD_NAMESPACE).svc` },
            { name: "GOMEMLIMIT", valueFrom: { resourceFieldRef: { containerName: "main", resource: "limits.memory" } } },
            // Only with encryption: nats-server needs the key nowhere else (toggling rolls the pods anyway).
            ...(svc.jetstream.encryption ? [{ name: "JS_KEY", valueFrom: secretRef(ENCRYPTION_KEY) }] : []),
        ],
        volumeMounts: [
            { name: "config-volume", mountPath: CONFIG_DIR, readOnly: true },
            { name: "pid", mountPath: PID_DIR },
            { name: svc.jetstream.persistence ? names.volumeClaim : "js-data", mountPath: DATA_DIR },
        ],
        // Startup waits until the server has caught up (full /healthz), so a rolling restart moves on
        // only when the restarted server holds its streams again.
        startupProbe: httpProbe("/healthz", { periodSeconds: 10, failureThreshold: 90 }),
        livenessProbe: httpProbe("/healthz?js-enabled-only=true", { periodSeconds: 30, failureThreshold: 3 }),
        readinessProbe: httpProbe("/healthz?js-enabled-only=true", { periodSeconds: 10, failureThreshold: 3 }),
        lifecycle: { preStop: { exec: { command: [version.startCommand, `-sl=ldm=${PID_FILE}`] } } },
    };
}

/** Files the reloader watches: any change makes it send nats-server the reload signal. */
export function reloaderWatchedFiles(svc: ResolvedJetStreamService): string[] {
    const f = SERVER_SECRET_FILES;
    const tlsFiles = svc.jetstream.tls
        ? [f["ca-cert"], f.cert, f["private-key"], ...(svc.jetstream.replicas > 1 ? [f["cluster-cert"], f["cluster-private-key"]] : [])]
        : [];
    return [CONFIG_FILE, f.auth, ...(svc.jetstream.replicas > 1 ? [f.routes] : []), ...tlsFiles].map(configPath);
}

function reloaderContainer(svc: ResolvedJetStreamService): Container {
    return {
        name: "reloader",
        image: svc.jetstream.version.configReloaderImage,
        command: ["nats-server-config-reloader", "-pid", PID_FILE, ...reloaderWatchedFiles(svc).flatMap((f) => ["-config", f])],
        resources: defaultResources(DEFAULT_REQUESTS.jetstream.reloader),
        volumeMounts: [
            { name: "config-volume", mountPath: CONFIG_DIR, readOnly: true },
            { name: "pid", mountPath: PID_DIR },
        ],
    };
}

function metricsContainer(svc: ResolvedJetStreamService): Container {
    return {
        name: "metrics",
        image: svc.jetstream.version.metricsExporterImage,
        args: [
            "-connz",
            "-routez",
            "-subz",
            "-varz",
            "-prefix=nats",
            "-use_internal_server_id",
            "-jsz=all",
            `http://localhost:${JS_PORTS.monitor}`,
        ],
        ports: [{ name: "metrics", containerPort: JS_PORTS.metrics }],
        resources: defaultResources(DEFAULT_REQUESTS.jetstream.metrics),
    };
}

/** Secret keys projected into the config directory. */
function projectedSecretItems(svc: ResolvedJetStreamService): { key: string; path: string }[] {
    const f = SERVER_SECRET_FILES;
    const keys: Array<keyof typeof f> = ["auth"];
    if (svc.jetstream.replicas > 1) keys.push("routes");
    if (svc.jetstream.tls) keys.push("ca-cert", "cert", "private-key");
    if (svc.jetstream.tls && svc.jetstream.replicas > 1) keys.push("cluster-ca-cert", "cluster-cert", "cluster-private-key");
    return keys.map((key) => ({ key, path: f[key] }));
}

function volumes(svc: ResolvedJetStreamService): Record<string, unknown>[] {
    const names = svc.names;
    return [
        { name: "pid", emptyDir: {} },
        {
            name: "config-volume",
            projected: {
                defaultMode: 0o440,
                sources: [
                    { configMap: { name: names.configMap, items: [{ key: CONFIG_MAP_KEY, path: CONFIG_FILE }] } },
                    { secret: { name: names.serverSecret, items: projectedSecretItems(svc) } },
                ],
            },
        },
        ...(svc.jetstream.persistence ? [] : [{ name: "js-data", emptyDir: {} }]),
    ];
}

/** Lame-duck duration plus grace period plus a margin, so Kubernetes never cuts the lame-duck phase short. */
export function terminationGracePeriodSeconds(svc: ResolvedJetStreamService): number {
    const v = svc.jetstream.settings.values;
    const ms = (parseDuration(String(v.lame_duck_duration)) ?? 0) + (parseDuration(String(v.lame_duck_grace_period)) ?? 0);
    return Math.ceil(ms / 1000) + 15;
}

export function renderJetStreamStatefulSet(svc: ResolvedJetStreamService, namespace: string): K8sObject {
    const names = svc.names;
    const js = svc.jetstream;
    const selector = selectorLabels(svc.name, "jetstream");
    const podSpec = applyPodTemplate(
        {
            securityContext: defaultPodSecurityContext(NATS_UID),
            shareProcessNamespace: true,
            terminationGracePeriodSeconds: terminationGracePeriodSeconds(svc),
            containers: [
                applyContainerTemplate(mainContainer(svc), js.containerTemplate),
                applyContainerTemplate(reloaderContainer(svc), js.reloaderContainerTemplate),
                applyContainerTemplate(metricsContainer(svc), js.metricsContainerTemplate),
            ],
            volumes: volumes(svc),
            ...withTopologySpread(defaultTopologySpread(selector, js.replicas, svc.antiAffinity)),
        },
        js.podTemplate,
        renderAffinity(js.podTemplate, svc.antiAffinity, selector),
    );
    return renderStatefulSet({
        metadata: meta(svc, names.statefulSet, namespace),
        replicas: js.replicas,
        serviceName: names.service,
        podManagementPolicy: "Parallel",
        selector,
        podLabels: podLabels(js.podTemplate, selector),
        podAnnotations: { ...js.podTemplate.annotations, [STORE_ANNOTATION]: js.encryption ? "on" : "off" },
        podSpec,
        persistence: js.persistence,
        volumeClaimName: names.volumeClaim,
    });
}

/**
 * Rejects a security context under which a JetStream pod could not work: a container that cannot
 * read its config files or write its volumes, or a reloader that cannot signal nats-server
 * (volume-access.ts). Called at construction.
 */
export function assertJetStreamPodUsable(svc: ResolvedJetStreamService): void {
    const js = svc.jetstream;
    const sts = renderJetStreamStatefulSet(svc, "default");
    const spec = (sts.spec as Record<string, any>).template.spec;
    assertPodUsable(
        spec,
        js.persistence ? [svc.names.volumeClaim] : [],
        "jetstream",
        {
            main: { template: "jetstream.containerTemplate", securityContext: js.containerTemplate.securityContext },
            reloader: { template: "jetstream.reloaderContainerTemplate", securityContext: js.reloaderContainerTemplate.securityContext },
            metrics: { template: "jetstream.metricsContainerTemplate", securityContext: js.metricsContainerTemplate.securityContext },
        },
        [["reloader", "main"]],
        fail,
    );
}
