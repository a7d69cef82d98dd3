/**
 * Hostile input (issue 16): every entry must be rejected at construction, before any resource is
 * registered, with a SpecError naming the field, within mocha's per-test timeout (a guard against
 * hangs, not a benchmark), and without any forbidden substring (secrets) in the message.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { InterStepBufferService, InterStepBufferServiceArgs, SpecError } from "../../provider";
import { registry } from "../../sim/runtime/mock-runtime";
import { build } from "../../sim/runtime/build";
import { COMPONENT_RENAMED_COMMANDS, splitRedisArgs } from "../../provider/args/redis-settings";
import { parseDuration } from "../../provider/args/values";
import { parseNatsSize } from "../../provider/args/jetstream-settings";

const JS = { version: "2.10.29" };
const SECRET = "S3cr3tPw";
const ext = (external: Record<string, unknown>) => ({ redis: { external: { url: "r:6379", ...external } } });
const native = (settings: Record<string, unknown>) => ({ redis: { native: { version: "7.0.15", settings } } });

/** YAML of `levels` nested alias levels, each referring 9 times to the previous: 9^levels nodes. */
function aliasBomb(levels: number): string {
    const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= levels; i++) {
        lines.push(
            `a${i}: &a${i} [${Array(9)
                .fill(`*a${i - 1}`)
                .join(", ")}]`,
        );
    }
    return lines.join("\n");
}

/** An object nested `depth` levels deep under `key`. */
function deep(depth: number, key = "stream"): Record<string, unknown> {
    let o: Record<string, unknown> = { maxmsgs: 1 };
    for (let i = 0; i < depth; i++) o = { [key]: o };
    return o;
}

/** A JSON-parsed object, so `__proto__` is an own key as it is when data arrives from YAML or gRPC. */
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

interface Case {
    title: string;
    name?: unknown;
    args: unknown;
    field: string;
    forbidden?: string[];
}

