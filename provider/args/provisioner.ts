/**
 * `provisioner`: who builds the servers of the ISB service.
 *
 * - `direct` (default): this component renders and owns every Kubernetes object.
 * - `numaflow` (JetStream only): this component owns the credentials (the two Secrets the Numaflow
 *   controller looks for) and an `InterStepBufferService` custom resource; the Numaflow controller
 *   builds the ConfigMap, Service and StatefulSet (numaflow `pkg/reconciler/isbsvc/installer/jetstream.go`
 *   `Install`), so the options that shape objects we no longer create are refused here by name.
 */
import { at, fail } from "./errors";
import { parseConfig } from "./yaml-config";
import { optionalObject, optionalString } from "./values";

export type Provisioner = "direct" | "numaflow";

export const PROVISIONERS: readonly Provisioner[] = ["direct", "numaflow"];

/**
 * The settings the controller reads: it merges `spec.jetstream.settings` over its own and then reads
 * only these three keys into the nats config template (numaflow `installer/jetstream.go`
 * `createConfigMap`: `v.GetString("max_payload")`, `"max_file_store"`, `"max_memory_store"`).
 */
export const NUMAFLOW_SETTINGS_KEYS: readonly string[] = ["max_file_store", "max_memory_store", "max_payload"];

/** Resolves `provisioner` (default `direct`). */
export function resolveProvisioner(raw: unknown, path = "provisioner"): Provisioner {
    const value = optionalString(raw, path);
    if (value === undefined) return "direct";
    if (!(PROVISIONERS as readonly string[]).includes(value)) {
        fail(path, `must be "direct" or "numaflow", got ${JSON.stringify(value)}`);
    }
    return value as Provisioner;
}

/** Whether the user set `key` on `obj` to something other than undefined/null. */
function isSet(obj: Record<string, unknown>, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(obj, key) && obj[key] !== undefined && obj[key] !== null;
}

/**
 * Refuses, naming the field, what `provisioner: "numaflow"` cannot honour. Runs before the
 * flavour is resolved, so a Redis spec fails on `provisioner` first.
 */
export function checkNumaflowArgs(obj: Record<string, unknown>): void {
    if (isSet(obj, "redis")) {
        fail(
            "provisioner",
            'is "numaflow", which supports only jetstream: Numaflow removed Redis ISB services in v1.7 ' +
                '(numaproj/numaflow 5c34d4d99 "chore: clean up redis isbsvc (#2863)"); use provisioner "direct" for Redis',
        );
    }
    if (isSet(obj, "podDisruptionBudget")) {
        fail(
            "podDisruptionBudget",
            'cannot be set with provisioner "numaflow": the Numaflow controller builds the pods and this component creates ' +
                "no PodDisruptionBudget in that mode; create one yourself over the labels app.kubernetes.io/component=isbsvc " +
                "and numaflow.numaproj.io/isbsvc-name=<name>",
        );
    }
    if (isSet(obj, "antiAffinity")) {
        fail(
            "antiAffinity",
            'cannot be set with provisioner "numaflow": the Numaflow controller builds the pods; set jetstream.affinity instead',
        );
    }
    const monitoring = isSet(obj, "monitoring") ? optionalObject(obj.monitoring, "monitoring") : undefined;
    if (monitoring && monitoring.enabled === true) {
        fail(
            "monitoring.enabled",
            'cannot be true with provisioner "numaflow": the Numaflow controller builds the pods and this component ' +
                "creates no monitoring objects for them",
        );
    }
    const networkPolicy = isSet(obj, "networkPolicy") ? optionalObject(obj.networkPolicy, "networkPolicy") : undefined;
    if (networkPolicy && networkPolicy.enabled !== false) {
        fail(
            "networkPolicy",
            'is not applied with provisioner "numaflow" (the Numaflow controller builds the pods; this component creates ' +
                "no NetworkPolicy in that mode): remove it or set enabled: false",
        );
    }
    const js = optionalObject(obj.jetstream, "jetstream");
    if (js && js.encryption === "aes") {
        fail(
            "jetstream.encryption",
            'cannot be "aes" with provisioner "numaflow": the Numaflow controller renders the nats-server config with ' +
                "`key` and no `cipher` (numaflow installer/jetstream.go `createConfigMap`), so its servers encrypt with " +
                'ChaCha20-Poly1305; use true or "chachapoly"',
        );
    }
    if (js && isSet(js, "settings")) {
        const settingsPath = at("jetstream", "settings");
        for (const key of Object.keys(parseConfig(js.settings, settingsPath))) {
            if (!NUMAFLOW_SETTINGS_KEYS.includes(key)) {
                fail(
                    at(settingsPath, key),
                    'is not read by the Numaflow controller (provisioner "numaflow"), which renders only ' +
                        `${NUMAFLOW_SETTINGS_KEYS.join(", ")} and silently drops the rest`,
                );
            }
        }
    }
}
