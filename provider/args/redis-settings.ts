/**
 * Native Redis settings (`redis.native.settings`): redis.conf snippets for all nodes, the master,
 * the replicas, and Sentinel. Each non-comment line must be a directive; directives the component
 * manages are rejected by name, and Sentinel lines must name the `mymaster` set.
 */
import { at, fail } from "./errors";
import { optionalObject, optionalString, rejectUnknownKeys } from "./values";
import { asciiLower, canonicalDirective, directiveTable, sentinelOptions } from "./redis-directives";

/** The Sentinel master set name (upstream's `mymaster`). */
export const MASTER_NAME = "mymaster";

/** Defaults of the controller config (§3.5 of the reference). */
export const DEFAULT_REDIS_SETTINGS = {
    redis: [
        "min-replicas-to-write 1",
        'save ""',
        "appendonly yes",
        "auto-aof-rewrite-percentage 100",
        "auto-aof-rewrite-min-size 64mb",
        "maxmemory 512mb",
        "maxmemory-policy allkeys-lru",
    ].join("\n"),
    master: "",
    replica: "",
    sentinel: [
        `sentinel down-after-milliseconds ${MASTER_NAME} 10000`,
        `sentinel failover-timeout ${MASTER_NAME} 2000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
    ].join("\n"),
};

/** Settings with defaults applied, each a list of directive lines. */
export interface ResolvedRedisSettings {
    redis: string[];
    master: string[];
    replica: string[];
    sentinel: string[];
}

/**
 * redis.conf directives the component writes or that would undo what it writes, by canonical name
 * (aliases such as `slaveof`, `slave-announce-ip` resolve to these first, see redis-directives.ts),
 * plus every `tls-*` directive of the release's table.
 */
const MANAGED_REDIS = new Set([
    "port",
    "requirepass",
    "masterauth",
    "masteruser",
    "replicaof",
    "dir",
    "include",
    "daemonize",
    "pidfile",
    "logfile",
    "replica-announce-ip",
    "replica-announce-port",
    "aclfile",
    "user",
    "bind",
    "protected-mode",
    "unixsocket",
    // The start script shows the set's generation in it (unused without cluster mode).
    "cluster-announce-ip",
]);

/** Whether a canonical redis.conf directive is the component's. */
export function isManagedRedisDirective(canonical: string): boolean {
    return MANAGED_REDIS.has(canonical) || canonical.startsWith("tls-");
}

/**
 * Sentinel options settings may set: the timings of the master set. Every other option Sentinel
 * knows is the component's (the monitor line, passwords, announce and hostname settings), state
 * Sentinel writes itself (`myid`, epochs, `known-replica`/`known-slave`, `known-sentinel`), or
 * not usable here (`rename-command` would make Sentinel send renamed commands the nodes do not
 * have; scripts: the pods carry none; `deny-scripts-reconfig` is global).
 */
export const SETTABLE_SENTINEL_OPTIONS: readonly string[] = [
    "down-after-milliseconds",
    "failover-timeout",
    "parallel-syncs",
    "master-reboot-down-after-period",
];

/**
 * Commands redis.conf renames (disables) itself: Redis refuses a second `rename-command` of them
 * ("No such command"), so settings may not rename them again. Kept in step with
 * render/redis/redis-conf.ts by a test.
 */
export const COMPONENT_RENAMED_COMMANDS: readonly string[] = ["flushdb", "flushall"];

/**
 * Commands the start, probe and preStop scripts and Sentinel itself send to Redis (Sentinel
 * reconfigures nodes with CONFIG, REPLICAOF, MULTI/EXEC, CLIENT and PUBLISH): renaming one breaks
 * role decisions or failover.
 */
export const REQUIRED_COMMANDS: readonly string[] = [
    "auth",
    "client",
    "config",
    "exec",
    "hello",
    "info",
    "multi",
    "ping",
    "publish",
    "replicaof",
    "role",
    "script",
    "slaveof",
    "subscribe",
];

/** A directive or option name as upstream spells them (7.0 has `bgsave_cpulist` and the like). */
const NAME = /^[a-z][a-z0-9_-]*$/;
/** Longest settings text accepted per kind (far above any real snippet). */
const MAX_SETTINGS_TEXT = 256 * 1024;
const SAFE_ECHO = /^[A-Za-z0-9._-]{1,64}$/;

/** A settings line split as Redis splits it, or why Redis would refuse it. */
type Tokens = { ok: true; argv: string[] } | { ok: false; problem: string };

/**
 * Splits a line into arguments exactly as Redis' `sdssplitargs` does when it loads a config
 * file: blanks separate arguments; "double quotes" take the escapes \n \r \t \b \a \xHH and
 * \<char>; 'single quotes' take \'; a closing quote must be followed by a blank or the end;
 * an unterminated quote is an error. One pass, no backtracking.
 */
export function splitRedisArgs(line: string): Tokens {
    const argv: string[] = [];
    const blank = (c: string | undefined) => c === " " || c === "\t";
    const hex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
    let i = 0;
    while (i < line.length) {
        while (blank(line[i])) i++;
        if (i >= line.length) break;
        let token = "";
        let quote: '"' | "'" | undefined;
        for (;;) {
            const c = line[i];
            if (quote === '"') {
                if (c === undefined) return { ok: false, problem: "has an unbalanced double quote" };
                if (c === "\\" && line[i + 1] === "x" && hex(line[i + 2]) && hex(line[i + 3])) {
                    token += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
                    i += 4;
                    continue;
                }
                if (c === "\\" && i + 1 < line.length) {
                    const e = line[i + 1];
                    token += ({ n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" } as Record<string, string>)[e] ?? e;
                    i += 2;
                    continue;
                }
                if (c === '"') {
                    if (i + 1 < line.length && !blank(line[i + 1])) {
                        return { ok: false, problem: "has a closing quote not followed by a blank" };
                    }
                    i++;
                    break;
                }
                token += c;
                i++;
            } else if (quote === "'") {
                if (c === undefined) return { ok: false, problem: "has an unbalanced single quote" };
                if (c === "\\" && line[i + 1] === "'") {
                    token += "'";
                    i += 2;
                    continue;
                }
                if (c === "'") {
                    if (i + 1 < line.length && !blank(line[i + 1])) {
                        return { ok: false, problem: "has a closing quote not followed by a blank" };
                    }
                    i++;
                    break;
                }
                token += c;
                i++;
            } else {
                if (c === undefined || blank(c)) break;
                if (c === '"' || c === "'") quote = c;
                else token += c;
                i++;
            }
        }
        argv.push(token);
    }
    return { ok: true, argv };
}

/** Non-blank, non-comment lines, each checked for control characters (Redis reads them as blanks or bytes, never as intended). */
function directiveLines(text: string, path: string): { argv: string[]; line: string; n: number }[] {
    const out: { argv: string[]; line: string; n: number }[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
        const n = i + 1;
        // Trimmed by index (a trailing-blank regex backtracks quadratically on long runs of blanks).
        let from = 0;
        let to = raw.length;
        while (from < to && (raw[from] === " " || raw[from] === "\t")) from++;
        while (to > from && (raw[to - 1] === " " || raw[to - 1] === "\t")) to--;
        const line = raw.slice(from, to);
        for (let k = 0; k < line.length; k++) {
            const code = line.charCodeAt(k);
            if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
                fail(path, `line ${n} contains the control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`);
            }
        }
        if (line === "" || line.startsWith("#")) return;
        const tokens = splitRedisArgs(line);
        if (!tokens.ok) fail(path, `line ${n} ${tokens.problem}; Redis refuses it ("Unbalanced quotes in configuration line")`);
        out.push({ argv: tokens.argv, line, n });
    });
    return out;
}

function checkRedisLines(text: string, path: string, renamed: Set<string>, server: readonly [number, number]): string[] {
    const table = directiveTable(server);
    const release = `${server[0]}.${server[1]}`;
    return directiveLines(text, path).map(({ argv, line, n }) => {
        const written = asciiLower(argv[0]);
        if (!NAME.test(written)) {
            fail(path, `line ${n} is not a redis.conf directive ("<name> <arguments>"): its first word is not a directive name`);
        }
        if (argv[1] === "=" || argv[1]?.startsWith("=")) {
            fail(path, `line ${n} is written "name = value"; redis.conf wants "name value"`);
        }
        if (written === "sentinel") fail(path, `line ${n} is a Sentinel directive; put it in settings.sentinel`);
        const shownName = SAFE_ECHO.test(written) ? ` "${written}"` : "";
        const name = canonicalDirective(table, written);
        if (name === undefined) fail(path, `line ${n}: redis-server ${release} has no directive${shownName} (it would refuse to start)`);
        if (isManagedRedisDirective(name)) {
            const alias = name === written ? "" : ` (an alias of "${name}")`;
            fail(path, `line ${n} sets${shownName}${alias}, which the component manages`);
        }
        if (argv.length < 2) fail(path, `line ${n} ("${name}") has no value; Redis refuses a directive without arguments`);
        if (name === "rename-command") {
            if (argv.length !== 3) fail(path, `line ${n}: rename-command takes exactly two arguments (command and new name)`);
            const command = asciiLower(argv[1]);
            const shown = SAFE_ECHO.test(command) ? ` "${command}"` : "";
            if (COMPONENT_RENAMED_COMMANDS.includes(command)) {
                fail(path, `line ${n} renames${shown}, which the component already disables; Redis would refuse to start`);
            }
            if (REQUIRED_COMMANDS.includes(command)) {
                fail(path, `line ${n} renames${shown}, which the component's scripts or Sentinel need`);
            }
            if (renamed.has(command)) fail(path, `line ${n} renames${shown} a second time; Redis would refuse to start`);
            renamed.add(command);
        }
        return line;
    });
}

