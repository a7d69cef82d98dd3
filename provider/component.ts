/**
 * The InterStepBufferService component: validates its arguments, then creates the resources of
 * the chosen flavour and exposes the connection outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { InterStepBufferServiceArgs } from "./spec/types";
import { resolveSpec } from "./spec/resolve";
import { createJetStreamResources } from "./resources/jetstream";
import { jetStreamConnection } from "./outputs/jetstream";

/**
 * An Inter-Step Buffer Service for stream-processing pipelines: a NATS JetStream cluster on
 * Kubernetes with generated credentials, optional TLS from a generated CA, and encryption at
 * rest. Pipeline stacks read its outputs through stack references.
 */
export class InterStepBufferService extends pulumi.ComponentResource {
    /** `jetstream` or `redis`. */
    public readonly type!: pulumi.Output<string>;
    /** Client URL, e.g. `nats://isbsvc-default-js-svc.pipelines.svc:4222`. */
    public readonly url!: pulumi.Output<string>;
    /** Client user name. */
    public readonly user!: pulumi.Output<string>;
    /** Client password (secret). */
    public readonly password!: pulumi.Output<string>;
    /** Kubernetes Secret in `namespace` holding the client user, password and (with TLS) `ca.crt`. */
    public readonly credentialsSecretName!: pulumi.Output<string>;
    /** Whether clients must connect with TLS. */
    public readonly tlsEnabled!: pulumi.Output<boolean>;
    /** PEM of the CA that signed the server certificates, for clients to verify them; empty when TLS is off. */
    public readonly caCertPem!: pulumi.Output<string>;
    /** Merged buffer configuration (stream, consumer, buckets) as YAML with lower-case keys. */
    public readonly streamConfig!: pulumi.Output<string>;
    /** Namespace of the service. */
    public readonly namespace!: pulumi.Output<string>;
    /** Name of the client Service. */
    public readonly serviceName!: pulumi.Output<string>;

    constructor(name: string, args: InterStepBufferServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything: invalid input fails `pulumi preview` with no resource created.
        const spec = resolveSpec(name, args);
        super("isbsvc:index:InterStepBufferService", name, {}, opts);
        const connection = jetStreamConnection(spec, createJetStreamResources(spec, this));
        Object.assign(this, connection);
        this.registerOutputs({ ...connection });
    }
}
