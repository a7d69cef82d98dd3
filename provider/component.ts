/**
 * The InterStepBufferService component: validates its arguments, then creates the resources of
 * the chosen flavour and exposes the connection outputs.
 */
import { childOptions, ChildOptions } from "./resources/child-options";
import * as pulumi from "@pulumi/pulumi";
import { InterStepBufferServiceArgs } from "./args/types";
import { resolveSpec, ResolvedService } from "./args/resolve";
import { checkRetainOnDelete } from "./args/retain";
import { createJetStreamResources } from "./resources/jetstream";
import { createNumaflowResources } from "./resources/numaflow";
import { createNativeRedisResources } from "./resources/redis-native";
import { createExternalRedisResources } from "./resources/redis-external";
import { growsVolumes } from "./resources/volume-growth";
import { jetStreamConnection } from "./outputs/jetstream";
import { externalRedisConnection, nativeRedisConnection } from "./outputs/redis";
import { connectionOutputs, IsbConnection } from "./outputs/connection";
import { createNetworkPolicy } from "./resources/network-policy";
import { warnAboutCertificates } from "./outputs/derived";
import { CertificateStatus } from "./resources/certificates";
import { warnWithoutHooks } from "./resources/hooks";

/** Creates the resources of the resolved flavour; returns its connection outputs and certificates. */
function provision(spec: ResolvedService, child: ChildOptions): { connection: IsbConnection; certificates: CertificateStatus[] } {
    switch (spec.type) {
        case "jetstream": {
            // provisioner "numaflow": our Secrets and an InterStepBufferService resource; the controller builds the rest.
            const res = spec.provisioner === "numaflow" ? createNumaflowResources(spec, child) : createJetStreamResources(spec, child);
            return { connection: jetStreamConnection(spec, res), certificates: res.certificates };
        }
        case "redis-native": {
            const res = createNativeRedisResources(spec, child);
            return { connection: nativeRedisConnection(spec, res), certificates: res.certificates };
        }
        case "redis-external":
            return { connection: externalRedisConnection(spec, createExternalRedisResources(spec, child)), certificates: [] };
    }
}

/** Persistence of the flavour, when it has a StatefulSet with claim templates. */
function persistenceOf(spec: ResolvedService): { path: string; set: boolean; skipAwait: boolean } {
    const skipAwait = spec.await.skipAwait;
    // With provisioner "numaflow" the controller owns the StatefulSet (and its webhook refuses persistence changes).
    if (spec.type === "jetstream" && spec.provisioner === "numaflow") return { path: "", set: false, skipAwait };
    if (spec.type === "jetstream") return { path: "jetstream.persistence", set: spec.jetstream.persistence !== undefined, skipAwait };
    if (spec.type === "redis-native") return { path: "redis.native.persistence", set: spec.redis.persistence !== undefined, skipAwait };
    return { path: "", set: false, skipAwait };
}

/**
 * Issue 10, defect 4: at preview, says what a persistence change does. The StatefulSet's claim
 * template never changes after creation (render/statefulset.ts `CLAIM_TEMPLATE_IGNORE_CHANGES`), so
 * a size, class or mode change reaches the claims only through their patches (size only). The
 * component cannot see the old state, so it says it whenever persistence is set.
 */
function warnAboutClaimTemplates(spec: ResolvedService, component: pulumi.Resource): void {
    const p = persistenceOf(spec);
    if (!p.set || !pulumi.runtime.isDryRun()) return;
    const growth = growsVolumes({
        persistence:
            spec.type === "jetstream" ? spec.jetstream.persistence : spec.type === "redis-native" ? spec.redis.persistence : undefined,
        replicas: 0,
        skipAwait: p.skipAwait,
    })
        ? "A larger volumeSize grows every PVC in place, existing ones and those of replicas added later (one " +
          "PersistentVolumeClaimPatch per pod, after the StatefulSet is ready; new replicas' PVCs are created at the first " +
          "size, then grown); the StorageClass must allow it (allowVolumeExpansion: true), else the API server refuses the " +
          "patch at preview. A smaller volumeSize is refused by the API server at preview (a PVC never shrinks)."
        : "PVCs are NOT grown (" +
          (p.skipAwait ? "skipAwait: the claims may not exist yet when the patch would run" : "kubernetes:enableServerSideApply is false") +
          "): a volumeSize change has no effect on the cluster; grow them by hand (StorageClass with allowVolumeExpansion, " +
          "kubectl patch of each PVC).";
    void pulumi.log.warn(
        `${p.path}: the StatefulSet's claim template is never changed after creation (ignoreChanges: it is immutable, and ` +
            "replacing the StatefulSet would restart every pod), so no persistence change replaces the StatefulSet or " +
            "restarts a pod. " +
            growth +
            " storageClassName and accessMode changes reach no PVC, existing or new (every PVC keeps the class and mode " +
            "the StatefulSet was created with). Turning persistence on or off does replace the StatefulSet: every pod is " +
            "deleted and re-created at once.",
        component,
    );
}

