/**
 * The real Pulumi engine for the tests: the CLI built by scripts/engine/build.sh, a file backend in a
 * temporary folder, provider plugins found on PATH (.cache/engine/bin and the stand-ins), no network.
 *
 * Programs run inline through the Automation API: the CLI is started with `--client=127.0.0.1:<port>`
 * and talks to a language runtime server inside this process (@pulumi/pulumi automation/stack.ts
 * `Stack.up`, automation/server.ts `LanguageServer`), so no pulumi-language-nodejs binary is needed.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as automation from "@pulumi/pulumi/automation";
import { ROOT } from "./cluster";

export const BIN = path.join(process.env.ENGINE_CACHE ?? path.join(ROOT, ".cache/engine"), "bin");
export const STANDIN = path.join(__dirname, "standin");

export class Engine {
    readonly dir: string;
    readonly env: Record<string, string>;
    private command?: automation.PulumiCommand;

    constructor() {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "isbsvc-engine-"));
        fs.mkdirSync(path.join(this.dir, "backend"));
        fs.mkdirSync(path.join(this.dir, "home"));
        this.env = {
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, "backend")}`,
            PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase",
            // a fresh PULUMI_HOME: no plugins but the ones on PATH, no credentials
            PULUMI_HOME: path.join(this.dir, "home"),
            PATH: [BIN, STANDIN, process.env.PATH].join(path.delimiter),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
        };
    }

    async pulumi(): Promise<automation.PulumiCommand> {
        this.command ??= await automation.PulumiCommand.get({ root: path.dirname(BIN) });
        return this.command;
    }

    /** A stack of project `project` running `program` inline, with stack config `config` (e.g. `kubernetes:*`). */
    async stack(
        project: string,
        stackName: string,
        program: automation.PulumiFn,
        config: Record<string, automation.ConfigValue> = {},
    ): Promise<automation.Stack> {
        const pulumiCommand = await this.pulumi();
        const workDir = path.join(this.dir, "projects", project);
        fs.mkdirSync(workDir, { recursive: true });
        const stack = await automation.LocalWorkspace.createOrSelectStack(
            { projectName: project, stackName, program },
            {
                workDir,
                pulumiCommand,
                envVars: this.env,
                projectSettings: { name: project, runtime: "nodejs", backend: { url: this.env.PULUMI_BACKEND_URL } },
            },
        );
        if (Object.keys(config).length) await stack.setAllConfig(config);
        return stack;
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** Fails (never skips) when a built binary is missing from {@link BIN}, naming the build command. */
export function requireBinaries(names: readonly string[]): void {
    for (const b of names) {
        assert.ok(
            fs.existsSync(path.join(BIN, b)),
            `missing ${path.join(BIN, b)}: run scripts/engine/build.sh ${b} (npm run test:engine does)`,
        );
    }
}

/** On SIGINT/SIGTERM runs `cleanup` (stop the control plane, remove the engine's folders) and exits 130. */
export function cleanupOnInterrupt(cleanup: () => void): void {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
        process.once(sig, () => {
            try {
                cleanup();
            } finally {
                process.exit(130);
            }
        });
    }
}
