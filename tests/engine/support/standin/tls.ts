/**
 * Stand-in `tls` provider plugin (pulumi-resource-tls) for the engine tests: PrivateKey, SelfSignedCert,
 * CertRequest and LocallySignedCert with the inputs and outputs the component uses. PEM formats follow
 * the real provider (terraform-provider-tls `internal/provider/util.go`): PKCS#1 "RSA PRIVATE KEY" /
 * SEC1 "EC PRIVATE KEY" for `privateKeyPem`, PKIX "PUBLIC KEY" for `publicKeyPem`.
 * The real provider (github.com/pulumi/pulumi-tls/provider/v5) cannot be built here: the module proxy
 * refuses it (see scripts/engine/README.md).
 */
import "reflect-metadata";
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import * as provider from "@pulumi/pulumi/provider";
import { replaceOnAnyChange, typeOf, unwrap } from "./common";

x509.cryptoProvider.set(webcrypto as any);

type KeyPair = webcrypto.CryptoKeyPair;
type SignAlg = webcrypto.Algorithm | webcrypto.EcdsaParams;

const INPUTS: Record<string, string[]> = {
    "tls:index/privateKey:PrivateKey": ["algorithm", "rsaBits", "ecdsaCurve"],
    "tls:index/selfSignedCert:SelfSignedCert": [
        "privateKeyPem",
        "subject",
        "isCaCertificate",
        "setSubjectKeyId",
        "allowedUses",
        "validityPeriodHours",
        "earlyRenewalHours",
        "dnsNames",
        "ipAddresses",
        "setAuthorityKeyId",
    ],
    "tls:index/certRequest:CertRequest": ["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"],
    "tls:index/locallySignedCert:LocallySignedCert": [
        "certRequestPem",
        "caCertPem",
        "caPrivateKeyPem",
        "allowedUses",
        "validityPeriodHours",
        "earlyRenewalHours",
        "setSubjectKeyId",
        "isCaCertificate",
    ],
};

/** A PEM private key (any format) as a WebCrypto key pair for signing. */
async function keyPair(pem: string): Promise<{ keys: any; sign: SignAlg }> {
    const key = createPrivateKey(pem);
    const pkcs8 = key.export({ format: "der", type: "pkcs8" });
    const spki = createPublicKey(key).export({ format: "der", type: "spki" });
    const rsa = key.asymmetricKeyType === "rsa";
    const alg = rsa ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", namedCurve: "P-256" };
    const sign = rsa ? { name: "RSASSA-PKCS1-v1_5" } : { name: "ECDSA", hash: "SHA-256" };
    const privateKey = await webcrypto.subtle.importKey("pkcs8", pkcs8, alg, true, ["sign"]);
    const publicKey = await webcrypto.subtle.importKey("spki", spki, alg, true, ["verify"]);
    const keys: KeyPair = { privateKey, publicKey };
    return { keys, sign };
}

function name(subject: any): string {
    const parts: string[] = [];
    if (subject?.organization) parts.push(`O=${subject.organization}`);
    if (subject?.commonName) parts.push(`CN=${subject.commonName}`);
    return parts.join(", ");
}

function usages(uses: string[], isCa: boolean): x509.Extension[] {
    const flags: Record<string, number> = {
        digital_signature: x509.KeyUsageFlags.digitalSignature,
        key_encipherment: x509.KeyUsageFlags.keyEncipherment,
        cert_signing: x509.KeyUsageFlags.keyCertSign,
        crl_signing: x509.KeyUsageFlags.cRLSign,
    };
    const ext: Record<string, string> = { server_auth: x509.ExtendedKeyUsage.serverAuth, client_auth: x509.ExtendedKeyUsage.clientAuth };
    const out: x509.Extension[] = [new x509.BasicConstraintsExtension(isCa, undefined, true)];
    const ku = uses.reduce((a, u) => a | (flags[u] ?? 0), 0);
    if (ku) out.push(new x509.KeyUsagesExtension(ku, true));
    const eku = uses.map((u) => ext[u]).filter(Boolean);
    if (eku.length) out.push(new x509.ExtendedKeyUsageExtension(eku));
    return out;
}

function validity(hours: number) {
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
    const notAfter = new Date(notBefore.getTime() + hours * 3600_000);
    return { notBefore, notAfter, serialNumber: "01" + randomBytes(15).toString("hex") };
}

