/**
 * The Pulumi resources of a JetStream ISB service: credentials, certificates, Secrets,
 * ConfigMap, headless Service, StatefulSet and PodDisruptionBudget, all parented to the
 * component and named `<name>-<role>`.
 */
import { ChildOptions } from "./child-options";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ResolvedJetStreamService } from "../args/resolve";
import { JetStreamCredentials } from "../render/jetstream/auth-conf";
import { serviceDnsNames } from "../render/jetstream/names";
import { JetStreamTlsMaterial, renderClientAuthSecretData, renderServerSecretData } from "../render/jetstream/secrets";
import { base64Data } from "../render/secret-data";
import {
    renderJetStreamConfigMap,
    renderJetStreamDisruptionBudget,
    renderJetStreamSecret,
    renderJetStreamService,
    renderJetStreamStatefulSet,
} from "../render/jetstream/objects";
import { createCredentials, CredentialResources } from "./credentials";
import { createCertificateAuthority, createLeafCertificate, KeyAndCert } from "./certificates";
import { objectArgs, secretArgs, skipAwait, statefulSetOptions } from "./k8s-object";

/** What the outputs layer needs from the created resources. */
export interface JetStreamResources {
    namespace: pulumi.Output<string>;
    credentials: CredentialResources;
    /** CA certificate PEM, when TLS is on. */
    caCertPem?: pulumi.Output<string>;
}

function credentialValues(c: CredentialResources): pulumi.Output<JetStreamCredentials> {
    return pulumi
        .all([c.user.result, c.password.result, c.systemPassword.result])
        .apply(([user, password, systemPassword]) => ({ user, password, systemPassword }));
}

/** Leaf certificates (their names depend on the namespace) and the PEM bundle for the server Secret. */
function tlsMaterial(
    svc: ResolvedJetStreamService,
    ca: KeyAndCert,
    namespace: pulumi.Output<string>,
    child: ChildOptions,
): pulumi.Output<JetStreamTlsMaterial> {
    const names = svc.names;
    const dnsNames = namespace.apply((ns) => serviceDnsNames(names.service, ns, svc.clusterDomain));
    const server = createLeafCertificate(svc.name, { role: "server", dnsNames, clientAuth: false }, ca, svc.certificates, child);
    const route =
        svc.jetstream.replicas > 1
            ? createLeafCertificate(svc.name, { role: "route", dnsNames, clientAuth: true }, ca, svc.certificates, child)
            : undefined;
    return pulumi
        .all([ca.certPem, server.certPem, server.key.privateKeyPem, route?.certPem ?? "", route?.key.privateKeyPem ?? ""])
        .apply(([caCertPem, serverCertPem, serverKeyPem, routeCertPem, routeKeyPem]) => ({
            caCertPem,
            serverCertPem,
            serverKeyPem,
            routeCertPem,
            routeKeyPem,
        }));
}

/** Creates every resource of the JetStream ISB service `svc`, parented to `parent`. */
export function createJetStreamResources(svc: ResolvedJetStreamService, child: ChildOptions): JetStreamResources {
    const name = svc.name;
    const names = svc.names;
    const opts = child;
    const skip = svc.await.skipAwait;
    const credentials = createCredentials(name, child);
    const creds = credentialValues(credentials);
    const ca = svc.jetstream.tls ? createCertificateAuthority(name, svc.certificates, child) : undefined;

    // The client Secret depends on nothing namespace-specific, so it goes first; when no namespace
    // is given, the namespace the provider chose for it is used for everything else.
    const clientData = pulumi.all([creds, ca?.certPem]).apply(([c, caPem]) => base64Data(renderClientAuthSecretData(c, caPem)));
    const clientSecret = new k8s.core.v1.Secret(
        `${name}-js-client-auth`,
        secretArgs(
            pulumi.all([clientData, svc.namespace]).apply(([data, ns]) => renderJetStreamSecret(svc, names.clientAuthSecret, ns, data)),
        ),
        opts,
    );
    const namespace =
        svc.namespace !== undefined
            ? (pulumi.output(svc.namespace) as pulumi.Output<string>)
            : clientSecret.metadata.namespace.apply((ns) => ns ?? "default");

    const tls = ca ? tlsMaterial(svc, ca, namespace, child) : undefined;
    const serverData = pulumi
        .all([creds, credentials.encryptionKey.result, tls])
        .apply(([c, key, t]) => base64Data(renderServerSecretData(svc, c, key, t)));
    new k8s.core.v1.Secret(
        `${name}-js-server`,
        secretArgs(pulumi.all([serverData, namespace]).apply(([data, ns]) => renderJetStreamSecret(svc, names.serverSecret, ns, data))),
        opts,
    );

    new k8s.core.v1.ConfigMap(
        `${name}-js-config`,
        objectArgs(
            namespace.apply((ns) => renderJetStreamConfigMap(svc, ns)),
            ["data"],
        ),
        opts,
    );
    new k8s.core.v1.Service(
        `${name}-js-svc`,
        objectArgs(
            namespace.apply((ns) => skipAwait(renderJetStreamService(svc, ns), skip)),
            ["spec"],
        ),
        opts,
    );
    // serviceName is a plain string in the rendered spec: the StatefulSet does not wait on the Service.
    new k8s.apps.v1.StatefulSet(
        `${name}-js`,
        objectArgs(
            namespace.apply((ns) => skipAwait(renderJetStreamStatefulSet(svc, ns), skip)),
            ["spec"],
        ),
        statefulSetOptions(child, svc.await.customTimeouts),
    );
    if (svc.disruptionBudget) {
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-js-pdb`,
            objectArgs(
                namespace.apply((ns) => renderJetStreamDisruptionBudget(svc, ns)!),
                ["spec"],
            ),
            opts,
        );
    }
    return { namespace, credentials, caCertPem: ca?.certPem };
}
