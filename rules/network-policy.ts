/**
 * The API server's validation of a NetworkPolicy on create, modelled from kubernetes/kubernetes
 * (read at 019c5dc5):
 * - `pkg/apis/networking/validation/validation.go` `ValidateNetworkPolicy` (name:
 *   `ValidateNetworkPolicyName` = DNS-1123 subdomain), `ValidateNetworkPolicySpec` (podSelector,
 *   ingress/egress ports and peers, policyTypes: at most two, each `Ingress` or `Egress`),
 *   `ValidateNetworkPolicyPort` (protocol TCP/UDP/SCTP, port 1-65535 or an IANA service name,
 *   endPort only with a numeric port and ≥ port), `ValidateNetworkPolicyPeer` (at least one of
 *   podSelector, namespaceSelector, ipBlock; ipBlock alone);
 * - `staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go`
 *   `ValidateLabelSelector`, `ValidateLabelSelectorRequirement` (In/NotIn need values,
 *   Exists/DoesNotExist take none, other operators are not supported; keys `ValidateLabelName`),
 *   `ValidateLabels` (keys `IsQualifiedName`, values `IsValidLabelValue`);
 * - `staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go` (`IsQualifiedName`,
 *   `IsValidLabelValue`, `IsValidPortNum`, `IsValidPortName`, `IsDNS1123Subdomain`).
 * Create-time options: `AllowInvalidLabelValueInSelector` false. Not modelled: ipBlock CIDR syntax
 * (we render no ipBlock; a peer holding one is only checked for exclusivity), the generic ObjectMeta
 * checks other than the name and label syntax.
 */

