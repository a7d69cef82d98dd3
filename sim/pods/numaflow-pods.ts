/**
 * What the Numaflow controller builds from an `InterStepBufferService` resource and its two
 * Secrets (`provisioner: "numaflow"`), as plain Kubernetes objects the pod bed can run
 * (`JetStreamPods.start`): the ConfigMap `isbsvc-<n>-js-config`, the headless Service
 * `isbsvc-<n>-js-svc` and the StatefulSet `isbsvc-<n>-js`, in the controller's shapes.
 *
 * Modelled on numaproj/numaflow at 63ba4e8c (see shared/reference/numaflow-isbsvc.md §5):
 * - nats config: `pkg/reconciler/isbsvc/installer/jetstream.go` `createConfigMap` with the templates
 *   `installer/assets/jetstream/nats-cluster.conf` (replicas > 2) and `nats.conf` (otherwise): ports
 *   4222/8222/6222, `server_name: $POD_NAME`, the jetstream block (`key: $JS_KEY` with encryption),
 *   the cluster block with routes `nats://isbsvc-<n>-js-<i>.isbsvc-<n>-js-svc.<ns>.svc:6222`,
 *   `cluster_advertise: $CLUSTER_ADVERTISE`, `connect_retries: 120` and, with TLS, the cluster `tls`
 *   block; `lame_duck_duration: 120s`; `include ./auth.conf`. Settings: the controller's defaults
 *   (`config/base/controller-manager/numaflow-controller-config.yaml`) with `spec.jetstream.settings`
 *   merged over them, three keys read.
 * - Service: `pkg/apis/numaflow/v1alpha1/jetstream_buffer_service.go` `GetServiceSpec`.
 * - StatefulSet: `jetstream_buffer_service.go` `GetStatefulSetSpec`: projected `config-volume`
 *   (ConfigMap `nats-js` → `nats-js.conf`; server Secret `auth` → `auth.conf` and, with TLS,
 *   `private-key`/`cert`/`ca-cert`/`cluster-private-key`/`cluster-cert`/`cluster-ca-cert` →
 *   `server-key.pem`/`server-cert.pem`/`ca-cert.pem`/`cluster-server-key.pem`/`cluster-server-cert.pem`/
 *   `cluster-ca-cert.pem`), `pid` and `js-data` emptyDirs; container `main` with
 *   `<startCommand> --config /etc/nats-config/nats-js.conf`, env `POD_NAME`, `SERVER_NAME`,
 *   `POD_NAMESPACE`, `CLUSTER_ADVERTISE`, `GOMEMLIMIT`, `JS_KEY` (server Secret `encryption`); pod
 *   template annotations = `spec.jetstream.metadata.annotations` (`spec.Template.SetAnnotations`).
 *   Only the `main` container is modelled: the pod bed runs one process per pod (the reloader's
 *   SIGHUP and the exporter are not part of what this proves).
 */
import * as yaml from "js-yaml";
import { ChildResource, objectsOfKind } from "./pod-files";

const CLIENT_PORT = 4222;
const CLUSTER_PORT = 6222;
const MONITOR_PORT = 8222;
const METRICS_PORT = 7777;
const CONFIG_DIR = "/etc/nats-config";

/** `isbsvc.jetstream.settings` of the controller config (numaflow-controller-config.yaml). */
const CONTROLLER_SETTINGS: Record<string, unknown> = { max_payload: 1048576, max_memory_store: -1, max_file_store: "1TB" };

/** The controller's label set (reference §4). */
function labels(name: string): Record<string, string> {
    return {
        "app.kubernetes.io/component": "isbsvc",
        "app.kubernetes.io/managed-by": "isbsvc-controller",
        "app.kubernetes.io/part-of": "numaflow",
        "numaflow.numaproj.io/isbsvc-name": name,
        "numaflow.numaproj.io/isbsvc-type": "jetstream",
    };
}

