/**
 * Resolution of `spec.jetstream`: defaults, validation and derived values. The result is a
 * plain object from which every configuration file and Kubernetes object is rendered.
 */
import * as pulumi from "@pulumi/pulumi";
import { at, fail } from "./errors";
import { JetStreamArgs } from "./types";
import { findJetStreamVersion, JETSTREAM_VERSIONS, JetStreamVersion, serverAtLeast } from "./jetstream-versions";
import { resolveJetStreamSettings, ResolvedSettings } from "./jetstream-settings";
import { resolveBufferConfig } from "./jetstream-buffer-config";
import {
    POD_TEMPLATE_FIELDS,
    ResolvedContainerTemplate,
    ResolvedPersistence,
    ResolvedPodTemplate,
    resolveContainerTemplate,
    resolvePersistence,
    resolvePodTemplate,
} from "./workload";
import { ConfigObject } from "./yaml-config";
import { JS_MANAGED_ENV } from "../render/jetstream/layout";
import {
    describe,
    describeType,
    optionalArray,
    optionalBoolean,
    optionalObject,
    rejectOutput,
    rejectUnknownKeys,
    requiredString,
} from "./values";

/** `spec.jetstream` with every default applied. */
export interface ResolvedJetStream {
    version: JetStreamVersion;
    replicas: number;
    persistence?: ResolvedPersistence;
    settings: ResolvedSettings;
    bufferConfig: ConfigObject;
    tls: boolean;
    /** Acknowledges a scale-down by one replica (render/jetstream/scale-down.ts). */
    allowScaleDown: boolean;
    encryption: boolean;
    /** The store cipher when `encryption` is on (undefined when off). */
    cipher: JetStreamCipher | undefined;
    startArgs: string[];
    containerTemplate: ResolvedContainerTemplate;
    reloaderContainerTemplate: ResolvedContainerTemplate;
    metricsContainerTemplate: ResolvedContainerTemplate;
    podTemplate: ResolvedPodTemplate;
}

const JETSTREAM_FIELDS = [
    "version",
    "replicas",
    "persistence",
    "settings",
    "bufferConfig",
    "tls",
    "allowScaleDown",
    "encryption",
    "startArgs",
    "containerTemplate",
    "reloaderContainerTemplate",
    "metricsContainerTemplate",
    ...POD_TEMPLATE_FIELDS,
];

function resolveVersion(raw: unknown, path: string): JetStreamVersion {
    const version = requiredString(raw, path);
    const found = findJetStreamVersion(version);
    if (!found) {
        fail(
            path,
            `is not a supported version: ${JSON.stringify(version)}; supported versions are: latest, ` +
                JETSTREAM_VERSIONS.map((v) => v.version).join(", "),
        );
    }
    if (version === "latest") {
        pulumi.log.warn(
            `${path} is "latest" (currently ${found.version}); pin a specific version for real workloads, ` +
                "or a future catalogue update will change the image",
        );
    }
    return found;
}

/** Store ciphers of nats-server's `jetstream { cipher }` (server/opts.go `parseJetStream`, since v2.9.0). */
export type JetStreamCipher = "chachapoly" | "aes";
export const JETSTREAM_CIPHERS: readonly JetStreamCipher[] = ["chachapoly", "aes"];

/**
 * The cipher `encryption: true` means. Chosen from the P5 measurement in bench/results.md (R3 publish
 * throughput of both ciphers against no encryption, in one run on the same machine).
 */
export const DEFAULT_JETSTREAM_CIPHER: JetStreamCipher = "chachapoly";

/**
 * `encryption`: false/unset (off), true (on with {@link DEFAULT_JETSTREAM_CIPHER}) or a cipher name.
 * nats-server 2.8 has no `cipher` option and encrypts with ChaCha20-Poly1305 only (server/filestore.go
 * `genEncryptionKeys` at v2.8.1 uses chacha20poly1305 unconditionally; `case "cipher"` appears in
 * server/opts.go `parseJetStream` at v2.9.0), so "aes" needs 2.9 or later.
 */
function resolveEncryption(
    raw: unknown,
    path: string,
    version: JetStreamVersion,
): { encryption: boolean; cipher: JetStreamCipher | undefined } {
    if (raw === undefined || raw === null || typeof raw === "boolean") {
        const on = optionalBoolean(raw, path) ?? false;
        return { encryption: on, cipher: on ? defaultCipherFor(version) : undefined };
    }
    rejectOutput(raw, path);
    if (typeof raw !== "string" || !(JETSTREAM_CIPHERS as readonly string[]).includes(raw)) {
        fail(path, `must be true, false, "chachapoly" or "aes", got ${describe(raw)}`);
    }
    const cipher = raw as JetStreamCipher;
    if (cipher === "aes" && !serverAtLeast(version, 2, 9)) {
        fail(
            path,
            `is "aes", which needs nats-server 2.9 or later; version ${version.version} encrypts with ChaCha20-Poly1305 only ` +
                '(use true or "chachapoly", or a newer version)',
        );
    }
    return { encryption: true, cipher };
}

