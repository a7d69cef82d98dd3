/**
 * NATS server settings (`jetstream.settings`): the keys we accept, their types, defaults and limits.
 *
 * Upstream merges the YAML but then reads only three keys and silently drops the rest. We accept
 * a documented set of server keys, validate each one, and reject anything else by name.
 */
import { at, fail } from "./errors";
import { ConfigObject, deepMerge, parseConfig } from "./yaml-config";
import { describe, parseDuration } from "./values";
import { JetStreamVersion, serverAtLeast } from "./jetstream-versions";

/** Where a setting is rendered in nats-js.conf. */
export type SettingBlock = "server" | "jetstream";

type SettingKind = "size" | "store-size" | "integer" | "duration" | "boolean" | "sync-interval";

interface SettingRule {
    block: SettingBlock;
    kind: SettingKind;
    /** Minimum nats-server release (major, minor) that understands the key. */
    since?: [number, number];
    /** Inclusive bounds for sizes and integers (bytes for sizes). */
    min?: number;
    max?: number;
    /** Minimum for durations, in milliseconds. */
    minMs?: number;
}

/** Largest max_payload NATS allows. */
export const MAX_PAYLOAD_LIMIT = 64 * 1024 * 1024;

const RULE_LIST: Record<string, SettingRule> = {
    max_payload: { block: "server", kind: "size", min: 1, max: MAX_PAYLOAD_LIMIT },
    max_connections: { block: "server", kind: "integer", min: 1, max: 2 ** 31 - 1 },
    max_control_line: { block: "server", kind: "size", min: 1, max: 2 ** 31 - 1 },
    max_pending: { block: "server", kind: "size", min: 1, max: Number.MAX_SAFE_INTEGER },
    max_subscriptions: { block: "server", kind: "integer", min: 0, max: 2 ** 31 - 1 },
    write_deadline: { block: "server", kind: "duration", minMs: 1 },
    ping_interval: { block: "server", kind: "duration", minMs: 1 },
    ping_max: { block: "server", kind: "integer", min: 1, max: 1000 },
    lame_duck_duration: { block: "server", kind: "duration", minMs: 30_000 },
    lame_duck_grace_period: { block: "server", kind: "duration", minMs: 0 },
    debug: { block: "server", kind: "boolean" },
    trace: { block: "server", kind: "boolean" },
    logtime: { block: "server", kind: "boolean" },
    max_memory_store: { block: "jetstream", kind: "store-size" },
    max_file_store: { block: "jetstream", kind: "store-size" },
    sync_interval: { block: "jetstream", kind: "sync-interval", since: [2, 10] },
};

/** Looked up as a Map: a key such as `toString` or `constructor` finds no rule. */
const RULES: ReadonlyMap<string, SettingRule> = new Map(Object.entries(RULE_LIST));

/** The settings keys users may set. */
export const SETTINGS_KEYS = [...RULES.keys()].sort();

/**
 * Largest size we render: nats-server reads sizes as int64, and we render exact integers, so
 * the bound is the largest integer a JavaScript number holds exactly (2^53 - 1 bytes, 8 PiB).
 * Larger values would be rendered rounded or in exponent notation (`1e+21`), which the server
 * refuses.
 */
export const MAX_SIZE = Number.MAX_SAFE_INTEGER;

/** Defaults of the controller config (§3.2 of the reference) plus our lame-duck timings. */
export const DEFAULT_SETTINGS: ConfigObject = {
    max_payload: 1048576,
    max_memory_store: -1,
    max_file_store: "1TB",
    lame_duck_duration: "120s",
    lame_duck_grace_period: "10s",
};

/** A validated setting ready to render: numbers are bytes or counts, durations stay as text. */
export type SettingValue = number | string | boolean;

/** Validated settings, keyed by name, each with the block it belongs to. */
export interface ResolvedSettings {
    values: { [key: string]: SettingValue };
    blockOf(key: string): SettingBlock;
}

const SIZE = /^(\d{1,30})(?:\.(\d{1,30}))?[ \t]*(k|kb|ki|kib|m|mb|mi|mib|g|gb|gi|gib|t|tb|ti|tib|p|pb|pi|pib)?$/i;

/**
 * Parses a NATS size: a number of bytes, or text with NATS's suffixes (k = 1000, kb/ki = 1024, ...).
 * Returns undefined for anything else, including values above {@link MAX_SIZE} (computed exactly).
 */