function certOuts(cert: x509.X509Certificate, v: { notBefore: Date; notAfter: Date }) {
    return {
        certPem: cert.toString("pem") + "\n",
        validityStartTime: v.notBefore.toISOString().replace(/\.\d+Z$/, "Z"),
        validityEndTime: v.notAfter.toISOString().replace(/\.\d+Z$/, "Z"),
        readyForRenewal: false,
    };
}

export async function create(type: string, a: any): Promise<Record<string, unknown>> {
    switch (type) {
        case "tls:index/privateKey:PrivateKey": {
            const { privateKey, publicKey } =
                a.algorithm === "RSA"
                    ? generateKeyPairSync("rsa", { modulusLength: a.rsaBits ?? 2048 })
                    : generateKeyPairSync("ec", { namedCurve: a.ecdsaCurve === "P384" ? "P-384" : "prime256v1" });
            return {
                privateKeyPem: privateKey.export({ format: "pem", type: a.algorithm === "RSA" ? "pkcs1" : "sec1" }),
                privateKeyPemPkcs8: privateKey.export({ format: "pem", type: "pkcs8" }),
                publicKeyPem: publicKey.export({ format: "pem", type: "spki" }),
            };
        }
        case "tls:index/selfSignedCert:SelfSignedCert": {
            const { keys, sign } = await keyPair(a.privateKeyPem);
            const v = validity(a.validityPeriodHours);
            const extensions = usages(a.allowedUses ?? [], !!a.isCaCertificate);
            if (a.setSubjectKeyId) extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
            if (a.dnsNames?.length)
                extensions.push(new x509.SubjectAlternativeNameExtension(a.dnsNames.map((d: string) => ({ type: "dns", value: d }))));
            const cert = await x509.X509CertificateGenerator.createSelfSigned({
                ...v,
                name: name(a.subject),
                keys,
                signingAlgorithm: sign,
                extensions,
            });
            return certOuts(cert, v);
        }
        case "tls:index/certRequest:CertRequest": {
            const { keys, sign } = await keyPair(a.privateKeyPem);
            const extensions: x509.Extension[] = [];
            if (a.dnsNames?.length)
                extensions.push(new x509.SubjectAlternativeNameExtension(a.dnsNames.map((d: string) => ({ type: "dns", value: d }))));
            const csr = await x509.Pkcs10CertificateRequestGenerator.create({
                name: name(a.subject),
                keys,
                signingAlgorithm: sign,
                extensions,
            });
            return { certRequestPem: csr.toString("pem") + "\n" };
        }
        case "tls:index/locallySignedCert:LocallySignedCert": {
            const csr = new x509.Pkcs10CertificateRequest(a.certRequestPem);
            const ca = new x509.X509Certificate(a.caCertPem);
            const { keys, sign } = await keyPair(a.caPrivateKeyPem);
            const v = validity(a.validityPeriodHours);
            const extensions = usages(a.allowedUses ?? [], !!a.isCaCertificate);
            const san = csr.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension);
            if (san) extensions.push(san);
            const publicKey = await csr.publicKey.export();
            if (a.setSubjectKeyId) extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
            extensions.push(await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey));
            const cert = await x509.X509CertificateGenerator.create({
                ...v,
                subject: csr.subject,
                issuer: ca.subject,
                publicKey,
                signingKey: keys.privateKey,
                signingAlgorithm: sign,
                extensions,
            });
            return { ...certOuts(cert, v), caKeyAlgorithm: keys.privateKey.algorithm.name === "ECDSA" ? "ECDSA" : "RSA" };
        }
    }
    throw new Error(`stand-in tls provider: unsupported type ${type}`);
}

const prov: provider.Provider = {
    version: "5.6.1",
    async diff(id, urn, olds, news) {
        return replaceOnAnyChange(INPUTS[typeOf(urn)] ?? [])(id, urn, olds, news);
    },
    async create(urn, inputs) {
        const a = unwrap(inputs);
        const outs = await create(typeOf(urn), a);
        return { id: randomBytes(16).toString("hex"), outs: { ...a, ...outs } };
    },
};

if (require.main === module) void provider.main(prov, process.argv.slice(2));
