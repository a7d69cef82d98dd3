/**
 * Names of the Kubernetes objects of an ISB service, as the upstream controller names them
 * (reference §5.1), and the DNS names pods and clients use.
 */

/** Object names of a JetStream ISB service called `name`. */
export interface JetStreamNames {
    serverSecret: string;
    clientAuthSecret: string;
    configMap: string;
    service: string;
    statefulSet: string;
    volumeClaim: string;
    disruptionBudget: string;
    /** Name of pod `i`. */
    pod(i: number): string;
}

export function jetStreamNames(name: string): JetStreamNames {
    const base = `isbsvc-${name}-js`;
    return {
        serverSecret: `${base}-server`,
        clientAuthSecret: `${base}-client-auth`,
        configMap: `${base}-config`,
        service: `${base}-svc`,
        statefulSet: base,
        volumeClaim: `${base}-vol`,
        disruptionBudget: `${base}-pdb`,
        pod: (i: number) => `${base}-${i}`,
    };
}

/** `<service>.<namespace>.svc`, the name the upstream controller puts in URLs. */
export function serviceHost(service: string, namespace: string): string {
    return `${service}.${namespace}.svc`;
}

/** `<pod>.<service>.<namespace>.svc`, a pod's stable DNS name behind a headless Service. */
export function podHost(pod: string, service: string, namespace: string): string {
    return `${pod}.${serviceHost(service, namespace)}`;
}

/**
 * DNS names a server certificate must carry for `service` in `namespace`: the service and, by
 * wildcard, every pod behind it, each with and without the cluster domain, plus the short forms
 * that resolve through the pod's DNS search path. Wildcards keep the certificate unchanged when
 * the number of replicas changes.
 */
export function serviceDnsNames(service: string, namespace: string, clusterDomain: string): string[] {
    const svc = serviceHost(service, namespace);
    return [
        service,
        `${service}.${namespace}`,
        svc,
        `${svc}.${clusterDomain}`,
        `*.${service}`,
        `*.${service}.${namespace}`,
        `*.${svc}`,
        `*.${svc}.${clusterDomain}`,
    ];
}
