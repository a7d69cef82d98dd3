/**
 * Fake implementations of the `@pulumi/random` and `@pulumi/tls` resource
 * providers, for use from `pulumi.runtime.setMocks(...).newResource`.
 *
 * The fakes mirror the behaviour of the Terraform providers that back those
 * Pulumi packages (terraform-provider-random `internal/random/string.go`,
 * terraform-provider-tls `common_cert.go` / `common_key.go` and the resource
 * files): inputs are validated the same way, defaults are filled in, and the
 * computed outputs are *real* material — crypto-random passwords, real key
 * pairs, real X.509 certificates and PKCS#10 requests — so tests can, e.g.,
 * start a TLS server with the generated certificates.
 *
 * Deliberate differences from the real providers are called out in comments
 * (search for "DIFFERENCE").
 */
import "reflect-metadata";
import * as crypto from "node:crypto";
import * as net from "node:net";
import * as x509 from "@peculiar/x509";

// Inputs as handed to mocks (plain JSON-ish values).

type Inputs = Record<string, any>;

type State = Record<string, any>;

const webcrypto = crypto.webcrypto;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);

/** Pulumi type tokens handled by {@link fakeProviderState}. */
export const FAKE_PROVIDER_TYPES = {
    randomPassword: "random:index/randomPassword:RandomPassword",
    randomString: "random:index/randomString:RandomString",
    randomBytes: "random:index/randomBytes:RandomBytes",
    privateKey: "tls:index/privateKey:PrivateKey",
    selfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
    certRequest: "tls:index/certRequest:CertRequest",
    locallySignedCert: "tls:index/locallySignedCert:LocallySignedCert",
} as const;

/**
 * Computes the full output state (inputs echoed, defaults filled in, computed
 * outputs added) that the real provider would return when creating a resource
 * of the given type.
 *
 * @param type - Pulumi type token, e.g. `tls:index/privateKey:PrivateKey`.
 * @param inputs - The resource inputs as received by the mock.
 * @returns The output state, or `undefined` when `type` is not one of
 *   {@link FAKE_PROVIDER_TYPES} (so callers can fall through to other mocks).
 * @throws Error when the inputs are rejected, mirroring the provider's
 *   validation errors.
 */
export async function fakeProviderState(type: string, inputs: Inputs): Promise<State | undefined> {
    const compute = STATE_FUNCTIONS[type];
    if (!compute) return undefined;
    // During a preview an input may still be unknown; like the engine, leave the
    // computed outputs unknown (absent) and only echo the inputs.
    if (containsUnknown(inputs)) return echoInputs(inputs);
    // Mocks receive secret inputs (e.g. a PrivateKey's privateKeyPem) wrapped in the
    // secret signature; providers see plain values. Compute on the plain values, then
    // echo the original inputs over the result (which only adds defaults and computed
    // outputs) so their secretness is preserved in the state.
    return { ...(await compute(unwrapSecrets(inputs) as Inputs)), ...echoInputs(inputs) };
}

/**
 * Outputs the Pulumi SDK declares as `additionalSecretOutputs` for each faked type.
 * The engine applies these, but `pulumi.runtime.setMocks` does not; see {@link markSecretOutputs}.
 */
export const FAKE_SECRET_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
    [FAKE_PROVIDER_TYPES.randomPassword]: ["bcryptHash", "result"],
    [FAKE_PROVIDER_TYPES.randomBytes]: ["base64", "hex"],
    [FAKE_PROVIDER_TYPES.privateKey]: ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"],
    [FAKE_PROVIDER_TYPES.selfSignedCert]: ["privateKeyPem", "privateKeyPemWo"],
    [FAKE_PROVIDER_TYPES.certRequest]: ["privateKeyPem", "privateKeyPemWo"],
    [FAKE_PROVIDER_TYPES.locallySignedCert]: ["caPrivateKeyPem", "caPrivateKeyPemWo"],
};

/**
 * Wraps the outputs listed in {@link FAKE_SECRET_OUTPUTS} for `type` in Pulumi's secret
 * signature, so a mock's answer makes them secret as the real engine would.
 *
 * @param type - Pulumi type token.
 * @param state - State as returned by {@link fakeProviderState}.
 * @returns A copy of `state` with those outputs secret (already-secret values are left alone).
 */
export function markSecretOutputs(type: string, state: State): State {
    const out: State = { ...state };
    for (const name of FAKE_SECRET_OUTPUTS[type] ?? []) {
        const v = out[name];
        if (v === undefined || v === UNKNOWN_VALUE || (v !== null && typeof v === "object" && v[SPECIAL_SIG_KEY] === SECRET_SIG)) continue;
        out[name] = { [SPECIAL_SIG_KEY]: SECRET_SIG, value: v };
    }
    return out;
}

const STATE_FUNCTIONS: Record<string, (inputs: Inputs) => State | Promise<State>> = {
    [FAKE_PROVIDER_TYPES.randomPassword]: randomPasswordState,
    [FAKE_PROVIDER_TYPES.randomString]: randomStringState,
    [FAKE_PROVIDER_TYPES.randomBytes]: randomBytesState,
    [FAKE_PROVIDER_TYPES.privateKey]: privateKeyState,
    [FAKE_PROVIDER_TYPES.selfSignedCert]: selfSignedCertState,
    [FAKE_PROVIDER_TYPES.certRequest]: certRequestState,
    [FAKE_PROVIDER_TYPES.locallySignedCert]: locallySignedCertState,
};

/** Pulumi's wire signature for secret values (`{ [SIG]: SECRET_SIG, value }`). */
const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Pulumi's wire value for an unknown (preview-time) value. */
const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN_VALUE) return true;
    if (value === null || typeof value !== "object") return false;
    return Object.values(value as Record<string, unknown>).some(containsUnknown);
}

