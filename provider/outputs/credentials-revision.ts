/**
 * `credentialsRevision`: a short, non-secret fingerprint of everything a client needs to
 * authenticate and verify the server — the user, the password, whether TLS is on and the CA
 * certificate. Pipeline stacks put it on their pod templates (an annotation), so their pods roll
 * when the ISB credentials rotate and never otherwise.
 *
 * Pure (no Pulumi imports) so other modes can reuse it.
 *
 * Why publishing it does not leak the password:
 * - Generated passwords (JetStream, native Redis) are 32 characters drawn uniformly from 62 letters
 *   and digits (resources/credentials.ts): about 190 bits of entropy. The revision keeps 64 bits of
 *   a SHA-256, so every revision value is shared by about 2^126 possible passwords: it cannot
 *   identify the password, and a search for a password matching it finds one of the 2^126 others.
 * - A user-given password (external Redis) may be short or guessable, and an unkeyed hash of it
 *   would let anyone holding the revision test guesses offline. It is therefore hashed with HMAC
 *   under a generated 32-character secret key (a `random` resource that never leaves the state as
 *   plain text), which makes the revision useless for testing guesses.
 * - The input is prefixed with a domain separator (`isbsvc/credentials-revision/v1`), so the value
 *   never equals another hash of the same material the component publishes (e.g. the pod-template
 *   checksum of render/checksum.ts) and cannot be replayed as one.
 */
import { createHash, createHmac } from "crypto";

/** Prefix of every hashed input: binds the hash to this use. */
export const CREDENTIALS_REVISION_DOMAIN = "isbsvc/credentials-revision/v1";

/** Hex characters kept (64 bits): short enough for an annotation, long enough never to collide by chance. */
export const CREDENTIALS_REVISION_LENGTH = 16;

/** What a client needs to connect: a change to any of these changes the revision. */
export interface CredentialMaterial {
    /** Client user (empty when there is none). */
    user: string;
    /** Client password (empty when the component does not know it, e.g. an external `passwordSecret`). */
    password: string;
    /** Whether clients must use TLS. */
    tlsEnabled: boolean;
    /** PEM of the CA clients verify the server against (empty without one). */
    caCertPem: string;
    /**
     * Where the password lives when the component never sees it (external Redis `passwordSecret`,
     * `<name>/<key>`); empty otherwise. Changing the reference changes the revision; a change of the
     * referenced Secret's content cannot.
     */
    passwordRef?: string;
}

/**
 * The revision of `m`: 16 hex digits of SHA-256 (or, with `key`, HMAC-SHA-256) over the domain
 * separator and a canonical, length-unambiguous encoding of the fields (JSON of a fixed-order array).
 * Deterministic: the same material (and key) always gives the same revision.
 */
export function credentialsRevision(m: CredentialMaterial, key?: string): string {
    const canonical = JSON.stringify([m.user, m.password, m.tlsEnabled, m.caCertPem, m.passwordRef ?? ""]);
    const input = `${CREDENTIALS_REVISION_DOMAIN}\n${canonical}`;
    const digest = key === undefined ? createHash("sha256").update(input) : createHmac("sha256", key).update(input);
    return digest.digest("hex").slice(0, CREDENTIALS_REVISION_LENGTH);
}
