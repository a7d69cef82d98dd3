/** The inline Pulumi programs of the engine tests: the component under a Kubernetes provider, and a consumer. */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { InterStepBufferService, InterStepBufferServiceArgs } from "../../../provider";

/** Outputs of the connection contract (provider/outputs/connection.ts), exported under the same names. */
export const CONTRACT = [
    "type",
    "url",
    "sentinelUrl",
    "masterName",
    "clusterMode",
    "user",
    "password",
    "credentialsSecretName",
    "tlsEnabled",
    "caCertPem",
    "streamConfig",
    "namespace",
    "serviceName",
] as const;

export interface ProducerOptions {
    kubeconfig: string;
    name: string;
    args: InterStepBufferServiceArgs;
    retainOnDelete?: boolean;
    /** Name of the Kubernetes provider resource (default `cluster`); distinct per producer in one program. */
    providerName?: string;
    /**
     * Use the default Kubernetes provider, configured by the stack's `kubernetes:*` config (see
     * `Engine.stack`), as the component requires with `retainOnDelete` (provider/args/retain.ts).
     */
    defaultProvider?: boolean;
}

/** A producer stack: one InterStepBufferService; exports the contract. */
export function producer(o: ProducerOptions): () => Promise<Record<string, unknown>> {
    return async () => {
        // Server-side apply is the provider's default (pulumi-kubernetes 4.x `enableServerSideApply`).
        const providers = o.defaultProvider
            ? undefined
            : { kubernetes: new k8s.Provider(o.providerName ?? "cluster", { kubeconfig: o.kubeconfig }) };
        const isb = new InterStepBufferService(o.name, o.args, {
            ...(providers && { providers }),
            ...(o.retainOnDelete !== undefined && { retainOnDelete: o.retainOnDelete }),
        });
        return Object.fromEntries(CONTRACT.map((k) => [k, isb[k]]));
    };
}

/** A pipeline stack reading the producer's outputs by StackReference (as examples/pipeline-consumer). */
export function consumer(stackRef: string): () => Promise<Record<string, unknown>> {
    return async () => {
        const isb = new pulumi.StackReference(stackRef);
        return Object.fromEntries(CONTRACT.map((k) => [k, isb.requireOutput(k)]));
    };
}

/**
 * A producer stack whose component runs in the isbsvc plugin (tests/engine/support/plugin on PATH):
 * registered as a remote component, so the engine calls the plugin's `Construct`, as for a program in
 * any language that uses the package. Exports the contract.
 */
export function remoteProducer(o: Omit<ProducerOptions, "retainOnDelete" | "defaultProvider">): () => Promise<Record<string, unknown>> {
    return async () => {
        const provider = new k8s.Provider(o.providerName ?? "cluster", { kubeconfig: o.kubeconfig });
        const outputs = Object.fromEntries(CONTRACT.map((k) => [k, undefined]));
        const isb = new pulumi.ComponentResource(
            "isbsvc:index:InterStepBufferService",
            o.name,
            // The outputs as undefined props (the SDK resolves them on the resource), then the args
            // (`namespace` is both).
            { ...outputs, ...o.args },
            { providers: { kubernetes: provider } },
            true,
        ) as unknown as Record<string, pulumi.Output<unknown>>;
        return Object.fromEntries(CONTRACT.map((k) => [k, isb[k]]));
    };
}
