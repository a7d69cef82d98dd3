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

/**
 * Describes only the type of a value, for fields that may carry a secret (passwords, URLs,
 * server arguments): no part of the value is ever echoed.
 */
export function describeType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    if (typeof value === "object") return "an object";
    return `a ${typeof value}`;
}

/** True when `text` holds a blank (any Unicode white space) or a control character. */
export function hasBlankOrControl(text: string): boolean {
    for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code < 0x20 || code === 0x7f) return true;
    }
    return /\s/.test(text);
}

/** Own-property test: never finds `Object.prototype` members such as `toString` or `constructor`. */
export function hasOwn(obj: object, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Own-property read: `undefined` for keys the object does not hold itself. */
export function own<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
    return hasOwn(obj, key) ? obj[key] : undefined;
}

/** Keys that name JavaScript object machinery; never spec fields, rejected wherever keys are read. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Limits of free-form spec data (settings, buffer config, pass-through Kubernetes objects). */
export const DATA_LIMITS = { depth: 32, nodes: 10_000 };

/**
 * Validates free-form data before anything else reads it and returns a plain copy: only plain
 * objects (prototype `Object.prototype` or null), arrays and scalars; no reserved key; at most
 * {@link DATA_LIMITS}.depth levels and {@link DATA_LIMITS}.nodes values counted as a tree (a value
 * reached twice, as YAML aliases make it, counts twice, so alias expansion is bounded too).
 * Depth is checked before descending, so a deeply nested input fails without exhausting the stack.
 */
export function plainData(value: unknown, path: string): unknown {
    let nodes = 0;
    const walk = (v: unknown, p: string, depth: number): unknown => {
        nodes += 1;
        if (nodes > DATA_LIMITS.nodes) {
            fail(path, `has more than ${DATA_LIMITS.nodes} values (counting every use of a YAML alias); simplify it`);
        }
        if (v === null || typeof v !== "object") {
            if (typeof v === "function" || typeof v === "symbol" || typeof v === "bigint")
                fail(p, `must be plain data, got ${describeType(v)}`);
            return v;
        }
        rejectOutput(v, p);
        if (depth >= DATA_LIMITS.depth) fail(path, `is nested more than ${DATA_LIMITS.depth} levels deep`);
        if (Array.isArray(v)) return v.map((item, i) => walk(item, at(p, i), depth + 1));
        const proto: unknown = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) {
            fail(p, "must be a plain object (a literal or parsed data), not an instance or an object with a custom prototype");
        }
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(v)) {
            if (RESERVED_KEYS.has(key)) fail(at(p, key), "is a reserved name, not a field");
            out[key] = walk((v as Record<string, unknown>)[key], at(p, key), depth + 1);
        }
        return out;
    };
    return walk(value, path, 0);
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

/** `sensitive`: the field may carry a secret, so a wrong value is described by its type only. */
export function optionalString(value: unknown, path: string, sensitive = false): string | undefined {
    if (value === undefined || value === null) return undefined;
    rejectOutput(value, path);
    if (typeof value !== "string") fail(path, `must be a string, got ${sensitive ? describeType(value) : describe(value)}`);
    return value;
}

export function requiredString(value: unknown, path: string, sensitive = false): string {
    const s = optionalString(value, path, sensitive);
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
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
        fail(path, "must be a plain object (a literal or parsed data), not an instance or an object with a custom prototype");
    }
    return value as Record<string, unknown>;
}

/** A free-form object passed through to Kubernetes (securityContext, affinity, ...): plain, bounded data. */
export function optionalData(value: unknown, path: string): Record<string, unknown> | undefined {
    const obj = optionalObject(value, path);
    return obj === undefined ? undefined : (plainData(obj, path) as Record<string, unknown>);
}

export function optionalArray(value: unknown, path: string): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    rejectOutput(value, path);
    if (!Array.isArray(value)) fail(path, `must be an array, got ${describe(value)}`);
    return value;
}

/** Rejects keys of `obj` that are not in `allowed`, naming the first unknown key. */
export function rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
    const known = new Set(allowed);
    for (const key of Object.keys(obj)) {
        if (RESERVED_KEYS.has(key) || !known.has(key)) {
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
        if (RESERVED_KEYS.has(key)) fail(at(path, key), "is a reserved name, not a key");
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
    if (!Number.isFinite(parsed)) fail(path, `must be a finite Kubernetes quantity, got ${JSON.stringify(s)}`);
    if (!(parsed > 0)) fail(path, `must be greater than zero, got ${JSON.stringify(s)}`);
    return s;
}

/** Go-style duration as NATS and Numaflow read them: "60s", "72h", "1h30m", "500ms". */
const DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|μs|ms|s|m|h))+$/;
const DURATION_PART = /([0-9]+)(?:\.([0-9]+))?(ns|us|µs|μs|ms|s|m|h)/g;
const UNIT_NS: Record<string, bigint> = {
    ns: 1n,
    us: 1_000n,
    µs: 1_000n,
    μs: 1_000n,
    ms: 1_000_000n,
    s: 1_000_000_000n,
    m: 60_000_000_000n,
    h: 3_600_000_000_000n,
};
/** Go's time.Duration is an int64 of nanoseconds: time.ParseDuration refuses anything longer. */
export const MAX_DURATION_NS = 2n ** 63n - 1n;

/**
 * Returns the duration in milliseconds, or undefined when the text is not a duration or is longer
 * than Go's time.ParseDuration accepts (about 2562047h): computed exactly, in nanoseconds.
 */
export function parseDuration(value: string): number | undefined {
    if (value.length > 256 || !DURATION.test(value)) return undefined;
    let total = 0n;
    for (const part of value.matchAll(DURATION_PART)) {
        const unit = UNIT_NS[part[3]];
        const frac = part[2] ?? "";
        total += BigInt(part[1]) * unit + (frac === "" ? 0n : (BigInt(frac) * unit) / 10n ** BigInt(frac.length));
        if (total > MAX_DURATION_NS) return undefined;
    }
    return Number(total) / 1e6;
}

export function duration(value: unknown, path: string): string {
    rejectOutput(value, path);
    if (typeof value !== "string" || parseDuration(value) === undefined) {
        fail(path, `must be a duration such as "60s", "72h" or "1h30m", at most 2562047h, got ${describe(value)}`);
    }
    return value;
}
