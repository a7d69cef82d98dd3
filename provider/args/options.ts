/**
 * Options beyond the upstream spec: certificates, disruption budget and anti-affinity, with
 * defaults that depend on the number of replicas.
 */
import { at, fail } from "./errors";
import { duration, optionalBoolean, optionalInteger, optionalObject, optionalString, rejectUnknownKeys } from "./values";

/** Certificate options with defaults. */
export interface ResolvedCertificates {
    keyAlgorithm: "ECDSA" | "RSA";
    caValidityHours: number;
    validityHours: number;
    earlyRenewalHours: number;
}

export const DEFAULT_CERTIFICATES: ResolvedCertificates = {
    keyAlgorithm: "ECDSA",
    caValidityHours: 87600,
    validityHours: 8760,
    earlyRenewalHours: 720,
};

export function resolveCertificates(raw: unknown, path: string): ResolvedCertificates {
    const obj = optionalObject(raw, path) ?? {};
    rejectUnknownKeys(obj, ["keyAlgorithm", "caValidityHours", "validityHours", "earlyRenewalHours"], path);
    const keyAlgorithm = optionalString(obj.keyAlgorithm, at(path, "keyAlgorithm")) ?? DEFAULT_CERTIFICATES.keyAlgorithm;
    if (keyAlgorithm !== "ECDSA" && keyAlgorithm !== "RSA") {
        fail(at(path, "keyAlgorithm"), `must be "ECDSA" or "RSA", got ${JSON.stringify(keyAlgorithm)}`);
    }
    const max = 24 * 365 * 100;
    const caValidityHours =
        optionalInteger(obj.caValidityHours, at(path, "caValidityHours"), 24, max) ?? DEFAULT_CERTIFICATES.caValidityHours;
    const validityHours = optionalInteger(obj.validityHours, at(path, "validityHours"), 24, max) ?? DEFAULT_CERTIFICATES.validityHours;
    const earlyRenewalHours =
        optionalInteger(obj.earlyRenewalHours, at(path, "earlyRenewalHours"), 0, max) ??
        Math.min(DEFAULT_CERTIFICATES.earlyRenewalHours, Math.floor(validityHours / 2));
    if (earlyRenewalHours >= validityHours) {
        fail(
            at(path, "earlyRenewalHours"),
            `(${earlyRenewalHours}) must be less than validityHours (${validityHours}), ` + "or every run would renew the certificates",
        );
    }
    if (validityHours > caValidityHours) {
        fail(at(path, "validityHours"), `(${validityHours}) must not exceed caValidityHours (${caValidityHours})`);
    }
    return { keyAlgorithm, caValidityHours, validityHours, earlyRenewalHours };
}

/** Disruption budget with defaults; `undefined` when none is created. */
export interface ResolvedDisruptionBudget {
    maxUnavailable: number;
}

export function resolveDisruptionBudget(raw: unknown, path: string, replicas: number): ResolvedDisruptionBudget | undefined {
    const obj = optionalObject(raw, path) ?? {};
    rejectUnknownKeys(obj, ["enabled", "maxUnavailable"], path);
    const enabled = optionalBoolean(obj.enabled, at(path, "enabled")) ?? replicas >= 3;
    const maxUnavailable = optionalInteger(obj.maxUnavailable, at(path, "maxUnavailable"), 1, 1000) ?? 1;
    if (!enabled) return undefined;
    if (maxUnavailable >= replicas) {
        fail(
            at(path, "maxUnavailable"),
            `(${maxUnavailable}) must be less than the number of replicas (${replicas}), ` + "or the budget protects nothing",
        );
    }
    return { maxUnavailable };
}

/** How pods are spread over nodes when the user gives no affinity. */
export type AntiAffinity = "soft" | "hard" | "none";

export function resolveAntiAffinity(raw: unknown, path: string, replicas: number): AntiAffinity {
    const value = optionalString(raw, path);
    if (value === undefined) return replicas >= 3 ? "soft" : "none";
    if (value !== "soft" && value !== "hard" && value !== "none") {
        fail(path, `must be "soft", "hard" or "none", got ${JSON.stringify(value)}`);
    }
    return value;
}

/** Await options of the slow resources. */
export interface ResolvedAwait {
    skipAwait: boolean;
    customTimeouts: { create?: string; update?: string; delete?: string };
}

export const DEFAULT_TIMEOUTS = { create: "20m", update: "20m" };

export function resolveAwait(skipRaw: unknown, timeoutsRaw: unknown): ResolvedAwait {
    const obj = optionalObject(timeoutsRaw, "customTimeouts") ?? {};
    rejectUnknownKeys(obj, ["create", "update", "delete"], "customTimeouts");
    const customTimeouts: ResolvedAwait["customTimeouts"] = { ...DEFAULT_TIMEOUTS };
    for (const k of ["create", "update", "delete"] as const) {
        if (obj[k] !== undefined && obj[k] !== null) customTimeouts[k] = duration(obj[k], at("customTimeouts", k));
    }
    return { skipAwait: optionalBoolean(skipRaw, "skipAwait") ?? false, customTimeouts };
}
