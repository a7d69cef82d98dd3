/**
 * The native Redis `tls` toggle rule, as a pure function of the StatefulSet's old and new inputs
 * (called by a resource hook, provider/resources/hooks.ts). With TLS, redis-server and Sentinel
 * listen with TLS only on the same ports (`port 0`, `tls-port`: redis-conf.ts), so a pod rolled to
 * the new setting and the old pods cannot talk: the rolled pod can neither ask the old Sentinels for
 * the master nor replicate from it, never becomes ready, and the StatefulSet's rolling update stops
 * at the first pod while the old pods keep serving (tests/live/redis/tls-toggle.test.ts, both
 * directions). Deleting every pod at once completes it (same test).
 */

/** Whether the pod template of StatefulSet inputs mounts Secret `secretName`; undefined when not readable. */
export function mountsSecret(inputs: unknown, secretName: string): boolean | undefined {
    const volumes = (inputs as { spec?: { template?: { spec?: { volumes?: unknown } } } } | undefined)?.spec?.template?.spec?.volumes;
    if (!Array.isArray(volumes)) return undefined;
    return volumes.some((v) => (v as { secret?: { secretName?: unknown } } | null)?.secret?.secretName === secretName);
}

/** `-l` argument of kubectl from the StatefulSet's `spec.selector.matchLabels` (undefined when not readable). */
function selectorArgument(inputs: unknown): string | undefined {
    const labels = (inputs as { spec?: { selector?: { matchLabels?: unknown } } } | undefined)?.spec?.selector?.matchLabels;
    if (typeof labels !== "object" || labels === null) return undefined;
    const pairs = Object.entries(labels).filter(([, v]) => typeof v === "string");
    return pairs.length > 0 ? pairs.map(([k, v]) => `${k}=${v}`).join(",") : undefined;
}

export interface RedisTlsToggleInput {
    oldInputs: unknown;
    newInputs: unknown;
    /** Name of the TLS Secret the pods mount when TLS is on. */
    tlsSecret: string;
    /** Whether the data is on persistent volumes (else deleting the pods loses it). */
    persistent: boolean;
}

/** The warning for a `tls` toggle between the old and the new StatefulSet inputs; "" when `tls` does not change. */
export function redisTlsToggleWarning(i: RedisTlsToggleInput): string {
    const [before, after] = [mountsSecret(i.oldInputs, i.tlsSecret), mountsSecret(i.newInputs, i.tlsSecret)];
    if (before === undefined || after === undefined || before === after) return "";
    const ns = (i.newInputs as { metadata?: { namespace?: unknown } } | undefined)?.metadata?.namespace;
    const selector = selectorArgument(i.newInputs) ?? "<the StatefulSet's selector>";
    return (
        `redis.native.tls ${before} → ${after}: this does not complete as a rolling restart. TLS and plaintext Redis and ` +
        "Sentinel do not talk to each other, so the first restarted pod can neither find nor replicate the master and never " +
        "becomes ready; the rollout stops there while the other pods keep serving with the old setting. To finish it, once " +
        "`pulumi up` waits on the StatefulSet, delete every pod at once " +
        `(kubectl delete pod -n ${typeof ns === "string" && ns !== "" ? ns : "<namespace>"} -l ${selector}); they come back ` +
        "together with the new setting and elect the node with the most data. " +
        (i.persistent
            ? "With persistence no WAIT-acknowledged write is lost; writes stop until the pods are back. "
            : "Without persistence every key is lost. ") +
        "Clients must switch to the new outputs (tlsEnabled, caCertPem)."
    );
}
