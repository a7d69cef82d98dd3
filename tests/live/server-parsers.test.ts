/**
 * Values the validator accepts at its limits are accepted by the real servers' own parsers, and
 * the next value beyond each limit is refused by them: `nats-server -t` checks rendered nats-js.conf
 * files; `redis-server` loads rendered redis.conf + master.conf / replica.conf with quoted, escaped
 * and renamed settings. Needs the Debian nats-server and redis-server (fails, never skips, without).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { resolveSpec, ResolvedJetStreamService, ResolvedNativeRedisService } from "../../provider/args/resolve";
import { renderNatsConf } from "../../provider/render/jetstream/nats-conf";
import { renderRedisConf, renderRoleConf } from "../../provider/render/redis/redis-conf";

const MAX_DURATION = "2562047h47m16s854775807ns";

/** Writes a rendered nats-js.conf (with a minimal auth.conf beside it) and runs `nats-server -t` on it. */
function natsCheck(dir: string, name: string, conf: string): { ok: boolean; out: string } {
    fs.writeFileSync(path.join(dir, "auth.conf"), "accounts { js { jetstream: enabled, users: [{user: a, password: b}] } }\n");
    fs.writeFileSync(path.join(dir, name), conf);
    const run = spawnSync("nats-server", ["-t", "-c", name], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, POD_NAME: "p0" },
        timeout: 10_000,
    });
    if (run.error) throw run.error;
    return { ok: run.status === 0, out: `${run.stdout}${run.stderr}` };
}

describe("the servers' own parsers accept what the validator accepts", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "isbsvc-parsers-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("nats-server -t accepts sizes and durations at our limits and refuses one beyond", () => {
        const settings = {
            max_file_store: String(Number.MAX_SAFE_INTEGER),
            max_memory_store: "7PB",
            max_pending: Number.MAX_SAFE_INTEGER,
            max_control_line: "1.5k",
            write_deadline: MAX_DURATION,
            ping_interval: "2562047h",
            lame_duck_duration: "2562047h",
            lame_duck_grace_period: "1.5s",
        };
        const svc = resolveSpec("limits", { jetstream: { version: "2.9.15", replicas: 1, settings } }) as ResolvedJetStreamService;
        const conf = renderNatsConf(svc);
        const accepted = natsCheck(dir, "limits.conf", conf);
        assert.ok(accepted.ok, accepted.out);
        const overDuration = natsCheck(dir, "over-duration.conf", conf.replace(MAX_DURATION, "2562047h47m16s854775808ns"));
        assert.ok(!overDuration.ok && /invalid duration/.test(overDuration.out), overDuration.out);
        const overSize = natsCheck(
            dir,
            "over-size.conf",
            conf.replace(`max_file_store: ${Number.MAX_SAFE_INTEGER}`, "max_file_store: 9223372036854775808"),
        );
        assert.ok(!overSize.ok && /out of the range/.test(overSize.out), overSize.out);
        const exponent = natsCheck(
            dir,
            "exponent.conf",
            conf.replace(`max_file_store: ${Number.MAX_SAFE_INTEGER}`, "max_file_store: 1e+21"),
        );
        assert.ok(!exponent.ok, exponent.out);
    });

    it("redis-server loads quoted, escaped and renamed settings as we split them, and refuses what we reject", () => {
        const settings = {
            redis: `maxmemory-policy "allkeys-lru"\nsave '900' "1" 300 10\nrename-command KEYS ""\n  appendonly   yes\t\nnotify-keyspace-events "Ex\\x41"`,
            master: `rename-command SCAN "myscan"`,
            replica: `replica-priority '50'`,
        };
        const svc = resolveSpec("parsers", { redis: { native: { version: "7.0.15", settings } } }) as ResolvedNativeRedisService;
        // The pod's data dir (/data) does not exist here: point the rendered `dir` at the temp folder.
        fs.writeFileSync(path.join(dir, "redis.conf"), renderRedisConf(svc).replace(/^dir \/data$/m, `dir ${dir}`));
        const sock = path.join(dir, "redis.sock");
        const load = (role: "master" | "replica", extra = "") => {
            fs.writeFileSync(path.join(dir, `${role}.conf`), renderRoleConf(svc, role) + extra);
            const node = path.join(dir, `node-${role}.conf`);
            const lines = [`include ${dir}/redis.conf`, `include ${dir}/${role}.conf`, `dir ${dir}`, "port 0", `unixsocket ${sock}`];
            fs.writeFileSync(node, lines.join("\n") + "\n");
            const run = spawnSync("redis-server", [node], { encoding: "utf8", timeout: 3000 });
            return `${run.stdout}${run.stderr}`;
        };
        for (const role of ["master", "replica"] as const) {
            const out = load(role);
            assert.match(out, /ready to accept connections/i, out);
            assert.doesNotMatch(out, /FATAL CONFIG FILE ERROR/, out);
        }
        for (const [extra, reason] of [
            ["rename-command FLUSHALL nuke\n", /No such command in rename-command/],
            ["rename-command KEYS again\n", /No such command in rename-command/],
            ['save "900 1\n', /Unbalanced quotes/],
            ['maxmemory-policy "allkeys-lru"x\n', /Unbalanced quotes/],
        ] as const) {
            const out = load("master", extra);
            assert.match(out, /FATAL CONFIG FILE ERROR/, out);
            assert.match(out, reason, out);
            assert.throws(
                () =>
                    resolveSpec("parsers", {
                        redis: { native: { version: "7.0.15", settings: { ...settings, master: settings.master + "\n" + extra } } },
                    }),
                /redis\.native\.settings\.master/,
            );
        }
    });
});