export function parseNatsSize(value: unknown): number | undefined {
    if (typeof value === "number") return Number.isSafeInteger(value) ? value : undefined;
    if (typeof value !== "string" || value.length > 80) return undefined;
    const m = SIZE.exec(value.trim());
    if (!m) return undefined;
    const unit = (m[3] ?? "").toLowerCase();
    const power = { "": 0, k: 1, m: 2, g: 3, t: 4, p: 5 }[unit.charAt(0) as "" | "k"] ?? 0;
    const base = BigInt(unit.length > 1 ? 1024 : 1000) ** BigInt(power);
    const frac = m[2] ?? "";
    const scale = 10n ** BigInt(frac.length);
    // Exact: (integer part * scale + fraction) * base / scale, rounded half up.
    const scaled = (BigInt(m[1]) * scale + (frac === "" ? 0n : BigInt(frac))) * base;
    const bytes = (scaled * 2n + scale) / (2n * scale);
    return bytes > BigInt(MAX_SIZE) ? undefined : Number(bytes);
}

function checkValue(rule: SettingRule, value: unknown, path: string): SettingValue {
    switch (rule.kind) {
        case "size":
        case "integer": {
            const n = rule.kind === "size" ? parseNatsSize(value) : Number.isInteger(value) ? (value as number) : undefined;
            if (n === undefined) {
                fail(
                    path,
                    rule.kind === "size"
                        ? `must be a size in bytes or with a unit such as "8MB", at most ${MAX_SIZE} bytes, got ${describe(value)}`
                        : `must be an integer, got ${describe(value)}`,
                );
            }
            if (n < rule.min! || n > rule.max!) fail(path, `must be between ${rule.min} and ${rule.max}, got ${n}`);
            return n;
        }
        case "store-size": {
            const n = parseNatsSize(value) ?? (value === -1 || value === "-1" ? -1 : undefined);
            if (n === undefined || (n < 0 && n !== -1)) {
                fail(path, `must be -1 (no limit) or a size such as "10GB", at most ${MAX_SIZE} bytes, got ${describe(value)}`);
            }
            return n;
        }
        case "duration":
        case "sync-interval": {
            if (rule.kind === "sync-interval" && value === "always") return value;
            const ms = typeof value === "string" ? parseDuration(value) : undefined;
            if (ms === undefined) fail(path, `must be a duration such as "10s" or "2m", at most 2562047h, got ${describe(value)}`);
            if (ms < (rule.minMs ?? 0)) fail(path, `must be at least ${rule.minMs! / 1000}s, got ${value}`);
            return value as string;
        }
        case "boolean":
            if (typeof value !== "boolean") fail(path, `must be true or false, got ${describe(value)}`);
            return value;
    }
}

/**
 * Merges `settings` over the defaults and validates every key against the rules and the
 * server release of `version`.
 */
export function resolveJetStreamSettings(raw: unknown, path: string, version: JetStreamVersion): ResolvedSettings {
    const user = parseConfig(raw, path);
    const merged = deepMerge(DEFAULT_SETTINGS, user);
    const values: { [key: string]: SettingValue } = {};
    for (const key of Object.keys(merged).sort()) {
        const field = at(path, key);
        const rule = RULES.get(key);
        if (key === "store_dir") fail(field, "cannot be set: the store directory is managed by the component");
        if (!rule) fail(field, `is not a supported NATS setting; supported settings are: ${SETTINGS_KEYS.join(", ")}`);
        if (rule.since && !serverAtLeast(version, rule.since[0], rule.since[1])) {
            fail(
                field,
                `needs nats-server ${rule.since.join(".")} or newer, but version ${version.version} runs ` + `${version.server.join(".")}`,
            );
        }
        values[key] = checkValue(rule, merged[key], field);
    }
    const grace = parseDuration(String(values.lame_duck_grace_period))!;
    if (grace >= parseDuration(String(values.lame_duck_duration))!) {
        fail(
            at(path, "lame_duck_grace_period"),
            `(${values.lame_duck_grace_period}) must be shorter than ` +
                `lame_duck_duration (${values.lame_duck_duration}); nats-server refuses to start otherwise`,
        );
    }
    return { values, blockOf: (key: string) => RULES.get(key)!.block };
}