function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value === null || typeof value !== "object") return value;
    const obj = value as Record<string, unknown>;
    if (obj[SPECIAL_SIG_KEY] === SECRET_SIG) return unwrapSecrets(obj.value);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/** Inputs that are set, minus write-only attributes (`*Wo`), which the provider never stores in state. */
function echoInputs(inputs: Inputs): State {
    return Object.fromEntries(Object.entries(inputs).filter(([k, v]) => v !== undefined && v !== null && !/Wo$/.test(k)));
}

// ---------------------------------------------------------------------------
// Input helpers
// ---------------------------------------------------------------------------

function optBool(inputs: Inputs, name: string, dflt: boolean): boolean {
    const v = inputs[name];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "boolean") throw new Error(`Invalid attribute ${name}: expected a boolean, got ${JSON.stringify(v)}`);
    return v;
}

function optInt(inputs: Inputs, name: string, dflt: number | undefined): number | undefined {
    const v = inputs[name];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "number" || !Number.isInteger(v)) {
        throw new Error(`Invalid attribute ${name}: expected an integer, got ${JSON.stringify(v)}`);
    }
    return v;
}

function reqInt(inputs: Inputs, name: string): number {
    const v = optInt(inputs, name, undefined);
    if (v === undefined) throw new Error(`Missing required argument: The argument "${name}" is required, but no definition was found.`);
    return v;
}

function atLeast(name: string, value: number, min: number): void {
    if (value < min) throw new Error(`Invalid Attribute Value: Attribute ${name} value must be at least ${min}, got: ${value}`);
}

