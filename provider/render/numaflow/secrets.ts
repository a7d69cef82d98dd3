/**
 * The two Secrets the Numaflow controller looks for, in its format, filled with our generated
 * credentials and certificates (`provisioner: "numaflow"`).
 *
 * numaflow `pkg/reconciler/isbsvc/installer/jetstream.go` `createSecrets` reads
 * `isbsvc-<name>-js-server` and `isbsvc-<name>-js-client-auth`; when both exist it does nothing (it
 * never reads or rewrites their content), when only one exists it deletes it and generates both anew.
 * Key names: `pkg/apis/numaflow/v1alpha1/const.go` (`JetStreamServerSecretAuthKey` = `auth`,
 * `...EncryptionKey` = `encryption`, `JetStreamServerPrivateKeyKey` = `private-key`, `...CertKey` =
 * `cert`, `...CACertKey` = `ca-cert`, `JetStreamClusterPrivateKeyKey` = `cluster-private-key`,
 * `...ClusterCertKey` = `cluster-cert`, `...ClusterCACertKey` = `cluster-ca-cert`,
 * `JetStreamClientAuthSecretUserKey` = `client-auth-user`, `...PasswordKey` = `client-auth-password`).
 *
 * What the controller's pods read from them (`jetstream_buffer_service.go` `GetStatefulSetSpec`): the
 * projected config volume always takes `auth` → `auth.conf`, and with `tls` also the six certificate
 * keys (`server-key.pem`, `server-cert.pem`, `ca-cert.pem`, `cluster-server-key.pem`,
 * `cluster-server-cert.pem`, `cluster-ca-cert.pem`) whatever the replica count; env `JS_KEY` always
 * comes from `encryption`. The controller generates certificates even without TLS; we put them in
 * only with TLS (without it no pod reads them, and our Secret follows the `tls` argument on every up).
 */
import { JetStreamCredentials } from "../jetstream/auth-conf";
import { CLIENT_AUTH_KEYS, ENCRYPTION_KEY } from "../jetstream/layout";
import { JetStreamTlsMaterial } from "../jetstream/secrets";

/** Key names of the controller's server Secret (`const.go`). */
export const NUMAFLOW_SERVER_KEYS = {
    auth: "auth",
    encryption: ENCRYPTION_KEY,
    privateKey: "private-key",
    cert: "cert",
    caCert: "ca-cert",
    clusterPrivateKey: "cluster-private-key",
    clusterCert: "cluster-cert",
    clusterCaCert: "cluster-ca-cert",
} as const;

/** Key names of the controller's client-auth Secret (`const.go`); `ca.crt` is ours (the contract's CA for clients). */
export const NUMAFLOW_CLIENT_KEYS = CLIENT_AUTH_KEYS;

/** Where the controller projects the server certificate files (`GetStatefulSetSpec`, config volume at `/etc/nats-config`). */
export const NUMAFLOW_CONFIG_DIR = "/etc/nats-config";

const CREDENTIAL = /^[A-Za-z0-9]+$/;

/**
 * `auth.conf` in the shape of the controller's template (`installer/assets/jetstream/server-auth.conf`):
 * `system_account: sys`, account `js` with JetStream and our user, account `sys` with user `sys`, and
 * with TLS the client `tls {}` block the controller appends (`createSecrets` `authTlsConfig`).
 * @throws when a credential has characters outside [A-Za-z0-9] (they are quoted verbatim).
 */
export function renderNumaflowAuthConf(creds: JetStreamCredentials, tls: boolean): string {
    for (const [k, v] of Object.entries(creds)) {
        if (!CREDENTIAL.test(v)) throw new Error(`credential ${k} has characters outside [A-Za-z0-9]`);
    }
    const lines = [
        "system_account: sys",
        "",
        "accounts: {",
        '  "js": {',
        '    "jetstream": true,',
        '    "users": [',
        `      {"user": "${creds.user}", "pass": "${creds.password}"}`,
        "    ]",
        "  },",
        '  "sys": {',
        '    "users": [',
        `      {"user": "sys", "pass": "${creds.systemPassword}"}`,
        "    ]",
        "  }",
        "}",
    ];
    if (tls) {
        lines.push(
            "tls {",
            `  cert_file: "${NUMAFLOW_CONFIG_DIR}/server-cert.pem"`,
            `  key_file: "${NUMAFLOW_CONFIG_DIR}/server-key.pem"`,
            `  ca_file: "${NUMAFLOW_CONFIG_DIR}/ca-cert.pem"`,
            "}",
        );
    }
    return lines.join("\n") + "\n";
}

/** Data of `isbsvc-<name>-js-server`: `auth`, `encryption` and, with TLS, the six certificate keys. */
export function renderNumaflowServerSecretData(
    creds: JetStreamCredentials,
    encryptionKey: string,
    tls: JetStreamTlsMaterial | undefined,
): Record<string, string> {
    const k = NUMAFLOW_SERVER_KEYS;
    const data: Record<string, string> = { [k.auth]: renderNumaflowAuthConf(creds, tls !== undefined), [k.encryption]: encryptionKey };
    if (tls) {
        if (!tls.routeCertPem || !tls.routeKeyPem) throw new Error("TLS needs a route certificate: the controller projects cluster-* keys");
        Object.assign(data, {
            [k.privateKey]: tls.serverKeyPem,
            [k.cert]: tls.serverCertPem,
            [k.caCert]: tls.caCertPem,
            [k.clusterPrivateKey]: tls.routeKeyPem,
            [k.clusterCert]: tls.routeCertPem,
            [k.clusterCaCert]: tls.caCertPem,
        });
    }
    return data;
}

/** Data of `isbsvc-<name>-js-client-auth`: the controller's two keys, plus `ca.crt` with TLS (the contract's). */
export function renderNumaflowClientAuthSecretData(creds: JetStreamCredentials, caCertPem: string | undefined): Record<string, string> {
    return {
        [NUMAFLOW_CLIENT_KEYS.user]: creds.user,
        [NUMAFLOW_CLIENT_KEYS.password]: creds.password,
        ...(caCertPem !== undefined && { [NUMAFLOW_CLIENT_KEYS.ca]: caCertPem }),
    };
}
