/**
 * Public arguments of the InterStepBufferService component. They mirror the `spec` of the
 * Numaflow `InterStepBufferService` resource in camelCase, with the same names and defaults,
 * plus a few options (marked "beyond the upstream spec") that make the service safer to run.
 *
 * Spec fields are plain values: they decide which resources exist and what their
 * configuration files contain, so they must be known when the program runs (`pulumi preview`
 * validates them before anything is created). The exceptions are `namespace` and an external Redis
 * password, which may be Outputs.
 */
import * as pulumi from "@pulumi/pulumi";

/** Persistent storage for each pod (a PersistentVolumeClaim template). Without it pods use an emptyDir. */
export interface PersistenceArgs {
    /** StorageClass of the claims. Default: the cluster's default StorageClass. */
    storageClassName?: string;
    /** Access mode of the claims: `ReadWriteOnce` (default), `ReadWriteOncePod` or `ReadWriteMany`. */
    accessMode?: string;
    /** Size of each claim as a Kubernetes quantity. Default: `20Gi`. */
    volumeSize?: string;
}

/** Compute resources of a container, as Kubernetes quantities (e.g. `{ cpu: "500m", memory: "1Gi" }`). */
export interface ResourceRequirementsArgs {
    /** Resource limits. */
    limits?: { [resource: string]: string };
    /** Resource requests. */
    requests?: { [resource: string]: string };
}

/** Timing overrides of a probe the component already defines. */
export interface ProbeArgs {
    /** Seconds after start before the first probe. */
    initialDelaySeconds?: number;
    /** Seconds after which a probe times out. */
    timeoutSeconds?: number;
    /** Seconds between probes. */
    periodSeconds?: number;
    /** Consecutive failures that count as failed. */
    failureThreshold?: number;
    /** Consecutive successes that count as succeeded (readiness only). */
    successThreshold?: number;
}

/** An environment variable added to a container. */
export interface EnvVarArgs {
    /** Variable name. */
    name: string;
    /** Literal value. */
    value?: string;
    /** A Kubernetes `EnvVarSource` (secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef). */
    valueFrom?: { [key: string]: any };
}

/** Customisation of one container, as the upstream `ContainerTemplate`. */
export interface ContainerTemplateArgs {
    /** Requests and limits. */
    resources?: ResourceRequirementsArgs;
    /** `Always`, `IfNotPresent` or `Never`. Default: the Kubernetes default for the image tag. */
    imagePullPolicy?: string;
    /** A Kubernetes `SecurityContext` for the container, merged field by field over the component's restricted default (`null` removes a field). */
    securityContext?: { [key: string]: any };
    /** Extra environment variables, appended after the generated ones. */
    env?: EnvVarArgs[];
    /** Extra `EnvFromSource` entries (configMapRef / secretRef). */
    envFrom?: { [key: string]: any }[];
    /** Timing overrides for the container's readiness probe (only where it has one). */
    readinessProbe?: ProbeArgs;
    /** Timing overrides for the container's liveness probe (only where it has one). */
    livenessProbe?: ProbeArgs;
}

/** Labels and annotations added to the pods. */
export interface PodMetadataArgs {
    /** Extra pod labels. The component's own labels win on conflict. */
    labels?: { [key: string]: string };
    /** Pod annotations. */
    annotations?: { [key: string]: string };
}

/** A reference to an image pull secret. */
export interface LocalObjectReferenceArgs {
    /** Name of the Secret. */
    name: string;
}

/** Pod-level customisation shared by JetStream and native Redis (the upstream AbstractPodTemplate). */
export interface PodTemplateArgs {
    /** Pod labels and annotations. */
    metadata?: PodMetadataArgs;
    /** Node selector of the pods. */
    nodeSelector?: { [key: string]: string };
    /** Kubernetes tolerations of the pods. */
    tolerations?: { [key: string]: any }[];
    /** A pod `SecurityContext`, merged field by field over the component's default (non-root uid, fsGroup, RuntimeDefault seccomp; `null` removes a field). */
    securityContext?: { [key: string]: any };
    /** Image pull secrets. */
    imagePullSecrets?: LocalObjectReferenceArgs[];
    /** Priority class of the pods. */
    priorityClassName?: string;
    /** Pod priority. */
    priority?: number;
    /** A Kubernetes `Affinity`. When set it replaces the component's default soft pod anti-affinity. */
    affinity?: { [key: string]: any };
    /**
     * Kubernetes `TopologySpreadConstraint`s. When set (even `[]`) they replace the component's default:
     * `ScheduleAnyway` spreading over `kubernetes.io/hostname` (unless `antiAffinity` is `none`) and
     * `topology.kubernetes.io/zone`, with two or more replicas.
     */
    topologySpreadConstraints?: { [key: string]: any }[];
    /** Service account of the pods. Default: the namespace's `default` service account. */
    serviceAccountName?: string;
    /** Runtime class of the pods. */
    runtimeClassName?: string;
    /** Whether to mount the service account token. Default: false (the servers do not call the Kubernetes API). */
    automountServiceAccountToken?: boolean;
    /** DNS policy of the pods. */
    dnsPolicy?: string;
    /** A pod `DNSConfig`. */
    dnsConfig?: { [key: string]: any };
    /** Pod resource claims. */
    resourceClaims?: { [key: string]: any }[];
}

