/** The main job: `npm run local` brings up the service, prints the outputs, smoke-tests it and cleans up. */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formatOutputs, parseArgs } from "../../local/run";

const ROOT = path.join(__dirname, "..", "..");

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
});