/**
 * Issue 10, item 7: at preview, says that a `tls` toggle on a running JetStream cluster cannot roll
 * pod by pod. TLS and plain cluster routes never connect (nats-server refuses the handshake), so the
 * first restarted pod never passes its startup probe (no meta leader) and the StatefulSet's rolling
 * update stops there; tests/live/jetstream/tls-toggle.test.ts proves that and the procedure below.
 * The component cannot see the old state, so it says it for every clustered JetStream preview.
 */
function warnAboutRouteTls(spec: ResolvedService, component: pulumi.Resource): void {
    if (spec.type !== "jetstream" || spec.jetstream.replicas < 2 || !pulumi.runtime.isDryRun()) return;
    // With provisioner "numaflow" the controller owns the StatefulSet and its roll (not tested here).
    if (spec.provisioner === "numaflow") return;
    void pulumi.log.warn(
        "jetstream.tls: turning tls on or off on a running cluster does not complete as a rolling restart: TLS and plain " +
            "cluster routes do not connect, so the first restarted pod never becomes ready and the rollout stops there while " +
            "the other pods keep serving. To finish it, once `pulumi up` waits on the StatefulSet, delete all remaining old " +
            "pods at once (kubectl delete pod <the pods not yet restarted>); they come back together with the new setting. " +
            "With persistence no acknowledged message is lost; without it the streams' content is. Clients must switch to " +
            "the new outputs (tlsEnabled, caCertPem).",
        component,
    );
}

/**
 * An Inter-Step Buffer Service for stream-processing pipelines on Kubernetes: a NATS JetStream
 * cluster, a Redis master/replicas set with Sentinel, or a link to an external Redis; with
 * generated credentials and optional TLS from a generated CA. Pipeline stacks read its outputs
 * through stack references.
 */
export class InterStepBufferService extends pulumi.ComponentResource implements IsbConnection {
    // The outputs: the contract of provider/outputs/connection.ts (CONNECTION_FIELDS), declared
    // here because the schema analyzer infers the outputs and their descriptions from these
    // declarations; tests/unit/contract.test.ts checks names, types and doc comments against it.
    /** `jetstream` or `redis`. */
    public readonly type!: pulumi.Output<string>;
    /** Client URL, e.g. `nats://isbsvc-default-js-svc.pipelines.svc:4222`; empty for native Redis (use Sentinel). */
    public readonly url!: pulumi.Output<string>;
    /** Sentinel address(es) `host:port` (Redis with Sentinel); empty otherwise. */
    public readonly sentinelUrl!: pulumi.Output<string>;
    /** Sentinel master set name (Redis with Sentinel); empty otherwise. */
    public readonly masterName!: pulumi.Output<string>;
    /** True when an external Redis `url` lists two or more addresses (Redis Cluster). */
    public readonly clusterMode!: pulumi.Output<boolean>;
    /** Client user name. */
    public readonly user!: pulumi.Output<string>;
    /** Client password (secret). */
    public readonly password!: pulumi.Output<string>;
    /** Kubernetes Secret in `namespace` holding the client user, password and (with TLS) `ca.crt`. */
    public readonly credentialsSecretName!: pulumi.Output<string>;
    /** Whether clients must connect with TLS. */
    public readonly tlsEnabled!: pulumi.Output<boolean>;
    /** PEM of the CA that signed the server certificates, for clients to verify them; empty when TLS is off. */
    public readonly caCertPem!: pulumi.Output<string>;
    /** Merged buffer configuration (stream, consumer, buckets) as YAML with lower-case keys; empty for Redis. */
    public readonly streamConfig!: pulumi.Output<string>;
    /** Namespace of the service. */
    public readonly namespace!: pulumi.Output<string>;
    /** Name of the client Service. */
    public readonly serviceName!: pulumi.Output<string>;
    /** Non-secret fingerprint (16 hex digits) of what clients need to connect: user, password, TLS on/off and CA certificate. It changes exactly when one of them does; put it on pipeline pod templates so they roll on rotation. */
    public readonly credentialsRevision!: pulumi.Output<string>;
    /** Earliest expiry (RFC 3339, UTC) among the CA and server certificates; empty without TLS. Certificates renew only when `pulumi up` runs inside `certificates.earlyRenewalHours`. */
    public readonly tlsNotAfter!: pulumi.Output<string>;

    constructor(name: string, args: InterStepBufferServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything: invalid input fails `pulumi preview` with no resource created.
        const spec = resolveSpec(name, args, opts);
        checkRetainOnDelete(opts, spec.type !== "redis-external" || spec.redis.password !== undefined);
        super("isbsvc:index:InterStepBufferService", name, {}, opts);
        warnAboutClaimTemplates(spec, this);
        warnAboutRouteTls(spec, this);
        if (spec.type === "jetstream" && spec.provisioner !== "numaflow") warnWithoutHooks("a jetstream.replicas decrease", this);
        if (spec.type === "redis-native") warnWithoutHooks("a redis.native.tls change", this);
        const { connection, certificates } = provision(spec, childOptions(this, opts));
        warnAboutCertificates(certificates, spec.certificates.earlyRenewalHours, this);
        createNetworkPolicy(spec, childOptions(this, opts));
        const outputs = connectionOutputs(connection);
        Object.assign(this, outputs);
        this.registerOutputs(outputs);
    }
}