function optString(inputs: Inputs, name: string): string | undefined {
    const v = inputs[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new Error(`Invalid attribute ${name}: expected a string, got ${JSON.stringify(v)}`);
    return v;
}

function reqString(inputs: Inputs, name: string): string {
    const v = optString(inputs, name);
    if (v === undefined) throw new Error(`Missing required argument: The argument "${name}" is required, but no definition was found.`);
    return v;
}

function optStringList(inputs: Inputs, name: string): string[] {
    const v = inputs[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((e) => typeof e !== "string")) {
        throw new Error(`Invalid attribute ${name}: expected a list of strings, got ${JSON.stringify(v)}`);
    }
    return v as string[];
}

// ---------------------------------------------------------------------------
// random: RandomPassword / RandomString / RandomBytes
// ---------------------------------------------------------------------------

const UPPER_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER_CHARS = "abcdefghijklmnopqrstuvwxyz";
const NUMERIC_CHARS = "0123456789";
const DEFAULT_SPECIAL_CHARS = "!@#$%&*()-_=+[]{}<>:?";

interface StringParams {
    length: number;
    upper: boolean;
    lower: boolean;
    numeric: boolean;
    special: boolean;
    minUpper: number;
    minLower: number;
    minNumeric: number;
    minSpecial: number;
    overrideSpecial: string | undefined;
}

function readStringParams(inputs: Inputs): StringParams {
    const length = reqInt(inputs, "length");
    // `number` is the deprecated alias of `numeric`; the provider keeps both in sync.
    const numeric = optBool(inputs, "numeric", optBool(inputs, "number", true));
    const p: StringParams = {
        length,
        upper: optBool(inputs, "upper", true),
        lower: optBool(inputs, "lower", true),
        numeric,
        special: optBool(inputs, "special", true),
        minUpper: optInt(inputs, "minUpper", 0) as number,
        minLower: optInt(inputs, "minLower", 0) as number,
        minNumeric: optInt(inputs, "minNumeric", 0) as number,
        minSpecial: optInt(inputs, "minSpecial", 0) as number,
        overrideSpecial: optString(inputs, "overrideSpecial"),
    };
    validateStringParams(p);
    return p;
}

function validateStringParams(p: StringParams): void {
    atLeast("length", p.length, 1);
    for (const [name, v] of [
        ["minUpper", p.minUpper],
        ["minLower", p.minLower],
        ["minNumeric", p.minNumeric],
        ["minSpecial", p.minSpecial],
    ] as const) {
        atLeast(name, v, 0);
    }
    const sum = p.minUpper + p.minLower + p.minNumeric + p.minSpecial;
    if (p.length < sum) {
        throw new Error(
            `Invalid Attribute Value: Attribute length value must be at least sum of minUpper + minLower + minNumeric + minSpecial (${sum}), got: ${p.length}`,
        );
    }
    if (!p.upper && !p.lower && !p.numeric && !p.special) {
        throw new Error(
            "Invalid Attribute Combination: At least one attribute out of [special, upper, lower, numeric] must be set to true " +
                "(the character set specified is empty)",
        );
    }
}

/** Picks `count` characters uniformly (crypto RNG) from `charSet`. */
function randomChars(charSet: string[], count: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(charSet[crypto.randomInt(charSet.length)]);
    return out;
}

/** In-place Fisher–Yates shuffle driven by the crypto RNG. */
function shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
        const j = crypto.randomInt(i + 1);
        [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
}

/**
 * Same algorithm as terraform-provider-random `CreateString`: the minimums are
 * drawn from their own class first (like the provider, even when that class is
 * disabled), the rest from the union of the enabled classes, then the result is
 * shuffled. DIFFERENCE: the provider shuffles by sorting on random bytes (slightly
 * biased); we use an unbiased Fisher–Yates shuffle.
 */
function createString(p: StringParams): string {
    const special = p.overrideSpecial ? p.overrideSpecial : DEFAULT_SPECIAL_CHARS;
    let union = "";
    if (p.upper) union += UPPER_CHARS;
    if (p.lower) union += LOWER_CHARS;
    if (p.numeric) union += NUMERIC_CHARS;
    if (p.special) union += special;
    const result: string[] = [
        ...randomChars([...NUMERIC_CHARS], p.minNumeric),
        ...randomChars([...LOWER_CHARS], p.minLower),
        ...randomChars([...UPPER_CHARS], p.minUpper),
        ...randomChars([...special], p.minSpecial),
    ];
    result.push(...randomChars([...union], p.length - result.length));
    return shuffle(result).join("");
}

function stringState(inputs: Inputs): State {
    const p = readStringParams(inputs);
    const state: State = {
        length: p.length,
        upper: p.upper,
        lower: p.lower,
        numeric: p.numeric,
        number: p.numeric,
        special: p.special,
        minUpper: p.minUpper,
        minLower: p.minLower,
        minNumeric: p.minNumeric,
        minSpecial: p.minSpecial,
        result: createString(p),
    };
    return state;
}

function randomStringState(inputs: Inputs): State {
    return stringState(inputs);
}

/**
 * bcrypt hash of the password, like the provider (cost 10, first 72 bytes).
 * `bcryptjs` is not a dependency of this repo; when it is resolvable we use it,
 * otherwise bcryptHash is a clearly labelled stand-in
 * `mock-bcrypt:<sha256 hex of result>` — NOT a bcrypt hash.
 */
function bcryptHash(password: string): string {
    const bytes = Buffer.from(password, "utf8").subarray(0, 72);
    try {
        const bcrypt = require("bcryptjs") as { hashSync(s: string, rounds: number): string };
        return bcrypt.hashSync(bytes.toString("utf8"), 10);
    } catch {
        return `mock-bcrypt:${crypto.createHash("sha256").update(password, "utf8").digest("hex")}`;
    }
}

function randomPasswordState(inputs: Inputs): State {
    const state = stringState(inputs);
    state.bcryptHash = bcryptHash(state.result as string);
    return state;
}

function randomBytesState(inputs: Inputs): State {
    const length = reqInt(inputs, "length");
    atLeast("length", length, 1);
    const bytes = crypto.randomBytes(length);
    return { length, base64: bytes.toString("base64"), hex: bytes.toString("hex") };
}

// ---------------------------------------------------------------------------
// tls: keys
// ---------------------------------------------------------------------------

type KeyAlgorithm = "RSA" | "ECDSA" | "ED25519";
type CurveName = "P224" | "P256" | "P384" | "P521";

interface CurveInfo {
    /** OpenSSL name, as reported by `KeyObject.asymmetricKeyDetails.namedCurve`. */
    openssl: string;
    /** WebCrypto curve name; absent when WebCrypto cannot use the curve. */
    web?: "P-256" | "P-384" | "P-521";
    /** SSH curve identifier; absent when x/crypto/ssh does not support the curve. */
    ssh?: string;
    /** Hash Go's x509 uses for ECDSA signatures with this curve. */
    hash: "SHA-256" | "SHA-384" | "SHA-512";
}

const CURVES: Record<CurveName, CurveInfo> = {
    P224: { openssl: "secp224r1", hash: "SHA-256" },
    P256: { openssl: "prime256v1", web: "P-256", ssh: "nistp256", hash: "SHA-256" },
    P384: { openssl: "secp384r1", web: "P-384", ssh: "nistp384", hash: "SHA-384" },
    P521: { openssl: "secp521r1", web: "P-521", ssh: "nistp521", hash: "SHA-512" },
};

/** A parsed private key together with the provider's notion of its algorithm. */
interface ParsedKey {
    algorithm: KeyAlgorithm;
    privateKey: crypto.KeyObject;
    publicKey: crypto.KeyObject;
    curve?: CurveName;
}

function describeKey(privateKey: crypto.KeyObject): ParsedKey {
    const publicKey = crypto.createPublicKey(privateKey);
    switch (privateKey.asymmetricKeyType) {
        case "rsa":
            return { algorithm: "RSA", privateKey, publicKey };
        case "ed25519":
            return { algorithm: "ED25519", privateKey, publicKey };
        case "ec": {
            const openssl = privateKey.asymmetricKeyDetails?.namedCurve;
            const curve = (Object.keys(CURVES) as CurveName[]).find((c) => CURVES[c].openssl === openssl);
            if (!curve) throw new Error(`unsupported ECDSA curve ${openssl}`);
            return { algorithm: "ECDSA", privateKey, publicKey, curve };
        }
        default:
            throw new Error(`unsupported private key type: ${privateKey.asymmetricKeyType}`);
    }
}

function pemType(pem: string): string | undefined {
    return /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
}

/** Parses a private key PEM the way the provider does (PKCS#1, SEC1 or PKCS#8). */
function parsePrivateKeyPem(pem: string, what: string): ParsedKey {
    const type = pemType(pem);
    if (!type) throw new Error(`Failed to parse ${what}: failed to decode PEM block`);
    if (!["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY"].includes(type)) {
        throw new Error(`Failed to parse ${what}: unable to determine parser for PEM preamble: ${type}`);
    }
    let key: crypto.KeyObject;
    try {
        key = crypto.createPrivateKey(pem);
    } catch (e) {
        throw new Error(`Failed to parse ${what}: failed to parse private key given PEM preamble '${type}': ${(e as Error).message}`);
    }
    return describeKey(key);
}

function pemEncode(label: string, der: Buffer): string {
    const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
    return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function jwkBytes(key: crypto.KeyObject, field: "n" | "e" | "d" | "p" | "q" | "qi" | "x" | "y"): Buffer {
    const value = key.export({ format: "jwk" })[field];
    if (typeof value !== "string") throw new Error(`key has no JWK field ${field}`);
    return Buffer.from(value, "base64url");
}

function sshUint32(n: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    return b;
}

function sshString(data: Buffer | string): Buffer {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    return Buffer.concat([sshUint32(buf.length), buf]);
}

/** SSH mpint (RFC 4251) of an unsigned big-endian integer. */
function sshMpint(unsigned: Buffer): Buffer {
    let i = 0;
    while (i < unsigned.length && unsigned[i] === 0) i++;
    let body = unsigned.subarray(i);
    if (body.length > 0 && body[0] & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return sshString(body);
}

function ecPoint(publicKey: crypto.KeyObject): Buffer {
    return Buffer.concat([Buffer.from([0x04]), jwkBytes(publicKey, "x"), jwkBytes(publicKey, "y")]);
}

function sshKeyType(key: ParsedKey): string | undefined {
    if (key.algorithm === "RSA") return "ssh-rsa";
    if (key.algorithm === "ED25519") return "ssh-ed25519";
    const ssh = CURVES[key.curve as CurveName].ssh;
    return ssh ? `ecdsa-sha2-${ssh}` : undefined;
}

/** SSH wire-format public key blob, or undefined for keys x/crypto/ssh rejects (ECDSA P224). */
function sshPublicBlob(key: ParsedKey): Buffer | undefined {
    const keyType = sshKeyType(key);
    if (!keyType) return undefined;
    const pub = key.publicKey;
    switch (key.algorithm) {
        case "RSA":
            return Buffer.concat([sshString(keyType), sshMpint(jwkBytes(pub, "e")), sshMpint(jwkBytes(pub, "n"))]);
        case "ED25519":
            return Buffer.concat([sshString(keyType), sshString(jwkBytes(pub, "x"))]);
        case "ECDSA":
            return Buffer.concat([sshString(keyType), sshString(CURVES[key.curve as CurveName].ssh as string), sshString(ecPoint(pub))]);
    }
}

/** Private part of an openssh-key-v1 private section for the key. */
function sshPrivateFields(key: ParsedKey, keyType: string): Buffer {
    const prv = key.privateKey;
    switch (key.algorithm) {
        case "RSA":
            return Buffer.concat([
                sshString(keyType),
                ...(["n", "e", "d", "qi", "p", "q"] as const).map((f) => sshMpint(jwkBytes(prv, f))),
            ]);
        case "ED25519": {
            const pub = jwkBytes(prv, "x");
            return Buffer.concat([sshString(keyType), sshString(pub), sshString(Buffer.concat([jwkBytes(prv, "d"), pub]))]);
        }
        case "ECDSA":
            return Buffer.concat([
                sshString(keyType),
                sshString(CURVES[key.curve as CurveName].ssh as string),
                sshString(ecPoint(key.publicKey)),
                sshMpint(jwkBytes(prv, "d")),
            ]);
    }
}

/** Unencrypted OpenSSH private key ("openssh-key-v1"), as x/crypto/ssh MarshalPrivateKey writes it. */
function opensshPrivateKey(key: ParsedKey, comment: string): string {
    const keyType = sshKeyType(key);
    const pubBlob = sshPublicBlob(key);
    if (!keyType || !pubBlob) return "";
    const check = crypto.randomBytes(4);
    let priv = Buffer.concat([check, check, sshPrivateFields(key, keyType), sshString(comment)]);
    const pad: number[] = [];
    for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
    priv = Buffer.concat([priv, Buffer.from(pad)]);
    const body = Buffer.concat([
        Buffer.from("openssh-key-v1\0", "latin1"),
        sshString("none"),
        sshString("none"),
        sshString(""),
        sshUint32(1),
        sshString(pubBlob),
        sshString(priv),
    ]);
    return pemEncode("OPENSSH PRIVATE KEY", body);
}

/** public_key_openssh / fingerprints, empty strings when unsupported (like the provider for P224). */
function sshPublicAttributes(key: ParsedKey): State {
    const blob = sshPublicBlob(key);
    if (!blob) return { publicKeyOpenssh: "", publicKeyFingerprintMd5: "", publicKeyFingerprintSha256: "" };
    const md5 = crypto.createHash("md5").update(blob).digest("hex");
    return {
        publicKeyOpenssh: `${sshKeyType(key)} ${blob.toString("base64")}\n`,
        publicKeyFingerprintMd5: (md5.match(/../g) as string[]).join(":"),
        publicKeyFingerprintSha256: `SHA256:${crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`,
    };
}

/**
 * A freshly generated private key as a KeyObject of its own, not the one `generateKeyPairSync`
 * returns. Node 20's `generateKeyPairSync` leaves behind a key-generation job that shares the key's
 * mutex; when a garbage collection runs while `export({ format: "jwk" })` of that same key holds the
 * mutex (it allocates the JWK strings under the lock), the job's destructor, run by the collector on
 * the same thread, waits for that mutex for ever: the process hangs idle (main thread in
 * `__lll_lock_wait` under `KeyGenJob<EcKeyGenTraits>::~KeyGenJob`, called from
 * `Heap::CollectGarbage` inside `KeyObjectHandle::ExportJWK` → `ExportJWKEcKey`, seen with gdb on a
 * hung unit run). This was the unexplained hang of long unit and day-2 matrix runs. Generating the
 * key as DER and importing it gives a KeyObject no job refers to (reproduced: 20,000 ECDSA keys with
 * JWK export hang before 10,000 the first way, finish this way; tests/sim/fake-providers.test.ts).
 */
export function generateKeyPairDetached(
    type: "rsa" | "ec" | "ed25519",
    options: { modulusLength?: number; namedCurve?: string },
): crypto.KeyObject {
    const der = crypto.generateKeyPairSync(type as "rsa", {
        ...(options as { modulusLength: number }),
        publicKeyEncoding: { type: "spki", format: "der" },
        privateKeyEncoding: { type: "pkcs8", format: "der" },
    }).privateKey;
    return crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" });
}

function generateKey(algorithm: string, rsaBits: number, ecdsaCurve: string): crypto.KeyObject {
    switch (algorithm) {
        case "RSA":
            // Go >= 1.24 (which the provider is built with) refuses RSA keys below 1024 bits.
            if (rsaBits < 1024) {
                throw new Error(`Unable to generate Key from configuration: crypto/rsa: ${rsaBits}-bit keys are insecure`);
            }
            return generateKeyPairDetached("rsa", { modulusLength: rsaBits });
        case "ECDSA": {
            const curve = CURVES[ecdsaCurve as CurveName];
            if (!curve) {
                throw new Error(
                    `Unable to generate Key from configuration: invalid ECDSA curve; supported values are: ${Object.keys(CURVES).join(", ")}`,
                );
            }
            return generateKeyPairDetached("ec", { namedCurve: curve.openssl });
        }
        case "ED25519":
            return generateKeyPairDetached("ed25519", {});
        default:
            throw new Error(`Invalid Key Algorithm: Key Algorithm "${algorithm}" is not supported`);
    }
}

function privateKeyState(inputs: Inputs): State {
    const algorithm = reqString(inputs, "algorithm");
    const rsaBits = optInt(inputs, "rsaBits", 2048) as number;
    const ecdsaCurve = optString(inputs, "ecdsaCurve") ?? "P224";
    const key = describeKey(generateKey(algorithm, rsaBits, ecdsaCurve));
    const pkcs8 = key.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    let privateKeyPem: string;
    if (key.algorithm === "RSA") privateKeyPem = key.privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    else if (key.algorithm === "ECDSA") privateKeyPem = key.privateKey.export({ type: "sec1", format: "pem" }) as string;
    else privateKeyPem = pkcs8;
    return {
        algorithm,
        rsaBits,
        ecdsaCurve,
        privateKeyPem,
        privateKeyPemPkcs8: pkcs8,
        privateKeyOpenssh: opensshPrivateKey(key, optString(inputs, "opensshComment") ?? ""),
        publicKeyPem: key.publicKey.export({ type: "spki", format: "pem" }) as string,
        ...sshPublicAttributes(key),
    };
}

// ---------------------------------------------------------------------------
// tls: WebCrypto bridge
// ---------------------------------------------------------------------------

type WebKey = crypto.webcrypto.CryptoKey;
type WebKeyPair = crypto.webcrypto.CryptoKeyPair;
type WebImportAlgorithm = crypto.webcrypto.RsaHashedImportParams | crypto.webcrypto.EcKeyImportParams | crypto.webcrypto.Algorithm;
type WebSignAlgorithm = crypto.webcrypto.Algorithm | crypto.webcrypto.EcdsaParams;

/** Import parameters and the signature algorithm Go's x509 would pick for the key. */
function webAlgorithms(key: ParsedKey): { importAlg: WebImportAlgorithm; signAlg: WebSignAlgorithm } {
    switch (key.algorithm) {
        case "RSA":
            return { importAlg: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, signAlg: { name: "RSASSA-PKCS1-v1_5" } };
        case "ED25519":
            return { importAlg: { name: "Ed25519" }, signAlg: { name: "Ed25519" } };
        case "ECDSA": {
            const curve = CURVES[key.curve as CurveName];
            if (!curve.web) throw new Error(`ECDSA ${key.curve} is not supported by this mock`);
            return { importAlg: { name: "ECDSA", namedCurve: curve.web }, signAlg: { name: "ECDSA", hash: curve.hash } };
        }
    }
}

async function toWebKeys(key: ParsedKey): Promise<{ keys: WebKeyPair; signAlg: WebSignAlgorithm }> {
    const { importAlg, signAlg } = webAlgorithms(key);
    const pkcs8 = key.privateKey.export({ type: "pkcs8", format: "der" });
    const spki = key.publicKey.export({ type: "spki", format: "der" });
    const privateKey: WebKey = await webcrypto.subtle.importKey("pkcs8", pkcs8, importAlg, false, ["sign"]);
    const publicKey: WebKey = await webcrypto.subtle.importKey("spki", spki, importAlg, true, ["verify"]);
    return { keys: { privateKey, publicKey }, signAlg };
}

// ---------------------------------------------------------------------------
// tls: certificate building blocks
// ---------------------------------------------------------------------------

const KEY_USAGES: Record<string, x509.KeyUsageFlags> = {
    digital_signature: x509.KeyUsageFlags.digitalSignature,
    content_commitment: x509.KeyUsageFlags.nonRepudiation,
    key_encipherment: x509.KeyUsageFlags.keyEncipherment,
    data_encipherment: x509.KeyUsageFlags.dataEncipherment,
    key_agreement: x509.KeyUsageFlags.keyAgreement,
    cert_signing: x509.KeyUsageFlags.keyCertSign,
    crl_signing: x509.KeyUsageFlags.cRLSign,
    encipher_only: x509.KeyUsageFlags.encipherOnly,
    decipher_only: x509.KeyUsageFlags.decipherOnly,
};

const EXT_KEY_USAGES: Record<string, string> = {
    any_extended: "2.5.29.37.0",
    server_auth: "1.3.6.1.5.5.7.3.1",
    client_auth: "1.3.6.1.5.5.7.3.2",
    code_signing: "1.3.6.1.5.5.7.3.3",
    email_protection: "1.3.6.1.5.5.7.3.4",
    ipsec_end_system: "1.3.6.1.5.5.7.3.5",
    ipsec_tunnel: "1.3.6.1.5.5.7.3.6",
    ipsec_user: "1.3.6.1.5.5.7.3.7",
    timestamping: "1.3.6.1.5.5.7.3.8",
    ocsp_signing: "1.3.6.1.5.5.7.3.9",
    microsoft_server_gated_crypto: "1.3.6.1.4.1.311.10.3.3",
    netscape_server_gated_crypto: "2.16.840.1.113730.4.1",
    microsoft_commercial_code_signing: "1.3.6.1.4.1.311.2.1.22",
    microsoft_kernel_code_signing: "1.3.6.1.4.1.311.61.1.1",
};

interface CertSettings {
    validityPeriodHours: number;
    earlyRenewalHours: number;
    allowedUses: string[];
    isCaCertificate: boolean;
    maxPathLength: number | undefined;
    setSubjectKeyId: boolean;
}

function readCertSettings(inputs: Inputs): CertSettings {
    const validityPeriodHours = reqInt(inputs, "validityPeriodHours");
    atLeast("validityPeriodHours", validityPeriodHours, 0);
    const earlyRenewalHours = optInt(inputs, "earlyRenewalHours", 0) as number;
    atLeast("earlyRenewalHours", earlyRenewalHours, 0);
    const maxPathLength = optInt(inputs, "maxPathLength", undefined);
    if (maxPathLength !== undefined) atLeast("maxPathLength", maxPathLength, -1);
    if (inputs.allowedUses === undefined || inputs.allowedUses === null) {
        throw new Error('Missing required argument: The argument "allowedUses" is required, but no definition was found.');
    }
    const allowedUses = optStringList(inputs, "allowedUses");
    // DIFFERENCE: the current provider silently ignores unknown usages; we reject them to catch typos.
    const unknown = allowedUses.filter((u) => !(u in KEY_USAGES) && !(u in EXT_KEY_USAGES));
    if (unknown.length > 0) {
        const supported = [...Object.keys(KEY_USAGES), ...Object.keys(EXT_KEY_USAGES)].sort().join(", ");
        throw new Error(
            `Invalid Attribute Value: allowedUses contains unsupported value(s) ${unknown.join(", ")}; supported values are: ${supported}`,
        );
    }
    return {
        validityPeriodHours,
        earlyRenewalHours,
        allowedUses,
        isCaCertificate: optBool(inputs, "isCaCertificate", false),
        maxPathLength,
        setSubjectKeyId: optBool(inputs, "setSubjectKeyId", false),
    };
}

type NameValue = { printableString: string } | { utf8String: string } | { ia5String: string };

/** Go's asn1 rule: PrintableString when possible, else UTF8String. */
function dnValue(s: string): NameValue {
    return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s) ? { printableString: s } : { utf8String: s };
}

/**
 * Builds the subject Name in the order Go's `pkix.Name.ToRDNSequence` emits it:
 * C, ST, L, STREET, PostalCode, O, OU, CN, SERIALNUMBER, then emailAddress.
 */
function subjectName(subject: unknown): x509.Name {
    const rdns: Record<string, NameValue[]>[] = [];
    if (subject !== undefined && subject !== null) {
        if (typeof subject !== "object" || Array.isArray(subject)) throw new Error("Invalid attribute subject: expected an object");
        const s = subject as Record<string, unknown>;
        const single = (field: string, oid: string, toValue: (v: string) => NameValue = dnValue): void => {
            const v = s[field];
            if (v === undefined || v === null || v === "") return;
            if (typeof v !== "string") throw new Error(`Invalid attribute subject.${field}: expected a string`);
            rdns.push({ [oid]: [toValue(v)] });
        };
        single("country", "2.5.4.6");
        single("province", "2.5.4.8");
        single("locality", "2.5.4.7");
        const streets = optStringList(s as Inputs, "streetAddresses");
        if (streets.length > 0) rdns.push({ "2.5.4.9": streets.map(dnValue) });
        single("postalCode", "2.5.4.17");
        single("organization", "2.5.4.10");
        single("organizationalUnit", "2.5.4.11");
        single("commonName", "2.5.4.3");
        single("serialNumber", "2.5.4.5");
        single("emailAddress", "1.2.840.113549.1.9.1", (v) => ({ ia5String: v }));
    }
    // The JSON form with explicit string types is accepted at runtime; the typings only model plain strings.
    return new x509.Name(rdns as unknown as x509.JsonName);
}

/** Normalises an IP address like Go's net.ParseIP (+ To4 for IPv4-mapped addresses). */
function normalizeIp(ip: string): string {
    const version = ip.includes("%") ? 0 : net.isIP(ip);
    if (version === 4) return ip;
    if (version !== 6) throw new Error(`Invalid IP address: Failed to parse "${ip}"`);
    let text = ip;
    const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4Tail) {
        const b = v4Tail[1].split(".").map(Number);
        text = text.slice(0, -v4Tail[1].length) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
    }
    const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
    const left = head ? head.split(":") : [];
    const right = tail ? tail.split(":") : [];
    const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
    const words = groups.map((g) => parseInt(g, 16));
    if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
        return `${words[6] >> 8}.${words[6] & 0xff}.${words[7] >> 8}.${words[7] & 0xff}`;
    }
    return words.map((w) => w.toString(16)).join(":");
}

