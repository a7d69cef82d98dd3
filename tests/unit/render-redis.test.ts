/** Native Redis config files and scripts, parsed back and checked line by line; scripts pass `sh -n`. */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { resolveSpec, ResolvedNativeRedisService } from "../../provider/args/resolve";
import {
    renderManagedConf,
    renderRedisConf,
    renderRoleConf,
    renderSentinelConf,
    renderSentinelSettings,
} from "../../provider/render/redis/redis-conf";
import { renderRedisScriptsConfigMap } from "../../provider/render/redis/objects";
import { REDIS_STATIC_SCRIPTS } from "../../provider/render/redis/scripts";

const svc = (native: any): ResolvedNativeRedisService =>
    resolveSpec("rds", { redis: { native: { version: "7.0.15", ...native } } }) as ResolvedNativeRedisService;

/** Directive lines of a config file as [name, args] pairs. */
function directives(text: string): string[][] {
    return text
        .split("\n")
        .filter((l) => l.trim() && !l.startsWith("#"))
        .map((l) => {
            const [name, ...args] = l.trim().split(/\s+/);
            return [name, args.join(" ")];
        });
}

describe("redis.conf and sentinel.conf", () => {
    it("applies the default settings over the base directives", () => {
        assert.deepEqual(directives(renderRedisConf(svc({}))), [
            ["rename-command", 'FLUSHDB ""'],
            ["rename-command", 'FLUSHALL ""'],
            ["min-replicas-to-write", "1"],
            ["min-replicas-to-write", "1"],
            ["save", '""'],
            ["appendonly", "yes"],
            ["auto-aof-rewrite-percentage", "100"],
            ["auto-aof-rewrite-min-size", "64mb"],
            ["maxmemory", "512mb"],
            ["maxmemory-policy", "allkeys-lru"],
        ]);
    });

    it("applies master and replica settings to their files (upstream never loaded master.conf)", () => {
        const s = svc({ settings: { master: "appendfsync always", replica: "replica-priority 50\n# note\nappendfsync everysec" } });
        assert.deepEqual(directives(renderRoleConf(s, "master")), [["appendfsync", "always"]]);
        assert.deepEqual(directives(renderRoleConf(s, "replica")), [
            ["replica-priority", "50"],
            ["appendfsync", "everysec"],
        ]);
    });

    it("a settings string replaces the default of its kind", () => {
        assert.deepEqual(directives(renderRedisConf(svc({ settings: { redis: "maxmemory 2gb" } }))).slice(3), [["maxmemory", "2gb"]]);
    });

    it("keeps min-replicas-to-write 1 when a settings string replaces the defaults, unless it sets its own", () => {
        const lines = directives(renderRedisConf(svc({ settings: { redis: "maxmemory 2gb" } })));
        assert.deepEqual(lines[2], ["min-replicas-to-write", "1"]);
        const own = directives(renderRedisConf(svc({ settings: { redis: "min-replicas-to-write 2" } })));
        assert.deepEqual(own.filter(([k]) => k === "min-replicas-to-write").at(-1), ["min-replicas-to-write", "2"], "the later line wins");
    });

    it("closes the plaintext ports and uses TLS for clients, replication and Sentinel when TLS is on", () => {
        const s = svc({ tls: true });
        const redis = new Map(directives(renderManagedConf(s)).map(([k, v]) => [k, v]));
        assert.equal(redis.get("port"), "0");
        assert.equal(redis.get("tls-port"), "6379");
        assert.equal(redis.get("tls-replication"), "yes");
        assert.equal(redis.get("tls-ca-cert-file"), "/etc/isbsvc/tls/ca.crt");
        const sentinel = new Map(directives(renderSentinelConf(s)).map(([k, v]) => [k, v]));
        assert.equal(sentinel.get("port"), "0");
        assert.equal(sentinel.get("tls-port"), "26379");
    });

    it("puts the managed port, TLS and dir in managed.conf, not in the files holding user settings", () => {
        for (const tls of [false, true]) {
            const s = svc({ tls });
            const managed = directives(renderManagedConf(s)).map(([k]) => k);
            assert.ok(managed.includes("port") && managed.includes("dir") && managed.includes("protected-mode"), managed.join());
            assert.equal(
                managed.some((k) => k.startsWith("tls-")),
                tls,
            );
            for (const file of [renderRedisConf(s), renderRoleConf(s, "master"), renderRoleConf(s, "replica")]) {
                const keys = directives(file).map(([k]) => k);
                assert.ok(!keys.some((k) => managed.includes(k)), keys.join());
            }
        }
    });

    it("keeps Sentinel options of the set after the monitor line the script writes", () => {
        assert.deepEqual(directives(renderSentinelSettings(svc({}))), [
            ["sentinel", "down-after-milliseconds mymaster 10000"],
            ["sentinel", "failover-timeout mymaster 2000"],
            ["sentinel", "parallel-syncs mymaster 1"],
        ]);
        assert.ok(!renderSentinelConf(svc({})).includes("mymaster"), "the static head names no set");
    });
});