/** The default cipher where the version supports it (2.8 knows only ChaCha20-Poly1305). */
function defaultCipherFor(version: JetStreamVersion): JetStreamCipher {
    return serverAtLeast(version, 2, 9) ? DEFAULT_JETSTREAM_CIPHER : "chachapoly";
}

/** Replicas: unset means 3; 1 is a standalone server; 2, zero, negatives and fractions are errors. */
export function resolveJetStreamReplicas(raw: unknown, path: string): number {
    if (raw === undefined || raw === null) return 3;
    rejectOutput(raw, path);
    if (typeof raw !== "number" || !Number.isInteger(raw)) fail(path, `must be an integer, got ${describe(raw)}`);
    if (raw <= 0) fail(path, `must be 1 (standalone) or at least 3 (a cluster), got ${raw}`);
    if (raw === 2) fail(path, "can't be 2: a 2-node JetStream cluster loses its quorum when either node is down; use 1 or 3");
    if (raw > 99) fail(path, `must be at most 99, got ${raw}`);
    return raw;
}

/**
 * nats-server flags that only change what the server logs. Everything else is refused: nats-server
 * applies command-line flags over the config file, so `-c`, `-sd`, `--user`/`--pass`, `--tls*`,
 * `-p`, `--routes`, `--cluster*` and the rest would replace or bypass the rendered configuration
 * (auth, TLS, encryption, the managed store) while the outputs still describe it. `-l`/`--log`
 * is refused too: it moves the log off stdout (out of `kubectl logs`) onto a file on the read-only
 * root or the store volume; `-s`/`-r` (syslog) have no daemon in the pod or send logs elsewhere;
 * `-v`, `-h`, `-t` make the server exit. Go's flag package accepts one or two dashes and, for
 * boolean flags, `=true`/`=false`.
 */
export const ALLOWED_START_FLAGS: readonly string[] = ["D", "debug", "V", "trace", "VV", "DV", "DVV", "T", "logtime"];
const START_FLAG = /^--?([A-Za-z]+)(=(true|false))?$/;

function resolveStartArgs(raw: unknown, path: string): string[] {
    return (optionalArray(raw, path) ?? []).map((a, i) => {
        rejectOutput(a, at(path, i));
        // Never echo an argument: a refused one may be a password (`--pass`, `--auth`).
        if (typeof a !== "string") fail(at(path, i), `must be a string, got ${describeType(a)}`);
        const m = START_FLAG.exec(a);
        if (!m || !ALLOWED_START_FLAGS.includes(m[1])) {
            fail(
                at(path, i),
                "is not an allowed nats-server flag; only logging flags are accepted (" +
                    ALLOWED_START_FLAGS.map((f) => (f.length > 3 ? `--${f}` : `-${f}`)).join(", ") +
                    "); the configuration, store, auth, TLS and cluster are managed by the component",
            );
        }
        return a;
    });
}

export function resolveJetStream(raw: unknown, path: string): ResolvedJetStream {
    const obj = optionalObject(raw, path) as (JetStreamArgs & Record<string, unknown>) | undefined;
    if (obj === undefined) fail(path, "must be an object");
    rejectUnknownKeys(obj, JETSTREAM_FIELDS, path);
    const version = resolveVersion(obj.version, at(path, "version"));
    const replicas = resolveJetStreamReplicas(obj.replicas, at(path, "replicas"));
    return {
        version,
        replicas,
        persistence: resolvePersistence(obj.persistence, at(path, "persistence")),
        settings: resolveJetStreamSettings(obj.settings, at(path, "settings"), version),
        bufferConfig: resolveBufferConfig(obj.bufferConfig, at(path, "bufferConfig"), replicas),
        tls: optionalBoolean(obj.tls, at(path, "tls")) ?? false,
        allowScaleDown: optionalBoolean(obj.allowScaleDown, at(path, "allowScaleDown")) ?? false,
        ...resolveEncryption(obj.encryption, at(path, "encryption"), version),
        startArgs: resolveStartArgs(obj.startArgs, at(path, "startArgs")),
        containerTemplate: resolveContainerTemplate(obj.containerTemplate, at(path, "containerTemplate"), JS_MANAGED_ENV),
        reloaderContainerTemplate: resolveContainerTemplate(
            obj.reloaderContainerTemplate,
            at(path, "reloaderContainerTemplate"),
            JS_MANAGED_ENV,
        ),
        metricsContainerTemplate: resolveContainerTemplate(
            obj.metricsContainerTemplate,
            at(path, "metricsContainerTemplate"),
            JS_MANAGED_ENV,
        ),
        podTemplate: resolvePodTemplate(obj, path),
    };
}