/** The InterStepBufferService custom resource among `children`. */
export function findIsbSvc(children: ChildResource[]): ChildResource {
    const all = children.filter((c) => c.type.startsWith("kubernetes:") && c.inputs.kind === "InterStepBufferService");
    if (all.length !== 1) throw new Error(`expected one InterStepBufferService, found ${all.length}`);
    return all[0];
}

/** `startCommand` of the controller's version catalogue: `nats-server` for `-alpine` images, else `/nats-server`. */
function startCommand(version: string): string {
    return version.endsWith("-alpine") ? "nats-server" : "/nats-server";
}

/** The replicas the controller uses (`GetReplicas`: unset and 2 mean 3). */
function replicasOf(js: Record<string, any>): number {
    const r = js.replicas;
    return r === undefined || r === null || r === 2 ? 3 : Number(r);
}

/** `nats-js.conf` as the controller renders it for the resource `name` in `namespace`. */
export function renderControllerNatsConf(name: string, namespace: string, js: Record<string, any>): string {
    const settings = { ...CONTROLLER_SETTINGS, ...((js.settings ? yaml.load(js.settings) : {}) as Record<string, unknown>) };
    const get = (k: string) => (settings[k] === undefined || settings[k] === null ? "" : String(settings[k]));
    const replicas = replicasOf(js);
    const svc = `isbsvc-${name}-js-svc`;
    const routes = Array.from({ length: replicas }, (_, i) => `nats://isbsvc-${name}-js-${i}.${svc}.${namespace}.svc:${CLUSTER_PORT}`);
    const lines = [
        `port: ${CLIENT_PORT}`,
        'pid_file: "/var/run/nats/nats.pid"',
        "",
        `max_payload: ${get("max_payload")}`,
        "",
        `http: ${MONITOR_PORT}`,
        "server_name: $POD_NAME",
        "jetstream {",
        `  ${js.encryption ? "key: $JS_KEY" : ""}`,
        '  store_dir: "/data/jetstream/store"',
        `  max_memory_store: ${get("max_memory_store")}`,
        `  max_file_store: ${get("max_file_store")}`,
        "}",
        "",
    ];
    if (replicas > 2) {
        lines.push(
            "cluster {",
            `  port: ${CLUSTER_PORT}`,
            `  name: ${name}`,
            `  routes: [${routes.join(",")}]`,
            "  cluster_advertise: $CLUSTER_ADVERTISE",
            "  connect_retries: 120",
            ...(js.tls
                ? [
                      "  tls {",
                      `    cert_file: "${CONFIG_DIR}/cluster-server-cert.pem"`,
                      `\tkey_file: "${CONFIG_DIR}/cluster-server-key.pem"`,
                      `\tca_file: "${CONFIG_DIR}/cluster-ca-cert.pem"`,
                      "  }",
                  ]
                : []),
            "}",
        );
    }
    lines.push("lame_duck_duration: 120s", "include ./auth.conf");
    return lines.join("\n");
}

/** A controller-built object of the ISB service `isb`, labelled with the controller's label set. */
function object(kind: string, apiVersion: string, name: string, namespace: string, isb: string, body: Record<string, any>): ChildResource {
    return {
        type: `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`,
        name: `controller-${name}`,
        inputs: { apiVersion, kind, metadata: { name, namespace, labels: labels(isb) }, ...body },
    };
}

/**
 * The objects the controller would create for the InterStepBufferService among `children`, appended
 * to `children` (our Secrets among them): what the pod bed runs.
 */