const CASES: Case[] = [
    // 3. startArgs can only add logging flags.
    { title: "startArgs -c /dev/null", args: { jetstream: { ...JS, startArgs: ["-c", "/dev/null"] } }, field: "jetstream.startArgs[0]" },
    {
        title: "startArgs --config=/dev/null",
        args: { jetstream: { ...JS, startArgs: ["--config=/dev/null"] } },
        field: "jetstream.startArgs[0]",
    },
    { title: "startArgs -sd", args: { jetstream: { ...JS, startArgs: ["-D", "-sd", "/tmp"] } }, field: "jetstream.startArgs[1]" },
    { title: "startArgs --store_dir=", args: { jetstream: { ...JS, startArgs: ["--store_dir=/x"] } }, field: "jetstream.startArgs[0]" },
    { title: "startArgs -p", args: { jetstream: { ...JS, startArgs: ["-p", "4223"] } }, field: "jetstream.startArgs[0]" },
    { title: "startArgs --tls=false", args: { jetstream: { ...JS, startArgs: ["--tls=false"] } }, field: "jetstream.startArgs[0]" },
    {
        title: "startArgs --routes",
        args: { jetstream: { ...JS, startArgs: ["--routes=nats://evil:6222"] } },
        field: "jetstream.startArgs[0]",
    },
    { title: "startArgs -l log file", args: { jetstream: { ...JS, startArgs: ["-l", "/data/x.log"] } }, field: "jetstream.startArgs[0]" },
    { title: "startArgs -v (exits)", args: { jetstream: { ...JS, startArgs: ["-v"] } }, field: "jetstream.startArgs[0]" },
    { title: "startArgs -D=maybe", args: { jetstream: { ...JS, startArgs: ["-D=maybe"] } }, field: "jetstream.startArgs[0]" },
    { title: "startArgs positional", args: { jetstream: { ...JS, startArgs: ["-D", "extra"] } }, field: "jetstream.startArgs[1]" },
    {
        title: "startArgs --pass secret (not echoed)",
        args: { jetstream: { ...JS, startArgs: ["--pass", SECRET] } },
        field: "jetstream.startArgs[0]",
        forbidden: [SECRET],
    },
    {
        title: "startArgs --pass=secret (not echoed)",
        args: { jetstream: { ...JS, startArgs: ["-D", `--pass=${SECRET}`] } },
        field: "jetstream.startArgs[1]",
        forbidden: [SECRET],
    },
    {
        title: "startArgs --auth token",
        args: { jetstream: { ...JS, startArgs: [`--auth=${SECRET}`] } },
        field: "jetstream.startArgs[0]",
        forbidden: [SECRET],
    },
    {
        title: "startArgs with a number",
        args: { jetstream: { ...JS, startArgs: [12345678] } },
        field: "jetstream.startArgs[0]",
        forbidden: ["12345678"],
    },

    // 4. Credential-bearing fields: every rejection path, the secret never in the message.
    {
        title: "url: userinfo without scheme",
        args: ext({ url: `user:${SECRET}@r:6379` }),
        field: "redis.external.url",
        forbidden: [SECRET, `user:${SECRET}`],
    },
    {
        title: "url: userinfo with scheme",
        args: ext({ url: `redis://u:${SECRET}@r:6379` }),
        field: "redis.external.url",
        forbidden: [SECRET],
    },
    { title: "url: password-only userinfo", args: ext({ url: `:${SECRET}@r:6379` }), field: "redis.external.url", forbidden: [SECRET] },
    { title: "url: ?password= query", args: ext({ url: `r:6379?password=${SECRET}` }), field: "redis.external.url", forbidden: [SECRET] },
    {
        title: "url: query after scheme",
        args: ext({ url: `rediss://r:6379/0?password=${SECRET}` }),
        field: "redis.external.url",
        forbidden: [SECRET],
    },
    { title: "url: fragment", args: ext({ url: `r:6379#${SECRET}` }), field: "redis.external.url", forbidden: [SECRET] },
    {
        title: "url: second entry with userinfo",
        args: ext({ url: `a:1,u:${SECRET}@b:2` }),
        field: "redis.external.url[1]",
        forbidden: [SECRET],
    },
    { title: "url: secret as a bare word (no port)", args: ext({ url: SECRET }), field: "redis.external.url", forbidden: [SECRET] },
    {
        title: "url: secret as host (invalid host)",
        args: ext({ url: `${SECRET}_x:6379` }),
        field: "redis.external.url",
        forbidden: [SECRET],
    },
    { title: "url: secret with bad port", args: ext({ url: `${SECRET}:99999` }), field: "redis.external.url", forbidden: [SECRET] },
    { title: "url: secret with bad scheme", args: ext({ url: `http://${SECRET}:1` }), field: "redis.external.url", forbidden: [SECRET] },
    { title: "url: secret as a path", args: ext({ url: `redis://r:6379/${SECRET}` }), field: "redis.external.url", forbidden: [SECRET] },
    { title: "url: secret after a blank", args: ext({ url: `r:6379 ${SECRET}` }), field: "redis.external.url", forbidden: [SECRET] },
    {
        title: "url: empty entry next to a secret",
        args: ext({ url: `${SECRET}:1,,b:2` }),
        field: "redis.external.url",
        forbidden: [SECRET],
    },
    {
        title: "url: mixed schemes next to a secret",
        args: ext({ url: `rediss://${SECRET}:1,b:2` }),
        field: "redis.external.url",
        forbidden: [SECRET],
    },
    { title: "url: a number", args: ext({ url: 98765432 }), field: "redis.external.url", forbidden: ["98765432"] },
    { title: "url: too long", args: ext({ url: `${SECRET}:1,`.repeat(500) + "a:1" }), field: "redis.external.url", forbidden: [SECRET] },
    {
        title: "sentinelUrl: userinfo",
        args: ext({ sentinelUrl: `redis://u:${SECRET}@s:26379`, masterName: "m" }),
        field: "redis.external.sentinelUrl",
        forbidden: [SECRET],
    },
    {
        title: "sentinelUrl: userinfo without scheme",
        args: ext({ sentinelUrl: `${SECRET}@s:26379`, masterName: "m" }),
        field: "redis.external.sentinelUrl",
        forbidden: [SECRET],
    },
    {
        title: "sentinelUrl: query",
        args: ext({ sentinelUrl: `s:26379?password=${SECRET}`, masterName: "m" }),
        field: "redis.external.sentinelUrl",
        forbidden: [SECRET],
    },
    {
        title: "sentinelUrl: no port",
        args: ext({ sentinelUrl: SECRET, masterName: "m" }),
        field: "redis.external.sentinelUrl",
        forbidden: [SECRET],
    },
    {
        title: "sentinelUrl: a number",
        args: ext({ sentinelUrl: 55554444, masterName: "m" }),
        field: "redis.external.sentinelUrl",
        forbidden: ["55554444"],
    },
    {
        title: "sentinelUrl with cluster url",
        args: ext({ url: `a:1,b:2`, sentinelUrl: `${SECRET}:26379`, masterName: "m" }),
        field: "redis.external.sentinelUrl",
        forbidden: [SECRET],
    },
    { title: "password as a number", args: ext({ password: 31415926 }), field: "redis.external.password", forbidden: ["31415926", "3141"] },
    { title: "password as an object", args: ext({ password: { value: SECRET } }), field: "redis.external.password", forbidden: [SECRET] },
    { title: "password as a boolean", args: ext({ password: true }), field: "redis.external.password", forbidden: ["true"] },
    {
        title: "password and passwordSecret",
        args: ext({ password: SECRET, passwordSecret: { name: "s", key: "k" } }),
        field: "redis.external.password",
        forbidden: [SECRET],
    },
    { title: "user with a blank", args: ext({ user: `u ${SECRET}` }), field: "redis.external.user", forbidden: [SECRET] },
    { title: "user as a number", args: ext({ user: 24681357 }), field: "redis.external.user", forbidden: ["24681357"] },
    {
        title: "env value as a number",
        args: { jetstream: { ...JS, containerTemplate: { env: [{ name: "P", value: 11223344 }] } } },
        field: "jetstream.containerTemplate.env[0].value",
        forbidden: ["11223344"],
    },
    {
        title: "redis settings: requirepass",
        args: native({ redis: `requirepass ${SECRET}` }),
        field: "redis.native.settings.redis",
        forbidden: [SECRET],
    },
    {
        title: "redis settings: masterauth with a colon",
        args: native({ redis: `masterauth: ${SECRET}` }),
        field: "redis.native.settings.redis",
        forbidden: [SECRET],
    },
    {
        title: "redis settings: password as name = value",
        args: native({ master: `masterauth = ${SECRET}` }),
        field: "redis.native.settings.master",
        forbidden: [SECRET],
    },
    {
        title: "redis settings: password line with an unbalanced quote",
        args: native({ replica: `masterauth "${SECRET}` }),
        field: "redis.native.settings.replica",
        forbidden: [SECRET],
    },
    {
        title: "redis settings: quoted requirepass",
        args: native({ redis: `"requirepass" ${SECRET}` }),
        field: "redis.native.settings.redis",
        forbidden: [SECRET],
    },
    {
        title: "redis settings: upper-case REQUIREPASS",
        args: native({ redis: `REQUIREPASS ${SECRET}` }),
        field: "redis.native.settings.redis",
        forbidden: [SECRET],
    },
    {
        title: "redis settings: password with a control character",
        args: native({ redis: `masterauth ${SECRET}\u0001` }),
        field: "redis.native.settings.redis",
        forbidden: [SECRET],
    },
    {
        title: "sentinel settings: auth-pass",
        args: native({ sentinel: `sentinel auth-pass mymaster ${SECRET}` }),
        field: "redis.native.settings.sentinel",
        forbidden: [SECRET],
    },
    {
        title: "sentinel settings: a password where the set name goes",
        args: native({ sentinel: `sentinel down-after-milliseconds ${SECRET}! 1000` }),
        field: "redis.native.settings.sentinel",
        forbidden: [SECRET],
    },
    {
        title: "sentinel settings: requirepass (not a sentinel line)",
        args: native({ sentinel: `requirepass ${SECRET}` }),
        field: "redis.native.settings.sentinel",
        forbidden: [SECRET],
    },

    // 5. Denial of service at preview.
    { title: "settings: YAML alias bomb, 7 levels", args: { jetstream: { ...JS, settings: aliasBomb(7) } }, field: "jetstream.settings" },
    { title: "settings: YAML alias bomb, 9 levels", args: { jetstream: { ...JS, settings: aliasBomb(9) } }, field: "jetstream.settings" },
    {
        title: "bufferConfig: YAML alias bomb, 9 levels",
        args: { jetstream: { ...JS, bufferConfig: aliasBomb(9) } },
        field: "jetstream.bufferConfig",
    },
    {
        title: "bufferConfig: alias bomb of mappings",
        args: {
            jetstream: {
                ...JS,
                bufferConfig: [
                    "a: &a {x: 1, y: 1, z: 1}",
                    ...Array.from(
                        { length: 12 },
                        (_, i) =>
                            `b${i}: &b${i} {p: *${i ? `b${i - 1}` : "a"}, q: *${i ? `b${i - 1}` : "a"}, r: *${i ? `b${i - 1}` : "a"}}`,
                    ),
                ].join("\n"),
            },
        },
        field: "jetstream.bufferConfig",
    },
    {
        title: "bufferConfig: object nested 20,000 deep",
        args: { jetstream: { ...JS, bufferConfig: deep(20_000) } },
        field: "jetstream.bufferConfig",
    },
    {
        title: "settings: object nested 20,000 deep",
        args: { jetstream: { ...JS, settings: deep(20_000, "debug") } },
        field: "jetstream.settings",
    },
    {
        title: "bufferConfig: YAML nested 5,000 deep",
        args: { jetstream: { ...JS, bufferConfig: "[".repeat(5000) + "]".repeat(5000) } },
        field: "jetstream.bufferConfig",
    },
    {
        title: "bufferConfig: text over 64 KiB",
        args: { jetstream: { ...JS, bufferConfig: "#" + "x".repeat(70_000) } },
        field: "jetstream.bufferConfig",
    },
    {
        title: "affinity nested 20,000 deep",
        args: { jetstream: { ...JS, affinity: deep(20_000, "nodeAffinity") } },
        field: "jetstream.affinity",
    },
    {
        title: "securityContext with 20,000 keys",
        args: { jetstream: { ...JS, securityContext: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])) } },
        field: "jetstream.securityContext",
    },
    {
        title: "redis settings: many spaces and a lone CR",
        args: native({ redis: "maxmemory" + " ".repeat(50_000) + "\rx\ry" }),
        field: "redis.native.settings.redis",
    },
    {
        title: "sentinel settings: many spaces and a lone CR",
        args: native({ sentinel: "sentinel" + " ".repeat(50_000) + "\r" + " ".repeat(50_000) + "x" }),
        field: "redis.native.settings.sentinel",
    },
    {
        title: "redis settings: 100,000 unbalanced quotes",
        args: native({ redis: "maxmemory " + '"'.repeat(100_001) }),
        field: "redis.native.settings.redis",
    },

    // 6. Values the servers refuse.
    {
        title: "max_file_store 1e21 (renders 1e+21)",
        args: { jetstream: { ...JS, settings: { max_file_store: 1e21 } } },
        field: "jetstream.settings.max_file_store",
    },
    {
        title: "max_file_store 1e21 in YAML",
        args: { jetstream: { ...JS, settings: "max_file_store: 1e21" } },
        field: "jetstream.settings.max_file_store",
    },
    {
        title: "max_memory_store beyond int64",
        args: { jetstream: { ...JS, settings: { max_memory_store: "9223372036854775808" } } },
        field: "jetstream.settings.max_memory_store",
    },
    {
        title: "max_file_store 99999PB",
        args: { jetstream: { ...JS, settings: { max_file_store: "99999PB" } } },
        field: "jetstream.settings.max_file_store",
    },
    {
        title: "max_pending 2^53 + 1 (inexact)",
        args: { jetstream: { ...JS, settings: { max_pending: 2 ** 53 + 2 } } },
        field: "jetstream.settings.max_pending",
    },
    {
        title: "write_deadline 9999999h",
        args: { jetstream: { ...JS, settings: { write_deadline: "9999999h" } } },
        field: "jetstream.settings.write_deadline",
    },
    {
        title: "lame_duck_duration beyond Go's maximum",
        args: { jetstream: { ...JS, settings: { lame_duck_duration: "2562048h" } } },
        field: "jetstream.settings.lame_duck_duration",
    },
    {
        title: "bufferConfig maxAge 9999999h",
        args: { jetstream: { ...JS, bufferConfig: { stream: { maxAge: "9999999h" } } } },
        field: "jetstream.bufferConfig.stream.maxage",
    },
    {
        title: "bufferConfig ttl in YAML beyond Go",
        args: { jetstream: { ...JS, bufferConfig: "otBucket:\n  ttl: 2562047h48m" } },
        field: "jetstream.bufferConfig.otbucket.ttl",
    },
    {
        title: "bufferConfig ackWait as sum beyond Go",
        args: { jetstream: { ...JS, bufferConfig: { consumer: { ackWait: "2562047h47m16s854775808ns" } } } },
        field: "jetstream.bufferConfig.consumer.ackwait",
    },
    { title: "customTimeouts beyond Go", args: { jetstream: JS, customTimeouts: { create: "99999999h" } }, field: "customTimeouts.create" },
    {
        title: "redis settings: unbalanced double quote",
        args: native({ redis: 'maxmemory-policy "allkeys-lru' }),
        field: "redis.native.settings.redis",
    },
    { title: "redis settings: unbalanced single quote", args: native({ redis: "save '900 1" }), field: "redis.native.settings.redis" },
    { title: "redis settings: closing quote glued", args: native({ redis: 'save ""x' }), field: "redis.native.settings.redis" },
    { title: "redis settings: trailing backslash in quotes", args: native({ redis: 'save "\\' }), field: "redis.native.settings.redis" },
    { title: "redis settings: NUL byte", args: native({ redis: "maxmemory 1gb\u0000" }), field: "redis.native.settings.redis" },
    { title: "redis settings: lone CR", args: native({ redis: "appendonly yes\rport 7000" }), field: "redis.native.settings.redis" },
    { title: "redis settings: escape char", args: native({ master: "maxmemory \u001b[2J1gb" }), field: "redis.native.settings.master" },
    { title: "redis settings: directive without value", args: native({ redis: "appendonly" }), field: "redis.native.settings.redis" },
    { title: "redis settings: quoted managed directive", args: native({ redis: '"port" 7000' }), field: "redis.native.settings.redis" },
    { title: "redis settings: upper-case managed directive", args: native({ redis: "DIR /tmp" }), field: "redis.native.settings.redis" },
    {
        title: "redis settings: rename FLUSHALL again",
        args: native({ redis: "rename-command FLUSHALL nuke" }),
        field: "redis.native.settings.redis",
    },
    {
        title: "redis settings: rename flushdb again",
        args: native({ master: "rename-command flushdb x" }),
        field: "redis.native.settings.master",
    },
    {
        title: "redis settings: rename a command twice",
        args: native({ redis: "rename-command KEYS k1\nrename-command keys k2" }),
        field: "redis.native.settings.redis",
    },
    {
        title: "redis settings: rename across redis and replica",
        args: native({ redis: "rename-command KEYS k1", replica: "rename-command KEYS k2" }),
        field: "redis.native.settings.replica",
    },
    {
        title: "redis settings: rename CONFIG (Sentinel needs it)",
        args: native({ redis: 'rename-command CONFIG ""' }),
        field: "redis.native.settings.redis",
    },
    {
        title: "redis settings: rename with one argument",
        args: native({ redis: "rename-command KEYS" }),
        field: "redis.native.settings.redis",
    },
    {
        title: "sentinel settings: quoted managed option",
        args: native({ sentinel: 'sentinel "monitor" mymaster h 6379 2' }),
        field: "redis.native.settings.sentinel",
    },
    {
        title: "sentinel settings: upper-case managed option",
        args: native({ sentinel: "sentinel AUTH-PASS mymaster x" }),
        field: "redis.native.settings.sentinel",
    },
    {
        title: "sentinel settings: no value",
        args: native({ sentinel: "sentinel parallel-syncs mymaster" }),
        field: "redis.native.settings.sentinel",
    },

    // 7. Object.prototype members are never fields.
    { title: "settings toString", args: { jetstream: { ...JS, settings: { toString: 1 } } }, field: "jetstream.settings.toString" },
    {
        title: "settings constructor in YAML",
        args: { jetstream: { ...JS, settings: "constructor: 1" } },
        field: "jetstream.settings.constructor",
    },
    {
        title: "settings __proto__ in YAML",
        args: { jetstream: { ...JS, settings: "__proto__: {debug: true}" } },
        field: "jetstream.settings.__proto__",
    },
    {
        title: "settings hasOwnProperty",
        args: { jetstream: { ...JS, settings: { hasOwnProperty: true } } },
        field: "jetstream.settings.hasOwnProperty",
    },
    {
        title: "bufferConfig constructor section",
        args: { jetstream: { ...JS, bufferConfig: { constructor: { length: 5 } } } },
        field: "jetstream.bufferConfig.constructor",
    },
    {
        title: "bufferConfig Constructor (lower-cases)",
        args: { jetstream: { ...JS, bufferConfig: "Constructor: {name: x}" } },
        field: "jetstream.bufferConfig.Constructor",
    },
    {
        title: "bufferConfig toString section",
        args: { jetstream: { ...JS, bufferConfig: { toString: { x: 1 } } } },
        field: "jetstream.bufferConfig.tostring",
    },
    {
        title: "bufferConfig stream.constructor",
        args: { jetstream: { ...JS, bufferConfig: "stream: {constructor: 3}" } },
        field: "jetstream.bufferConfig.stream.constructor",
    },
    {
        title: "bufferConfig stream.valueOf",
        args: { jetstream: { ...JS, bufferConfig: { stream: { valueOf: 3 } } } },
        field: "jetstream.bufferConfig.stream.valueof",
    },
    {
        title: "bufferConfig __proto__ (JSON)",
        args: { jetstream: { ...JS, bufferConfig: json('{"__proto__": {"stream": {"maxMsgs": 5}}}') } },
        field: "jetstream.bufferConfig.__proto__",
    },
    {
        title: "bufferConfig __PROTO__ (lower-cases)",
        args: { jetstream: { ...JS, bufferConfig: "__PROTO__: {stream: {maxmsgs: 1}}" } },
        field: "jetstream.bufferConfig.__PROTO__",
    },
    {
        title: "bufferConfig with a custom prototype",
        args: { jetstream: { ...JS, bufferConfig: Object.create({ stream: { maxMsgs: 5 } }) as object } },
        field: "jetstream.bufferConfig",
    },
    {
        title: "bufferConfig maxMsgs twice by case",
        args: { jetstream: { ...JS, bufferConfig: { stream: { maxMsgs: 1, maxmsgs: 2 } } } },
        field: "jetstream.bufferConfig.stream.maxmsgs",
    },
    { title: "top-level __proto__ (JSON)", args: json('{"jetstream": {"version": "2.10.29"}, "__proto__": {"x": 1}}'), field: "__proto__" },
    { title: "top-level constructor", args: { jetstream: JS, constructor: {} }, field: "constructor" },
    { title: "jetstream toString", args: { jetstream: { ...JS, toString: "x" } }, field: "jetstream.toString" },
    { title: "jetstream with a JS __proto__ literal", args: { jetstream: { ...JS, __proto__: { tls: true } } }, field: "jetstream" },
    { title: "redis settings constructor", args: native({ constructor: "x" }), field: "redis.native.settings.constructor" },
    {
        title: "external redis __proto__ (JSON)",
        args: { redis: { external: json('{"url": "r:1", "__proto__": {"user": "x"}}') } },
        field: "redis.external.__proto__",
    },
    {
        title: "label __proto__ (JSON)",
        args: { jetstream: { ...JS, metadata: { labels: json('{"__proto__": "x"}') } } },
        field: "jetstream.metadata.labels.__proto__",
    },
    {
        title: "resource limit constructor",
        args: { jetstream: { ...JS, containerTemplate: { resources: { limits: { constructor: "1" } } } } },
        field: "jetstream.containerTemplate.resources.limits.constructor",
    },
    {
        title: "affinity __proto__ (JSON)",
        args: { jetstream: { ...JS, affinity: json('{"nodeAffinity": {"__proto__": {}}}') } },
        field: "jetstream.affinity.nodeAffinity.__proto__",
    },
    {
        title: "probe toString",
        args: { jetstream: { ...JS, containerTemplate: { livenessProbe: { toString: 1 } } } },
        field: "jetstream.containerTemplate.livenessProbe.toString",
    },

    // 8. The component name from plain JavaScript.
    { title: "name undefined", name: undefined, args: { jetstream: JS }, field: "name" },
    { title: "name null", name: null, args: { jetstream: JS }, field: "name" },
    { title: "name a number", name: 42, args: { jetstream: JS }, field: "name" },
    { title: "name an object", name: { toString: () => "default" }, args: { jetstream: JS }, field: "name" },
    { title: "name a symbol", name: Symbol("x"), args: { jetstream: JS }, field: "name" },
    { title: "name an array", name: ["default"], args: { redis: { native: { version: "7.0.15" } } }, field: "name" },

    // 9. External Redis contract.
    {
        title: "sentinelUrl with an empty masterName",
        args: ext({ sentinelUrl: "s:26379", masterName: "" }),
        field: "redis.external.masterName",
    },
    {
        title: "sentinelUrl with a blank masterName",
        args: ext({ sentinelUrl: "s:26379", masterName: "  \n" }),
        field: "redis.external.masterName",
    },
    { title: "masterName with an empty sentinelUrl", args: ext({ sentinelUrl: "", masterName: "m" }), field: "redis.external.sentinelUrl" },
    {
        title: "masterName with a blank inside",
        args: ext({ sentinelUrl: "s:26379", masterName: "my master" }),
        field: "redis.external.masterName",
    },
    { title: "url with a newline inside an entry", args: ext({ url: "r:63\n79" }), field: "redis.external.url" },
];

