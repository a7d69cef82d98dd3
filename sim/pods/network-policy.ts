/**
 * Applies rendered NetworkPolicies to the pods of the harness as a cluster's network plugin would:
 * for every pod a policy selects, an nftables table in the pod's network namespace that admits
 * exactly the connections the policies allow and drops the rest. The rules are regenerated for every
 * pod whenever a pod is added (a CNI agent reacting to pod events), from the pods' labels and
 * namespaces as the test declares them.
 *
 * Semantics, as kubernetes/website `content/en/docs/concepts/services-networking/network-policies.md`
 * states them and kubernetes/kubernetes `pkg/apis/networking/types.go` (`NetworkPolicySpec`,
 * `NetworkPolicyIngressRule`, `NetworkPolicyPeer`) documents them:
 * - a pod is isolated for ingress when a policy of its namespace selects it (`podSelector`) with
 *   `Ingress` in `policyTypes` (absent `policyTypes`: Ingress); otherwise every connection is admitted;
 * - an isolated pod admits connections from its node, reply traffic of admitted connections
 *   (`ct state established,related`), and what some ingress rule of some selecting policy allows:
 *   the union (policies are additive);
 * - a rule admits a source matching any peer of `from` (absent or empty: every source) on any of
 *   `ports` (absent or empty: every port); a peer with `podSelector` only matches pods of the
 *   policy's namespace, with `namespaceSelector` only every pod of the matching namespaces, with
 *   both the matching pods of the matching namespaces; `{}` matches everything;
 * - namespaces carry the label `kubernetes.io/metadata.name: <name>` (set by the API server on
 *   every namespace) plus whatever the test gives them.
 * Loopback traffic inside the pod is not subject to the policy (pods "cannot currently block
 * localhost access"). Not modelled: `ipBlock` peers and named ports (the component renders
 * neither; both are refused here), egress rules, and changes to existing connections when rules
 * change (implementation-defined upstream; here established connections survive).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { K8sObject } from "../../provider/render/k8s-types";
import { Pod } from "./pod";
import { ChildResource, findStatefulSet } from "./pod-files";
import { requireBinary } from "./requirements";

/** A label selector as the API has it. */
export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Where a pod lives and what labels it carries. */
export interface PodIdentity {
    namespace: string;
    labels: Record<string, string>;
}

/** A pod known to the enforcer. */
export interface PolicedPod extends PodIdentity {
    name: string;
    /** Its network namespace (`Pod.ns`). */
    netns: string;
    address: string;
}

/** The table every pod's rules live in. */
export const NFT_TABLE = "isbsvc_netpol";
/** Comment of the last rule, whose counter counts what the policy drops. */
export const DROPPED = "dropped by policy";

/** True when `labels` satisfy `selector` (`{}` selects everything). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
        if (labels[k] !== v) return false;
    }
    for (const e of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        const inValues = has && (e.values ?? []).includes(labels[e.key]);
        const ok =
            e.operator === "In"
                ? inValues
                : e.operator === "NotIn"
                  ? !inValues
                  : e.operator === "Exists"
                    ? has
                    : e.operator === "DoesNotExist"
                      ? !has
                      : undefined;
        if (ok === undefined) throw new Error(`unknown selector operator ${e.operator}`);
        if (!ok) return false;
    }
    return true;
}

/** Labels of namespace `ns`: the test's, plus `kubernetes.io/metadata.name`. */
export function namespaceLabels(ns: string, extra: Record<string, Record<string, string>>): Record<string, string> {
    return { ...extra[ns], "kubernetes.io/metadata.name": ns };
}

/** True when `source` matches `peer` of a policy in `policyNs`. */
export function peerMatches(
    peer: Record<string, any>,
    policyNs: string,
    source: PodIdentity,
    namespaces: Record<string, Record<string, string>>,
): boolean {
    if (peer.ipBlock !== undefined) throw new Error("ipBlock peers are not modelled");
    if (peer.podSelector === undefined && peer.namespaceSelector === undefined) throw new Error("a peer must select something");
    const nsOk =
        peer.namespaceSelector === undefined
            ? source.namespace === policyNs
            : selectorMatches(peer.namespaceSelector, namespaceLabels(source.namespace, namespaces));
    return nsOk && (peer.podSelector === undefined || selectorMatches(peer.podSelector, source.labels));
}

