/**
 * settings.redis/master/replica/sentinel are matched as the servers match them: every directive of
 * redis' config table and every alias (redis src/config.c `configs[]`, `loadServerConfigFromString`:
 * `sdstolower(argv[0])`, then a case-insensitive lookup of names and aliases), every Sentinel
 * option (src/sentinel.c `sentinelHandleConfiguration`, `strcasecmp`), in every case, quoted or
 * not. The tables are provider/args/redis-directives.ts (derived from the tags 6.2.6 and 7.0.15;
 * tests/live/redis/config-load.test.ts compares the 7.0 table with a real redis-server).
 */
import { strict as assert } from "assert";
import { resolveSpec } from "../../provider/args/resolve";
import {
    REDIS_6_2_DIRECTIVES,
    REDIS_7_0_DIRECTIVES,
    RedisDirectiveTable,
    SENTINEL_OPTIONS_6_2,
    SENTINEL_OPTIONS_7_0,
} from "../../provider/args/redis-directives";
import { isManagedRedisDirective, SETTABLE_SENTINEL_OPTIONS } from "../../provider/args/redis-settings";

const RELEASES: [string, RedisDirectiveTable, readonly string[]][] = [
    ["6.2.6", REDIS_6_2_DIRECTIVES, SENTINEL_OPTIONS_6_2],
    ["7.0.15", REDIS_7_0_DIRECTIVES, SENTINEL_OPTIONS_7_0],
];

/** Spellings redis-server reads as the same name: lower, upper, mixed case, double- and single-quoted. */
function spellings(name: string): string[] {
    const mixed = [...name].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join("");
    return [name, name.toUpperCase(), mixed, `"${mixed}"`, `'${name.toUpperCase()}'`];
}

function settingsError(version: string, kind: string, text: string): string | undefined {
    try {
        resolveSpec("dirs", { redis: { native: { version, settings: { [kind]: text } } } });
        return undefined;
    } catch (err) {
        return (err as Error).message;
    }
}

/** The upstream aliases of managed directives (redis src/config.c, tags 6.2.6 and 7.0.15). */
const MANAGED_ALIASES: Record<string, string> = {
    slaveof: "replicaof",
    "slave-announce-ip": "replica-announce-ip",
    "slave-announce-port": "replica-announce-port",
};

describe("Redis settings match directive names as redis-server does", () => {
    for (const [version, table, sentinel] of RELEASES) {
        describe(`redis ${version}`, () => {
            const everyName = [...table.table, ...table.loader, ...Object.keys(table.aliases)];
            const canonical = (n: string) => table.aliases[n] ?? n;
            const managed = everyName.filter((n) => isManagedRedisDirective(canonical(n)));

            it("the table holds the upstream aliases of managed directives", () => {
                for (const [alias, name] of Object.entries(MANAGED_ALIASES)) assert.equal(table.aliases[alias], name, alias);
                assert.ok(table.table.filter((n) => n.startsWith("tls-")).length >= 20, "every tls-* directive of the table");
            });

            it("rejects every managed directive and alias, every tls-* directive, in every case and quoting, in every file", () => {
                assert.ok(managed.includes("slaveof") && managed.includes("tls-protocols") && managed.includes("tls-ciphersuites"));
                for (const name of managed) {
                    for (const spelled of spellings(name)) {
                        for (const kind of ["redis", "master", "replica"]) {
                            const err = settingsError(version, kind, `maxmemory 1mb\n${spelled} x y`);
                            assert.ok(err, `${kind}: ${spelled} accepted`);
                            assert.match(
                                err,
                                new RegExp(`"redis\\.native\\.settings\\.${kind}".*line 2 sets.*which the component manages`),
                                err,
                            );
                        }
                    }
                }
            });

            it("names the canonical directive when an alias is used", () => {
                const err = settingsError(version, "replica", "SLAVEOF other 6379");
                assert.match(err!, /sets "slaveof" \(an alias of "replicaof"\), which the component manages/);
            });

            it("accepts every other directive and alias of the table, in every case (values are Redis' to check)", () => {
                const free = everyName.filter((n) => !managed.includes(n) && n !== "rename-command");
                assert.ok(free.length > 120, `${free.length} free directives`);
                for (const name of free) {
                    for (const spelled of spellings(name)) {
                        assert.equal(settingsError(version, "redis", `${spelled} 1`), undefined, spelled);
                    }
                }
            });

            it("folds case as C does (A-Z only): a Kelvin sign is not a k", () => {
                // JavaScript lower-cases U+212A to "k"; redis-server (sdstolower) keeps it and refuses the name.
                assert.match(settingsError(version, "redis", "tcp-\u212Aeepalive 60")!, /is not a redis\.conf directive/);
                assert.match(
                    settingsError(version, "sentinel", "sentinel \u212Anown-slave mymaster 10.0.0.9 6379")!,
                    /option is not a name/,
                );
                assert.equal(settingsError(version, "redis", "TCP-KEEPALIVE 60"), undefined);
            });

            it("rejects a directive the release does not have", () => {
                assert.match(
                    settingsError(version, "redis", "no-such-directive 1")!,
                    /line 1: redis-server \d\.\d has no directive "no-such-directive"/,
                );
                const newIn70 = settingsError(version, "redis", "busy-reply-threshold 5000");
                assert.equal(newIn70 === undefined, version.startsWith("7."), String(newIn70));
            });

            it("rejects every Sentinel option but the set's timings, in every case and quoting; the set name is case-sensitive", () => {
                const managedOptions = sentinel.filter((o) => !SETTABLE_SENTINEL_OPTIONS.includes(o));
                assert.ok(
                    managedOptions.includes("known-slave") &&
                        managedOptions.includes("known-replica") &&
                        managedOptions.includes("auth-pass"),
                );
                for (const option of managedOptions) {
                    for (const spelled of spellings(option)) {
                        for (const line of [
                            `sentinel ${spelled} mymaster x`,
                            `SENTINEL ${spelled} mymaster 10.0.0.9 6379`,
                            `"Sentinel" ${spelled}`,
                        ]) {
                            const err = settingsError(version, "sentinel", line);
                            assert.match(err ?? "accepted", /settings\.sentinel.*line 1 sets "sentinel.*which the component manages/, line);
                        }
                    }
                }
                for (const option of SETTABLE_SENTINEL_OPTIONS.filter((o) => sentinel.includes(o))) {
                    for (const spelled of spellings(option)) {
                        assert.equal(settingsError(version, "sentinel", `SENTINEL ${spelled} mymaster 5000`), undefined, spelled);
                    }
                    assert.match(
                        settingsError(version, "sentinel", `sentinel ${option} MyMaster 5000`)!,
                        /names the master set "MyMaster"/,
                    );
                    assert.match(settingsError(version, "sentinel", `sentinel ${option} mymaster 5000 6000`)!, /exactly one value/);
                }
                const reboot = settingsError(version, "sentinel", "sentinel master-reboot-down-after-period mymaster 1000");
                assert.equal(reboot === undefined, version.startsWith("7."), String(reboot));
                assert.match(
                    settingsError(version, "sentinel", "sentinel no-such-option mymaster 1")!,
                    /has no option "sentinel no-such-option"/,
                );
            });
        });
    }
});
