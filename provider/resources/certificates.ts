/**
 * A private CA and the leaf certificates signed by it, as `@pulumi/tls` resources:
 * PrivateKey + SelfSignedCert for the CA, PrivateKey + CertRequest + LocallySignedCert per leaf.
 */
import { ChildOptions } from "./child-options";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { ResolvedCertificates } from "../args/options";

/** A key and its certificate. */
export interface KeyAndCert {
    key: tls.PrivateKey;
    certPem: pulumi.Output<string>;
    /** Lifetime of the certificate, for `tlsNotAfter` and the expiry warnings (outputs/certificate-expiry.ts). */
    status: CertificateStatus;
}

/**
 * What @pulumi/tls reports about a certificate's lifetime (`SelfSignedCert` / `LocallySignedCert`
 * outputs `validityEndTime`, RFC 3339, and `readyForRenewal`). Both are unknown at preview while the
 * certificate is created or replaced (a renewal inside `earlyRenewalHours` is a replacement:
 * terraform-provider-tls `common_cert.go` `modifyPlanIfCertificateReadyForRenewal`).
 */
export interface CertificateStatus {
    /** Pulumi resource name of the certificate, e.g. `<name>-server-cert`. */
    resourceName: string;
    validityEndTime: pulumi.Output<string>;
    readyForRenewal: pulumi.Output<boolean>;
}

function statusOf(resourceName: string, cert: tls.SelfSignedCert | tls.LocallySignedCert): CertificateStatus {
    return { resourceName, validityEndTime: cert.validityEndTime, readyForRenewal: cert.readyForRenewal };
}

function privateKey(resourceName: string, opts: ResolvedCertificates, child: ChildOptions): tls.PrivateKey {
    const args: tls.PrivateKeyArgs =
        opts.keyAlgorithm === "RSA" ? { algorithm: "RSA", rsaBits: 2048 } : { algorithm: "ECDSA", ecdsaCurve: "P256" };
    return new tls.PrivateKey(resourceName, args, child);
}

/** Creates the CA of the ISB service `name` (`<name>-ca-key`, `<name>-ca`). */
export function createCertificateAuthority(name: string, opts: ResolvedCertificates, child: ChildOptions): KeyAndCert {
    const key = privateKey(`${name}-ca-key`, opts, child);
    const cert = new tls.SelfSignedCert(
        `${name}-ca`,
        {
            privateKeyPem: key.privateKeyPem,
            subject: { commonName: `isbsvc-${name} CA`, organization: "isbsvc" },
            isCaCertificate: true,
            setSubjectKeyId: true,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
            validityPeriodHours: opts.caValidityHours,
            earlyRenewalHours: opts.earlyRenewalHours,
        },
        child,
    );
    return { key, certPem: cert.certPem, status: statusOf(`${name}-ca`, cert) };
}

/** What a leaf certificate is for. */
export interface LeafRequest {
    /** Role in resource names, e.g. `server` gives `<name>-server-key`, `-csr`, `-cert`. */
    role: string;
    dnsNames: pulumi.Input<string[]>;
    /** Also valid as a TLS client (routes authenticate each other). */
    clientAuth: boolean;
}

/** Creates a leaf key and certificate signed by `ca`. */
export function createLeafCertificate(
    name: string,
    leaf: LeafRequest,
    ca: KeyAndCert,
    opts: ResolvedCertificates,
    child: ChildOptions,
): KeyAndCert {
    const key = privateKey(`${name}-${leaf.role}-key`, opts, child);
    const csr = new tls.CertRequest(
        `${name}-${leaf.role}-csr`,
        {
            privateKeyPem: key.privateKeyPem,
            subject: { commonName: pulumi.output(leaf.dnsNames).apply((d) => d[0]), organization: "isbsvc" },
            dnsNames: leaf.dnsNames,
        },
        child,
    );
    const uses = [
        "digital_signature",
        ...(opts.keyAlgorithm === "RSA" ? ["key_encipherment"] : []),
        "server_auth",
        ...(leaf.clientAuth ? ["client_auth"] : []),
    ];
    const cert = new tls.LocallySignedCert(
        `${name}-${leaf.role}-cert`,
        {
            certRequestPem: csr.certRequestPem,
            caCertPem: ca.certPem,
            caPrivateKeyPem: ca.key.privateKeyPem,
            allowedUses: uses,
            validityPeriodHours: opts.validityHours,
            earlyRenewalHours: opts.earlyRenewalHours,
            setSubjectKeyId: true,
        },
        child,
    );
    return { key, certPem: cert.certPem, status: statusOf(`${name}-${leaf.role}-cert`, cert) };
}