interface SanNames {
    dns: string[];
    ip: string[];
    uri: string[];
}

function sanExtension(names: SanNames, critical: boolean): x509.Extension | undefined {
    // Go's marshalSANs order: DNS names, (emails), IP addresses, URIs.
    const json: x509.JsonGeneralNames = [
        ...names.dns.map((value) => ({ type: "dns" as const, value })),
        ...names.ip.map((value) => ({ type: "ip" as const, value })),
        ...names.uri.map((value) => ({ type: "url" as const, value })),
    ];
    return json.length > 0 ? new x509.SubjectAlternativeNameExtension(json, critical) : undefined;
}

function readSanInputs(inputs: Inputs): SanNames {
    return {
        dns: optStringList(inputs, "dnsNames"),
        ip: optStringList(inputs, "ipAddresses").map(normalizeIp),
        uri: optStringList(inputs, "uris"),
    };
}

/** Subject key identifier exactly as the provider's `generateSubjectKeyID` computes it (SHA-1). */
function terraformKeyId(publicKey: crypto.KeyObject): string {
    let material: Buffer;
    switch (publicKey.asymmetricKeyType) {
        case "rsa":
            material = publicKey.export({ type: "pkcs1", format: "der" });
            break;
        case "ec":
            material = ecPoint(publicKey);
            break;
        case "ed25519":
            // asn1.Marshal(ed25519.PublicKey) is an OCTET STRING of the 32 raw bytes.
            material = Buffer.concat([Buffer.from([0x04, 0x20]), jwkBytes(publicKey, "x")]);
            break;
        default:
            throw new Error(`Failed to generate subject key identifier: unsupported public key type ${publicKey.asymmetricKeyType}`);
    }
    return crypto.createHash("sha1").update(material).digest("hex");
}

