/**
 * The connection contract pipeline stacks read: one flat set of outputs, the same for every
 * flavour where a field applies. Export them from the infra stack and read them with
 * `StackReference.requireOutput` in pipeline stacks.
 */
import * as pulumi from "@pulumi/pulumi";

/** Outputs of an InterStepBufferService. */
export interface IsbConnection {
    /** `jetstream` or `redis`. */
    type: pulumi.Output<string>;
    /** Client URL, e.g. `nats://isbsvc-default-js-svc.pipelines.svc:4222`; empty for native Redis (use Sentinel). */
    url: pulumi.Output<string>;
    /** Sentinel address(es) `host:port` (Redis with Sentinel); empty otherwise. */
    sentinelUrl: pulumi.Output<string>;
    /** Sentinel master set name (Redis with Sentinel); empty otherwise. */
    masterName: pulumi.Output<string>;
    /** True when an external Redis `url` lists two or more addresses (Redis Cluster). */
    clusterMode: pulumi.Output<boolean>;
    /** Client user name. */
    user: pulumi.Output<string>;
    /** Client password (secret). */
    password: pulumi.Output<string>;
    /** Kubernetes Secret in `namespace` with the client credentials (and `ca.crt` with TLS), for pipeline pods. */
    credentialsSecretName: pulumi.Output<string>;
    /** Whether clients must use TLS. */
    tlsEnabled: pulumi.Output<boolean>;
    /** PEM of the CA that signed the server certificates; empty when TLS is off. */
    caCertPem: pulumi.Output<string>;
    /** Merged buffer configuration as YAML (JetStream; empty for Redis). */
    streamConfig: pulumi.Output<string>;
    /** Namespace of the service. */
    namespace: pulumi.Output<string>;
    /** Name of the client Service. */
    serviceName: pulumi.Output<string>;
}