/** The NATS JetStream flavour of the ISB service (`spec.jetstream`). */
export interface JetStreamArgs extends PodTemplateArgs {
    /** JetStream version from the catalogue, e.g. `2.10.29`. `latest` is accepted with a warning. Required. */
    version: string;
    /** Number of servers: 1 (standalone) or 3 and more (a cluster; odd numbers recommended). Default: 3. */
    replicas?: number;
    /**
     * Allow lowering `replicas` by one in this update (checked at preview against the running StatefulSet); the
     * deleted server must then be peer-removed (README "Scaling JetStream down"). Without it a scale-down is
     * refused; a step of more than one replica is always refused. Default: false.
     */
    allowScaleDown?: boolean;
    /** Persistent volume for the JetStream store. Default: an emptyDir (data lives as long as the pod). */
    persistence?: PersistenceArgs;
    /**
     * NATS server settings: a YAML string (the upstream format) or a plain object, deep-merged over the defaults
     * (`max_payload: 1048576`, `max_memory_store: -1`, `max_file_store: 1TB`). Unknown keys are rejected.
     */
    settings?: any;
    /**
     * Stream, consumer and bucket defaults: a YAML string (the upstream format) or a plain object, deep-merged over
     * the defaults; the result is the `streamConfig` output.
     */
    bufferConfig?: any;
    /** Encrypt client connections and cluster routes with certificates from a generated CA. Default: false. */
    tls?: boolean;
    /**
     * Encrypt the JetStream store at rest with a generated key: `true` (the default cipher, ChaCha20-Poly1305),
     * `"chachapoly"` or `"aes"` (AES-GCM; nats-server 2.9 or later), or `false`. Default: false. (Typed `any` because
     * the schema has no unions; anything else is rejected naming `jetstream.encryption`.)
     */
    encryption?: any;
    /** Extra arguments of nats-server, e.g. `["-D"]`. */
    startArgs?: string[];
    /** Customisation of the `main` (nats-server) container. */
    containerTemplate?: ContainerTemplateArgs;
    /** Customisation of the `reloader` container. */
    reloaderContainerTemplate?: ContainerTemplateArgs;
    /** Customisation of the `metrics` (Prometheus exporter) container. */
    metricsContainerTemplate?: ContainerTemplateArgs;
}

/** Redis configuration snippets (`spec.redis.native.settings`). A non-empty string replaces the default. */
export interface RedisSettingsArgs {
    /**
     * redis.conf directives for every node. Default: `min-replicas-to-write 1`, `save ""`, `appendonly yes`,
     * `auto-aof-rewrite-percentage 100`, `auto-aof-rewrite-min-size 64mb`, `maxmemory 512mb`,
     * `maxmemory-policy allkeys-lru`.
     */
    redis?: string;
    /** Directives for the node that starts as master (applied, unlike upstream). */
    master?: string;
    /** Directives for nodes that start as replicas. */
    replica?: string;
    /**
     * Sentinel directives, each naming the set `mymaster`. Default: `down-after-milliseconds` 10000,
     * `failover-timeout` 2000, `parallel-syncs` 1.
     */
    sentinel?: string;
}

/** Redis with Sentinel deployed by the component (`spec.redis.native`). */
export interface NativeRedisArgs extends PodTemplateArgs {
    /** Redis version from the catalogue: `6.2.6`, `7.0.11`, `7.0.15`. Required. */
    version: string;
    /** Number of nodes (master plus replicas), each with a Sentinel. Default 3; fewer than 3 becomes 3 with a warning. */
    replicas?: number;
    /** Persistent volume for `/data`. Default: an emptyDir. */
    persistence?: PersistenceArgs;
    /** Configuration snippets for Redis and Sentinel. */
    settings?: RedisSettingsArgs;
    /** TLS for clients, replication and Sentinel, with certificates from a generated CA (beyond the upstream spec). Default: false. */
    tls?: boolean;
    /** Customisation of the `redis` container. */
    redisContainerTemplate?: ContainerTemplateArgs;
    /** Customisation of the `sentinel` container. */
    sentinelContainerTemplate?: ContainerTemplateArgs;
    /** Customisation of the `metrics` (redis_exporter) container. */
    metricsContainerTemplate?: ContainerTemplateArgs;
    /**
     * Two-phase password rotation without a stall (beyond the upstream spec): two generated password
     * slots, `a` (`<n>-redis-password`) and `b` (`<n>-redis-password-b`). Default: `{ active: "a", accept: "active" }`,
     * one password as without this field. See README "Rotating the native Redis password".
     */
    passwordRotation?: RedisPasswordRotationArgs;
}

