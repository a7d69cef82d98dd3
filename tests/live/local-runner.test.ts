/** The main job: `npm run local` brings up the service, prints the outputs, smoke-tests it and cleans up. */
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formatOutputs, parseArgs } from "../../local/run";

const ROOT = path.join(__dirname, "..", "..");
const RUNNER = ["-r", "ts-node/register/transpile-only", "local/run.ts"];

/** Harness namespaces of the runner process `pid` still present (its network id is `r<pid % 10000>`). */
function leftovers(pid: number | undefined): string[] {
    const prefix = `isbt-r${(pid ?? 0) % 10000}-`;
    return spawnSync("ip", ["netns", "list"], { encoding: "utf8" })
        .stdout.split("\n")
        .filter((l) => l.startsWith(prefix));
}

/** Temp dirs of the runner process `pid` still present. */
function tempLeftovers(pid: number | undefined): string[] {
    return fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith(`isbt-r${(pid ?? 0) % 10000}-`));
}

describe("local runner", () => {
    it("parses its arguments and refuses unknown ones", () => {
        assert.deepEqual(parseArgs(["--spec", "x.yaml", "--out", "o", "--once", "--show-secrets"]), {
            spec: "x.yaml",
            out: "o",
            once: true,
            showSecrets: true,
        });
        assert.throws(() => parseArgs(["--bogus"]), /unknown argument --bogus/);
        assert.throws(() => parseArgs(["--spec"]), /--spec needs a value/);
    });

    it("hides the password like `pulumi stack output` unless asked", () => {
        const o: any = { type: "jetstream", password: "Pw123", url: "nats://x:4222" };
        assert.match(formatOutputs(o, false), /password\s+: \[secret\]/);
        assert.doesNotMatch(formatOutputs(o, false), /Pw123/);
        assert.match(formatOutputs(o, true), /password\s+: "Pw123"/);
    });

    it("brings up a spec, smoke-tests it through the outputs, writes what it rendered, and leaves nothing behind", function () {
        this.timeout(180_000);
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "isb-local-"));
        try {
            const run = spawnSync("node", ["-r", "ts-node/register/transpile-only", "local/run.ts", "--once", "--out", out], {
                cwd: ROOT,
                encoding: "utf8",
                timeout: 170_000,
            });
            assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
            assert.match(run.stdout, /url\s+: "nats:\/\/isbsvc-default-js-svc\.pipelines\.svc:4222"/);
            assert.match(run.stdout, /password\s+: \[secret\]/);
            assert.match(run.stdout, /smoke test: published 100 messages with acks and consumed 100 over TLS verified against caCertPem/);
            assert.match(run.stdout, /stopped: every process, network namespace and file removed/);
            const manifests = fs.readdirSync(path.join(out, "manifests")).sort();
            assert.ok(manifests.includes("statefulset-isbsvc-default-js.yaml"), manifests.join(", "));
            const secret = fs.readFileSync(path.join(out, "manifests", "secret-isbsvc-default-js-server.yaml"), "utf8");
            assert.match(secret, /<redacted: run with --show-secrets>/);
            assert.match(fs.readFileSync(path.join(out, "config", "isbsvc-default-js-config", "nats-js"), "utf8"), /^jetstream \{$/m);
            const leftovers = spawnSync("ip", ["netns", "list"], { encoding: "utf8" })
                .stdout.split("\n")
                .filter((l) => /^isbt-r\d+-/.test(l) && l.includes(`isbt-r${(run.pid ?? 0) % 10000}-`));
            assert.deepEqual(leftovers, []);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });

    it("native Redis (local/specs/redis.yaml): master, replicas and Sentinels as pods, a smoke test through Sentinel over verified TLS, nothing left behind", function () {
        this.timeout(300_000);
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "isb-local-"));
        try {
            const run = spawnSync("node", [...RUNNER, "--spec", "local/specs/redis.yaml", "--once", "--out", out], {
                cwd: ROOT,
                encoding: "utf8",
                timeout: 290_000,
            });
            assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
            assert.match(run.stdout, /ISB service "default" \(redis\)/);
            assert.match(run.stdout, /sentinelUrl\s+: "isbsvc-default-redis-svc\.pipelines\.svc:26379"/);
            assert.match(run.stdout, /masterName\s+: "mymaster"/);
            assert.match(run.stdout, /tlsEnabled\s+: true/);
            assert.match(run.stdout, /password\s+: \[secret\]/);
            assert.match(run.stdout, /starting 3 redis pod\(s\)/);
            for (let i = 0; i < 3; i++) assert.match(run.stdout, new RegExp(`isbsvc-default-redis-${i}\\s+10\\.254\\.`));
            assert.match(
                run.stdout,
                /smoke test: wrote 100 keys through Sentinel \(master set "mymaster"\), each acknowledged by a replica, and read them back over TLS verified against caCertPem/,
            );
            assert.match(run.stdout, /stopped: every process, network namespace and file removed/);
            const manifests = fs.readdirSync(path.join(out, "manifests")).sort();
            for (const m of ["statefulset-isbsvc-default-redis.yaml", "networkpolicy-isbsvc-default-redis-network-policy.yaml"]) {
                assert.ok(manifests.includes(m), manifests.join(", "));
            }
            assert.match(
                fs.readFileSync(path.join(out, "manifests", "secret-isbsvc-default-redis-tls.yaml"), "utf8"),
                /<redacted: run with --show-secrets>/,
            );
            assert.deepEqual(leftovers(run.pid), []);
            assert.deepEqual(tempLeftovers(run.pid), []);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });

    it("an external Redis spec: prints the outputs and stops (no pods)", function () {
        this.timeout(120_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "isb-local-"));
        try {
            const spec = path.join(dir, "external.yaml");
            fs.writeFileSync(
                spec,
                'name: ext\nargs:\n  namespace: dev\n  redis:\n    external:\n      url: "redis.example.internal:6379"\n',
            );
            const run = spawnSync("node", [...RUNNER, "--spec", spec, "--once"], { cwd: ROOT, encoding: "utf8", timeout: 110_000 });
            assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
            assert.match(run.stdout, /url\s+: "redis\.example\.internal:6379"/);
            assert.match(run.stdout, /an external Redis deploys no pods; nothing to run for this spec/);
            assert.deepEqual(leftovers(run.pid), []);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("native Redis without TLS (local/specs/redis-plain.yaml): runs until Ctrl-C, then stops every process and removes every namespace", async function () {
        this.timeout(300_000);
        const child = spawn("node", [...RUNNER, "--spec", "local/specs/redis-plain.yaml"], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        try {
            const deadline = Date.now() + 240_000;
            while (!stdout.includes("running; press Ctrl-C to stop")) {
                if (child.exitCode !== null || Date.now() > deadline) assert.fail(`the runner did not come up:\n${stdout}\n${stderr}`);
                await new Promise((r) => setTimeout(r, 250));
            }
            assert.match(
                stdout,
                /smoke test: wrote 100 keys through Sentinel \(master set "mymaster"\), each acknowledged by a replica, and read them back\n/,
            );
            assert.match(stdout, /tlsEnabled\s+: false/);
            assert.equal(leftovers(child.pid).length, 3, "the 3 pods' namespaces exist while running");
            child.kill("SIGINT");
            assert.equal(await exited, 0, `${stdout}\n${stderr}`);
            assert.match(stdout, /SIGINT: stopping/);
            assert.match(stdout, /stopped: every process, network namespace and file removed/);
            assert.deepEqual(leftovers(child.pid), []);
            assert.deepEqual(tempLeftovers(child.pid), []);
        } finally {
            if (child.exitCode === null) child.kill("SIGKILL");
        }
    });
});