describe("hostile input (issue 16)", () => {
    for (const c of CASES) {
        it(`rejects ${c.title}, naming ${c.field}`, function () {
            this.timeout(2000);
            const before = registry().length;
            let error: unknown;
            try {
                new InterStepBufferService(
                    c.name === undefined && !("name" in c) ? "default" : (c.name as string),
                    c.args as InterStepBufferServiceArgs,
                );
            } catch (e) {
                error = e;
            }
            assert.ok(error instanceof SpecError, `expected a SpecError, got ${String(error).slice(0, 300)}`);
            assert.equal(error.field, c.field, error.message.slice(0, 300));
            assert.ok(error.message.length < 1000, "the message stays short");
            for (const f of c.forbidden ?? []) {
                assert.ok(!error.message.includes(f), `the message must not contain ${JSON.stringify(f)}: ${error.message}`);
            }
            assert.equal(registry().length, before, "no resource may be registered for invalid input");
        });
    }

    it("has a corpus of at least 120 distinct hostile inputs", () => {
        assert.ok(CASES.length >= 120, `${CASES.length}`);
        assert.equal(new Set(CASES.map((c) => c.title)).size, CASES.length);
    });
});

describe("hostile input: what is still accepted, and how", () => {
    it("accepts the logging flags in every form Go's flag package reads", async () => {
        const startArgs = ["-D", "--debug", "-V", "--trace", "-VV", "-DV", "-DVV", "-T=false", "--logtime=true", "--D"];
        const b = await build("hostile-flags", { jetstream: { ...JS, startArgs } });
        const sts = b.child("kubernetes:apps/v1:StatefulSet");
        const main = (sts.inputs as any).spec.template.spec.containers.find((c: any) => c.name === "main");
        assert.deepEqual(main.args, startArgs);
    });

    it("outputs an external url and sentinelUrl trimmed, entries joined by commas", async () => {
        const b = await build("hostile-ext", {
            redis: {
                external: {
                    url: " \n redis://r:6379/2 \n",
                    sentinelUrl: " s1:26379 ,  s2:26379\n",
                    masterName: " mymaster ",
                    user: " app\n",
                },
            },
        });
        assert.equal(b.outputs.url, "redis://r:6379/2");
        assert.equal(b.outputs.sentinelUrl, "s1:26379,s2:26379");
        assert.equal(b.outputs.masterName, "mymaster");
        assert.equal(b.outputs.user, "app");
    });

    it("treats an empty sentinelUrl and masterName as no Sentinel", async () => {
        const b = await build("hostile-nosentinel", { redis: { external: { url: "a:1, b:2", sentinelUrl: "", masterName: "" } } });
        assert.equal(b.outputs.url, "a:1,b:2");
        assert.equal(b.outputs.sentinelUrl, "");
        assert.equal(b.outputs.masterName, "");
        assert.equal(b.outputs.clusterMode, true);
    });

    it("keeps every Object.prototype name out of streamConfig", async () => {
        const b = await build("hostile-stream", { jetstream: { ...JS, bufferConfig: { stream: { maxMsgs: 5 } } } });
        assert.doesNotMatch(String(b.outputs.streamConfig), /constructor|__proto__|tostring/i);
    });

    it("accepts sizes and durations up to the servers' limits, exactly", () => {
        assert.equal(parseNatsSize(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
        assert.equal(parseNatsSize("7PB"), 7 * 1024 ** 5);
        assert.equal(parseNatsSize("8PB"), undefined);
        assert.equal(parseNatsSize("1.5k"), 1500);
        assert.equal(parseNatsSize("9007199254740992"), undefined);
        assert.notEqual(parseDuration("2562047h47m16s854775807ns"), undefined);
        assert.equal(parseDuration("2562047h47m16s854775808ns"), undefined);
        assert.equal(parseDuration("1h30m"), 5_400_000);
        assert.equal(parseDuration("1.5s"), 1500);
    });

    it("splits settings lines as Redis' sdssplitargs does", () => {
        assert.deepEqual(splitRedisArgs('save ""'), { ok: true, argv: ["save", ""] });
        assert.deepEqual(splitRedisArgs(`a "b c" 'd\\'e' "\\x41\\n" f"g h"`), { ok: true, argv: ["a", "b c", "d'e", "A\n", "fg h"] });
        assert.equal(splitRedisArgs('a "b').ok, false);
        assert.equal(splitRedisArgs("a 'b'c").ok, false);
    });

    it("knows exactly the commands redis.conf renames", () => {
        const src = fs.readFileSync(path.join(__dirname, "..", "..", "provider", "render", "redis", "redis-conf.ts"), "utf8");
        const rendered = [...src.matchAll(/rename-command (\w+)/g)].map((m) => m[1].toLowerCase()).sort();
        assert.deepEqual(rendered, [...COMPONENT_RENAMED_COMMANDS].sort());
    });
});