/** One field error: the JSON path and what is wrong. */
export interface FieldError {
    field: string;
    detail: string;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isDns1123Subdomain(v: string): boolean {
    return v.length <= 253 && SUBDOMAIN.test(v);
}

/** `IsQualifiedName`: `[prefix/]name`, name ≤ 63 of `NAME`, prefix a DNS-1123 subdomain. */
export function isQualifiedName(v: string): boolean {
    const parts = v.split("/");
    if (parts.length > 2) return false;
    const name = parts.at(-1)!;
    if (name.length === 0 || name.length > 63 || !NAME.test(name)) return false;
    return parts.length === 1 || (parts[0].length > 0 && isDns1123Subdomain(parts[0]));
}

/** `IsValidLabelValue`: empty or ≤ 63 of `NAME`. */
export function isValidLabelValue(v: string): boolean {
    return v === "" || (v.length <= 63 && NAME.test(v));
}

/** `IsValidPortName`: ≤ 15 lower-case alphanumerics and '-', at least one letter, no leading/trailing or double '-'. */
function isValidPortName(v: string): boolean {
    return (
        v.length >= 1 &&
        v.length <= 15 &&
        /^[a-z0-9-]+$/.test(v) &&
        /[a-z]/.test(v) &&
        !v.startsWith("-") &&
        !v.endsWith("-") &&
        !v.includes("--")
    );
}

function isValidPortNum(v: unknown): boolean {
    return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
}

function labels(map: unknown, path: string, errs: FieldError[]): void {
    if (map === undefined) return;
    if (typeof map !== "object" || map === null || Array.isArray(map)) {
        errs.push({ field: path, detail: "must be a map of strings" });
        return;
    }
    for (const [k, v] of Object.entries(map)) {
        if (!isQualifiedName(k)) errs.push({ field: `${path}.${k}`, detail: "key is not a qualified name" });
        if (typeof v !== "string" || !isValidLabelValue(v))
            errs.push({ field: `${path}.${k}`, detail: "value is not a valid label value" });
    }
}

/** `ValidateLabelSelector` (create: label values in requirements validated). */
export function validateLabelSelector(sel: any, path: string): FieldError[] {
    const errs: FieldError[] = [];
    if (sel === null || typeof sel !== "object" || Array.isArray(sel)) return [{ field: path, detail: "must be a label selector" }];
    (sel.matchExpressions ?? []).forEach((r: any, i: number) => {
        const p = `${path}.matchExpressions[${i}]`;
        const values: unknown[] = r.values ?? [];
        if (r.operator === "In" || r.operator === "NotIn") {
            if (values.length === 0) errs.push({ field: `${p}.values`, detail: "must be specified when `operator` is 'In' or 'NotIn'" });
        } else if (r.operator === "Exists" || r.operator === "DoesNotExist") {
            if (values.length > 0)
                errs.push({ field: `${p}.values`, detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
        } else {
            errs.push({ field: `${p}.operator`, detail: `Unsupported value: ${JSON.stringify(r.operator)}` });
        }
        if (typeof r.key !== "string" || !isQualifiedName(r.key)) errs.push({ field: `${p}.key`, detail: "must be a qualified name" });
        values.forEach((v, j) => {
            if (typeof v !== "string" || !isValidLabelValue(v))
                errs.push({ field: `${p}.values[${j}]`, detail: "must be a valid label value" });
        });
    });
    labels(sel.matchLabels, `${path}.matchLabels`, errs);
    return errs;
}

function validatePort(port: any, path: string): FieldError[] {
    const errs: FieldError[] = [];
    if (port.protocol !== undefined && !["TCP", "UDP", "SCTP"].includes(port.protocol)) {
        errs.push({ field: `${path}.protocol`, detail: `Unsupported value: ${JSON.stringify(port.protocol)}` });
    }
    if (port.port !== undefined) {
        if (typeof port.port === "number") {
            if (!isValidPortNum(port.port)) errs.push({ field: `${path}.port`, detail: "must be between 1 and 65535, inclusive" });
            if (port.endPort !== undefined) {
                if (port.endPort < port.port) errs.push({ field: `${path}.endPort`, detail: "must be greater than or equal to `port`" });
                if (!isValidPortNum(port.endPort))
                    errs.push({ field: `${path}.endPort`, detail: "must be between 1 and 65535, inclusive" });
            }
        } else {
            if (port.endPort !== undefined)
                errs.push({ field: `${path}.endPort`, detail: "may not be specified when `port` is non-numeric" });
            if (typeof port.port !== "string" || !isValidPortName(port.port))
                errs.push({ field: `${path}.port`, detail: "must be a valid port name" });
        }
    } else if (port.endPort !== undefined) {
        errs.push({ field: `${path}.endPort`, detail: "may not be specified when `port` is not specified" });
    }
    return errs;
}

function validatePeer(peer: any, path: string): FieldError[] {
    const errs: FieldError[] = [];
    let n = 0;
    if (peer.podSelector !== undefined) {
        n++;
        errs.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`));
    }
    if (peer.namespaceSelector !== undefined) {
        n++;
        errs.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`));
    }
    if (peer.ipBlock !== undefined) n++;
    if (n === 0) errs.push({ field: path, detail: "must specify a peer" });
    else if (n > 1 && peer.ipBlock !== undefined) errs.push({ field: path, detail: "may not specify both ipBlock and another peer" });
    return errs;
}

/** `ValidateNetworkPolicy` at create: every error, as field paths. */
export function validateNetworkPolicy(np: any): FieldError[] {
    const errs: FieldError[] = [];
    const name = np?.metadata?.name;
    if (typeof name !== "string" || !isDns1123Subdomain(name))
        errs.push({ field: "metadata.name", detail: "must be a DNS-1123 subdomain" });
    labels(np?.metadata?.labels, "metadata.labels", errs);
    const spec = np?.spec ?? {};
    errs.push(...validateLabelSelector(spec.podSelector ?? {}, "spec.podSelector"));
    for (const [dir, peersKey] of [
        ["ingress", "from"],
        ["egress", "to"],
    ] as const) {
        (spec[dir] ?? []).forEach((rule: any, i: number) => {
            (rule.ports ?? []).forEach((p: any, j: number) => errs.push(...validatePort(p, `spec.${dir}[${i}].ports[${j}]`)));
            (rule[peersKey] ?? []).forEach((p: any, j: number) => errs.push(...validatePeer(p, `spec.${dir}[${i}].${peersKey}[${j}]`)));
        });
    }
    const types: unknown[] = spec.policyTypes ?? [];
    if (types.length > 2) {
        errs.push({ field: "spec.policyTypes", detail: "may not specify more than two policyTypes" });
        return errs;
    }
    types.forEach((t, i) => {
        if (t !== "Ingress" && t !== "Egress")
            errs.push({ field: `spec.policyTypes[${i}]`, detail: `Unsupported value: ${JSON.stringify(t)}` });
    });
    return errs;
}
