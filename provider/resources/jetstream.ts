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
import { createCredentials, createPassword, CREDENTIAL_LENGTHS, CredentialResources } from "./credentials";
import { CertificateStatus, createCertificateAuthority, createLeafCertificate, KeyAndCert } from "./certificates";
import { createMonitoring } from "./monitoring";
import { createVolumeGrowth } from "./volume-growth";
import { forceOnRecreate, objectArgs, secretArgs, skipAwait, statefulSetOptions, withPodAnnotation } from "./k8s-object";
import { RESTART_CHECKSUM_ANNOTATION } from "../render/checksum";
import { jetStreamRestartChecksum } from "../render/jetstream/restart";
import { scaleDownHooks } from "./hooks";

/** What the outputs layer needs from the created resources. */
export interface JetStreamResources {
    namespace: pulumi.Output<string>;
    credentials: CredentialResources;
    /** CA certificate PEM, when TLS is on. */
    caCertPem?: pulumi.Output<string>;
    /** CA, server and route certificates (none without TLS). */
    certificates: CertificateStatus[];
}

/** The generated user, password and system password as one Output (direct and numaflow modes). */
export function credentialValues(c: CredentialResources): pulumi.Output<JetStreamCredentials> {
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
    statuses: CertificateStatus[],
): pulumi.Output<JetStreamTlsMaterial> {
    const names = svc.names;
    const dnsNames = namespace.apply((ns) => serviceDnsNames(names.service, ns, svc.clusterDomain));
    const server = createLeafCertificate(svc.name, { role: "server", dnsNames, clientAuth: false }, ca, svc.certificates, child);
    const route =
        svc.jetstream.replicas > 1
            ? createLeafCertificate(svc.name, { role: "route", dnsNames, clientAuth: true }, ca, svc.certificates, child)
            : undefined;
    statuses.push(server.status, ...(route ? [route.status] : []));
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

/**
 * Creates every resource of the JetStream ISB service `svc`, parented to `parent`.
 *
 * Names and restarts (issue 10, defect 5). pulumi-kubernetes replaces a Secret or ConfigMap whose
 * data changes (`provider/pkg/provider/diff.go` `forceNewProperties`: `.data` is force-new unless
 * `enableSecretMutable` / `enableConfigMapMutable`), delete-before-replace when it keeps its name
 * (`provider.go` `Diff` end; `provider/pkg/metadata/naming.go` `IsNamed`), create-before-delete when
 * the name changes (the engine's default, `step_generator.go` `continueStepsFromDiff`). All three
 * JetStream objects keep **fixed names**:
 * - the client Secret: pipeline pods and other stacks reference it by name (`credentialsSecretName`);
 * - the server Secret and the ConfigMap: their content reaches running pods without a restart
 *   (the kubelet refreshes the projected files, the reloader signals nats-server). A content-derived
 *   name would put the name in the pod template and roll every pod on each password rotation,
 *   certificate renewal or settings change. The price is a delete-then-create of the same name; the
 *   kubelet keeps the files it last projected meanwhile, and nothing else depends on these objects,
 *   so the engine deletes nothing else with them (`calculateDependentReplacements`).
 * What nats-server cannot reload (restart.ts) is a checksum on the pod template: it rolls the pods
 * exactly when that part changes.
 */
export function createJetStreamResources(svc: ResolvedJetStreamService, child: ChildOptions): JetStreamResources {
    const name = svc.name;
    const names = svc.names;
    const opts = child;
    const skip = svc.await.skipAwait;
    const credentials = createCredentials(name, child);
    const creds = credentialValues(credentials);
    const ca = svc.jetstream.tls ? createCertificateAuthority(name, svc.certificates, child) : undefined;
    // Decided at construction (args/namespace.ts), never read back from a child.
    const namespace = svc.namespace;
    const namespaceOutput = pulumi.output(namespace);

    const clientData = pulumi.all([creds, ca?.certPem]).apply(([c, caPem]) => base64Data(renderClientAuthSecretData(c, caPem)));
    new k8s.core.v1.Secret(
        `${name}-js-client-auth`,
        secretArgs(namespace, (ns, d) => renderJetStreamSecret(svc, names.clientAuthSecret, ns, d), clientData, opts),
        opts,
    );

    const certificates: CertificateStatus[] = ca ? [ca.status] : [];
    const tls = ca ? tlsMaterial(svc, ca, namespaceOutput, child, certificates) : undefined;
    // The route credential (routes.conf in the server Secret only). Created for every service, so
    // that scaling 1 -> 3 replicas does not create a resource; rendered only when clustered.
    // Rotation (`pulumi up --replace`) is reloaded live; see README "Changing a running service".
    const routePassword = createPassword(`${name}-js-route-password`, CREDENTIAL_LENGTHS.password, child);
    const serverData = pulumi
        .all([creds, credentials.encryptionKey.result, routePassword.result, namespaceOutput, tls])
        .apply(([c, encryptionKey, route, ns, t]) =>
            base64Data(renderServerSecretData(svc, c, { encryptionKey, routePassword: route, namespace: ns }, t)),
        );
    new k8s.core.v1.Secret(
        `${name}-js-server`,
        secretArgs(namespace, (ns, d) => renderJetStreamSecret(svc, names.serverSecret, ns, d), serverData, opts),
        opts,
    );

    new k8s.core.v1.ConfigMap(
        `${name}-js-config`,
        // Fixed name, replaced on a data change (settings, replicas): see forceOnRecreate.
        objectArgs(namespace, (ns) => forceOnRecreate(renderJetStreamConfigMap(svc, ns), opts), ["data"]),
        opts,
    );
    new k8s.core.v1.Service(
        `${name}-js-svc`,
        objectArgs(namespace, (ns) => skipAwait(renderJetStreamService(svc, ns), skip)),
        opts,
    );
    // Known at construction: the StatefulSet depends on no generated value. The encryption key (env
    // JS_KEY, read at start) is not in it: it is never replaced on a running service (credentials.ts),
    // and turning encryption on or off changes the pod template (STORE_ANNOTATION, the env).
    const checksum = jetStreamRestartChecksum(svc);
    // A scale-down is checked by hooks on the StatefulSet, the only place the old replicas are seen.
    const hooks = scaleDownHooks(name, {
        statefulSet: names.statefulSet,
        service: names.service,
        allowScaleDown: svc.jetstream.allowScaleDown,
    });
    // serviceName is a plain string in the rendered spec: the StatefulSet does not wait on the Service.
    const statefulSet = new k8s.apps.v1.StatefulSet(
        `${name}-js`,
        withPodAnnotation(
            objectArgs(namespace, (ns) => skipAwait(renderJetStreamStatefulSet(svc, ns), skip)),
            RESTART_CHECKSUM_ANNOTATION,
            checksum,
        ),
        { ...statefulSetOptions(child, svc.await.customTimeouts), ...(hooks && { hooks }) },
    );
    createMonitoring(svc, child);
    createVolumeGrowth(
        {
            prefix: `${name}-js`,
            statefulSetName: names.statefulSet,
            claimTemplate: names.volumeClaim,
            replicas: svc.jetstream.replicas,
            namespace,
            persistence: svc.jetstream.persistence,
            skipAwait: skip,
        },
        statefulSet,
        child,
    );
    if (svc.disruptionBudget) {
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-js-pdb`,
            objectArgs(namespace, (ns) => renderJetStreamDisruptionBudget(svc, ns)!),
            opts,
        );
    }
    return { namespace: namespaceOutput, credentials, caCertPem: ca?.certPem, certificates };
}
