/**
 * Tests for the fake `@pulumi/random` / `@pulumi/tls` providers in fake-providers.ts.
 * They call `fakeProviderState` directly (no `pulumi.runtime.setMocks`) and check the
 * outputs with independent tooling: node's crypto / X509Certificate / tls and
 * @peculiar/x509 parsing.
 *
 * Run: npx mocha --require ts-node/register tests/sim/fake-providers.test.ts
 */
import "reflect-metadata";
import { strict as assert } from "node:assert";
import * as childProcess from "node:child_process";
import * as crypto from "node:crypto";
import * as path from "node:path";
import * as tls from "node:tls";
import type { AddressInfo } from "node:net";
import * as x509 from "@peculiar/x509";
import { FAKE_PROVIDER_TYPES as T, fakeProviderState, markSecretOutputs } from "../../sim/runtime/fake-providers";

type State = Record<string, any>;

const UPPER = /[A-Z]/;
const LOWER = /[a-z]/;
const DIGIT = /[0-9]/;
const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

async function state(type: string, inputs: State): Promise<State> {
    const s = await fakeProviderState(type, inputs);
    assert.ok(s, `no state for ${type}`);
    return s;
}

function count(s: string, re: RegExp): number {
    return [...s].filter((c) => re.test(c)).length;
}

function onlyFrom(s: string, alphabet: string): boolean {
    return [...s].every((c) => alphabet.includes(c));
}

const ALPHA_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALPHA_LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";