export function controllerObjects(children: ChildResource[]): ChildResource[] {
    const cr = findIsbSvc(children).inputs;
    const name: string = cr.metadata.name;
    const namespace: string = cr.metadata.namespace;
    const js: Record<string, any> = cr.spec.jetstream;
    const base = `isbsvc-${name}-js`;
    const svc = `${base}-svc`;
    const serverSecret = `${base}-server`;
    for (const s of [serverSecret, `${base}-client-auth`]) {
        if (!objectsOfKind(children, "Secret").some((c) => c.inputs.metadata.name === s)) throw new Error(`Secret ${s} is missing`);
    }
    const items = [{ key: "auth", path: "auth.conf" }];
    if (js.tls) {
        items.push(
            { key: "private-key", path: "server-key.pem" },
            { key: "cert", path: "server-cert.pem" },
            { key: "ca-cert", path: "ca-cert.pem" },
            { key: "cluster-private-key", path: "cluster-server-key.pem" },
            { key: "cluster-cert", path: "cluster-server-cert.pem" },
            { key: "cluster-ca-cert", path: "cluster-ca-cert.pem" },
        );
    }
    const cmd = startCommand(String(js.version));
    const podLabels = { ...(js.metadata?.labels ?? {}), ...labels(name) };
    const main: Record<string, any> = {
        name: "main",
        image: `nats:${js.version}`,
        command: [cmd, "--config", `${CONFIG_DIR}/nats-js.conf`],
        ...(js.startArgs && { args: js.startArgs }),
        ports: [
            { name: "client", containerPort: CLIENT_PORT },
            { name: "cluster", containerPort: CLUSTER_PORT },
            { name: "monitor", containerPort: MONITOR_PORT },
        ],
        env: [
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "SERVER_NAME", value: "$(POD_NAME)" },
            { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
            { name: "CLUSTER_ADVERTISE", value: `$(POD_NAME).${svc}.$(POD_NAMESPACE).svc` },
            { name: "GOMEMLIMIT", valueFrom: { resourceFieldRef: { containerName: "main", resource: "limits.memory" } } },
            { name: "JS_KEY", valueFrom: { secretKeyRef: { name: serverSecret, key: "encryption" } } },
        ],
        volumeMounts: [
            { name: "config-volume", mountPath: CONFIG_DIR },
            { name: "pid", mountPath: "/var/run/nats" },
            { name: "js-data", mountPath: "/data/jetstream" },
        ],
        lifecycle: { preStop: { exec: { command: [cmd, "-sl=ldm=/var/run/nats/nats.pid"] } } },
        ...(js.containerTemplate?.resources && { resources: js.containerTemplate.resources }),
    };
    const configMap = object("ConfigMap", "v1", `${base}-config`, namespace, name, {
        data: { "nats-js": renderControllerNatsConf(name, namespace, js) },
    });
    const service = object("Service", "v1", svc, namespace, name, {
        spec: {
            type: "ClusterIP",
            clusterIP: "None",
            publishNotReadyAddresses: true,
            selector: labels(name),
            ports: [
                { name: "tcp-client", port: CLIENT_PORT },
                { name: "cluster", port: CLUSTER_PORT },
                { name: "metrics", port: METRICS_PORT },
                { name: "monitor", port: MONITOR_PORT },
            ],
        },
    });
    const statefulSet = object("StatefulSet", "apps/v1", base, namespace, name, {
        spec: {
            replicas: replicasOf(js),
            serviceName: svc,
            podManagementPolicy: "Parallel",
            selector: { matchLabels: labels(name) },
            template: {
                metadata: { labels: podLabels, ...(js.metadata?.annotations && { annotations: { ...js.metadata.annotations } }) },
                spec: {
                    shareProcessNamespace: true,
                    terminationGracePeriodSeconds: 120,
                    volumes: [
                        { name: "pid", emptyDir: {} },
                        {
                            name: "config-volume",
                            projected: {
                                sources: [
                                    { configMap: { name: `${base}-config`, items: [{ key: "nats-js", path: "nats-js.conf" }] } },
                                    { secret: { name: serverSecret, items } },
                                ],
                            },
                        },
                        { name: "js-data", emptyDir: {} },
                    ],
                    containers: [main],
                },
            },
        },
    });
    return [...children, configMap, service, statefulSet];
}
