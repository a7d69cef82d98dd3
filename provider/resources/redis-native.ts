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
import { REDIS_PASSWORD_KEY, REDIS_TLS_KEYS } from "../render/redis/layout";
import {
    renderRedisConfigMap,
    renderRedisDisruptionBudget,
    renderRedisScriptsConfigMap,
    renderRedisSecret,
    renderRedisService,
    renderRedisStatefulSet,
} from "../render/redis/objects";
import { createPassword } from "./credentials";
import { createCertificateAuthority, createLeafCertificate, KeyAndCert } from "./certificates";
import { objectArgs, secretArgs, skipAwait, statefulSetOptions } from "./k8s-object";

/** What the outputs layer needs from the created resources. */
export interface NativeRedisResources {
    namespace: pulumi.Output<string>;
    password: random.RandomPassword;
    caCertPem?: pulumi.Output<string>;
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

function createTlsSecret(svc: ResolvedNativeRedisService, ca: KeyAndCert, namespace: pulumi.Output<string>, child: ChildOptions): void {
    const names = svc.names;
    const dnsNames = namespace.apply((ns) => redisDnsNames(svc, ns));
    const leaf = createLeafCertificate(svc.name, { role: "redis", dnsNames, clientAuth: true }, ca, svc.certificates, child);
    const data = pulumi
        .all([ca.certPem, leaf.certPem, leaf.key.privateKeyPem])
        .apply(([caPem, cert, key]) => base64Data({ [REDIS_TLS_KEYS.ca]: caPem, [REDIS_TLS_KEYS.cert]: cert, [REDIS_TLS_KEYS.key]: key }));
    new k8s.core.v1.Secret(
        `${svc.name}-redis-tls`,
        secretArgs(pulumi.all([data, namespace]).apply(([d, ns]) => renderRedisSecret(svc, names.tlsSecret, ns, d))),
        child,
    );
}

/** Creates every resource of the native Redis ISB service `svc`, parented to `parent`. */
export function createNativeRedisResources(svc: ResolvedNativeRedisService, child: ChildOptions): NativeRedisResources {
    const name = svc.name;
    const names = svc.names;
    const opts = child;
    const skip = svc.await.skipAwait;
    const password = createPassword(`${name}-redis-password`, REDIS_PASSWORD_LENGTH, child);
    const ca = svc.redis.tls ? createCertificateAuthority(name, svc.certificates, child) : undefined;

    // The auth Secret (password, and the CA for clients) goes first; when no namespace is given,
    // the namespace the provider chose for it is used for everything else.
    const authData = pulumi
        .all([password.result, ca?.certPem])
        .apply(([pw, caPem]) => base64Data({ [REDIS_PASSWORD_KEY]: pw, ...(caPem !== undefined && { [REDIS_TLS_KEYS.ca]: caPem }) }));
    const auth = new k8s.core.v1.Secret(
        `${name}-redis-auth`,
        secretArgs(pulumi.all([authData, svc.namespace]).apply(([d, ns]) => renderRedisSecret(svc, names.authSecret, ns, d))),
        opts,
    );
    const namespace =
        svc.namespace !== undefined
            ? (pulumi.output(svc.namespace) as pulumi.Output<string>)
            : auth.metadata.namespace.apply((ns) => ns ?? "default");

    if (ca) createTlsSecret(svc, ca, namespace, child);
    new k8s.core.v1.ConfigMap(
        `${name}-redis-config`,
        objectArgs(
            namespace.apply((ns) => renderRedisConfigMap(svc, ns)),
            ["data"],
        ),
        opts,
    );
    new k8s.core.v1.ConfigMap(
        `${name}-redis-scripts`,
        objectArgs(
            namespace.apply((ns) => renderRedisScriptsConfigMap(svc, ns)),
            ["data"],
        ),
        opts,
    );
    new k8s.core.v1.Service(
        `${name}-redis-svc`,
        objectArgs(
            namespace.apply((ns) => skipAwait(renderRedisService(svc, ns, false), skip)),
            ["spec"],
        ),
        opts,
    );
    new k8s.core.v1.Service(
        `${name}-redis-svc-headless`,
        objectArgs(
            namespace.apply((ns) => skipAwait(renderRedisService(svc, ns, true), skip)),
            ["spec"],
        ),
        opts,
    );
    new k8s.apps.v1.StatefulSet(
        `${name}-redis`,
        objectArgs(
            namespace.apply((ns) => skipAwait(renderRedisStatefulSet(svc, ns), skip)),
            ["spec"],
        ),
        statefulSetOptions(child, svc.await.customTimeouts),
    );
    if (svc.disruptionBudget) {
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-redis-pdb`,
            objectArgs(
                namespace.apply((ns) => renderRedisDisruptionBudget(svc, ns)!),
                ["spec"],
            ),
            opts,
        );
    }
    return { namespace, password, caCertPem: ca?.certPem };
}
