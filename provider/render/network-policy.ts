/**
 * The NetworkPolicy in front of the pods of a JetStream or native Redis ISB service (issue 13).
 *
 * The policy selects the service's pods (its immutable selector labels) for Ingress only, so every
 * connection into them not listed here is dropped (kubernetes/website
 * `content/en/docs/concepts/services-networking/network-policies.md`, "The two sorts of pod
 * isolation": an isolated pod admits only the connections "from the pod's node and those allowed
 * by the ingress list"). Per port:
 * - client ports (JetStream 4222; Redis 6379 and Sentinel 26379): the user's client peers;
 * - JetStream routes (6222): the service's own pods only;
 * - Redis 6379 and 26379 also from the service's own pods: replication and Sentinel use the client
 *   ports (the replicas' `replicaof`, the Sentinels' hello messages and failover commands);
 * - metrics (7777; Redis exporter 9121): the metrics peers (Prometheus);
 * - the JetStream monitoring port 8222 (unauthenticated; client user names, stream names and
 *   subjects, connection addresses, goroutine stacks): the monitor peers, by default only the
 *   Numaflow UI server, which reads `http://<podIP>:8222/jsz` (numaproj/numaflow
 *   `server/apis/v1/jetstream_monitor.go`); no rule at all when they are `[]`.
 * Kubelet probes (JetStream's httpGet on 8222, Redis' exec probes) come from the pod's node, which
 * NetworkPolicy never blocks (same page, "What you can't do with network policies": pods cannot
 * "block access from their resident node"), so they need no rule. The in-pod exporters reach the
 * servers over localhost, which is not subject to the policy either.
 * Egress is not restricted.
 */
import { ResolvedPeer } from "../args/network-policy";
import { ResolvedService } from "../args/resolve";
import { JS_PORTS } from "./jetstream/layout";
import { K8sObject } from "./k8s-types";
import { objectLabels, selectorLabels } from "./labels";
import { REDIS_PORTS } from "./redis/layout";

/** Name of the NetworkPolicy: `isbsvc-<n>-js-network-policy` or `isbsvc-<n>-redis-network-policy`. */
export function networkPolicyName(svc: ResolvedService): string {
    return `${svc.names.statefulSet}-network-policy`;
}

function ports(...numbers: number[]): { port: number; protocol: string }[] {
    return numbers.map((port) => ({ port, protocol: "TCP" }));
}

/** The service's own pods, as a peer (pods of the policy's namespace with the selector labels). */
function ownPods(selector: Record<string, string>): ResolvedPeer {
    return { podSelector: { matchLabels: selector } };
}

/**
 * The NetworkPolicy of the service, or undefined when disabled, without pods (external Redis), or
 * with `provisioner: "numaflow"` (the controller builds those pods; this component owns none of
 * them and the policy is not tested against them).
 */
export function renderNetworkPolicy(svc: ResolvedService, namespace: string): K8sObject | undefined {
    const np = svc.networkPolicy;
    if (!np || svc.type === "redis-external") return undefined;
    if (svc.type === "jetstream" && svc.provisioner === "numaflow") return undefined;
    const type = svc.type === "jetstream" ? "jetstream" : "redis";
    const selector = selectorLabels(svc.name, type);
    const ingress =
        svc.type === "jetstream"
            ? [
                  { ports: ports(JS_PORTS.client), from: np.clientPeers },
                  { ports: ports(JS_PORTS.cluster), from: [ownPods(selector)] },
                  { ports: ports(JS_PORTS.metrics), from: np.metricsPeers },
                  ...(np.monitorPeers.length > 0 ? [{ ports: ports(JS_PORTS.monitor), from: np.monitorPeers }] : []),
              ]
            : [
                  { ports: ports(REDIS_PORTS.redis, REDIS_PORTS.sentinel), from: np.clientPeers },
                  { ports: ports(REDIS_PORTS.redis, REDIS_PORTS.sentinel), from: [ownPods(selector)] },
                  { ports: ports(REDIS_PORTS.metrics), from: np.metricsPeers },
              ];
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: networkPolicyName(svc), namespace, labels: objectLabels(svc.name, type) },
        spec: { podSelector: { matchLabels: selector }, policyTypes: ["Ingress"], ingress },
    };
}