describe("Redis scripts", () => {
    const scripts = renderRedisScriptsConfigMap(svc({ replicas: 5, tls: true }), "pipelines").data as Record<string, string>;
    const plain = renderRedisScriptsConfigMap(svc({ replicas: 3, tls: false }), "pipelines").data as Record<string, string>;

    /** Writes `files` to a fresh folder, calls `fn` with it, and removes it. */
    function inFolder<T>(files: Record<string, string>, fn: (dir: string) => T): T {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "isb-scripts-"));
        try {
            for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
            return fn(dir);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    it("are the rendered env.sh and the static scripts of provider/scripts/redis, verbatim", () => {
        assert.deepEqual(Object.keys(scripts), ["env.sh", ...REDIS_STATIC_SCRIPTS]);
        for (const f of REDIS_STATIC_SCRIPTS) {
            assert.equal(scripts[f], fs.readFileSync(path.join(__dirname, "../../provider/scripts/redis", f), "utf8"), f);
        }
    });

    it("pass shellcheck as rendered, following what they source (fails without shellcheck installed)", () => {
        for (const files of [scripts, plain]) {
            inFolder(files, (dir) => {
                const names = Object.keys(files).filter((f) => f !== "lib.sh" && f !== "env.sh");
                execFileSync("shellcheck", ["-s", "sh", "-x", "-P", "SCRIPTDIR", ...names], { cwd: dir });
            });
        }
    });

    /** What lib.sh defines for a script beside it, as `KEY=value` lines. */
    function libView(files: Record<string, string>): string {
        const probe =
            'set -eu\n. "${0%/*}/lib.sh"\necho "SELF=$SELF"; echo "QUORUM=$QUORUM"; echo "REPLICAS=$REPLICAS"; echo "TLS_CA=$TLS_CA"; echo "AUTH=$REDISCLI_AUTH"\n';
        return inFolder({ ...files, "probe.sh": probe }, (dir) =>
            execFileSync("sh", [path.join(dir, "probe.sh")], {
                env: { PATH: process.env.PATH, POD_NAME: "isbsvc-rds-redis-1", REDIS_PASSWORD: "pw" },
            }).toString(),
        );
    }

    it("env.sh gives every script the quorum, the replicas, the headless Service's pod names and the CA", () => {
        assert.equal(
            libView(scripts),
            [
                "SELF=isbsvc-rds-redis-1.isbsvc-rds-redis-svc-headless.pipelines.svc",
                "QUORUM=3",
                "REPLICAS=5",
                "TLS_CA=/etc/isbsvc/tls/ca.crt",
                "AUTH=pw",
                "",
            ].join("\n"),
        );
        assert.match(libView(plain), /^QUORUM=2\nREPLICAS=3\nTLS_CA=$/m);
        assert.match(scripts["start-sentinel.sh"], /sentinel monitor \$MASTER_SET \$\{master% \*\} \$\{master#\* \} \$QUORUM"/);
        assert.match(scripts["lib.sh"], /timeout 5 redis-cli --tls --cacert "\$TLS_CA"/);
    });

    it("never contain the password: they read it from the environment", () => {
        for (const text of Object.values(scripts)) assert.ok(text.includes("$REDIS_PASSWORD") || !text.includes("requirepass"));
        assert.match(scripts["lib.sh"], /user default on ">%s"' "\$REDIS_PASSWORD"/);
    });
});