interface ExtensionPlan {
    settings: CertSettings;
    sans: SanNames;
    subjectEmpty: boolean;
    subjectKeyId?: string;
    authorityKeyId?: string;
}

/** Extensions in the order Go's `buildCertExtensions` writes them. */
function certExtensions(plan: ExtensionPlan): x509.Extension[] {
    const { settings } = plan;
    const exts: x509.Extension[] = [];
    let usage = 0;
    const ekus: string[] = [];
    for (const use of settings.allowedUses) {
        if (use in KEY_USAGES) usage |= KEY_USAGES[use];
        if (use in EXT_KEY_USAGES) ekus.push(EXT_KEY_USAGES[use]);
    }
    if (usage !== 0) exts.push(new x509.KeyUsagesExtension(usage, true));
    if (ekus.length > 0) exts.push(new x509.ExtendedKeyUsageExtension(ekus, false));
    // Go: MaxPathLen 0 (without MaxPathLenZero) and -1 both mean "no pathLenConstraint".
    const pathLen =
        settings.isCaCertificate && settings.maxPathLength !== undefined && settings.maxPathLength > 0 ? settings.maxPathLength : undefined;
    exts.push(new x509.BasicConstraintsExtension(settings.isCaCertificate, pathLen, true));
    if (plan.subjectKeyId) exts.push(new x509.SubjectKeyIdentifierExtension(plan.subjectKeyId, false));
    if (plan.authorityKeyId) exts.push(new x509.AuthorityKeyIdentifierExtension(plan.authorityKeyId, false));
    const san = sanExtension(plan.sans, plan.subjectEmpty);
    if (san) exts.push(san);
    return exts;
}

