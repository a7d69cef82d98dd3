/**
 * Kubernetes Services for the pods of the bed, derived from the component's rendered Service
 * objects (never written by hand): which pods are endpoints of which Service port, the DNS answers
 * the cluster DNS gives, and the nftables rules that make a ClusterIP address reach the endpoints.
 * `PodSet` feeds it the pods' state (exists, address, Ready, terminating) and publishes the result
 * through `PodNetwork.setServices` whenever a pod's readiness, existence or address changes.
 *
 * Modelled from upstream:
 * - Endpoints (kubernetes `staging/src/k8s.io/endpointslice/utils.go` `podToEndpoint`): every
 *   existing pod with an address that the selector selects is an endpoint, with
 *   `ready = publishNotReadyAddresses || (podReady && !terminating)`, `serving = podReady` and
 *   `terminating = deletionTimestamp set`; its port per Service port is the `targetPort`
 *   (`getEndpointPorts`), a name resolved against the pod's container ports by
 *   `pkg/api/v1/pod/util.go` `FindPort` (same name and protocol; a port no container names is left
 *   out for that pod). A missing `targetPort` is the `port` (apiserver defaulting,
 *   `pkg/apis/core/v1/defaults.go` `SetDefaults_Service`), a missing protocol TCP.
 * - ClusterIP routing (kube-proxy's nftables proxier, `pkg/proxy/nftables/proxier.go`
 *   `syncProxyRules`, `writeServiceToEndpointRules`): a Service port with usable endpoints is
 *   matched on `ip daddr <clusterIP> <proto> dport <port>` in a `nat` chain on the output hook and
 *   sent with `numgen random mod N vmap` to one endpoint chain per endpoint, which DNATs to
 *   `<endpoint address>:<endpoint port>`; one without endpoints is rejected in the `filter` output
 *   chain before DNAT (`endpoints-check`, `reject-chain`, `ct state new`). Usable endpoints are the
 *   ready ones, else the serving terminating ones (`pkg/proxy/topology.go` `CategorizeEndpoints`).
 * - DNS (kubernetes/dns `docs/specification.md`, "Records for a Service with ClusterIP" and
 *   "Records for a Headless Service", A records): a ClusterIP Service's name
 *   answers its cluster IP; a headless Service's name answers every ready endpoint, and
 *   `<hostname>.<service>.<ns>.svc.<zone>` the endpoint whose pod has `hostname` and `subdomain` =
 *   the Service (`ShouldSetHostname`; a StatefulSet pod's hostname is its name, its subdomain
 *   `spec.serviceName`). The short forms (`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`) are what the
 *   pods' DNS search path makes of them; the hosts files list them explicitly.
 *
 * Deviations: the rules are loaded in every client's namespace (each pod, and the root namespace
 * for the test process) on the output hook, instead of once per node on prerouting: on a single
 * node this routes the same, and no masquerading is needed (kube-proxy masquerades a pod reaching
 * itself through its Service, so such a pod sees the node as source; here it sees itself). Not
 * modelled: session affinity, traffic policies, NodePort/LoadBalancer/externalIPs, UDP conntrack
 * flushing, EndpointSlice propagation delays (an update is applied before the call that caused it
 * returns), and TCP connections established before an endpoint was removed (they survive, as they
 * do with kube-proxy).
 */
import { ChildResource, objectsOfKind } from "./pod-files";
import { DnsRecord } from "./netns";

/** One port of a Service. */
export interface ServicePortSpec {
    name?: string;
    port: number;
    /** Number, or the name of a container port. */
    targetPort: number | string;
    protocol: string;
}

/** A rendered Service, as far as routing and DNS need it. */
export interface ServiceSpec {
    name: string;
    namespace: string;
    /** `clusterIP: None`. */
    headless: boolean;
    ports: ServicePortSpec[];
    selector: Record<string, string>;
    publishNotReadyAddresses: boolean;
}

/** A pod as the endpoints controller sees it. */
export interface PodStatus {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    /** `pod.spec.hostname` / `subdomain` (a StatefulSet's pods: their name / `spec.serviceName`). */
    hostname?: string;
    subdomain?: string;
    /** Undefined while the pod does not exist (before creation, after deletion). */
    address?: string;
    /** The pod's Ready condition. */
    ready: boolean;
    /** Deletion has started (`deletionTimestamp` set). */
    terminating: boolean;
    /** Every container's `ports` (name, containerPort, protocol). */
    containerPorts: { name?: string; containerPort: number; protocol?: string }[];
}

/** One endpoint of one Service port. */
export interface Endpoint {
    pod: string;
    address: string;
    port: number;
    ready: boolean;
    serving: boolean;
    terminating: boolean;
    hostname?: string;
}

/** The rendered Services of `children` whose selector is non-empty and selects `labels` (the pods they route to). */
export function servicesOf(children: ChildResource[], labels: Record<string, string>): ServiceSpec[] {
    return objectsOfKind(children, "Service")
        .map((s) => s.inputs as Record<string, any>)
        .filter((s) => {
            const sel: Record<string, string> = s.spec?.selector ?? {};
            return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
        })
        .map((s) => ({
            name: String(s.metadata.name),
            namespace: String(s.metadata.namespace ?? "default"),
            headless: s.spec.clusterIP === "None",
            ports: ((s.spec.ports ?? []) as Record<string, any>[]).map((p) => ({
                ...(p.name !== undefined && { name: String(p.name) }),
                port: Number(p.port),
                targetPort: p.targetPort ?? Number(p.port),
                protocol: String(p.protocol ?? "TCP"),
            })),
            selector: { ...s.spec.selector },
            publishNotReadyAddresses: s.spec.publishNotReadyAddresses === true,
        }));
}