function pemBody(pem: string): Buffer {
    return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function pemWrap(label: string, der: Buffer): string {
    return `-----BEGIN ${label}-----\n${(der.toString("base64").match(/.{1,64}/g) ?? []).join("\n")}\n-----END ${label}-----\n`;
}

describe("fakeProviderState", () => {
    it("returns undefined for types it does not fake", async () => {
        assert.equal(await fakeProviderState("kubernetes:core/v1:Secret", { foo: 1 }), undefined);
        assert.equal(await fakeProviderState("random:index/randomPet:RandomPet", {}), undefined);
    });
});

describe("fakeProviderState with Pulumi secret-wrapped inputs", function () {
    this.timeout(20_000);
    const SIG = "4dabf18193072939515e22adb298388d";
    const SECRET = "1b47061264138c4ac30d75fd1eb44270";

    it("uses the plain value for computation and echoes the secret wrapper", async () => {
        const key = await state(T.privateKey, { algorithm: "ED25519" });
        const wrapped = { [SIG]: SECRET, value: key.privateKeyPem };
        const s = await state(T.selfSignedCert, {
            privateKeyPem: wrapped,
            subject: { commonName: "secret" },
            validityPeriodHours: 1,
            allowedUses: [{ [SIG]: SECRET, value: "server_auth" }],
        });
        const c = new crypto.X509Certificate(s.certPem);
        assert.ok(c.checkPrivateKey(crypto.createPrivateKey(key.privateKeyPem)));
        assert.deepEqual(c.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
        assert.deepEqual(s.privateKeyPem, wrapped);
        assert.deepEqual(s.allowedUses, [{ [SIG]: SECRET, value: "server_auth" }]);
        assert.equal(s.isCaCertificate, false); // defaults are still filled in
    });

    it("leaves computed outputs unknown (absent) while an input is unknown during preview", async () => {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const s = await state(T.selfSignedCert, { privateKeyPem: unknown, validityPeriodHours: 1, allowedUses: ["server_auth"] });
        assert.deepEqual(s, { privateKeyPem: unknown, validityPeriodHours: 1, allowedUses: ["server_auth"] });
        const p = await state(T.randomPassword, { length: 8, keepers: { k: { [SIG]: SECRET, value: unknown } } });
        assert.equal(p.result, undefined);
    });

    it("markSecretOutputs wraps the SDK's additionalSecretOutputs, once", async () => {
        const p = await state(T.randomPassword, { length: 8 });
        const m = markSecretOutputs(T.randomPassword, p);
        assert.deepEqual(m.result, { [SIG]: SECRET, value: p.result });
        assert.deepEqual(m.bcryptHash, { [SIG]: SECRET, value: p.bcryptHash });
        assert.equal(m.length, 8);
        assert.deepEqual(markSecretOutputs(T.randomPassword, m), m);
        const str = await state(T.randomString, { length: 8 });
        assert.deepEqual(markSecretOutputs(T.randomString, str), str);
        const k = markSecretOutputs(T.privateKey, await state(T.privateKey, { algorithm: "ED25519" }));
        assert.equal(k.privateKeyPem[SIG], SECRET);
        assert.equal(typeof k.publicKeyPem, "string");
    });

    it("does not store write-only inputs in the state", async () => {
        const key = await state(T.privateKey, { algorithm: "ED25519" });
        const s = await state(T.certRequest, {
            privateKeyPemWo: key.privateKeyPem,
            privateKeyPemWoVersion: 1,
            subject: { commonName: "wo" },
        });
        assert.equal(s.privateKeyPemWo, undefined);
        assert.equal(s.privateKeyPemWoVersion, 1); // the version attribute is a normal one
        assert.ok(await new x509.Pkcs10CertificateRequest(s.certRequestPem).verify());
    });
});

describe("random fakes", function () {
    this.timeout(20_000);

    describe("RandomPassword / RandomString", () => {
        it("produces `length` characters from all four default classes, with defaults echoed", async () => {
            const s = await state(T.randomPassword, { length: 1000, keepers: { k: "v" } });
            assert.equal(s.result.length, 1000);
            assert.ok(onlyFrom(s.result, ALPHA_UPPER + ALPHA_LOWER + DIGITS + DEFAULT_SPECIAL));
            // With 1000 draws every class shows up (probability of a miss < 1e-40).
            assert.ok(UPPER.test(s.result) && LOWER.test(s.result) && DIGIT.test(s.result));
            assert.ok([...s.result].some((c) => DEFAULT_SPECIAL.includes(c)));
            assert.deepEqual(s.keepers, { k: "v" });
            for (const k of ["upper", "lower", "numeric", "number", "special"]) assert.equal(s[k], true, k);
            for (const k of ["minUpper", "minLower", "minNumeric", "minSpecial"]) assert.equal(s[k], 0, k);
        });

        const combos: { name: string; inputs: State; alphabet: string }[] = [
            { name: "lower+numeric only", inputs: { upper: false, special: false }, alphabet: ALPHA_LOWER + DIGITS },
            { name: "upper only", inputs: { lower: false, numeric: false, special: false }, alphabet: ALPHA_UPPER },
            { name: "deprecated number=false", inputs: { number: false, special: false }, alphabet: ALPHA_UPPER + ALPHA_LOWER },
            { name: "overrideSpecial only", inputs: { upper: false, lower: false, numeric: false, overrideSpecial: "_-" }, alphabet: "_-" },
            {
                name: "overrideSpecial replaces default set",
                inputs: { overrideSpecial: "#" },
                alphabet: ALPHA_UPPER + ALPHA_LOWER + DIGITS + "#",
            },
        ];
        for (const c of combos) {
            it(`honours the alphabet: ${c.name}`, async () => {
                const s = await state(T.randomString, { length: 1000, ...c.inputs });
                assert.equal(s.result.length, 1000);
                assert.ok(onlyFrom(s.result, c.alphabet), `unexpected char in ${s.result}`);
                // every allowed character class actually appears
                for (const cls of [ALPHA_UPPER, ALPHA_LOWER, DIGITS, "_-#"]) {
                    const allowed = [...cls].filter((ch) => c.alphabet.includes(ch));
                    if (allowed.length > 0)
                        assert.ok(
                            [...s.result].some((ch) => allowed.includes(ch)),
                            `class ${cls} missing`,
                        );
                }
            });
        }

        it("keeps numeric and the deprecated number in sync", async () => {
            const a = await state(T.randomString, { length: 10, number: false });
            assert.equal(a.numeric, false);
            assert.equal(a.number, false);
            const b = await state(T.randomString, { length: 10, numeric: false });
            assert.equal(b.number, false);
        });

        it("honours the minimums", async () => {
            for (let i = 0; i < 50; i++) {
                const s = await state(T.randomPassword, {
                    length: 12,
                    minUpper: 2,
                    minLower: 3,
                    minNumeric: 2,
                    minSpecial: 4,
                    overrideSpecial: "!*",
                });
                assert.equal(s.result.length, 12);
                assert.ok(count(s.result, UPPER) >= 2, s.result);
                assert.ok(count(s.result, LOWER) >= 3, s.result);
                assert.ok(count(s.result, DIGIT) >= 2, s.result);
                assert.ok(count(s.result, /[!*]/) >= 4, s.result);
            }
        });

        it("fills exactly the minimums when they add up to length", async () => {
            const s = await state(T.randomPassword, { length: 8, minUpper: 2, minLower: 2, minNumeric: 2, minSpecial: 2 });
            assert.equal(count(s.result, UPPER), 2);
            assert.equal(count(s.result, LOWER), 2);
            assert.equal(count(s.result, DIGIT), 2);
            assert.equal([...s.result].filter((c) => DEFAULT_SPECIAL.includes(c)).length, 2);
        });

        it("like the provider, draws a minimum even from a disabled class", async () => {
            const s = await state(T.randomString, { length: 20, special: false, minSpecial: 3 });
            assert.equal([...s.result].filter((c) => DEFAULT_SPECIAL.includes(c)).length, 3);
        });

        it("shuffles the minimum characters into random positions", async () => {
            const positions = new Set<string>();
            for (let i = 0; i < 20; i++) {
                // digits only come from minNumeric; without a shuffle they would always lead
                const s = await state(T.randomString, { length: 30, numeric: false, special: false, minNumeric: 3 });
                assert.equal(count(s.result, DIGIT), 3);
                positions.add(
                    [...s.result]
                        .map((c, idx) => (DIGIT.test(c) ? idx : -1))
                        .filter((idx) => idx >= 0)
                        .join(","),
                );
            }
            assert.ok(positions.size > 1, "digits always at the same positions");
            assert.ok(!(positions.size === 1 && positions.has("0,1,2")));
        });

        it("generates a different result each time", async () => {
            const a = await state(T.randomPassword, { length: 32 });
            const b = await state(T.randomPassword, { length: 32 });
            assert.notEqual(a.result, b.result);
        });

        it("adds bcryptHash to RandomPassword only", async () => {
            const p = await state(T.randomPassword, { length: 16 });
            const hash: string = p.bcryptHash;
            let bcryptAvailable = true;
            try {
                require.resolve("bcryptjs");
            } catch {
                bcryptAvailable = false;
            }
            if (bcryptAvailable) {
                const bcrypt = require("bcryptjs") as { compareSync(s: string, h: string): boolean };
                assert.ok(bcrypt.compareSync(p.result, hash));
            } else {
                assert.equal(hash, `mock-bcrypt:${crypto.createHash("sha256").update(p.result).digest("hex")}`);
            }
            const s = await state(T.randomString, { length: 16 });
            assert.equal(s.bcryptHash, undefined);
        });

        it("rejects invalid inputs like the provider", async () => {
            await assert.rejects(fakeProviderState(T.randomPassword, {}), /length.*required/);
            await assert.rejects(fakeProviderState(T.randomPassword, { length: 0 }), /length value must be at least 1/);
            await assert.rejects(
                fakeProviderState(T.randomPassword, { length: 3, minUpper: 2, minNumeric: 2 }),
                /length value must be at least sum of .* \(4\), got: 3/,
            );
            await assert.rejects(
                fakeProviderState(T.randomString, { length: 8, upper: false, lower: false, numeric: false, special: false }),
                /At least one attribute out of/,
            );
            await assert.rejects(fakeProviderState(T.randomString, { length: 8, minLower: -1 }), /minLower value must be at least 0/);
        });
    });

    describe("RandomBytes", () => {
        for (const n of [1, 16, 64]) {
            it(`returns ${n} bytes as base64 and hex`, async () => {
                const s = await state(T.randomBytes, { length: n });
                const fromB64 = Buffer.from(s.base64, "base64");
                assert.equal(fromB64.length, n);
                assert.equal(s.hex.length, 2 * n);
                assert.match(s.hex, /^[0-9a-f]+$/);
                assert.equal(fromB64.toString("hex"), s.hex);
            });
        }

        it("rejects length < 1", async () => {
            await assert.rejects(fakeProviderState(T.randomBytes, { length: 0 }), /at least 1/);
        });
    });
});

/** Parses the single "ssh-xxx <base64>" blob of a public_key_openssh value. */
function sshBlob(openssh: string): Buffer {
    const parts = openssh.trim().split(" ");
    return Buffer.from(parts[1], "base64");
}

/** Reads the public key embedded in an unencrypted "openssh-key-v1" private key. */
function opensshEmbeddedPublic(pem: string): { publicBlob: Buffer; checkOk: boolean } {
    const der = pemBody(pem);
    let off = "openssh-key-v1\0".length;
    assert.equal(der.subarray(0, off).toString("latin1"), "openssh-key-v1\0");
    const next = (): Buffer => {
        const len = der.readUInt32BE(off);
        const v = der.subarray(off + 4, off + 4 + len);
        off += 4 + len;
        return v;
    };
    assert.equal(next().toString(), "none");
    assert.equal(next().toString(), "none");
    next();
    assert.equal(der.readUInt32BE(off), 1);
    off += 4;
    const publicBlob = next();
    const priv = next();
    return { publicBlob, checkOk: priv.readUInt32BE(0) === priv.readUInt32BE(4) && priv.length % 8 === 0 };
}

describe("tls fakes: PrivateKey", function () {
    this.timeout(30_000);

    function checkCommon(s: State): crypto.KeyObject {
        const key = crypto.createPrivateKey(s.privateKeyPem);
        assert.match(s.privateKeyPemPkcs8, /^-----BEGIN PRIVATE KEY-----\n/);
        assert.ok(crypto.createPrivateKey(s.privateKeyPemPkcs8).equals(key));
        assert.match(s.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
        assert.ok(crypto.createPublicKey(s.publicKeyPem).equals(crypto.createPublicKey(key)));
        return key;
    }

    function checkSsh(s: State, prefix: string): Buffer {
        assert.ok(s.publicKeyOpenssh.startsWith(`${prefix} `), s.publicKeyOpenssh);
        assert.ok(s.publicKeyOpenssh.endsWith("\n"));
        const blob = sshBlob(s.publicKeyOpenssh);
        assert.equal(blob.subarray(4, 4 + blob.readUInt32BE(0)).toString(), prefix);
        const sha = crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
        assert.equal(s.publicKeyFingerprintSha256, `SHA256:${sha}`);
        assert.match(s.publicKeyFingerprintMd5, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
        assert.equal(s.publicKeyFingerprintMd5.replace(/:/g, ""), crypto.createHash("md5").update(blob).digest("hex"));
        assert.match(s.privateKeyOpenssh, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
        const embedded = opensshEmbeddedPublic(s.privateKeyOpenssh);
        assert.ok(embedded.publicBlob.equals(blob));
        assert.ok(embedded.checkOk);
        return blob;
    }

    it("RSA (default 2048 bits): PKCS#1 PEM, SPKI public key, ssh-rsa", async () => {
        const s = await state(T.privateKey, { algorithm: "RSA" });
        assert.match(s.privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+-----END RSA PRIVATE KEY-----\n$/);
        const key = checkCommon(s);
        assert.equal(key.asymmetricKeyType, "rsa");
        assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
        assert.equal(s.rsaBits, 2048);
        const blob = checkSsh(s, "ssh-rsa");
        const n = Buffer.from(crypto.createPublicKey(key).export({ format: "jwk" }).n as string, "base64url");
        assert.ok(blob.subarray(blob.length - n.length).equals(n), "ssh blob does not end with the modulus");
    });

    it("RSA honours rsaBits", async () => {
        const s = await state(T.privateKey, { algorithm: "RSA", rsaBits: 3072 });
        assert.equal(crypto.createPrivateKey(s.privateKeyPem).asymmetricKeyDetails?.modulusLength, 3072);
    });

    it("ECDSA P256: SEC1 PEM, ecdsa-sha2-nistp256", async () => {
        const s = await state(T.privateKey, { algorithm: "ECDSA", ecdsaCurve: "P256" });
        assert.match(s.privateKeyPem, /^-----BEGIN EC PRIVATE KEY-----\n[\s\S]+-----END EC PRIVATE KEY-----\n$/);
        const key = checkCommon(s);
        assert.equal(key.asymmetricKeyType, "ec");
        assert.equal(key.asymmetricKeyDetails?.namedCurve, "prime256v1");
        checkSsh(s, "ecdsa-sha2-nistp256");
    });

    it("ECDSA defaults to P224, without OpenSSH outputs (as the provider)", async () => {
        const s = await state(T.privateKey, { algorithm: "ECDSA" });
        assert.equal(s.ecdsaCurve, "P224");
        assert.equal(crypto.createPrivateKey(s.privateKeyPem).asymmetricKeyDetails?.namedCurve, "secp224r1");
        assert.equal(s.publicKeyOpenssh, "");
        assert.equal(s.publicKeyFingerprintSha256, "");
        assert.equal(s.privateKeyOpenssh, "");
    });

    it("ED25519: PKCS#8 PEM, ssh-ed25519", async () => {
        const s = await state(T.privateKey, { algorithm: "ED25519" });
        assert.match(s.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
        const key = checkCommon(s);
        assert.equal(key.asymmetricKeyType, "ed25519");
        const blob = checkSsh(s, "ssh-ed25519");
        const spki = crypto.createPublicKey(key).export({ type: "spki", format: "der" });
        assert.ok(blob.subarray(blob.length - 32).equals(spki.subarray(spki.length - 32)));
    });

    it("generates a fresh key each time", async () => {
        const a = await state(T.privateKey, { algorithm: "ED25519" });
        const b = await state(T.privateKey, { algorithm: "ED25519" });
        assert.notEqual(a.publicKeyPem, b.publicKeyPem);
    });

    it("rejects unknown algorithms and curves", async () => {
        await assert.rejects(fakeProviderState(T.privateKey, { algorithm: "DSA" }), /Key Algorithm "DSA" is not supported/);
        await assert.rejects(fakeProviderState(T.privateKey, { algorithm: "ECDSA", ecdsaCurve: "P192" }), /invalid ECDSA curve/);
        await assert.rejects(fakeProviderState(T.privateKey, {}), /algorithm.*required/);
    });
});

// ---------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------

interface Chain {
    caKey: State;
    ca: State;
    leafKey: State;
    csr: State;
    leaf: State;
}

const CA_USES = ["cert_signing", "crl_signing", "digital_signature"];
const LEAF_USES = ["digital_signature", "key_encipherment", "server_auth", "client_auth"];
const LEAF_DNS = ["isbsvc.example.svc", "isbsvc.example.svc.cluster.local"];
const LEAF_IPS = ["127.0.0.1", "::1"];
const LEAF_URI = "spiffe://cluster.local/ns/example/sa/isbsvc";

async function makeChain(keyInputs: State, opts: { caValidity?: number; leafValidity?: number } = {}): Promise<Chain> {
    const caKey = await state(T.privateKey, keyInputs);
    const ca = await state(T.selfSignedCert, {
        privateKeyPem: caKey.privateKeyPem,
        subject: { commonName: "isbsvc test CA", organization: "Example Org", country: "DE" },
        isCaCertificate: true,
        validityPeriodHours: opts.caValidity ?? 48,
        allowedUses: CA_USES,
    });
    const leafKey = await state(T.privateKey, keyInputs);
    const csr = await state(T.certRequest, {
        privateKeyPem: leafKey.privateKeyPem,
        subject: { commonName: "isbsvc.example.svc", organization: "Example Org" },
        dnsNames: LEAF_DNS,
        ipAddresses: LEAF_IPS,
        uris: [LEAF_URI],
    });
    const leaf = await state(T.locallySignedCert, {
        certRequestPem: csr.certRequestPem,
        caCertPem: ca.certPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        validityPeriodHours: opts.leafValidity ?? 12,
        allowedUses: LEAF_USES,
    });
    return { caKey, ca, leafKey, csr, leaf };
}

function validity(cert: crypto.X509Certificate): { from: number; to: number } {
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    assert.ok(!Number.isNaN(from) && !Number.isNaN(to));
    return { from, to };
}

function assertWindow(cert: crypto.X509Certificate, hours: number, s: State): void {
    const TWO_MIN = 2 * 60_000;
    const { from, to } = validity(cert);
    assert.ok(Math.abs(from - Date.now()) <= TWO_MIN, `notBefore ${cert.validFrom} is not now`);
    assert.ok(Math.abs(to - from - hours * 3_600_000) <= TWO_MIN, `window ${cert.validFrom} .. ${cert.validTo} != ${hours}h`);
    assert.equal(Date.parse(s.validityStartTime), from);
    assert.equal(Date.parse(s.validityEndTime), to);
    assert.match(s.validityStartTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
}

/** The certificate's signature algorithm (the typings rely on DOM's `Algorithm`, absent under lib es2020). */
function sigAlg(cert: x509.X509Certificate): { name: string; hash?: { name: string } } {
    return cert.signatureAlgorithm as unknown as { name: string; hash?: { name: string } };
}

function peculiar(pem: string): x509.X509Certificate {
    return new x509.X509Certificate(pem);
}

function ext<E extends x509.Extension>(
    cert: x509.X509Certificate | x509.Pkcs10CertificateRequest,
    oid: string,
    cls: new (...a: never[]) => E,
): E | undefined {
    const e = cert.getExtension(oid);
    if (e === null) return undefined;
    assert.ok(e instanceof cls, `extension ${oid} has unexpected type`);
    return e as E;
}

const OID = { keyUsage: "2.5.29.15", eku: "2.5.29.37", basic: "2.5.29.19", ski: "2.5.29.14", aki: "2.5.29.35", san: "2.5.29.17" };

interface HandshakeResult {
    ok: boolean;
    error?: Error;
    authorized?: boolean;
}

async function withTlsServer<R>(keyPem: string, certPem: string, fn: (port: number) => Promise<R>): Promise<R> {
    const server = tls.createServer({ key: keyPem, cert: certPem }, (socket) => socket.end());
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
        return await fn((server.address() as AddressInfo).port);
    } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }
}

function handshake(port: number, caPem: string, servername: string): Promise<HandshakeResult> {
    return new Promise((resolve) => {
        const socket = tls.connect({ host: "127.0.0.1", port, ca: caPem, servername, rejectUnauthorized: true });
        socket.once("secureConnect", () => {
            resolve({ ok: true, authorized: socket.authorized });
            socket.destroy();
        });
        socket.once("error", (error) => {
            resolve({ ok: false, error });
            socket.destroy();
        });
    });
}

const KEY_CASES: { name: string; inputs: State; sig: { name: string; hash?: string } }[] = [
    { name: "RSA 2048", inputs: { algorithm: "RSA", rsaBits: 2048 }, sig: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } },
    { name: "ECDSA P256", inputs: { algorithm: "ECDSA", ecdsaCurve: "P256" }, sig: { name: "ECDSA", hash: "SHA-256" } },
    { name: "ED25519", inputs: { algorithm: "ED25519" }, sig: { name: "Ed25519" } },
];

for (const kc of KEY_CASES) {
    describe(`tls fakes: CA + CSR + LocallySignedCert chain (${kc.name})`, function () {
        this.timeout(30_000);
        let chain: Chain;
        let other: Chain;
        let caX: crypto.X509Certificate;
        let leafX: crypto.X509Certificate;

        before(async () => {
            chain = await makeChain(kc.inputs);
            other = await makeChain(kc.inputs);
            caX = new crypto.X509Certificate(chain.ca.certPem);
            leafX = new crypto.X509Certificate(chain.leaf.certPem);
        });

        it("self-signed CA is a valid CA certificate", () => {
            assert.match(chain.ca.certPem, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
            assert.equal(caX.ca, true);
            assert.ok(caX.verify(caX.publicKey));
            assert.ok(caX.checkIssued(caX));
            assert.ok(caX.checkPrivateKey(crypto.createPrivateKey(chain.caKey.privateKeyPem)));
            assert.equal(caX.subject, caX.issuer);
            assert.match(caX.subject, /CN=isbsvc test CA/);
            assert.match(caX.subject, /O=Example Org/);
            assert.equal(chain.ca.keyAlgorithm, kc.inputs.algorithm);
            assertWindow(caX, 48, chain.ca);
            assert.equal(chain.ca.readyForRenewal, false);
            assert.equal(chain.ca.earlyRenewalHours, 0);
        });

        it("CA carries critical KeyUsage, critical BasicConstraints cA=true and a SubjectKeyIdentifier", () => {
            const ca = peculiar(chain.ca.certPem);
            const ku = ext(ca, OID.keyUsage, x509.KeyUsagesExtension);
            assert.ok(ku?.critical);
            assert.equal(ku?.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature);
            const bc = ext(ca, OID.basic, x509.BasicConstraintsExtension);
            assert.ok(bc?.critical);
            assert.equal(bc?.ca, true);
            assert.equal(bc?.pathLength, undefined);
            assert.ok(ext(ca, OID.ski, x509.SubjectKeyIdentifierExtension)?.keyId);
            assert.equal(ext(ca, OID.eku, x509.ExtendedKeyUsageExtension), undefined);
            assert.equal(sigAlg(ca).name, kc.sig.name);
            assert.equal(sigAlg(ca).hash?.name, kc.sig.hash);
        });

        it("CSR is a valid PKCS#10 request with the SAN extension request", async () => {
            assert.match(chain.csr.certRequestPem, /^-----BEGIN CERTIFICATE REQUEST-----\n/);
            assert.equal(chain.csr.keyAlgorithm, kc.inputs.algorithm);
            const csr = new x509.Pkcs10CertificateRequest(chain.csr.certRequestPem);
            assert.ok(await csr.verify());
            assert.match(csr.subject, /CN=isbsvc\.example\.svc/);
            const san = ext(csr, OID.san, x509.SubjectAlternativeNameExtension);
            assert.deepEqual(
                san?.names.toJSON().map((n) => `${n.type}:${n.value}`),
                [...LEAF_DNS.map((d) => `dns:${d}`), "ip:127.0.0.1", "ip:::1", `url:${LEAF_URI}`],
            );
            const csrKey = crypto.createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: "der", type: "spki" });
            assert.ok(csrKey.equals(crypto.createPublicKey(chain.leafKey.privateKeyPem)));
        });

        it("leaf chains to the CA", () => {
            assert.ok(leafX.verify(caX.publicKey));
            assert.ok(leafX.checkIssued(caX));
            assert.equal(leafX.ca, false);
            assert.equal(leafX.issuer, caX.subject);
            assert.match(leafX.subject, /CN=isbsvc\.example\.svc/);
            assert.ok(leafX.checkPrivateKey(crypto.createPrivateKey(chain.leafKey.privateKeyPem)));
            assert.equal(chain.leaf.caKeyAlgorithm, kc.inputs.algorithm);
        });

        it("leaf does not chain to a different CA", () => {
            const otherCa = new crypto.X509Certificate(other.ca.certPem);
            assert.equal(leafX.verify(otherCa.publicKey), false);
            assert.equal(leafX.checkIssued(otherCa), false);
        });

        it("leaf has the SANs from the CSR", () => {
            const san = leafX.subjectAltName ?? "";
            for (const d of LEAF_DNS) assert.ok(san.includes(`DNS:${d}`), san);
            assert.ok(san.includes("IP Address:127.0.0.1"), san);
            assert.ok(san.includes("IP Address:0:0:0:0:0:0:0:1"), san);
            assert.ok(san.includes(`URI:${LEAF_URI}`), san);
            assert.equal(leafX.checkHost(LEAF_DNS[0]), LEAF_DNS[0]);
            assert.equal(leafX.checkIP("127.0.0.1"), "127.0.0.1");
            assert.equal(leafX.checkHost("other.example"), undefined);
        });

        it("leaf has the requested key usages and extended key usages", () => {
            assert.deepEqual([...(leafX.keyUsage ?? [])].sort(), ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
            const leaf = peculiar(chain.leaf.certPem);
            const ku = ext(leaf, OID.keyUsage, x509.KeyUsagesExtension);
            assert.ok(ku?.critical);
            assert.equal(ku?.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
            const bc = ext(leaf, OID.basic, x509.BasicConstraintsExtension);
            assert.ok(bc?.critical);
            assert.equal(bc?.ca, false);
            assert.equal(sigAlg(leaf).name, kc.sig.name);
            assert.equal(sigAlg(leaf).hash?.name, kc.sig.hash);
        });

        it("leaf AuthorityKeyIdentifier is the CA's SubjectKeyIdentifier; no leaf SKI unless asked", () => {
            const leaf = peculiar(chain.leaf.certPem);
            const caSki = ext(peculiar(chain.ca.certPem), OID.ski, x509.SubjectKeyIdentifierExtension)?.keyId;
            assert.ok(caSki);
            assert.equal(ext(leaf, OID.aki, x509.AuthorityKeyIdentifierExtension)?.keyId, caSki);
            assert.equal(ext(leaf, OID.ski, x509.SubjectKeyIdentifierExtension), undefined);
        });

        it("leaf validity window matches validityPeriodHours", () => {
            assertWindow(leafX, 12, chain.leaf);
            assert.equal(chain.leaf.readyForRenewal, false);
        });

        it("a TLS handshake succeeds for a DNS SAN and fails otherwise", async () => {
            await withTlsServer(chain.leafKey.privateKeyPem, chain.leaf.certPem, async (port) => {
                const good = await handshake(port, chain.ca.certPem, LEAF_DNS[1]);
                assert.equal(good.error, undefined);
                assert.ok(good.ok);
                assert.equal(good.authorized, true);

                const wrongName = await handshake(port, chain.ca.certPem, "not-in-the-sans.example");
                assert.equal(wrongName.ok, false);
                assert.equal((wrongName.error as NodeJS.ErrnoException).code, "ERR_TLS_CERT_ALTNAME_INVALID");

                const wrongCa = await handshake(port, other.ca.certPem, LEAF_DNS[0]);
                assert.equal(wrongCa.ok, false);
                assert.match(
                    String((wrongCa.error as NodeJS.ErrnoException).code),
                    /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|CERT_SIGNATURE_FAILURE/,
                );
            });
        });
    });
}

describe("tls fakes: certificate options and validation", function () {
    this.timeout(30_000);
    let rsa: State;
    let p256: State;

    before(async () => {
        rsa = await state(T.privateKey, { algorithm: "RSA" });
        p256 = await state(T.privateKey, { algorithm: "ECDSA", ecdsaCurve: "P256" });
    });

    const selfSigned = (extra: State): Promise<State> =>
        state(T.selfSignedCert, {
            privateKeyPem: p256.privateKeyPem,
            subject: { commonName: "x" },
            validityPeriodHours: 1,
            allowedUses: [],
            ...extra,
        });

    it("self-signed server cert (non-CA) with SANs, usages and a SubjectKeyIdentifier on request", async () => {
        const s = await selfSigned({
            dnsNames: ["a.example"],
            ipAddresses: ["10.1.2.3", "::ffff:192.168.1.1"],
            allowedUses: ["key_encipherment", "digital_signature", "server_auth", "ocsp_signing", "any_extended"],
            setSubjectKeyId: true,
        });
        const c = new crypto.X509Certificate(s.certPem);
        assert.equal(c.ca, false);
        assert.ok(c.verify(c.publicKey));
        assert.equal(c.subjectAltName, "DNS:a.example, IP Address:10.1.2.3, IP Address:192.168.1.1");
        assert.deepEqual([...(c.keyUsage ?? [])].sort(), ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.9", "2.5.29.37.0"]);
        const p = peculiar(s.certPem);
        // SKI as the tls provider computes it: SHA-1 of the uncompressed EC point.
        const jwk = crypto.createPublicKey(p256.privateKeyPem).export({ format: "jwk" });
        const point = Buffer.concat([
            Buffer.from([4]),
            Buffer.from(jwk.x as string, "base64url"),
            Buffer.from(jwk.y as string, "base64url"),
        ]);
        assert.equal(ext(p, OID.ski, x509.SubjectKeyIdentifierExtension)?.keyId, crypto.createHash("sha1").update(point).digest("hex"));
        assert.equal(ext(p, OID.aki, x509.AuthorityKeyIdentifierExtension), undefined);
    });

    it("CA SKI follows the provider's RSA rule (SHA-1 of the PKCS#1 public key), AKI on request", async () => {
        const s = await state(T.selfSignedCert, {
            privateKeyPem: rsa.privateKeyPem,
            subject: { commonName: "ca" },
            isCaCertificate: true,
            setAuthorityKeyId: true,
            validityPeriodHours: 1,
            allowedUses: ["cert_signing"],
        });
        const expected = crypto
            .createHash("sha1")
            .update(crypto.createPublicKey(rsa.privateKeyPem).export({ type: "pkcs1", format: "der" }))
            .digest("hex");
        const p = peculiar(s.certPem);
        assert.equal(ext(p, OID.ski, x509.SubjectKeyIdentifierExtension)?.keyId, expected);
        assert.equal(ext(p, OID.aki, x509.AuthorityKeyIdentifierExtension)?.keyId, expected);
    });

    it("maxPathLength sets pathLenConstraint on a CA", async () => {
        const s = await selfSigned({ isCaCertificate: true, maxPathLength: 2, allowedUses: ["cert_signing"] });
        const bc = ext(peculiar(s.certPem), OID.basic, x509.BasicConstraintsExtension);
        assert.equal(bc?.ca, true);
        assert.equal(bc?.pathLength, 2);
    });

    it("subject fields are encoded in Go's order", async () => {
        const s = await selfSigned({
            subject: {
                commonName: "cn",
                organization: "org",
                organizationalUnit: "ou",
                country: "US",
                province: "CA",
                locality: "SF",
                postalCode: "94105",
                streetAddresses: ["1 Main St"],
                serialNumber: "42",
            },
        });
        const c = new crypto.X509Certificate(s.certPem);
        assert.equal(
            c.subject
                .split("\n")
                .map((l) => l.split("=")[0])
                .join(","),
            "C,ST,L,street,postalCode,O,OU,CN,serialNumber",
        );
    });

    it("readyForRenewal is true once inside the early-renewal window", async () => {
        const s = await selfSigned({ validityPeriodHours: 2, earlyRenewalHours: 3 });
        assert.equal(s.readyForRenewal, true);
        const t = await selfSigned({ validityPeriodHours: 5, earlyRenewalHours: 3 });
        assert.equal(t.readyForRenewal, false);
    });

    it("leaf with setSubjectKeyId / isCaCertificate gets the SKI of the CSR key", async () => {
        const chain = await makeChain({ algorithm: "ECDSA", ecdsaCurve: "P256" });
        const leaf = await state(T.locallySignedCert, {
            certRequestPem: chain.csr.certRequestPem,
            caCertPem: chain.ca.certPem,
            caPrivateKeyPem: chain.caKey.privateKeyPem,
            validityPeriodHours: 1,
            allowedUses: ["cert_signing"],
            isCaCertificate: true,
            maxPathLength: 1,
        });
        const x = new crypto.X509Certificate(leaf.certPem);
        assert.equal(x.ca, true);
        assert.ok(x.checkIssued(new crypto.X509Certificate(chain.ca.certPem)));
        const p = peculiar(leaf.certPem);
        assert.ok(ext(p, OID.ski, x509.SubjectKeyIdentifierExtension)?.keyId);
        assert.equal(ext(p, OID.basic, x509.BasicConstraintsExtension)?.pathLength, 1);
    });

    it("rejects unknown allowedUses values", async () => {
        await assert.rejects(selfSigned({ allowedUses: ["server_auth", "serverAuth"] }), /unsupported value\(s\) serverAuth/);
    });

    it("rejects a CA without subject, pathLen on non-CA, bad IPs and missing required inputs", async () => {
        await assert.rejects(selfSigned({ subject: undefined, isCaCertificate: true }), /at least one Distinguished Name/);
        await assert.rejects(selfSigned({ maxPathLength: 1 }), /only CAs are allowed to specify MaxPathLen/);
        await assert.rejects(selfSigned({ ipAddresses: ["300.1.1.1"] }), /Invalid IP address/);
        await assert.rejects(selfSigned({ setAuthorityKeyId: true }), /Could not determine Authority Key Identifier/);
        await assert.rejects(selfSigned({ validityPeriodHours: undefined }), /validityPeriodHours.*required/);
        await assert.rejects(selfSigned({ allowedUses: undefined }), /allowedUses.*required/);
        await assert.rejects(selfSigned({ privateKeyPem: rsa.publicKeyPem }), /PEM preamble: PUBLIC KEY/);
    });

    it("rejects ECDSA P224 keys for certificates with a clear error", async () => {
        const p224 = await state(T.privateKey, { algorithm: "ECDSA" });
        await assert.rejects(selfSigned({ privateKeyPem: p224.privateKeyPem }), /ECDSA P224 is not supported by this mock/);
        await assert.rejects(state(T.certRequest, { privateKeyPem: p224.privateKeyPem }), /ECDSA P224 is not supported by this mock/);
    });

    it("LocallySignedCert rejects a CA key that does not match the CA certificate", async () => {
        const chain = await makeChain({ algorithm: "ECDSA", ecdsaCurve: "P256" });
        await assert.rejects(
            state(T.locallySignedCert, {
                certRequestPem: chain.csr.certRequestPem,
                caCertPem: chain.ca.certPem,
                caPrivateKeyPem: p256.privateKeyPem,
                validityPeriodHours: 1,
                allowedUses: [],
            }),
            /doesn't match parent's PublicKey/,
        );
    });

    it("LocallySignedCert rejects a tampered CSR and a non-CSR PEM", async () => {
        const csr = await state(T.certRequest, { privateKeyPem: p256.privateKeyPem, subject: { commonName: "tamper-me" } });
        const der = pemBody(csr.certRequestPem);
        const at = der.indexOf(Buffer.from("tamper-me"));
        assert.ok(at > 0);
        der[at] = "T".charCodeAt(0);
        const ca = await selfSigned({ isCaCertificate: true, allowedUses: ["cert_signing"] });
        const base = { caCertPem: ca.certPem, caPrivateKeyPem: p256.privateKeyPem, validityPeriodHours: 1, allowedUses: [] };
        // sanity: the untampered CSR is accepted
        await state(T.locallySignedCert, { ...base, certRequestPem: csr.certRequestPem });
        await assert.rejects(
            state(T.locallySignedCert, { ...base, certRequestPem: pemWrap("CERTIFICATE REQUEST", der) }),
            /CSR signature is invalid/,
        );
        await assert.rejects(
            state(T.locallySignedCert, { ...base, certRequestPem: ca.certPem }),
            /expected "CERTIFICATE REQUEST", got "CERTIFICATE"/,
        );
    });
});

describe("tls fakes: key generation never deadlocks Node's garbage collector", function () {
    // Node 20: exporting as JWK the KeyObject that generateKeyPairSync returned can deadlock when a
    // scavenge destroys the finished key-generation job during the export (see
    // generateKeyPairDetached in sim/runtime/fake-providers.ts). With a 1 MiB young generation the
    // plain way hung within 2,000–10,000 keys in each of five runs; the child below would then be
    // killed at its time limit and this test fail.
    this.timeout(330_000);
    it("generates and JWK-exports 20,000 ECDSA keys under constant scavenges", () => {
        const script = [
            'require("ts-node/register/transpile-only");',
            'const { generateKeyPairDetached } = require("./sim/runtime/fake-providers");',
            "for (let i = 0; i < 20000; i++) {",
            '  const jwk = generateKeyPairDetached("ec", { namedCurve: "prime256v1" }).export({ format: "jwk" });',
            '  if (!jwk.x || !jwk.d) throw new Error("no JWK");',
            "}",
            'process.stdout.write("done");',
        ].join("\n");
        const run = childProcess.spawnSync(process.execPath, ["--max-semi-space-size=1", "-e", script], {
            cwd: path.resolve(__dirname, "../.."),
            timeout: 300_000,
            encoding: "utf8",
        });
        assert.equal(run.signal, null, `key generation hung (killed by ${run.signal}): ${run.stderr}`);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, "done");
    });
});
