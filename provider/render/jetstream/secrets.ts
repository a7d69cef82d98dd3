/**
 * Content of the two Secrets of a JetStream ISB service, rendered from generated credentials and
 * certificates. Values are plain strings here; the resource layer base64-encodes them and marks
 * them secret.
 */
import { ResolvedJetStreamService } from "../../args/resolve";
import { JetStreamCredentials, renderAuthConf } from "./auth-conf";
import { CLIENT_AUTH_KEYS, ENCRYPTION_KEY } from "./layout";
import { renderRoutesConf } from "./routes-conf";

/** PEM material of TLS-enabled services: one CA, a client-facing and a route certificate. */
export interface JetStreamTlsMaterial {
    caCertPem: string;
    serverCertPem: string;
    serverKeyPem: string;
    routeCertPem: string;
    routeKeyPem: string;
}

/** Generated values of the server Secret beyond the client credentials. */
export interface ServerSecrets {
    encryptionKey: string;
    /** Password of the route user (clustered services; rendered into routes.conf). */
    routePassword: string;
    /** The namespace (route URLs name the pods by their DNS names in it). */
    namespace: string;
}

/** Data of the server Secret (`isbsvc-<name>-js-server`): auth.conf, routes.conf, encryption key, certificates. */
export function renderServerSecretData(
    svc: ResolvedJetStreamService,
    creds: JetStreamCredentials,
    secrets: ServerSecrets,
    tls: JetStreamTlsMaterial | undefined,
): Record<string, string> {
    const data: Record<string, string> = { auth: renderAuthConf(creds), [ENCRYPTION_KEY]: secrets.encryptionKey };
    if (svc.jetstream.replicas > 1) data.routes = renderRoutesConf(svc, secrets.namespace, secrets.routePassword);
    if (svc.jetstream.tls) {
        if (!tls) throw new Error("TLS is enabled but no certificates were generated");
        Object.assign(data, {
            "ca-cert": tls.caCertPem,
            cert: tls.serverCertPem,
            "private-key": tls.serverKeyPem,
            ...(svc.jetstream.replicas > 1 && {
                "cluster-ca-cert": tls.caCertPem,
                "cluster-cert": tls.routeCertPem,
                "cluster-private-key": tls.routeKeyPem,
            }),
        });
    }
    return data;
}

/** Data of the client-auth Secret pipeline pods read: user, password and, with TLS, the CA to verify. */
export function renderClientAuthSecretData(creds: JetStreamCredentials, caCertPem: string | undefined): Record<string, string> {
    return {
        [CLIENT_AUTH_KEYS.user]: creds.user,
        [CLIENT_AUTH_KEYS.password]: creds.password,
        ...(caCertPem !== undefined && { [CLIENT_AUTH_KEYS.ca]: caCertPem }),
    };
}