/** Checks Go's CreateCertificate and the provider apply before building a certificate. */
function checkCertPreconditions(settings: CertSettings, subjectEmpty: boolean): void {
    if (settings.isCaCertificate && subjectEmpty) {
        throw new Error(
            "Invalid Certificate Subject: Must contain at least one Distinguished Name when creating Certificate Authority (CA)",
        );
    }
    if (!settings.isCaCertificate && settings.maxPathLength !== undefined && settings.maxPathLength > 0) {
        // The provider documents the value as ignored, but Go's x509 rejects it.
        throw new Error("Failed to create certificate: x509: only CAs are allowed to specify MaxPathLen");
    }
}

function rfc3339(d: Date): string {
    return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

interface Validity {
    notBefore: Date;
    notAfter: Date;
}

/** notBefore = now (whole seconds, as encoded in the certificate), notAfter = now + hours. */
function validityWindow(hours: number): Validity {
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
    return { notBefore, notAfter: new Date(notBefore.getTime() + hours * 3_600_000) };
}

function validityState(v: Validity, settings: CertSettings): State {
    const renewAt = v.notAfter.getTime() - settings.earlyRenewalHours * 3_600_000;
    return {
        validityStartTime: rfc3339(v.notBefore),
        validityEndTime: rfc3339(v.notAfter),
        readyForRenewal: Date.now() >= renewAt,
    };
}

/** Default values of the certificate resources' optional inputs, as stored in state. */
function certSettingsState(settings: CertSettings): State {
    const state: State = {
        validityPeriodHours: settings.validityPeriodHours,
        earlyRenewalHours: settings.earlyRenewalHours,
        allowedUses: settings.allowedUses,
        isCaCertificate: settings.isCaCertificate,
        setSubjectKeyId: settings.setSubjectKeyId,
    };
    if (settings.maxPathLength !== undefined) state.maxPathLength = settings.maxPathLength;
    return state;
}

function randomSerialHex(): string {
    // Like the provider: uniform in [0, 2^128); peculiar strips leading zeros and keeps it positive.
    return crypto.randomBytes(16).toString("hex");
}

/** Reads a private key PEM input, accepting its write-only variant (`<name>Wo`) too. */
function privateKeyInput(inputs: Inputs, name: string): string {
    const pem = optString(inputs, name) ?? optString(inputs, `${name}Wo`);
    if (pem === undefined) throw new Error(`Missing required argument: The argument "${name}" is required, but no definition was found.`);
    return pem;
}

// ---------------------------------------------------------------------------
// tls: SelfSignedCert / CertRequest / LocallySignedCert
// ---------------------------------------------------------------------------

async function selfSignedCertState(inputs: Inputs): Promise<State> {
    const key = parsePrivateKeyPem(privateKeyInput(inputs, "privateKeyPem"), "private key PEM");
    const settings = readCertSettings(inputs);
    const name = subjectName(inputs.subject);
    const subjectEmpty = name.toJSON().length === 0;
    const sans = readSanInputs(inputs);
    checkCertPreconditions(settings, subjectEmpty);
    const web = await toWebKeys(key);
    const subjectKeyId = settings.isCaCertificate || settings.setSubjectKeyId ? terraformKeyId(key.publicKey) : undefined;
    let authorityKeyId: string | undefined;
    if (optBool(inputs, "setAuthorityKeyId", false)) {
        if (!subjectKeyId) throw new Error("Invalid Certificate Authority: Could not determine Authority Key Identifier");
        authorityKeyId = subjectKeyId;
    }
    const validity = validityWindow(settings.validityPeriodHours);
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerialHex(),
        subject: name,
        issuer: name,
        notBefore: validity.notBefore,
        notAfter: validity.notAfter,
        publicKey: web.keys.publicKey,
        signingKey: web.keys.privateKey,
        signingAlgorithm: web.signAlg,
        extensions: certExtensions({ settings, sans, subjectEmpty, subjectKeyId, authorityKeyId }),
    });
    return {
        ...certSettingsState(settings),
        setAuthorityKeyId: optBool(inputs, "setAuthorityKeyId", false),
        keyAlgorithm: key.algorithm,
        certPem: pemEncode("CERTIFICATE", Buffer.from(cert.rawData)),
        ...validityState(validity, settings),
    };
}

