/**
 * The Pulumi resources of `provisioner: "numaflow"`: our generated credentials and certificates in
 * the two Secrets the Numaflow controller looks for, and the `InterStepBufferService` custom
 * resource, created after both. The controller builds the ConfigMap, headless Service and
 * StatefulSet (numaflow `installer/jetstream.go` `Install`); we create none of them.
 *
 * Ordering: the custom resource `dependsOn` both Secrets. If the controller reconciled a resource
 * whose Secrets do not both exist, `createSecrets` would delete the one that exists and generate its
 * own credentials (the ones our outputs would not know).
 *
 * Waiting: `pulumi.com/waitFor: "jsonpath={.status.phase}=Running"` on the resource, bounded by the
 * component's `customTimeouts` (pulumi-kubernetes `pkg/await/await.go` `Creation`/`Update`:
 * `metadata.TimeoutDuration(c.Timeout, ...)`, the resource option first, default 10 minutes).
 *
 * Day 2: a rotated password or renewed certificate changes the Secrets' data (pulumi-kubernetes
 * replaces them, same names) and the credentials revision on the pod template
 * (render/numaflow/revision.ts), which makes the controller roll the pods.
 */
import { ChildOptions } from "./child-options";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ResolvedJetStreamService } from "../args/resolve";
import { serviceDnsNames } from "../render/jetstream/names";
import { JetStreamTlsMaterial } from "../render/jetstream/secrets";
import { renderJetStreamSecret } from "../render/jetstream/objects";
import { base64Data } from "../render/secret-data";
import { renderNumaflowClientAuthSecretData, renderNumaflowServerSecretData } from "../render/numaflow/secrets";
import { CREDENTIALS_REVISION_ANNOTATION, renderInterStepBufferService } from "../render/numaflow/isbsvc";
import { serverMaterialRevision } from "../render/numaflow/revision";
import { createCredentials } from "./credentials";
import { CertificateStatus, createCertificateAuthority, createLeafCertificate, KeyAndCert } from "./certificates";
import { objectArgs, secretArgs } from "./k8s-object";
import { credentialValues, JetStreamResources } from "./jetstream";

/**
 * Server and route certificates signed by our CA. Their names cover what the controller names:
 * the client Service `isbsvc-<n>-js-svc.<ns>.svc[.<clusterDomain>]` (the status URL host) and, by
 * wildcard, its pods `isbsvc-<n>-js-<i>.isbsvc-<n>-js-svc.<ns>.svc` (the routes of its nats config)
 * — `createSecrets` `hosts` / `clusterNodeHosts`, `createConfigMap` `routes`. The route certificate
 * exists whatever the replica count: the controller projects the cluster keys whenever `tls` is on.
 */
function tlsMaterial(
    svc: ResolvedJetStreamService,
    ca: KeyAndCert,
    namespace: pulumi.Output<string>,
    child: ChildOptions,
    statuses: CertificateStatus[],
): pulumi.Output<JetStreamTlsMaterial> {
    const dnsNames = namespace.apply((ns) => serviceDnsNames(svc.names.service, ns, svc.clusterDomain));
    const server = createLeafCertificate(svc.name, { role: "server", dnsNames, clientAuth: false }, ca, svc.certificates, child);
    const route = createLeafCertificate(svc.name, { role: "route", dnsNames, clientAuth: true }, ca, svc.certificates, child);
    statuses.push(server.status, route.status);
    return pulumi
        .all([ca.certPem, server.certPem, server.key.privateKeyPem, route.certPem, route.key.privateKeyPem])
        .apply(([caCertPem, serverCertPem, serverKeyPem, routeCertPem, routeKeyPem]) => ({
            caCertPem,
            serverCertPem,
            serverKeyPem,
            routeCertPem,
            routeKeyPem,
        }));
}

/** The Secret data the pods read at start, without the encryption key (never rotated on a running service). */
function revisionParts(server: Record<string, string>, client: Record<string, string>): Record<string, string> {
    const parts: Record<string, string> = {};
    for (const [k, v] of Object.entries(server)) if (k !== "encryption") parts[`server/${k}`] = v;
    for (const [k, v] of Object.entries(client)) parts[`client/${k}`] = v;
    return parts;
}

/** Creates the Secrets and the InterStepBufferService custom resource of `svc` (provisioner `numaflow`). */
export function createNumaflowResources(svc: ResolvedJetStreamService, child: ChildOptions): JetStreamResources {
    if (!svc.numaflowSpec) throw new Error("createNumaflowResources needs a service resolved with provisioner numaflow");
    const name = svc.name;
    const names = svc.names;
    const credentials = createCredentials(name, child);
    const creds = credentialValues(credentials);
    const ca = svc.jetstream.tls ? createCertificateAuthority(name, svc.certificates, child) : undefined;
    const namespace = svc.namespace;
    const namespaceOutput = pulumi.output(namespace);
    const certificates: CertificateStatus[] = ca ? [ca.status] : [];
    const tls = ca ? tlsMaterial(svc, ca, namespaceOutput, child, certificates) : undefined;

    const clientPlain = pulumi.all([creds, ca?.certPem]).apply(([c, caPem]) => renderNumaflowClientAuthSecretData(c, caPem));
    const serverPlain = pulumi
        .all([creds, credentials.encryptionKey.result, tls])
        .apply(([c, key, t]) => renderNumaflowServerSecretData(c, key, t));

    const clientSecret = new k8s.core.v1.Secret(
        `${name}-js-client-auth`,
        secretArgs(namespace, (ns, d) => renderJetStreamSecret(svc, names.clientAuthSecret, ns, d), clientPlain.apply(base64Data), child),
        child,
    );
    const serverSecret = new k8s.core.v1.Secret(
        `${name}-js-server`,
        secretArgs(namespace, (ns, d) => renderJetStreamSecret(svc, names.serverSecret, ns, d), serverPlain.apply(base64Data), child),
        child,
    );

    // A hash, not a secret: unsecret so the annotation is a plain value in the state (as the Redis checksum).
    const revision = pulumi.unsecret(pulumi.all([serverPlain, clientPlain]).apply(([s, c]) => serverMaterialRevision(revisionParts(s, c))));
    const args = objectArgs(namespace, (ns) => renderInterStepBufferService(name, ns, svc.numaflowSpec!, svc.await.skipAwait));
    new k8s.apiextensions.CustomResource(
        `${name}-isbsvc`,
        withJetStreamPodAnnotation(args, CREDENTIALS_REVISION_ANNOTATION, revision) as k8s.apiextensions.CustomResourceArgs,
        { ...child, dependsOn: [serverSecret, clientSecret], customTimeouts: svc.await.customTimeouts },
    );
    return { namespace: namespaceOutput, credentials, caCertPem: ca?.certPem, certificates };
}

/**
 * Puts `value` at `spec.jetstream.metadata.annotations[key]` of plain custom-resource args. The
 * Output stays nested at that leaf: an unknown revision at preview is an update of one annotation.
 */
export function withJetStreamPodAnnotation(
    args: Record<string, pulumi.Input<any>>,
    key: string,
    value: pulumi.Input<string>,
): Record<string, pulumi.Input<any>> {
    const spec = args.spec as Record<string, any>;
    if (pulumi.Output.isInstance(spec) || typeof spec !== "object")
        throw new Error("withJetStreamPodAnnotation: spec must be a plain value");
    const js = spec.jetstream as Record<string, any>;
    const metadata = js.metadata ?? {};
    return {
        ...args,
        spec: { ...spec, jetstream: { ...js, metadata: { ...metadata, annotations: { ...metadata.annotations, [key]: value } } } },
    };
}