/** The policies that isolate `target` for ingress. */
export function isolatingPolicies(policies: K8sObject[], target: PodIdentity): K8sObject[] {
    return policies.filter(
        (p) =>
            (p.metadata.namespace ?? "default") === target.namespace &&
            selectorMatches(p.spec?.podSelector ?? {}, target.labels) &&
            (p.spec?.policyTypes ?? ["Ingress"]).includes("Ingress"),
    );
}

/** nft matches of a rule's ports, each with a label for the rule's comment (`tcp/4222`, `all ports`). */
function portMatch(ports: Record<string, any>[] | undefined): { match: string; label: string }[] {
    if (!ports || ports.length === 0) return [{ match: "", label: "all ports" }];
    return ports.map((p) => {
        const proto = String(p.protocol ?? "TCP").toLowerCase();
        if (!["tcp", "udp", "sctp"].includes(proto)) throw new Error(`unsupported protocol ${p.protocol}`);
        if (p.port === undefined) return { match: `meta l4proto ${proto} `, label: proto };
        if (typeof p.port !== "number") throw new Error(`named port ${JSON.stringify(p.port)} is not modelled`);
        const range = p.endPort !== undefined ? `${p.port}-${p.endPort}` : `${p.port}`;
        return { match: `${proto} dport ${range} `, label: `${proto}/${range}` };
    });
}

/**
 * The nftables script that enforces `policies` for `target` among `pods`, or undefined when no
 * policy isolates it (then nothing is filtered). `node` is the address of the pod's node.
 */
export function nftRuleset(
    policies: K8sObject[],
    target: PolicedPod,
    pods: PolicedPod[],
    node: string,
    namespaces: Record<string, Record<string, string>> = {},
): string | undefined {
    const selecting = isolatingPolicies(policies, target);
    if (selecting.length === 0) return undefined;
    const rules: string[] = [
        "ct state established,related accept",
        'iifname "lo" accept',
        `ip saddr ${node} accept comment "the pod's node"`,
    ];
    for (const policy of selecting) {
        const ns = policy.metadata.namespace ?? "default";
        (policy.spec.ingress ?? []).forEach((rule: Record<string, any>, i: number) => {
            const comment = (label: string) => `comment "${ns}/${policy.metadata.name} ingress[${i}] ${label}"`;
            const from = rule.from as Record<string, any>[] | undefined;
            let source = "";
            if (from && from.length > 0) {
                const addresses = pods.filter((p) => from.some((peer) => peerMatches(peer, ns, p, namespaces))).map((p) => p.address);
                if (addresses.length === 0) {
                    rules.push(`# ${ns}/${policy.metadata.name} ingress[${i}]: no pod matches its peers`);
                    return;
                }
                source = `ip saddr { ${[...new Set(addresses)].sort().join(", ")} } `;
            }
            for (const port of portMatch(rule.ports)) rules.push(`${source}${port.match}counter accept ${comment(port.label)}`);
        });
    }
    // Counts the TCP/UDP/SCTP connection attempts the policy drops (not IPv6 neighbour discovery and the like).
    rules.push(`meta l4proto { tcp, udp, sctp } counter comment "${DROPPED}"`);
    return [
        `table inet ${NFT_TABLE}`,
        `delete table inet ${NFT_TABLE}`,
        `table inet ${NFT_TABLE} {`,
        "    chain ingress {",
        "        type filter hook input priority filter; policy drop;",
        ...rules.map((r) => `        ${r}`),
        "    }",
        "}",
        "",
    ].join("\n");
}

/** The absolute path of `nft`. @throws with install advice (Debian package nftables) when it is missing. */
export function requireNft(): string {
    try {
        return requireBinary("nft");
    } catch (err) {
        throw new Error(`${(err as Error).message}. nft comes with nftables: apt-get install -y nftables`);
    }
}