async function certRequestState(inputs: Inputs): Promise<State> {
    const key = parsePrivateKeyPem(privateKeyInput(inputs, "privateKeyPem"), "private key PEM");
    const name = subjectName(inputs.subject);
    const sans = readSanInputs(inputs);
    const web = await toWebKeys(key);
    // Go's CreateCertificateRequest puts a non-critical SAN extension in the extensionRequest attribute.
    const san = sanExtension(sans, false);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
        name,
        keys: web.keys,
        signingAlgorithm: web.signAlg,
        extensions: san ? [san] : [],
    });
    return {
        keyAlgorithm: key.algorithm,
        certRequestPem: pemEncode("CERTIFICATE REQUEST", Buffer.from(csr.rawData)),
    };
}

function requirePemType(pem: string, expected: string, what: string): void {
    const type = pemType(pem);
    if (type === undefined) throw new Error(`Failed to parse ${what}: failed to decode PEM of expected type "${expected}" from bytes`);
    if (type !== expected) throw new Error(`Failed to parse ${what}: invalid PEM type - expected "${expected}", got "${type}"`);
}

async function parseCsr(pem: string): Promise<x509.Pkcs10CertificateRequest> {
    requirePemType(pem, "CERTIFICATE REQUEST", "certificate request PEM");
    let csr: x509.Pkcs10CertificateRequest;
    try {
        csr = new x509.Pkcs10CertificateRequest(pem);
    } catch (e) {
        throw new Error(`Failed to parse certificate request PEM: ${(e as Error).message}`);
    }
    // DIFFERENCE: the provider does not check the CSR signature; we do.
    if (!(await csr.verify())) throw new Error("Failed to parse certificate request PEM: CSR signature is invalid");
    return csr;
}

