/**
 * The credentials revision: a short, non-secret hash of the credentials and certificates the
 * servers read from the Secrets.
 *
 * Why the pods need it (`provisioner: "numaflow"`): the Numaflow controller does not watch Secrets
 * (numaflow `pkg/reconciler/cmd/start.go`: the ISB controller watches InterStepBufferService,
 * ConfigMap, StatefulSet and Service only; the Secret watch was removed in `0dc85f694`), and
 * `createSecrets` leaves existing Secrets alone, so a rotated password or renewed certificate never
 * reaches the StatefulSet it builds. We put the revision on the pod template of the custom resource
 * (`spec.jetstream.metadata.annotations`, copied onto the StatefulSet's pod template by
 * `jetstream_buffer_service.go` `GetStatefulSetSpec` → `spec.Template.SetAnnotations`); the changed
 * spec is reconciled (the controller watches the resource's generation), the StatefulSet's hash
 * annotation differs, the controller updates it and Kubernetes rolls the pods, which start with the
 * new files.
 *
 * Pure and deterministic. The value is 16 hex digits of a SHA-256 over the length-prefixed entries in
 * key order: it identifies a revision without revealing anything a guess could be checked against
 * cheaply (the passwords are 32 random characters).
 */
import { createHash } from "crypto";

/** Revision of `parts` (e.g. `{ user, password, caCertPem }`, or whole Secret data). Keys are sorted. */
export function credentialsRevision(parts: Record<string, string>): string {
    const h = createHash("sha256");
    for (const key of Object.keys(parts).sort()) {
        const value = parts[key];
        h.update(`${Buffer.byteLength(key)}:${key}=${Buffer.byteLength(value)}:`);
        h.update(value);
        h.update("\n");
    }
    return h.digest("hex").slice(0, 16);
}
