/**
 * Renders `auth.conf`: the accounts and users of a JetStream ISB service. It contains the
 * passwords, so it is only ever stored in a Kubernetes Secret.
 */
import { natsString } from "./nats-conf";

/** Generated credentials of a JetStream ISB service. */
export interface JetStreamCredentials {
    /** Client user of the `js` account (the one pipelines use). */
    user: string;
    /** Its password. */
    password: string;
    /** Password of the `sys` user of the system account (monitoring and operations). */
    systemPassword: string;
}

/** Alphabet of generated credentials: safe inside a quoted NATS string and in URLs. */
export const CREDENTIAL_ALPHABET = /^[A-Za-z0-9]+$/;

/** Renders auth.conf. Throws if a credential has characters outside {@link CREDENTIAL_ALPHABET}. */
export function renderAuthConf(creds: JetStreamCredentials): string {
    for (const [k, v] of Object.entries(creds)) {
        if (!CREDENTIAL_ALPHABET.test(v)) throw new Error(`credential ${k} has characters outside [A-Za-z0-9]`);
    }
    return [
        "# Accounts of the ISB service, rendered by isbsvc. Edits are overwritten.",
        "system_account: sys",
        "accounts {",
        "  js {",
        "    jetstream: enabled",
        `    users: [ { user: ${natsString(creds.user)}, password: ${natsString(creds.password)} } ]`,
        "  }",
        "  sys {",
        `    users: [ { user: "sys", password: ${natsString(creds.systemPassword)} } ]`,
        "  }",
        "}",
        "",
    ].join("\n");
}
