/**
 * Settings and buffer configuration arrive as the YAML text of the upstream spec or as plain
 * objects. These helpers parse, lower-case and deep-merge them.
 *
 * Hostile input is stopped before any merge: the text is bounded in length, and the parsed value
 * (YAML aliases are shared references, so a small text can stand for a huge tree) goes through
 * {@link plainData}, which bounds depth and the expanded node count and rejects reserved keys.
 */
import * as yaml from "js-yaml";
import { at, fail } from "./errors";
import { describe, plainData, RESERVED_KEYS, rejectOutput } from "./values";

export type ConfigObject = { [key: string]: unknown };

/** Longest settings text accepted (far above any real settings block). */
export const MAX_CONFIG_TEXT = 64 * 1024;

/** Parses a YAML string or accepts a plain object; anything else fails naming `path`. */
export function parseConfig(value: unknown, path: string): ConfigObject {
    if (value === undefined || value === null) return {};
    rejectOutput(value, path);
    let parsed: unknown = value;
    if (typeof value === "string") {
        if (value.length > MAX_CONFIG_TEXT) fail(path, `is longer than ${MAX_CONFIG_TEXT} characters`);
        try {
            parsed = yaml.load(value, { schema: yaml.CORE_SCHEMA });
        } catch (err) {
            const reason = err instanceof yaml.YAMLException ? err.reason : "unreadable";
            const line = err instanceof yaml.YAMLException && err.mark ? ` (line ${err.mark.line + 1})` : "";
            fail(path, `is not valid YAML${line}: ${reason}`);
        }
        if (parsed === undefined || parsed === null) return {};
        if (typeof parsed !== "object" || Array.isArray(parsed)) {
            fail(path, `must be a YAML mapping of keys to values, got ${describe(parsed)}`);
        }
    } else if (typeof value !== "object" || Array.isArray(value)) {
        fail(path, `must be a YAML string or an object, got ${describe(value)}`);
    }
    return plainData(parsed, path) as ConfigObject;
}

/**
 * Returns a copy whose keys are lower-cased at every level (viper reads keys case-insensitively).
 * Two keys that differ only in case, and keys that lower-case to a reserved name, are errors.
 */
export function lowerCaseKeys(obj: ConfigObject, path = ""): ConfigObject {
    const out: ConfigObject = {};
    for (const [k, v] of Object.entries(obj)) {
        const key = k.toLowerCase();
        if (RESERVED_KEYS.has(key)) fail(at(path, k), "is a reserved name, not a field");
        if (Object.prototype.hasOwnProperty.call(out, key)) fail(at(path, k), `is given twice (keys are case-insensitive)`);
        out[key] = isPlainObject(v) ? lowerCaseKeys(v, at(path, key)) : v;
    }
    return out;
}

/**
 * Deep-merges `override` over `base` into a new object (neither input is shared or changed):
 * nested objects merge, everything else replaces. Both inputs have been through
 * {@link parseConfig} (bounded, no reserved keys), so the recursion is bounded.
 */
export function deepMerge(base: ConfigObject, override: ConfigObject): ConfigObject {
    const out: ConfigObject = {};
    for (const [k, v] of Object.entries(base)) out[k] = isPlainObject(v) ? deepMerge(v, {}) : v;
    for (const [k, v] of Object.entries(override)) {
        const current = Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined;
        out[k] = isPlainObject(v) ? deepMerge(isPlainObject(current) ? current : {}, v) : v;
    }
    return out;
}

export function isPlainObject(v: unknown): v is ConfigObject {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