/** Options of {@link NetworkPolicyEnforcer}. */
export interface EnforcerOptions {
    /** Address of the pods' node (the harness bridge). */
    node: string;
    /** Extra labels per namespace (each also gets `kubernetes.io/metadata.name`). */
    namespaces?: Record<string, Record<string, string>>;
    /** Directory for the generated rule files (e.g. the network's temp dir). */
    dir: string;
}

/**
 * Keeps every known pod's nftables rules in line with the NetworkPolicies. Needs `nft`
 * (Debian package nftables). Add the component's pods (with {@link fromStatefulSet}'s identity) and
 * the test's client pods with {@link addPod}; each addition re-applies every pod's rules.
 */
export class NetworkPolicyEnforcer {
    private readonly pods: { pod: Pod; policed: PolicedPod; loaded?: string }[] = [];
    private readonly nft: string;

    constructor(
        readonly policies: K8sObject[],
        private readonly opts: EnforcerOptions,
    ) {
        this.nft = requireNft();
    }

    /** The NetworkPolicies among a component's children. */
    static policiesOf(children: ChildResource[]): K8sObject[] {
        return children.filter((c) => c.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((c) => c.inputs as K8sObject);
    }

    /** Namespace and pod-template labels of the StatefulSet's pods. */
    static fromStatefulSet(children: ChildResource[]): PodIdentity {
        const sts = findStatefulSet(children).inputs as Record<string, any>;
        return { namespace: sts.metadata.namespace ?? "default", labels: { ...sts.spec.template.metadata.labels } };
    }

    /** Registers `pod` with its identity and re-applies every pod's rules. */
    async addPod(pod: Pod, identity: PodIdentity): Promise<void> {
        if (this.pods.some((p) => p.pod.name === pod.name)) throw new Error(`pod ${pod.name} is already known`);
        this.pods.push({ pod, policed: { name: pod.name, netns: pod.ns, address: pod.address, ...identity } });
        await this.apply();
    }

    /** The rules of pod `name` (undefined when no policy isolates it). */
    ruleset(name: string): string | undefined {
        const p = this.pods.find((x) => x.pod.name === name);
        if (!p) throw new Error(`unknown pod ${name}`);
        return nftRuleset(
            this.policies,
            p.policed,
            this.pods.map((x) => x.policed),
            this.opts.node,
            this.opts.namespaces,
        );
    }

    /** What nftables holds in the pod's namespace for the policy table (empty when none). */
    async listed(name: string): Promise<string> {
        const p = this.pods.find((x) => x.pod.name === name)!;
        const r = await p.pod.exec(this.nft, ["list", "table", "inet", NFT_TABLE]);
        return r.code === 0 ? r.stdout : "";
    }

    /**
     * Packets counted by each rule of the pod's table, by rule comment (`<ns>/<policy> ingress[i] tcp/6222`,
     * and {@link DROPPED} for what the policy dropped).
     */
    async counters(name: string): Promise<Record<string, number>> {
        const out: Record<string, number> = {};
        for (const line of (await this.listed(name)).split("\n")) {
            const m = /counter packets (\d+) bytes \d+.*comment "([^"]+)"/.exec(line);
            if (m) out[m[2]] = (out[m[2]] ?? 0) + Number(m[1]);
        }
        return out;
    }

    /**
     * Writes and loads the rules of every pod whose rules changed (atomically per pod: `nft -f` is
     * one transaction). Reloading a pod's table resets its counters.
     */
    async apply(): Promise<void> {
        for (const entry of this.pods) {
            const pod = entry.pod;
            const rules = this.ruleset(pod.name);
            if (rules === undefined || rules === entry.loaded) continue;
            const file = path.join(this.opts.dir, `nft-${pod.ns}.conf`);
            fs.writeFileSync(file, rules);
            const r = await pod.exec(this.nft, ["-f", file]);
            if (r.code !== 0) throw new Error(`nft -f ${file} in ${pod.name} failed (${r.code}): ${r.stderr}\n${rules}`);
            entry.loaded = rules;
        }
    }
}
