/**
 * Buffer configuration (`jetstream.bufferConfig`): stream, consumer and bucket defaults that the
 * pipeline's buffer-creation jobs read from the `streamConfig` output.
 *
 * Keys are case-insensitive (the consumers read them with viper) and come out lower-cased and
 * sorted, byte for byte as the upstream controller writes `status.config.jetstream.streamConfig`.
 */
import * as pulumi from "@pulumi/pulumi";
import { at, fail } from "./errors";
import { ConfigObject, deepMerge, isPlainObject, lowerCaseKeys, parseConfig } from "./yaml-config";
import { describe, parseDuration } from "./values";

type FieldKind = { kind: "int"; min: number; max: number } | { kind: "duration" };

const int = (min: number, max: number): FieldKind => ({ kind: "int", min, max });
const DURATION: FieldKind = { kind: "duration" };
const BIG = Number.MAX_SAFE_INTEGER;

const BUCKET: Record<string, FieldKind> = {
    maxvaluesize: int(-1, 2 ** 31 - 1),
    history: int(1, 64),
    ttl: DURATION,
    maxbytes: int(-1, BIG),
    storage: int(0, 1),
    replicas: int(1, 5),
};

/** Known sections and their fields, lower-case. */
const SECTION_LIST: Record<string, Record<string, FieldKind>> = {
    stream: {
        retention: int(0, 2),
        maxmsgs: int(-1, BIG),
        maxage: DURATION,
        maxbytes: int(-1, BIG),
        storage: int(0, 1),
        replicas: int(1, 5),
        duplicates: DURATION,
    },
    consumer: { ackwait: DURATION, maxackpending: int(-1, 2 ** 31 - 1) },
    otbucket: BUCKET,
    procbucket: BUCKET,
};

/** Looked up as Maps: keys such as `constructor`, `toString` or `length` find no rule. */
const SECTIONS: ReadonlyMap<string, ReadonlyMap<string, FieldKind>> = new Map(
    Object.entries(SECTION_LIST).map(([name, fields]) => [name, new Map(Object.entries(fields))]),
);

/** Defaults of the controller config (§3.3 of the reference). */
export const DEFAULT_BUFFER_CONFIG: ConfigObject = {
    stream: { retention: 0, maxmsgs: 100000, maxage: "72h", maxbytes: -1, storage: 0, replicas: 3, duplicates: "60s" },
    consumer: { ackwait: "60s", maxackpending: 25000 },
    otbucket: { maxvaluesize: 0, history: 1, ttl: "3h", maxbytes: 0, storage: 0, replicas: 3 },
    procbucket: { maxvaluesize: 0, history: 1, ttl: "72h", maxbytes: 0, storage: 0, replicas: 3 },
};

function checkField(kind: FieldKind, value: unknown, path: string): number | string {
    if (kind.kind === "duration") {
        // A bare 0 means "no limit" for maxAge and ttl, as in NATS.
        if (value === 0) return 0;
        if (typeof value !== "string" || parseDuration(value) === undefined) {
            fail(path, `must be a duration such as "60s" or "72h", at most 2562047h, got ${describe(value)}`);
        }
        return value;
    }
    if (typeof value !== "number" || !Number.isInteger(value)) fail(path, `must be an integer, got ${describe(value)}`);
    if (value < kind.min || value > kind.max) fail(path, `must be between ${kind.min} and ${kind.max}, got ${value}`);
    return value;
}

function checkSections(merged: ConfigObject, path: string): void {
    for (const [section, fields] of Object.entries(merged)) {
        const sectionPath = at(path, section);
        const rules = SECTIONS.get(section);
        if (!rules) fail(sectionPath, `is not a known section; known sections are: ${[...SECTIONS.keys()].join(", ")}`);
        if (!isPlainObject(fields)) fail(sectionPath, `must be a mapping, got ${describe(fields)}`);
        for (const [key, value] of Object.entries(fields)) {
            const rule = rules.get(key);
            if (!rule) fail(at(sectionPath, key), `is not a known field; known fields are: ${[...rules.keys()].join(", ")}`);
            checkField(rule, value, at(sectionPath, key));
        }
    }
}

function forceReplicas(merged: ConfigObject, user: ConfigObject, path: string): void {
    for (const section of ["stream", "otbucket", "procbucket"]) {
        const userSection = Object.prototype.hasOwnProperty.call(user, section) ? user[section] : undefined;
        const explicit = isPlainObject(userSection) ? userSection.replicas : undefined;
        if (typeof explicit === "number" && explicit > 1) {
            pulumi.log.warn(
                `${at(at(path, section), "replicas")} is ${explicit} but a standalone JetStream server ` +
                    "(jetstream.replicas: 1) can only hold replicas 1; using 1",
            );
        }
        (merged[section] as ConfigObject).replicas = 1;
    }
}

function checkAgainstCluster(merged: ConfigObject, serverReplicas: number, path: string): void {
    for (const section of ["stream", "otbucket", "procbucket"]) {
        const replicas = (merged[section] as ConfigObject).replicas as number;
        if (replicas > serverReplicas) {
            fail(
                at(at(path, section), "replicas"),
                `is ${replicas} but the cluster has only ${serverReplicas} servers ` + "(jetstream.replicas); streams could not be created",
            );
        }
    }
}

function checkDuplicateWindow(merged: ConfigObject, path: string): void {
    const stream = merged.stream as ConfigObject;
    const maxAge = stream.maxage === 0 ? 0 : parseDuration(String(stream.maxage))!;
    const dupes = stream.duplicates === 0 ? 0 : parseDuration(String(stream.duplicates))!;
    if (maxAge > 0 && dupes > maxAge) {
        fail(
            at(at(path, "stream"), "duplicates"),
            `(${stream.duplicates}) cannot be longer than stream.maxAge ` + `(${stream.maxage}); NATS would refuse to create the streams`,
        );
    }
}

/**
 * Merges `bufferConfig` over the defaults, validates it, and applies the replica rules:
 * with a standalone server every replica count is forced to 1, otherwise no count may exceed
 * the number of servers.
 */
export function resolveBufferConfig(raw: unknown, path: string, serverReplicas: number): ConfigObject {
    const user = lowerCaseKeys(parseConfig(raw, path), path);
    const merged = deepMerge(DEFAULT_BUFFER_CONFIG, user);
    checkSections(merged, path);
    if (serverReplicas < 3) {
        forceReplicas(merged, user, path);
    } else {
        checkAgainstCluster(merged, serverReplicas, path);
    }
    checkDuplicateWindow(merged, path);
    return merged;
}
