/**
 * The schema the plugin serves at run time is sdk/schema.json, `secret: true` on `password`
 * included. The nodejs language host (pulumi v3.248.0 `sdk/nodejs/cmd/pulumi-language-nodejs`
 * `RunPlugin`) starts a source-based plugin as `node @pulumi/pulumi/cmd/run-plugin <plugin dir>`;
 * run-plugin's `run` requires the directory (package.json `main`) and, had the module exported a
 * component class, would start the SDK's own `componentProviderHost`, whose analyzer-only schema has
 * no secret marks. Our `main` (provider/plugin.ts) exports a function instead, which run-plugin
 * calls, and which serves IsbComponentProvider. This test starts run-plugin exactly so (on the
 * compiled bin/, as the host does) and asks it for its schema over gRPC.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { ROOT, SCHEMA_PATH } from "../../scripts/gen-schema";

const providerRpc = require("@pulumi/pulumi/proto/provider_grpc_pb");

const providerPb = require("@pulumi/pulumi/proto/provider_pb");

const { getPulumiComponents } = require("@pulumi/pulumi/provider/experimental/provider");

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** Starts run-plugin on the repository root; resolves with the port it prints. */
function startPlugin(): { child: ChildProcess; port: Promise<number>; output: () => string } {
    const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [ROOT] });
    const child = spawn(process.execPath, [runPlugin, ROOT], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const port = new Promise<number>((resolve, reject) => {
        child.stdout!.on("data", (d: Buffer) => {
            out += d.toString();
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) resolve(Number(m[1]));
        });
        child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
        child.on("exit", (code) => reject(new Error(`run-plugin exited with ${code}:\n${out}`)));
    });
    return { child, port, output: () => out };
}

function getSchema(port: number): Promise<string> {
    const client = new providerRpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new Promise((resolve, reject) => {
        client.getSchema(new providerPb.GetSchemaRequest(), (err: Error | null, res: any) => {
            client.close();
            if (err) reject(err);
            else resolve(res.getSchema());
        });
    });
}

describe("the plugin at run time", () => {
    it("package.json main is the plugin entry, which exports no component (so run-plugin calls it)", () => {
        assert.equal(pkg.main, "bin/provider/plugin.js");
        assert.equal(pkg.exports["."].default, "./bin/provider/index.js", "programs importing isbsvc get the component");
        const entry = require("../../provider/plugin");
        assert.equal(typeof entry, "function");
        assert.deepEqual(getPulumiComponents(entry), []);
        const library = require("../../provider");
        assert.equal(getPulumiComponents(library).length, 1, "the library entry exports the component");
    });

    it("serves sdk/schema.json over gRPC, with password secret", async function () {
        this.timeout(120_000);
        const compiled = path.join(ROOT, pkg.main);
        assert.ok(fs.existsSync(compiled), `${pkg.main} is missing: run \`npm run build\` first (the host runs the compiled plugin)`);
        const plugin = startPlugin();
        try {
            const served = JSON.parse(await getSchema(await plugin.port));
            const committed = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8"));
            assert.deepStrictEqual(served, committed, "the served schema is sdk/schema.json");
            assert.equal(served.resources["isbsvc:index:InterStepBufferService"].properties.password.secret, true);
        } finally {
            plugin.child.kill();
        }
    });
});
