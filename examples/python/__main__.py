"""Producer stack in Python: the examples/jetstream ISB service through the isbsvc component provider.

`pulumi package add ../..` generates the SDK used here (sdks/isbsvc, module `pulumi_isbsvc`); input
types carry the schema's type names plus `Args` (JetStreamArgs -> JetStreamArgsArgs). Spec values
must be plain Python values, not Outputs: they decide which objects exist and are validated at
construction.
"""
import pulumi
import pulumi_isbsvc as isbsvc

isb = isbsvc.InterStepBufferService(
    "default",
    namespace="pipelines",
    jetstream=isbsvc.JetStreamArgsArgs(
        version="2.10.29",
        replicas=3,
        tls=True,
        encryption=True,
        persistence=isbsvc.PersistenceArgsArgs(volume_size="10Gi"),
        settings="max_payload: 8MB\nmax_file_store: 100GB",
        buffer_config="stream:\n  maxMsgs: 50000\n  maxAge: 24h\nconsumer:\n  maxAckPending: 10000",
        container_template=isbsvc.ContainerTemplateArgsArgs(
            resources=isbsvc.ResourceRequirementsArgsArgs(
                requests={"cpu": "500m", "memory": "1Gi"},
                limits={"memory": "2Gi"},
            ),
        ),
    ),
)

pulumi.export("type", isb.type)
pulumi.export("url", isb.url)
pulumi.export("sentinelUrl", isb.sentinel_url)
pulumi.export("masterName", isb.master_name)
pulumi.export("clusterMode", isb.cluster_mode)
pulumi.export("user", isb.user)
pulumi.export("password", isb.password)  # arrives secret from the provider and stays secret
pulumi.export("credentialsSecretName", isb.credentials_secret_name)
pulumi.export("tlsEnabled", isb.tls_enabled)
pulumi.export("caCertPem", isb.ca_cert_pem)
pulumi.export("streamConfig", isb.stream_config)
pulumi.export("namespace", isb.namespace)
pulumi.export("serviceName", isb.service_name)
pulumi.export("credentialsRevision", isb.credentials_revision)
pulumi.export("tlsNotAfter", isb.tls_not_after)