function checkSentinelLines(text: string, path: string, server: readonly [number, number]): string[] {
    const known = sentinelOptions(server);
    const release = `${server[0]}.${server[1]}`;
    return directiveLines(text, path).map(({ argv, line, n }) => {
        if (asciiLower(argv[0]) !== "sentinel" || argv.length < 2) {
            fail(path, `line ${n} is not a Sentinel directive ("sentinel <option> ${MASTER_NAME} <value>")`);
        }
        const option = asciiLower(argv[1]);
        if (!NAME.test(option)) fail(path, `line ${n} is not a Sentinel directive: its option is not a name`);
        const shownOption = SAFE_ECHO.test(option) ? ` ${option}` : "";
        if (!known.includes(option)) fail(path, `line ${n}: Sentinel ${release} has no option "sentinel${shownOption}"`);
        if (!SETTABLE_SENTINEL_OPTIONS.includes(option)) {
            fail(
                path,
                `line ${n} sets "sentinel${shownOption}", which the component manages; settings.sentinel may set ` +
                    SETTABLE_SENTINEL_OPTIONS.filter((o) => known.includes(o)).join(", "),
            );
        }
        if (argv.length < 3) fail(path, `line ${n} ("sentinel ${option}") names no master set`);
        if (argv[2] !== MASTER_NAME) {
            const shown = SAFE_ECHO.test(argv[2]) ? `"${argv[2]}"` : "another set";
            fail(
                path,
                `line ${n} names the master set ${shown}, but this service's set is "${MASTER_NAME}" (Sentinel compares it case-sensitively)`,
            );
        }
        if (argv.length !== 4) fail(path, `line ${n} ("sentinel ${option}") must have exactly one value; Sentinel refuses it otherwise`);
        return line;
    });
}

