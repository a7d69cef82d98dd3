/**
 * Small, typed validators for plain spec values. Each takes the value and the field path and
 * either returns the value narrowed to its type or throws a SpecError naming the field.
 */
import * as pulumi from "@pulumi/pulumi";
import { at, fail } from "./errors";

/** Describes a value for error messages without echoing secrets or huge objects. */
export function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
    if (typeof value === "object") return "an object";
    return `${typeof value} ${String(value)}`;
}

/** Rejects Pulumi Outputs where a plain value is required (spec fields shape the rendered objects). */
export function rejectOutput(value: unknown, path: string): void {
    if (pulumi.Output.isInstance(value) || pulumi.isUnknown(value) || value instanceof Promise) {
        fail(
            path,
            "must be a plain value known at construction time, not an Output or Promise " +
                "(it decides which resources are created and what their configuration files contain)",
        );
    }
}

export function optionalString(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    rejectOutput(value, path);
    if (typeof value !== "string") fail(path, `must be a string, got ${describe(value)}`);
    return value;
}

export function requiredString(value: unknown, path: string): string {
    const s = optionalString(value, path);
    if (s === undefined || s.trim() === "") fail(path, "is required and must be a non-empty string");
    return s;
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    rejectOutput(value, path);
    if (typeof value !== "boolean") fail(path, `must be a boolean (true or false), got ${describe(value)}`);
    return value;
}

export function optionalInteger(value: unknown, path: string, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    rejectOutput(value, path);
    if (typeof value !== "number" || !Number.isInteger(value)) fail(path, `must be an integer, got ${describe(value)}`);
    if (value < min || value > max) fail(path, `must be between ${min} and ${max}, got ${value}`);
    return value;
}

export function optionalObject(value: unknown, path: string): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    rejectOutput(value, path);
    if (typeof value !== "object" || Array.isArray(value)) fail(path, `must be an object, got ${describe(value)}`);
    return value as Record<string, unknown>;
}

export function optionalArray(value: unknown, path: string): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    rejectOutput(value, path);
    if (!Array.isArray(value)) fail(path, `must be an array, got ${describe(value)}`);
    return value;
}

/** Rejects keys of `obj` that are not in `allowed`, naming the first unknown key. */
export function rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(obj)) {
        if (!allowed.includes(key)) {
            fail(at(path, key), `is not a known field; known fields are: ${allowed.join(", ")}`);
        }
    }
}

/** A map of string to string, such as labels, annotations or a node selector. */
export function optionalStringMap(value: unknown, path: string): Record<string, string> | undefined {
    const obj = optionalObject(value, path);
    if (obj === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const key of Object.keys(obj).sort()) {
        const v = obj[key];
        rejectOutput(v, at(path, key));
        if (typeof v !== "string") fail(at(path, key), `must be a string, got ${describe(v)}`);
        out[key] = v;
    }
    return out;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS-1035 label: lower-case alphanumerics and '-', starting with a letter, at most `max` characters. */
export function dns1035Label(value: string, path: string, max = 63): string {
    if (value.length > max || !DNS1035_LABEL.test(value)) {
        fail(
            path,
            `must be a DNS-1035 label of at most ${max} characters (lower-case letters, digits and '-', ` +
                `starting with a letter and ending with a letter or digit), got ${JSON.stringify(value)}`,
        );
    }
    return value;
}

/** A DNS-1123 label, as Kubernetes namespaces are. */
export function dns1123Label(value: string, path: string): string {
    if (value.length > 63 || !DNS1123_LABEL.test(value)) {
        fail(
            path,
            `must be a DNS-1123 label of at most 63 characters (lower-case letters, digits and '-', ` +
                `starting and ending with a letter or digit), got ${JSON.stringify(value)}`,
        );
    }
    return value;
}

/** A DNS-1123 subdomain, as Kubernetes object names and DNS domains are. */
export function dns1123Subdomain(value: string, path: string): string {
    if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
        fail(path, `must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.'), got ${JSON.stringify(value)}`);
    }
    return value;
}

const QUANTITY = /^([+]?)([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const QUANTITY_FACTORS: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    Pi: 1024 ** 5,
    Ei: 1024 ** 6,
};

/** Parses a Kubernetes resource quantity ("10Gi", "500m", "1e3") and returns its value. */
export function parseQuantity(value: string): number | undefined {
    const m = QUANTITY.exec(value);
    if (!m) return undefined;
    const suffix = m[4] ?? "";
    const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : QUANTITY_FACTORS[suffix];
    return Number(m[2]) * factor;
}

/** A positive Kubernetes quantity such as "20Gi". */
export function positiveQuantity(value: unknown, path: string): string {
    rejectOutput(value, path);
    const s = typeof value === "number" ? String(value) : value;
    if (typeof s !== "string") fail(path, `must be a Kubernetes quantity such as "10Gi", got ${describe(value)}`);
    const parsed = parseQuantity(s);
    if (parsed === undefined) fail(path, `must be a Kubernetes quantity such as "10Gi" or "500Mi", got ${JSON.stringify(s)}`);
    if (!(parsed > 0)) fail(path, `must be greater than zero, got ${JSON.stringify(s)}`);
    return s;
}

/** Go-style duration as NATS and Numaflow read them: "60s", "72h", "1h30m", "500ms". */
const DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

/** Returns the duration in milliseconds, or undefined when the text is not a duration. */
export function parseDuration(value: string): number | undefined {
    if (!DURATION.test(value)) return undefined;
    const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
    let total = 0;
    for (const part of value.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) {
        total += Number(part[1]) * units[part[2]];
    }
    return total;
}

export function duration(value: unknown, path: string): string {
    rejectOutput(value, path);
    if (typeof value !== "string" || parseDuration(value) === undefined) {
        fail(path, `must be a duration such as "60s", "72h" or "1h30m", got ${describe(value)}`);
    }
    return value;
}
