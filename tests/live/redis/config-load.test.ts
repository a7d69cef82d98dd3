/**
 * The rendered Redis and Sentinel files in the real redis-server and redis-sentinel (Debian's
 * 7.0.15; fails, never skips, without them):
 * - the directive table of provider/args/redis-directives.ts is the server's: `CONFIG GET *`
 *   names only table names and aliases, and every table name and alias is known by `CONFIG GET`;
 * - the servers match names case-insensitively, quoted, and by alias (`PORT`, `"Dir"`, `SLAVEOF`,
 *   `sentinel KNOWN-SLAVE`, `sentinel AUTH-PASS`), so these lines are real threats — the
 *   validator rejects each of them — and even when such lines reach the files, the managed lines
 *   the start scripts write after the user's win (the files composed in the scripts' order).
 * Everything runs on the host with loopback ports and a temp folder, no pods.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import Redis from "ioredis";
import { resolveSpec, ResolvedNativeRedisService } from "../../../provider/args/resolve";
import { REDIS_7_0_DIRECTIVES } from "../../../provider/args/redis-directives";
import {
    renderManagedConf,
    renderRedisConf,
    renderRoleConf,
    renderSentinelConf,
    renderSentinelSettings,
} from "../../../provider/render/redis/redis-conf";
import { requireBinary } from "../../../sim/pods/requirements";
import { sleep, waitFor } from "../../../sim/pods/wait";

const PASSWORD = "managed-password";

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

function settingsError(settings: Record<string, string>): string | undefined {
    try {
        resolveSpec("load", { redis: { native: { version: "7.0.15", settings } } });
        return undefined;
    } catch (err) {
        return (err as Error).message;
    }
}

describe("live: the rendered Redis and Sentinel files in the real servers (7.0.15)", function () {
    this.timeout(120_000);
    let dir: string;
    const procs: ChildProcess[] = [];
    const clients: Redis[] = [];

    function start(binary: string, conf: string): ChildProcess {
        const proc = spawn(requireBinary(binary), [conf], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        proc.stdout!.on("data", (d) => (out += d));
        proc.stderr!.on("data", (d) => (out += d));
        Object.defineProperty(proc, "log", { get: () => out });
        procs.push(proc);
        return proc;
    }
    const logOf = (p: ChildProcess) => (p as unknown as { log: string }).log;

    async function client(port: number, password?: string): Promise<Redis> {
        const c = new Redis({ host: "127.0.0.1", port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on("error", () => undefined);
        clients.push(c);
        await waitFor(
            `a server on ${port}`,
            () =>
                c.connect().then(
                    () => true,
                    () => false,
                ),
            { timeoutMs: 10_000, intervalMs: 100 },
        );
        return c;
    }

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "isbsvc-config-load-"));
    });
    after(() => {
        clients.forEach((c) => c.disconnect());
        procs.forEach((p) => p.kill("SIGKILL"));
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("CONFIG GET knows exactly the 7.0 table's names and aliases", async () => {
        const port = await freePort();
        const conf = path.join(dir, "plain.conf");
        fs.writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsave ""\nappendonly no\n`);
        start("redis-server", conf);
        const c = await client(port);
        const listed = (await c.config("GET", "*")) as string[];
        const names = listed.filter((_, i) => i % 2 === 0);
        const known = new Set([...REDIS_7_0_DIRECTIVES.table, ...Object.keys(REDIS_7_0_DIRECTIVES.aliases)]);
        assert.deepEqual(
            names.filter((n) => !known.has(n)),
            [],
            "CONFIG GET * names a directive the table lacks",
        );
        for (const name of known) {
            const got = (await c.config("GET", name)) as string[];
            assert.equal(got[0], name, `CONFIG GET ${name}`);
        }
        for (const [alias, name] of Object.entries(REDIS_7_0_DIRECTIVES.aliases)) {
            const [a, b] = [(await c.config("GET", alias)) as string[], (await c.config("GET", name)) as string[]];
            assert.equal(a[1], b[1], `${alias} reads as ${name}`);
        }
        await c.shutdown("NOSAVE").catch(() => undefined);
    });

    it('redis-server reads PORT, "Dir", SLAVEOF as port, dir, replicaof; the validator rejects them; managed.conf after them wins', async () => {
        const svc = resolveSpec("load", {
            redis: { native: { version: "7.0.15", settings: { redis: "maxmemory 64mb", master: "maxmemory-policy noeviction" } } },
        }) as ResolvedNativeRedisService;
        const [managedPort, userPort] = [await freePort(), await freePort()];
        const dataDir = path.join(dir, "data");
        const userDir = path.join(dir, "user-dir");
        fs.mkdirSync(dataDir);
        fs.mkdirSync(userDir);
        const hostile = { redis: [`PORT ${userPort}`, `"Dir" ${userDir}`, "Protected-Mode yes"], master: ["SLAVEOF 127.0.0.1 1"] };
        for (const [kind, lines] of Object.entries(hostile)) {
            for (const line of lines) assert.match(settingsError({ [kind]: line }) ?? "accepted", /which the component manages/, line);
        }
        // The files as rendered, with the hostile lines forced in (as if a validator had missed them);
        // only the managed port and dir are moved to this host's free port and temp folder.
        fs.writeFileSync(path.join(dir, "redis.conf"), renderRedisConf(svc) + hostile.redis.join("\n") + "\n");
        fs.writeFileSync(path.join(dir, "master.conf"), renderRoleConf(svc, "master") + hostile.master.join("\n") + "\n");
        const managed = renderManagedConf(svc)
            .replace(/^port 6379$/m, `port ${managedPort}`)
            .replace(/^dir \/data$/m, `dir ${dataDir}`);
        assert.notEqual(managed, renderManagedConf(svc), "the port and dir lines were moved");
        fs.writeFileSync(path.join(dir, "managed.conf"), managed + "bind 127.0.0.1\n");
        // The order of start-node.sh for a master.
        const node = path.join(dir, "node.conf");
        const script = fs.readFileSync(path.join(__dirname, "../../../provider/scripts/redis/start-node.sh"), "utf8");
        assert.ok(
            script.lastIndexOf("include $REDIS_CONFIG_DIR/managed.conf") > script.lastIndexOf("include $REDIS_CONFIG_DIR/master.conf"),
            "start-node.sh includes managed.conf after the role's file (the beacon's config, earlier, includes it too)",
        );
        fs.writeFileSync(
            node,
            [`include ${dir}/redis.conf`, `include ${dir}/master.conf`, `include ${dir}/managed.conf`, `requirepass "${PASSWORD}"`].join(
                "\n",
            ) + "\n",
        );
        const proc = start("redis-server", node);
        const c = await client(managedPort, PASSWORD);
        const get = async (k: string) => ((await c.config("GET", k)) as string[])[1];
        assert.equal(await get("port"), String(managedPort));
        assert.equal(await get("dir"), dataDir);
        assert.equal(await get("protected-mode"), "no");
        assert.equal(await get("maxmemory"), String(64 * 1024 * 1024), "user settings still apply");
        assert.equal(await get("maxmemory-policy"), "noeviction");
        // SLAVEOF in master.conf was read (redis-server took it as replicaof) and is still in force:
        // the managed files set no replicaof for a master; the start script never writes one for it.
        assert.equal(((await c.call("ROLE")) as string[])[0], "slave", "the server honours SLAVEOF: the threat is real");
        assert.match(logOf(proc), /ready to accept connections/i);
        await c.shutdown("NOSAVE").catch(() => undefined);
    });

    it("redis-sentinel reads sentinel AUTH-PASS and KNOWN-SLAVE; the validator rejects them; the managed lines written after them win", async () => {
        const svc = resolveSpec("load", {
            redis: { native: { version: "7.0.15", settings: { sentinel: "sentinel down-after-milliseconds mymaster 1000" } } },
        }) as ResolvedNativeRedisService;
        const redisPort = await freePort();
        const redisConf = path.join(dir, "sentinel-master.conf");
        fs.writeFileSync(redisConf, `port ${redisPort}\nbind 127.0.0.1\ndir ${dir}\nsave ""\nappendonly no\nrequirepass "${PASSWORD}"\n`);
        start("redis-server", redisConf);
        await client(redisPort, PASSWORD);
        const hostile = ['sentinel AUTH-PASS mymaster "wrong"', "sentinel KNOWN-SLAVE mymaster 10.9.9.9 6379"];
        for (const line of hostile) assert.match(settingsError({ sentinel: line }) ?? "accepted", /which the component manages/, line);
        const script = fs.readFileSync(path.join(__dirname, "../../../provider/scripts/redis/start-sentinel.sh"), "utf8");
        assert.ok(
            script.indexOf("sentinel auth-pass") > script.indexOf("sentinel-settings.conf"),
            "start-sentinel.sh writes the managed auth-pass after settings.sentinel",
        );
        /** A Sentinel config in start-sentinel.sh's order, with `user` as settings.sentinel and the managed lines after it or (`managedFirst`) before. */
        const sentinelConf = async (name: string, managedFirst: boolean) => {
            const port = await freePort();
            const sdir = path.join(dir, name);
            fs.mkdirSync(sdir);
            const head = renderSentinelConf(svc)
                .replace(/^port 26379$/m, `port ${port}`)
                .replace(/^dir \/sentinel$/m, `dir ${sdir}`);
            const managed = [
                `sentinel auth-pass mymaster "${PASSWORD}"`,
                "sentinel announce-ip 127.0.0.1",
                `sentinel announce-port ${port}`,
            ];
            const user = renderSentinelSettings(svc) + hostile.join("\n") + "\n";
            const lines = [
                head,
                `sentinel monitor mymaster 127.0.0.1 ${redisPort} 1`,
                ...(managedFirst ? [...managed, user] : [user, ...managed]),
            ];
            const file = path.join(sdir, "sentinel.conf");
            fs.writeFileSync(file, lines.join("\n") + "\n");
            start("redis-sentinel", file);
            return client(port);
        };
        const ours = await sentinelConf("sentinel-ours", false);
        const reversed = await sentinelConf("sentinel-reversed", true);
        const master = async (c: Redis) => {
            const flat = (await c.call("SENTINEL", "MASTER", "mymaster")) as string[];
            return Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]]] : [])));
        };
        const replicas = async (c: Redis) =>
            ((await c.call("SENTINEL", "REPLICAS", "mymaster")) as string[][]).map((r) => `${r[3]}:${r[5]}`);
        // KNOWN-SLAVE in upper case is read as known-slave: the intruder is a failover candidate.
        assert.ok((await replicas(ours)).includes("10.9.9.9:6379"), String(await replicas(ours)));
        // down-after-milliseconds is 1000: after 4 s a Sentinel that cannot authenticate has the master down.
        await sleep(4000);
        assert.equal((await master(ours)).flags, "master", "managed auth-pass after the user's: Sentinel authenticates");
        assert.match((await master(reversed)).flags, /s_down/, "user AUTH-PASS after the managed one wins: the master looks down");
    });
});