/** `redis.native.passwordRotation`: which password slot clients and peers use, and which the servers accept. */
export interface RedisPasswordRotationArgs {
    /** The slot clients, replication and Sentinel use: `a` or `b`. Default: `a`. */
    active?: string;
    /**
     * `both`: the servers accept both slots (the inactive slot is generated if it does not exist);
     * `active`: only the active slot (the inactive slot's password is deleted). Default: `active`.
     */
    accept?: string;
}

/** A reference to a key of an existing Kubernetes Secret in the service's namespace. */
export interface SecretKeyRefArgs {
    /** Secret name. */
    name: string;
    /** Key within the Secret. */
    key: string;
}

/** An existing Redis used as the ISB service (`spec.redis.external`). Nothing is deployed. */
export interface ExternalRedisArgs {
    /**
     * Address(es): `host:port` (optionally `redis://` or `rediss://`). Two or more comma-separated
     * addresses mean Redis Cluster mode. Required.
     */
    url: string;
    /** ACL user. Default: none (the `default` user). */
    user?: string;
    /** Password (a secret input). A credentials Secret is created for pipeline pods. Exclusive with `passwordSecret`. */
    password?: pulumi.Input<string>;
    /** An existing Secret key holding the password. Exclusive with `password`. */
    passwordSecret?: SecretKeyRefArgs;
    /** Sentinel address(es), comma-separated; requires `masterName`. */
    sentinelUrl?: string;
    /** Sentinel master set name; requires `sentinelUrl`. */
    masterName?: string;
}

/** The Redis flavour of the ISB service (`spec.redis`). Exactly one of `native` and `external`. */
export interface RedisArgs {
    /** Redis with Sentinel deployed by the component. */
    native?: NativeRedisArgs;
    /** An existing Redis. */
    external?: ExternalRedisArgs;
}

/** Certificate options for TLS (beyond the upstream spec). */
export interface CertificateArgs {
    /** Key algorithm of the CA and leaf keys: `ECDSA` (P-256, default) or `RSA` (2048 bits). */
    keyAlgorithm?: string;
    /** Validity of the CA certificate in hours. Default: 87600 (10 years). */
    caValidityHours?: number;
    /** Validity of the server certificates in hours. Default: 8760 (1 year). */
    validityHours?: number;
    /**
     * Hours before expiry from which `pulumi up` renews a server certificate. The renewed certificate
     * reaches running pods through the mounted Secret and the reloader, without a restart. Default: 720 (30 days).
     */
    earlyRenewalHours?: number;
}

/** PodDisruptionBudget options (beyond the upstream spec). */
export interface DisruptionBudgetArgs {
    /** Create a PodDisruptionBudget. Default: true when there are 3 or more replicas. */
    enabled?: boolean;
    /** Pods that may be voluntarily disrupted at once. Default: 1 (keeps a quorum of 3 or 5). */
    maxUnavailable?: number;
}

/** Custom timeouts for slow clusters, as Pulumi durations (`"30m"`, `"1h"`). */
export interface CustomTimeoutsArgs {
    /** Time allowed for the StatefulSet to become ready when created. Default: `20m`. */
    create?: string;
    /** Time allowed for a rolling update to finish. Default: `20m`. */
    update?: string;
    /** Time allowed for deletion. Default: Pulumi's. */
    delete?: string;
}

/** A label requirement of a selector, as Kubernetes' `LabelSelectorRequirement`. */
export interface LabelSelectorRequirementArgs {
    /** Label key. */
    key: string;
    /** `In`, `NotIn`, `Exists` or `DoesNotExist`. */
    operator: string;
    /** Values: required for `In` and `NotIn`, empty for `Exists` and `DoesNotExist`. */
    values?: string[];
}

/** A Kubernetes label selector; `{}` selects everything. */
export interface LabelSelectorArgs {
    /** Labels that must all match. */
    matchLabels?: { [key: string]: string };
    /** Requirements that must all hold. */
    matchExpressions?: LabelSelectorRequirementArgs[];
}

