/**
 * Outputs derived from the created resources rather than from the spec: `credentialsRevision`,
 * `tlsNotAfter`, and the preview warnings about certificate lifetimes.
 */
import * as pulumi from "@pulumi/pulumi";
import { CertificateStatus } from "../resources/certificates";
import { certificateWarning, earliestNotAfter } from "./certificate-expiry";
import { CredentialMaterial, credentialsRevision } from "./credentials-revision";

/**
 * The revision of `material` (outputs/credentials-revision.ts). Not secret: it is a 64-bit hash
 * from which the password cannot be recovered, and consumers put it in annotations. Unknown at
 * preview while the password or CA is being created.
 */
export function revisionOutput(material: pulumi.Input<CredentialMaterial>, key?: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.unsecret(pulumi.all([material, key]).apply(([m, k]) => credentialsRevision(m, k)));
}

/** `tlsNotAfter`: the earliest `validityEndTime` of `certificates`; empty when there are none. */
export function tlsNotAfterOutput(certificates: readonly CertificateStatus[]): pulumi.Output<string> {
    if (certificates.length === 0) return pulumi.output("");
    return pulumi.all(certificates.map((c) => c.validityEndTime)).apply(earliestNotAfter);
}

/** The clock of the expiry warnings (tests move it to simulate a later preview). */
export const CLOCK = { now: (): number => Date.now() };

/**
 * At preview, warns on `component` about every certificate that has expired, is inside its
 * early-renewal window or expires within 30 days. A certificate created or replaced (renewed) by
 * this update has unknown outputs at preview; the SDK runs no apply on unknown values, so it is
 * silently skipped (the preview lists its replacement).
 */
export function warnAboutCertificates(
    certificates: readonly CertificateStatus[],
    earlyRenewalHours: number,
    component: pulumi.Resource,
    now: () => number = CLOCK.now,
): void {
    if (!pulumi.runtime.isDryRun()) return;
    for (const c of certificates) {
        pulumi.all([c.validityEndTime, c.readyForRenewal]).apply(([validityEndTime, readyForRenewal]) => {
            const message = certificateWarning(
                { resourceName: c.resourceName, validityEndTime, readyForRenewal },
                earlyRenewalHours,
                now(),
            );
            if (message) void pulumi.log.warn(message, component);
        });
    }
}