/**
 * Validates `settings` for the catalogue release `server` ([major, minor]); a non-empty string
 * replaces the default of its kind (upstream semantics).
 */
export function resolveRedisSettings(raw: unknown, path: string, server: readonly [number, number]): ResolvedRedisSettings {
    const obj = optionalObject(raw, path) ?? {};
    rejectUnknownKeys(obj, ["redis", "master", "replica", "sentinel"], path);
    const pick = (k: keyof typeof DEFAULT_REDIS_SETTINGS) => {
        const v = optionalString(obj[k], at(path, k));
        if (v !== undefined && v.length > MAX_SETTINGS_TEXT) fail(at(path, k), `is longer than ${MAX_SETTINGS_TEXT} characters`);
        return v === undefined || v.trim() === "" ? DEFAULT_REDIS_SETTINGS[k] : v;
    };
    // One node loads redis.conf and then master.conf or replica.conf: renames must not repeat across them.
    const renamed = new Set<string>();
    const redis = checkRedisLines(pick("redis"), at(path, "redis"), renamed, server);
    return {
        redis,
        master: checkRedisLines(pick("master"), at(path, "master"), new Set(renamed), server),
        replica: checkRedisLines(pick("replica"), at(path, "replica"), new Set(renamed), server),
        sentinel: checkSentinelLines(pick("sentinel"), at(path, "sentinel"), server),
    };
}