/**
 * Who may connect, as a Kubernetes `NetworkPolicyPeer`: `podSelector` alone selects pods of the
 * service's namespace, `namespaceSelector` alone every pod of the selected namespaces, both together
 * the selected pods of the selected namespaces (namespaces carry `kubernetes.io/metadata.name`).
 */
export interface NetworkPolicyPeerArgs {
    /** Pods to admit. */
    podSelector?: LabelSelectorArgs;
    /** Namespaces whose pods to admit. */
    namespaceSelector?: LabelSelectorArgs;
}

/** The NetworkPolicy in front of the ISB pods (beyond the upstream spec). */
export interface NetworkPolicyArgs {
    /** Create a NetworkPolicy (native JetStream and Redis only; an external Redis has no pods). Default: true. */
    enabled?: boolean;
    /** Who may use the client ports (JetStream 4222; Redis 6379 and Sentinel 26379). Default: every pod of the service's namespace. */
    clientSelectors?: NetworkPolicyPeerArgs[];
    /** Who may read the metrics port (JetStream exporter 7777; Redis exporter 9121). Default: every pod of every namespace. */
    metricsSelectors?: NetworkPolicyPeerArgs[];
    /**
     * JetStream only: who may read nats-server's unauthenticated monitoring port 8222 (client user names, stream names
     * and subjects, connection addresses). Default: the Numaflow UI server's pods (labels `app.kubernetes.io/name:
     * numaflow-ux`, `app.kubernetes.io/part-of: numaflow`) in any namespace. `[]`: no pod (the kubelet's probes, from
     * the node, are always admitted).
     */
    monitorSelectors?: NetworkPolicyPeerArgs[];
}

/** Prometheus Operator monitoring (beyond the upstream spec). Nothing is created unless `enabled`. */
export interface MonitoringArgs {
    /** Create a PodMonitor or ServiceMonitor for the exporter containers and a PrometheusRule with alerts. Default: false. */
    enabled?: boolean;
    /** `PodMonitor` (default) or `ServiceMonitor`. */
    kind?: string;
    /** Labels added to the monitor and the PrometheusRule, e.g. the `release` label your Prometheus selects. */
    labels?: { [key: string]: string };
    /** Scrape interval, a Prometheus duration such as `30s`. Default: the Prometheus' own. */
    interval?: string;
}

/** Arguments of the InterStepBufferService component. Exactly one of `jetstream` and `redis` must be set. */
export interface InterStepBufferServiceArgs {
    /**
     * Namespace of every object; may be an Output (e.g. `ns.metadata.name`). Default: the
     * `kubernetes:namespace` config, else the Kubernetes provider's namespace, else `default`.
     */
    namespace?: pulumi.Input<string>;
    /**
     * Who builds the servers: `direct` (the default) creates the StatefulSet, Service, ConfigMap and
     * PodDisruptionBudget in this component; `numaflow` (JetStream only) creates the credentials Secrets
     * and a Numaflow `InterStepBufferService` custom resource named after the component, and the Numaflow
     * controller builds the servers from them, so Numaflow Pipelines find the service by name.
     */
    provisioner?: string;
    /** A NATS JetStream cluster (`spec.jetstream`). */
    jetstream?: JetStreamArgs;
    /** A Redis ISB service (`spec.redis`): native (with Sentinel) or external. */
    redis?: RedisArgs;
    /** DNS domain of the Kubernetes cluster, used in certificate names. Default: `cluster.local`. */
    clusterDomain?: string;
    /** TLS certificate options (beyond the upstream spec). */
    certificates?: CertificateArgs;
    /** PodDisruptionBudget options (beyond the upstream spec). */
    podDisruptionBudget?: DisruptionBudgetArgs;
    /**
     * Default pod anti-affinity when `affinity` is not set: `soft` (prefer one pod per node; the default
     * with 3 or more replicas), `hard` (require one pod per node) or `none` (beyond the upstream spec).
     */
    antiAffinity?: string;
    /**
     * Do not wait for the StatefulSet and Services to become ready (`pulumi.com/skipAwait`), e.g. on
     * clusters where pods take very long to schedule. Default: false.
     */
    skipAwait?: boolean;
    /** How long Pulumi waits for the StatefulSet (beyond the upstream spec). */
    customTimeouts?: CustomTimeoutsArgs;
    /**
     * Ingress rules for the pods (beyond the upstream spec; on by default): client ports from `clientSelectors`,
     * cluster, replication and Sentinel traffic from the service's own pods, metrics from `metricsSelectors`, the
     * JetStream monitoring port from `monitorSelectors`.
     */
    networkPolicy?: NetworkPolicyArgs;
    /** Prometheus Operator PodMonitor/ServiceMonitor and alerting rules (beyond the upstream spec). Default: off. */
    monitoring?: MonitoringArgs;
}
