/**
 * The Pulumi resources of a native Redis ISB service: password, certificates, Secrets,
 * ConfigMaps, Services, StatefulSet and PodDisruptionBudget, parented to the component.
 */
import { ChildOptions } from "./child-options";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { ResolvedNativeRedisService } from "../args/resolve";
import { base64Data } from "../render/secret-data";
import { serviceDnsNames } from "../render/jetstream/names";
import { REDIS_ALSO_ACCEPTED_PASSWORD_KEY, REDIS_PASSWORD_KEY, REDIS_TLS_KEYS } from "../render/redis/layout";
import { otherSlot, PasswordSlot } from "../args/redis";
import {
    renderRedisConfigMap,
    renderRedisDisruptionBudget,
    renderRedisScriptsConfigMap,
    renderRedisSecret,
    renderRedisService,
    renderRedisStatefulSet,
} from "../render/redis/objects";
import { createPassword } from "./credentials";
import { CertificateStatus, createCertificateAuthority, createLeafCertificate, KeyAndCert } from "./certificates";
import { createMonitoring } from "./monitoring";
import { createVolumeGrowth } from "./volume-growth";
import { objectArgs, secretArgs, skipAwait, statefulSetOptions, withPodAnnotation } from "./k8s-object";
import { contentHash, RESTART_CHECKSUM_ANNOTATION } from "../render/checksum";
import { redisTlsHooks } from "./hooks";

/** What the outputs layer needs from the created resources. */
export interface NativeRedisResources {
    namespace: pulumi.Output<string>;
    /** The active slot's password: what clients use. */
    password: random.RandomPassword;
    caCertPem?: pulumi.Output<string>;
    /** CA and server certificates (none without TLS). */
    certificates: CertificateStatus[];
}

export const REDIS_PASSWORD_LENGTH = 32;

/** DNS names of the Redis certificate: both Services and every pod, plus localhost for in-pod probes. */
export function redisDnsNames(svc: ResolvedNativeRedisService, namespace: string): string[] {
    const names = svc.names;
    return [
        ...serviceDnsNames(names.service, namespace, svc.clusterDomain),
        ...serviceDnsNames(names.headlessService, namespace, svc.clusterDomain),
        "localhost",
    ];
}

/** The TLS Secret; returns its data (the pods read the files only at start: part of the checksum). */
function createTlsSecret(
    svc: ResolvedNativeRedisService,
    ca: KeyAndCert,
    namespace: pulumi.Input<string>,
    child: ChildOptions,
    statuses: CertificateStatus[],
): { data: pulumi.Output<Record<string, string>>; secret: k8s.core.v1.Secret } {
    const names = svc.names;
    const dnsNames = pulumi.output(namespace).apply((ns) => redisDnsNames(svc, ns));
    const leaf = createLeafCertificate(svc.name, { role: "redis", dnsNames, clientAuth: true }, ca, svc.certificates, child);
    statuses.push(leaf.status);
    const data = pulumi
        .all([ca.certPem, leaf.certPem, leaf.key.privateKeyPem])
        .apply(([caPem, cert, key]) => base64Data({ [REDIS_TLS_KEYS.ca]: caPem, [REDIS_TLS_KEYS.cert]: cert, [REDIS_TLS_KEYS.key]: key }));
    const secret = new k8s.core.v1.Secret(
        `${svc.name}-redis-tls`,
        secretArgs(namespace, (ns, d) => renderRedisSecret(svc, names.tlsSecret, ns, d), data, child),
        child,
    );
    return { data, secret };
}

/**
 * Creates every resource of the native Redis ISB service `svc`, parented to `parent`.
 *
 * Names and restarts (issue 10, defect 5): redis-server and redis-sentinel read redis.conf, the
 * scripts, the password (env) and the certificates only at start, so any change to them must roll
 * the pods. pulumi-kubernetes replaces a ConfigMap/Secret on a data change (`diff.go`
 * `forceNewProperties`), delete-before-replace under a fixed name (`provider.go` `Diff`,
 * `naming.go` `IsNamed`), create-before-delete under a new one (`step_generator.go`
 * `continueStepsFromDiff`).
 * - The two ConfigMaps have **content-derived names** (args/resolve.ts): their content is known at
 *   construction, a change creates the new ConfigMap first, the StatefulSet then references it (the
 *   pod template changes, the pods roll) and the old one is deleted last: no moment where a
 *   referenced ConfigMap is missing, and nothing delete-before-replace (safe with retainOnDelete).
 * - The auth Secret keeps its **fixed name** (pipeline pods reference it: `credentialsSecretName`),
 *   and so does the TLS Secret: their content is generated (unknown at preview), and a name derived
 *   from it would make `metadata` depend on other resources. Their values are covered by the
 *   pod-template checksum (a hash, nested at the annotation so an unknown at preview is an update of
 *   that annotation only, never an unknown `spec`).
 */
