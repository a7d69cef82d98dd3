/** Object names of a native Redis ISB service, as the upstream controller names them (reference §6.1). */

export interface RedisNames {
    authSecret: string;
    tlsSecret: string;
    configMap: string;
    scriptsConfigMap: string;
    service: string;
    headlessService: string;
    statefulSet: string;
    volumeClaim: string;
    disruptionBudget: string;
    pod(i: number): string;
}

export function redisNames(name: string): RedisNames {
    const base = `isbsvc-${name}-redis`;
    return {
        authSecret: `${base}-auth`,
        tlsSecret: `${base}-tls`,
        configMap: `${base}-config`,
        scriptsConfigMap: `${base}-scripts`,
        service: `${base}-svc`,
        headlessService: `${base}-svc-headless`,
        statefulSet: base,
        volumeClaim: `${base}-vol`,
        disruptionBudget: `${base}-pdb`,
        pod: (i: number) => `${base}-${i}`,
    };
}