/**
 * The container port a Service port targets on a pod (`pkg/api/v1/pod/util.go` `FindPort`): a
 * number as is, a name as the `containerPort` of the container port of that name and protocol.
 * @returns undefined when no container port has the name.
 */
export function findPort(pod: Pick<PodStatus, "containerPorts">, svcPort: ServicePortSpec): number | undefined {
    if (typeof svcPort.targetPort === "number") return svcPort.targetPort;
    if (/^\d+$/.test(svcPort.targetPort)) return Number(svcPort.targetPort);
    const found = pod.containerPorts.find((p) => p.name === svcPort.targetPort && (p.protocol ?? "TCP") === svcPort.protocol);
    return found?.containerPort;
}

/** The endpoints of one port of `svc` among `pods` (`podToEndpoint`, `getEndpointPorts`). */
export function endpointsOf(svc: ServiceSpec, svcPort: ServicePortSpec, pods: PodStatus[]): Endpoint[] {
    const out: Endpoint[] = [];
    for (const pod of pods) {
        if (pod.address === undefined || pod.namespace !== svc.namespace) continue;
        if (!Object.entries(svc.selector).every(([k, v]) => pod.labels[k] === v)) continue;
        const port = findPort(pod, svcPort);
        if (port === undefined) continue;
        const serving = pod.ready;
        const ready = svc.publishNotReadyAddresses || (serving && !pod.terminating);
        const withHostname = pod.hostname !== undefined && pod.subdomain === svc.name;
        out.push({
            pod: pod.name,
            address: pod.address,
            port,
            ready,
            serving,
            terminating: pod.terminating,
            ...(withHostname && { hostname: pod.hostname }),
        });
    }
    return out;
}

/** The endpoints kube-proxy routes a ClusterIP port to: the ready ones, else the serving terminating ones (`CategorizeEndpoints`). */
export function usableEndpoints(endpoints: Endpoint[]): Endpoint[] {
    const ready = endpoints.filter((e) => e.ready);
    return ready.length > 0 ? ready : endpoints.filter((e) => e.serving && e.terminating);
}

/** DNS names of `name` in `ns`: short, namespaced, `.svc` and with the cluster domain (the search path's forms). */
export function dnsForms(name: string, ns: string, clusterDomain: string): string[] {
    return [name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.${clusterDomain}`];
}

/** A Service with the cluster IP it was given (undefined for a headless Service). */
export interface AllocatedService extends ServiceSpec {
    clusterIP?: string;
}

/** The DNS answers (A records) of `services` for the current `pods` (see the header). */
export function dnsRecords(services: AllocatedService[], pods: PodStatus[], clusterDomain: string): DnsRecord[] {
    const records: DnsRecord[] = [];
    for (const svc of services) {
        const names = dnsForms(svc.name, svc.namespace, clusterDomain);
        if (svc.clusterIP !== undefined) {
            records.push({ address: svc.clusterIP, names });
            continue;
        }
        // A headless Service's records come from its ready endpoints (of any port; one per address).
        const eps =
            svc.ports.length > 0
                ? svc.ports.flatMap((p) => endpointsOf(svc, p, pods))
                : endpointsOf(svc, { port: 0, targetPort: 0, protocol: "TCP" }, pods);
        const seen = new Set<string>();
        for (const e of eps.filter((x) => x.ready)) {
            if (seen.has(e.address)) continue;
            seen.add(e.address);
            records.push({ address: e.address, names });
            if (e.hostname !== undefined)
                records.push({ address: e.address, names: dnsForms(`${e.hostname}.${svc.name}`, svc.namespace, clusterDomain) });
        }
    }
    return records;
}

/**
 * The nftables script of table `table` (family ip) routing the cluster IPs of `services` to the
 * usable endpoints among `pods`, in the shape of kube-proxy's nftables proxier (see the header).
 */
export function nftScript(table: string, services: AllocatedService[], pods: PodStatus[]): string {
    const chains: string[] = [];
    const dispatch: string[] = [];
    const rejects: string[] = [];
    services.forEach((svc, i) => {
        if (svc.clusterIP === undefined) return;
        for (const p of svc.ports) {
            const proto = p.protocol.toLowerCase();
            const match = `ip daddr ${svc.clusterIP} ${proto} dport ${p.port}`;
            const comment = `comment "${svc.namespace}/${svc.name}:${p.name ?? p.port}"`;
            const eps = usableEndpoints(endpointsOf(svc, p, pods));
            if (eps.length === 0) {
                rejects.push(`\t\t${match} goto reject-chain ${comment}`);
                continue;
            }
            const chain = `service-${i}-${proto}-${p.port}`;
            dispatch.push(`\t\t${match} goto ${chain} ${comment}`);
            const targets = eps.map((e, k) => {
                const epChain = `endpoint-${i}-${proto}-${p.port}-${k}`;
                chains.push(`\tchain ${epChain} {\n\t\tmeta l4proto ${proto} dnat to ${e.address}:${e.port} comment "${e.pod}"\n\t}`);
                return `${k} : goto ${epChain}`;
            });
            chains.push(`\tchain ${chain} {\n\t\tnumgen random mod ${eps.length} vmap { ${targets.join(", ")} }\n\t}`);
        }
    });
    return [
        `table ip ${table} {`,
        "\tchain reject-chain {\n\t\treject\n\t}",
        `\tchain endpoints-check {\n${rejects.join("\n")}\n\t}`,
        "\tchain filter-output {\n\t\ttype filter hook output priority -110; policy accept;\n\t\tct state new jump endpoints-check\n\t}",
        `\tchain services {\n${dispatch.join("\n")}\n\t}`,
        "\tchain nat-output {\n\t\ttype nat hook output priority -100; policy accept;\n\t\tjump services\n\t}",
        ...chains,
        "}",
        "",
    ].join("\n");
}