export function createNativeRedisResources(svc: ResolvedNativeRedisService, child: ChildOptions): NativeRedisResources {
    const name = svc.name;
    const names = svc.names;
    const opts = child;
    const skip = svc.await.skipAwait;
    // Password slots (README "Rotating the native Redis password"): slot a is `<n>-redis-password`
    // (the only one without passwordRotation), slot b `<n>-redis-password-b`. A slot exists while
    // the servers accept it; dropping it deletes its random resource, so accepting it again later
    // generates a new password (no `--replace` needed, and the program never needs an old value).
    const rotation = svc.redis.passwordRotation;
    const slotName: Record<PasswordSlot, string> = { a: `${name}-redis-password`, b: `${name}-redis-password-b` };
    const slots = new Map(rotation.accepted.map((s) => [s, createPassword(slotName[s], REDIS_PASSWORD_LENGTH, child)] as const));
    const password = slots.get(rotation.active)!;
    const alsoAccepted = rotation.accepted.length > 1 ? slots.get(otherSlot(rotation.active))!.result : undefined;
    const ca = svc.redis.tls ? createCertificateAuthority(name, svc.certificates, child) : undefined;
    // Decided at construction (args/namespace.ts), never read back from a child.
    const namespace = svc.namespace;

    const authData = pulumi.all([password.result, alsoAccepted, ca?.certPem]).apply(([pw, also, caPem]) =>
        base64Data({
            [REDIS_PASSWORD_KEY]: pw,
            ...(also !== undefined && { [REDIS_ALSO_ACCEPTED_PASSWORD_KEY]: also }),
            ...(caPem !== undefined && { [REDIS_TLS_KEYS.ca]: caPem }),
        }),
    );
    const authSecret = new k8s.core.v1.Secret(
        `${name}-redis-auth`,
        secretArgs(namespace, (ns, d) => renderRedisSecret(svc, names.authSecret, ns, d), authData, opts),
        opts,
    );

    const certificates: CertificateStatus[] = ca ? [ca.status] : [];
    const tls = ca ? createTlsSecret(svc, ca, namespace, child, certificates) : undefined;
    const tlsData = tls?.data;
    new k8s.core.v1.ConfigMap(
        `${name}-redis-config`,
        objectArgs(namespace, (ns) => renderRedisConfigMap(svc, ns)),
        opts,
    );
    new k8s.core.v1.ConfigMap(
        `${name}-redis-scripts`,
        objectArgs(namespace, (ns) => renderRedisScriptsConfigMap(svc, ns), ["data"]),
        opts,
    );
    new k8s.core.v1.Service(
        `${name}-redis-svc`,
        objectArgs(namespace, (ns) => skipAwait(renderRedisService(svc, ns, false), skip)),
        opts,
    );
    new k8s.core.v1.Service(
        `${name}-redis-svc-headless`,
        objectArgs(namespace, (ns) => skipAwait(renderRedisService(svc, ns, true), skip)),
        opts,
    );
    // A hash of the passwords and certificates (never the values), so not secret. Without a second
    // accepted password the hashed object is what it was before passwordRotation existed.
    const checksum = pulumi.unsecret(
        pulumi.all([password.result, alsoAccepted, tlsData ?? {}]).apply(([pw, also, tls]) =>
            contentHash({
                password: contentHash(pw),
                ...(also !== undefined && { alsoAccepted: contentHash(also) }),
                tls: contentHash(tls),
            }),
        ),
    );
    const hooks = redisTlsHooks(name, names.tlsSecret, svc.redis.persistence !== undefined);
    const statefulSet = new k8s.apps.v1.StatefulSet(
        `${name}-redis`,
        withPodAnnotation(
            objectArgs(namespace, (ns) => skipAwait(renderRedisStatefulSet(svc, ns), skip)),
            RESTART_CHECKSUM_ANNOTATION,
            checksum,
        ),
        // After the Secrets: a pod the new template creates must read their new content (a pod
        // started from the new template with the old Secret would keep the old passwords until its
        // next restart, e.g. still accept a password a rotation dropped).
        {
            ...statefulSetOptions(child, svc.await.customTimeouts),
            dependsOn: [authSecret, ...(tls ? [tls.secret] : [])],
            // A tls toggle stalls the roll (tls-toggle.ts): warned by a hook that sees the old template.
            ...(hooks && { hooks }),
        },
    );
    createMonitoring(svc, child);
    createVolumeGrowth(
        {
            prefix: `${name}-redis`,
            statefulSetName: names.statefulSet,
            claimTemplate: names.volumeClaim,
            replicas: svc.redis.replicas,
            namespace,
            persistence: svc.redis.persistence,
            skipAwait: skip,
        },
        statefulSet,
        child,
    );
    if (svc.disruptionBudget) {
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-redis-pdb`,
            objectArgs(namespace, (ns) => renderRedisDisruptionBudget(svc, ns)!),
            opts,
        );
    }
    return { namespace: pulumi.output(namespace), password, caCertPem: ca?.certPem, certificates };
}
