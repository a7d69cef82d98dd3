/**
 * The Numaflow `InterStepBufferService` custom resource of `provisioner: "numaflow"`.
 *
 * The component's arguments are the CRD's `spec.jetstream` in camelCase (numaflow
 * `pkg/apis/numaflow/v1alpha1/jetstream_buffer_service.go` `JetStreamBufferService`;
 * `config/base/crds/full/numaflow.numaproj.io_interstepbufferservices.yaml`), so the spec is the
 * user's validated arguments, except:
 * - `settings` and `bufferConfig` are YAML strings in the CRD (`type: string`). We send our merged,
 *   validated values: `settings` only with the three keys the controller reads (args/provisioner.ts),
 *   `bufferConfig` complete, so the controller's deep merge over its own defaults
 *   (`installer/jetstream.go` `Install`, viper `MergeConfig`) yields exactly our `streamConfig` output.
 * - `replicas`, `tls` and `encryption` are sent explicitly (our resolved values; the CRD defaults agree).
 */
import * as yaml from "js-yaml";
import { ResolvedJetStream } from "../../args/jetstream";
import { NUMAFLOW_SETTINGS_KEYS } from "../../args/provisioner";
import { renderStreamConfig } from "../jetstream/stream-config";
import { K8sObject } from "../k8s-types";

export const NUMAFLOW_API_VERSION = "numaflow.numaproj.io/v1alpha1";
export const ISBSVC_KIND = "InterStepBufferService";

/**
 * pulumi-kubernetes' await annotation (provider `pkg/metadata/overrides.go` `ReadyCondition`; since
 * 4.18.0, CHANGELOG: `pulumi.com/waitFor: "jsonpath={.status.phase}=Running"`): create and update wait
 * until the controller reports phase Running (`status_types.go` `MarkDeployed`).
 */
export const WAIT_FOR_ANNOTATION = "pulumi.com/waitFor";
export const WAIT_FOR_RUNNING = "jsonpath={.status.phase}=Running";

/** Pod-template annotation carrying the credentials revision (resources/numaflow.ts): a change rolls the pods. */
export const CREDENTIALS_REVISION_ANNOTATION = "isbsvc/credentials-revision";

/** Fields of the user's `jetstream` args copied into the spec as given (validated, plain data). */
const PASS_THROUGH = [
    "persistence",
    "startArgs",
    "containerTemplate",
    "reloaderContainerTemplate",
    "metricsContainerTemplate",
    "metadata",
    "nodeSelector",
    "tolerations",
    "securityContext",
    "imagePullSecrets",
    "priorityClassName",
    "priority",
    "affinity",
    "serviceAccountName",
    "runtimeClassName",
    "automountServiceAccountToken",
    "dnsPolicy",
    "dnsConfig",
    "resourceClaims",
];

/** A deep copy of plain data without `undefined` members (they would not survive serialisation either). */
function plainCopy(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(plainCopy);
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plainCopy(v);
        return out;
    }
    return value;
}

/** `spec.jetstream.settings`: the three keys the controller reads, from our merged and validated settings. */
export function renderNumaflowSettings(js: ResolvedJetStream): string {
    const picked: Record<string, unknown> = {};
    for (const key of NUMAFLOW_SETTINGS_KEYS) picked[key] = js.settings.values[key];
    return yaml.dump(picked, { sortKeys: true, lineWidth: -1, noRefs: true });
}

/** `spec.jetstream` of the custom resource, from the user's `jetstream` args and their resolved values. */
export function renderIsbSvcJetStreamSpec(raw: Record<string, unknown>, js: ResolvedJetStream): Record<string, unknown> {
    const spec: Record<string, unknown> = {
        version: raw.version,
        replicas: js.replicas,
        tls: js.tls,
        encryption: js.encryption,
        settings: renderNumaflowSettings(js),
        bufferConfig: renderStreamConfig(js.bufferConfig),
    };
    for (const key of PASS_THROUGH) {
        if (raw[key] !== undefined && raw[key] !== null) spec[key] = plainCopy(raw[key]);
    }
    return spec;
}

/** The custom resource: named after the ISB service (what Pipelines' `interStepBufferServiceName` refers to). */
export function renderInterStepBufferService(
    name: string,
    namespace: string,
    jetstreamSpec: Record<string, unknown>,
    skipAwait: boolean,
): K8sObject {
    return {
        apiVersion: NUMAFLOW_API_VERSION,
        kind: ISBSVC_KIND,
        metadata: {
            name,
            namespace,
            labels: { "app.kubernetes.io/managed-by": "isbsvc-pulumi", "app.kubernetes.io/part-of": "numaflow" },
            annotations: skipAwait ? { "pulumi.com/skipAwait": "true" } : { [WAIT_FOR_ANNOTATION]: WAIT_FOR_RUNNING },
        },
        spec: { jetstream: jetstreamSpec },
    };
}
