/**
 * Content hashes: pod-template checksums (what a pod reads only at start) and content-derived
 * object names. Deterministic: the same content gives the same hash on every run.
 */
import { createHash } from "crypto";

/** Pod-template annotation whose change rolls the pods: a checksum of what the servers read only at start. */
export const RESTART_CHECKSUM_ANNOTATION = "isbsvc/restart-checksum";

function stable(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(stable);
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}

/** SHA-256 (hex) of `value` as JSON with sorted keys. */
export function contentHash(value: unknown): string {
    return createHash("sha256")
        .update(JSON.stringify(stable(value)))
        .digest("hex");
}

/** `<base>-<first 10 hex of the content hash>`: a name that changes exactly when the content does. */
export function contentName(base: string, content: unknown): string {
    return `${base}-${contentHash(content).slice(0, 10)}`;
}
