/**
 * Certificate lifetimes: the `tlsNotAfter` output and the preview warnings about certificates that
 * are about to expire. Pure (no Pulumi imports); the component wires it (component.ts).
 *
 * Times come from @pulumi/tls `validityEndTime`: terraform-provider-tls `common_cert.go`
 * `createCertificate` stores `template.NotAfter.MarshalText()`, Go's RFC 3339 with nanoseconds and
 * the provider host's UTC offset (e.g. `2027-12-02T11:39:07.123456789+01:00`). The certificate
 * itself holds the time to the second (X.509 UTCTime/GeneralizedTime), so `tlsNotAfter` is that
 * instant, in UTC, to the second.
 */

/** Warn at preview when a certificate expires within this many days. */
export const EXPIRY_WARNING_DAYS = 30;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an RFC 3339 timestamp (fractions below a millisecond dropped); undefined if it is not one. */
export function parseRfc3339(text: string): number | undefined {
    const m = RFC3339.exec(text);
    if (!m) return undefined;
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    const fields = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)];
    if (fields[1] < 1 || fields[1] > 12 || fields[2] < 1 || fields[2] > 31 || fields[3] > 23 || fields[4] > 59 || fields[5] > 60) {
        return undefined;
    }
    let ms = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]);
    if (new Date(ms).getUTCDate() !== fields[2]) return undefined; // e.g. February 30
    if (frac) ms += Math.floor(Number(`0${frac}`) * 1000);
    if (zone.toUpperCase() !== "Z") {
        const sign = zone[0] === "-" ? -1 : 1;
        ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
    }
    return ms;
}

/** `YYYY-MM-DDTHH:MM:SSZ` of an instant, truncated to the second. */
export function formatRfc3339(ms: number): string {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/**
 * The earliest of the given expiry times (RFC 3339), as UTC to the second; empty when there are
 * none. An unparsable value is an error: it would hide an expiry.
 */
export function earliestNotAfter(validityEndTimes: readonly string[]): string {
    if (validityEndTimes.length === 0) return "";
    const times = validityEndTimes.map((t) => {
        const ms = parseRfc3339(t);
        if (ms === undefined) throw new Error(`certificate validityEndTime is not an RFC 3339 timestamp: ${JSON.stringify(t)}`);
        return ms;
    });
    return formatRfc3339(Math.min(...times));
}

/** One certificate as the warnings see it (known values only). */
export interface CertificateLifetime {
    /** Pulumi resource name, e.g. `default-server-cert`. */
    resourceName: string;
    validityEndTime: string;
    readyForRenewal: boolean;
}

/**
 * The warning for one certificate at time `now` (ms), or undefined when it has more than
 * {@link EXPIRY_WARNING_DAYS} days left and is outside its early-renewal window.
 */
export function certificateWarning(c: CertificateLifetime, earlyRenewalHours: number, now: number): string | undefined {
    const end = parseRfc3339(c.validityEndTime);
    if (end === undefined) return `certificate ${c.resourceName}: validityEndTime ${JSON.stringify(c.validityEndTime)} is not RFC 3339`;
    const left = end - now;
    const at = formatRfc3339(end);
    const how =
        "Certificates renew only when `pulumi up` runs inside certificates.earlyRenewalHours " +
        `(${earlyRenewalHours} h) before expiry: schedule \`pulumi up\` (README, "Certificate lifetimes").`;
    if (left <= 0) return `certificate ${c.resourceName} expired at ${at}; TLS clients and routes refuse it. ${how}`;
    const days = (left / 86_400_000).toFixed(1);
    if (c.readyForRenewal || left <= earlyRenewalHours * 3_600_000) {
        return `certificate ${c.resourceName} expires at ${at} (in ${days} days) and is inside its early-renewal window: \`pulumi up\` renews it.`;
    }
    if (left <= EXPIRY_WARNING_DAYS * 86_400_000) return `certificate ${c.resourceName} expires at ${at} (in ${days} days). ${how}`;
    return undefined;
}
