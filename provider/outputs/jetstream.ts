/** Builds the connection outputs of a JetStream ISB service from its resources. */
import * as pulumi from "@pulumi/pulumi";
import { ResolvedJetStreamService } from "../args/resolve";
import { serviceHost } from "../render/jetstream/names";
import { JS_PORTS } from "../render/jetstream/layout";
import { renderStreamConfig } from "../render/jetstream/stream-config";
import { JetStreamResources } from "../resources/jetstream";
import { IsbConnection } from "./connection";
import { revisionOutput, tlsNotAfterOutput } from "./derived";

export function jetStreamConnection(svc: ResolvedJetStreamService, res: JetStreamResources): IsbConnection {
    const names = svc.names;
    const caCertPem = res.caCertPem ?? pulumi.output("");
    const material = pulumi
        .all([res.credentials.user.result, res.credentials.password.result, caCertPem])
        .apply(([user, password, ca]) => ({ user, password, tlsEnabled: svc.jetstream.tls, caCertPem: ca }));
    return {
        type: pulumi.output("jetstream"),
        url: res.namespace.apply((ns) => `nats://${serviceHost(names.service, ns)}:${JS_PORTS.client}`),
        sentinelUrl: pulumi.output(""),
        masterName: pulumi.output(""),
        clusterMode: pulumi.output(false),
        user: res.credentials.user.result,
        password: pulumi.secret(res.credentials.password.result),
        credentialsSecretName: pulumi.output(names.clientAuthSecret),
        tlsEnabled: pulumi.output(svc.jetstream.tls),
        caCertPem,
        streamConfig: pulumi.output(renderStreamConfig(svc.jetstream.bufferConfig)),
        namespace: res.namespace,
        serviceName: pulumi.output(names.service),
        credentialsRevision: revisionOutput(material),
        tlsNotAfter: tlsNotAfterOutput(res.certificates),
    };
}
