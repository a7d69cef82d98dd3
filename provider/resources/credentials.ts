/**
 * Generated credentials of a JetStream ISB service, as `@pulumi/random` resources. Alphabets are
 * letters and digits only: safe inside quoted NATS config strings and URLs.
 *
 * Rotating the user or passwords (`pulumi up --replace <urn>`) reaches the servers through
 * auth.conf and the reloader; pipeline pods read the client Secret when they start. The
 * encryption key is different: nats-server reads it once at start, and a store written with one
 * key cannot be read with another, so it must never be replaced on a running service.
 */
import { ChildOptions } from "./child-options";
import * as random from "@pulumi/random";

/** The random resources behind the credentials. */
export interface CredentialResources {
    user: random.RandomString;
    password: random.RandomPassword;
    systemPassword: random.RandomPassword;
    encryptionKey: random.RandomPassword;
}

/** Lengths of generated values (upstream: user 8, password 16, system 24, key 12). */
export const CREDENTIAL_LENGTHS = { user: 12, password: 32, systemPassword: 32, encryptionKey: 48 } as const;

const ALNUM = { special: false, upper: true, lower: true, numeric: true, minUpper: 1, minLower: 1, minNumeric: 1 };

/** A password of letters and digits with at least one of each class. */
export function createPassword(resourceName: string, length: number, child: ChildOptions): random.RandomPassword {
    return new random.RandomPassword(resourceName, { length, ...ALNUM }, child);
}

export function createCredentials(name: string, child: ChildOptions): CredentialResources {
    const opts = child;
    return {
        // The user name is not secret (RandomString): it appears in the `user` output and in logs.
        user: new random.RandomString(
            `${name}-js-user`,
            {
                length: CREDENTIAL_LENGTHS.user,
                special: false,
                upper: false,
                lower: true,
                numeric: true,
                minLower: 1,
            },
            opts,
        ),
        password: createPassword(`${name}-js-password`, CREDENTIAL_LENGTHS.password, child),
        systemPassword: createPassword(`${name}-js-system-password`, CREDENTIAL_LENGTHS.systemPassword, child),
        // Letters only: nats-server parses the value of `key: $JS_KEY` as a config token, and a key such
        // as "1k2..." or "12M9..." would read as a malformed size and stop the server from starting.
        encryptionKey: new random.RandomPassword(
            `${name}-js-encryption-key`,
            {
                length: CREDENTIAL_LENGTHS.encryptionKey,
                special: false,
                numeric: false,
                upper: true,
                lower: true,
                minUpper: 1,
                minLower: 1,
            },
            opts,
        ),
    };
}