function csrSans(csr: x509.Pkcs10CertificateRequest): SanNames {
    const names: SanNames = { dns: [], ip: [], uri: [] };
    const ext = csr.getExtension("2.5.29.17");
    if (!(ext instanceof x509.SubjectAlternativeNameExtension)) return names;
    // The provider copies only DNSNames, IPAddresses and URIs from the request.
    for (const n of ext.names.toJSON()) {
        if (n.type === "dns") names.dns.push(n.value);
        else if (n.type === "ip") names.ip.push(normalizeIp(n.value));
        else if (n.type === "url") names.uri.push(n.value);
    }
    return names;
}

function spkiKeyObject(spki: ArrayBuffer): crypto.KeyObject {
    return crypto.createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
}

function sameKey(a: crypto.KeyObject, b: crypto.KeyObject): boolean {
    return a.export({ type: "spki", format: "der" }).equals(b.export({ type: "spki", format: "der" }));
}

async function locallySignedCertState(inputs: Inputs): Promise<State> {
    const csr = await parseCsr(reqString(inputs, "certRequestPem"));
    const caKey = parsePrivateKeyPem(privateKeyInput(inputs, "caPrivateKeyPem"), "CA private key PEM");
    const caPem = reqString(inputs, "caCertPem");
    requirePemType(caPem, "CERTIFICATE", "CA certificate PEM");
    const caCert = new x509.X509Certificate(caPem);
    if (!sameKey(caKey.publicKey, spkiKeyObject(caCert.publicKey.rawData))) {
        throw new Error("Failed to create certificate: x509: provided PrivateKey doesn't match parent's PublicKey");
    }
    const settings = readCertSettings(inputs);
    const subjectEmpty = csr.subjectName.toJSON().length === 0;
    checkCertPreconditions(settings, subjectEmpty);
    const leafPublicKey = spkiKeyObject(csr.publicKey.rawData);
    const subjectKeyId = settings.isCaCertificate || settings.setSubjectKeyId ? terraformKeyId(leafPublicKey) : undefined;
    const caSki = caCert.getExtension("2.5.29.14");
    // Go uses the parent's SubjectKeyId; when the CA has none we compute it from the CA key.
    const authorityKeyId = caSki instanceof x509.SubjectKeyIdentifierExtension ? caSki.keyId : terraformKeyId(caKey.publicKey);
    const web = await toWebKeys(caKey);
    const validity = validityWindow(settings.validityPeriodHours);
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerialHex(),
        subject: csr.subjectName,
        issuer: caCert.subjectName,
        notBefore: validity.notBefore,
        notAfter: validity.notAfter,
        publicKey: csr.publicKey,
        signingKey: web.keys.privateKey,
        signingAlgorithm: web.signAlg,
        extensions: certExtensions({ settings, sans: csrSans(csr), subjectEmpty, subjectKeyId, authorityKeyId }),
    });
    return {
        ...certSettingsState(settings),
        caKeyAlgorithm: caKey.algorithm,
        certPem: pemEncode("CERTIFICATE", Buffer.from(cert.rawData)),
        ...validityState(validity, settings),
    };
}
