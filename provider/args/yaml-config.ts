/**
 * Settings and buffer configuration arrive as the YAML text of the upstream spec or as plain
 * objects. These helpers parse, lower-case and deep-merge them.
 */
import * as yaml from "js-yaml";
import { fail } from "./errors";
import { describe, rejectOutput } from "./values";

export type ConfigObject = { [key: string]: unknown };

/** Parses a YAML string or accepts a plain object; anything else fails naming `path`. */
export function parseConfig(value: unknown, path: string): ConfigObject {
    if (value === undefined || value === null) return {};
    rejectOutput(value, path);
    if (typeof value === "string") {
        let parsed: unknown;
        try {
            parsed = yaml.load(value, { schema: yaml.CORE_SCHEMA });
        } catch (err) {
            const reason = err instanceof yaml.YAMLException ? err.reason : String(err);
            const line = err instanceof yaml.YAMLException && err.mark ? ` (line ${err.mark.line + 1})` : "";
            fail(path, `is not valid YAML${line}: ${reason}`);
        }
        if (parsed === undefined || parsed === null) return {};
        if (typeof parsed !== "object" || Array.isArray(parsed)) {
            fail(path, `must be a YAML mapping of keys to values, got ${describe(parsed)}`);
        }
        return parsed as ConfigObject;
    }
    if (typeof value === "object" && !Array.isArray(value)) return value as ConfigObject;
    fail(path, `must be a YAML string or an object, got ${describe(value)}`);
}

/** Returns a copy whose keys are lower-cased at every level (viper reads keys case-insensitively). */
export function lowerCaseKeys(obj: ConfigObject): ConfigObject {
    const out: ConfigObject = {};
    for (const [k, v] of Object.entries(obj)) {
        out[k.toLowerCase()] = isPlainObject(v) ? lowerCaseKeys(v) : v;
    }
    return out;
}

/**
 * Deep-merges `override` over `base` into a new object (neither input is shared or changed):
 * nested objects merge, everything else replaces.
 */
export function deepMerge(base: ConfigObject, override: ConfigObject): ConfigObject {
    const out: ConfigObject = {};
    for (const [k, v] of Object.entries(base)) out[k] = isPlainObject(v) ? deepMerge(v, {}) : v;
    for (const [k, v] of Object.entries(override)) {
        const current = out[k];
        out[k] = isPlainObject(v) ? deepMerge(isPlainObject(current) ? current : {}, v) : v;
    }
    return out;
}

export function isPlainObject(v: unknown): v is ConfigObject {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
