/**
 * Generated credentials of a JetStream ISB service, as `@pulumi/random` resources. Alphabets are
 * letters and digits only: safe inside quoted NATS config strings, env values and URLs.
 * Rotate a credential with `pulumi up --replace <urn>`; the new value reaches the servers
 * through the reloader and the client Secret.
 */
import { ChildOptions } from "./child-options";
import * as pulumi from "@pulumi/pulumi";
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
        user: new random.RandomString(`${name}-js-user`, {
            length: CREDENTIAL_LENGTHS.user, special: false, upper: false, lower: true, numeric: true, minLower: 1,
        }, opts),
        password: createPassword(`${name}-js-password`, CREDENTIAL_LENGTHS.password, child),
        systemPassword: createPassword(`${name}-js-system-password`, CREDENTIAL_LENGTHS.systemPassword, child),
        encryptionKey: createPassword(`${name}-js-encryption-key`, CREDENTIAL_LENGTHS.encryptionKey, child),
    };
}
