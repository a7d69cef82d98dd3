/**
 * Every Pulumi manifest in the repository (`Pulumi.yaml` projects, `PulumiPlugin.yaml` plugins),
 * loaded as YAML and checked for the fields the Pulumi CLI reads, with the rules of pulumi
 * v3.248.0 `sdk/go/common/workspace`: `LoadProjectBytes` → `ValidateProject` (JSON schema
 * `project.json`: `name` non-empty, `runtime`, config `type` one of string, integer, boolean,
 * array, object) → `Project.Validate` (an array needs `items`, a default must match its type, a
 * key not namespaced by the project takes only a `value`); `LoadPluginProject` →
 * `PluginProject.Validate` (`runtime` required; the file has no `name` or `main`: the nodejs host
 * runs package.json `main`).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { CONNECTION_FIELD_NAMES, CONNECTION_FIELDS } from "../../provider/outputs/connection";
import { registry } from "../../sim/runtime/mock-runtime";
import { settle, valueOf } from "../../sim/runtime/outputs";

const ROOT = path.resolve(__dirname, "../..");
const SKIP = new Set(["node_modules", ".git", "bin", "sdks", "rendered"]);
const RUNTIMES = ["nodejs", "python", "go", "yaml", "dotnet", "java"];
const CONFIG_TYPES = ["string", "integer", "boolean", "array", "object"];

/** Repository-relative paths of every file called `name`, outside dependencies and build output. */
function findManifests(name: string, dir = ROOT): string[] {
    const found: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && !SKIP.has(entry.name)) found.push(...findManifests(name, path.join(dir, entry.name)));
        else if (entry.isFile() && entry.name === name) found.push(path.relative(ROOT, path.join(dir, entry.name)));
    }
    return found.sort();
}

function load(relative: string): Record<string, any> {
    const doc = yaml.load(fs.readFileSync(path.join(ROOT, relative), "utf8"));
    assert.ok(typeof doc === "object" && doc !== null && !Array.isArray(doc), `${relative} is a YAML mapping`);
    return doc as Record<string, any>;
}

/** `runtime: nodejs` or `runtime: {name: nodejs, options: {...}}`. */
function runtimeName(runtime: unknown): string | undefined {
    if (typeof runtime === "string") return runtime;
    if (typeof runtime === "object" && runtime !== null) return (runtime as { name?: string }).name;
    return undefined;
}

/** pulumi `ValidateConfigValue`: does `value` have config type `type`? */
function matchesType(type: string, items: any, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return Number.isInteger(value) || (typeof value === "string" && /^-?\d+$/.test(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return typeof value === "object" && value !== null && !Array.isArray(value);
        case "array":
            return Array.isArray(value) && value.every((v) => matchesType(items?.type, items?.items, v));
        default:
            return false;
    }
}

/** The problems the CLI would report for a project's `config` block. */
function configProblems(projectName: string, config: Record<string, any>): string[] {
    const problems: string[] = [];
    for (const [key, decl] of Object.entries(config)) {
        const at = `config.${key}`;
        if (typeof decl !== "object" || decl === null) continue; // a shorthand value
        const namespaced = !key.includes(":") || key.startsWith(`${projectName}:`);
        if (namespaced) {
            if (decl.type !== undefined && !CONFIG_TYPES.includes(decl.type))
                problems.push(`${at}: type ${decl.type} is not one of ${CONFIG_TYPES}`);
            if (decl.type === "array" && !decl.items) problems.push(`${at}: an array needs items`);
            if (decl.type !== undefined && decl.default !== undefined && !matchesType(decl.type, decl.items, decl.default))
                problems.push(`${at}: default ${JSON.stringify(decl.default)} is not a ${decl.type}`);
        } else {
            if (decl.type !== undefined) problems.push(`${at}: not namespaced by the project, so it takes no type`);
            if (decl.value === undefined) problems.push(`${at}: not namespaced by the project, so it needs a value`);
        }
        if (decl.default !== undefined && decl.value !== undefined) problems.push(`${at}: both default and value`);
        if (decl.description !== undefined && typeof decl.description !== "string") problems.push(`${at}: description is not a string`);
    }
    return problems;
}

/** Where a nodejs program starts: `main` (a file or a folder with package.json/index), else the project folder. */
function nodeEntry(dir: string, main: string | undefined): string {
    const target = path.join(ROOT, dir, main ?? ".");
    if (fs.existsSync(target) && fs.statSync(target).isFile()) return target;
    for (const candidate of ["index.ts", "index.js"]) if (fs.existsSync(path.join(target, candidate))) return path.join(target, candidate);
    return target;
}

describe("Pulumi manifests", () => {
    const projects = findManifests("Pulumi.yaml");
    const plugins = findManifests("PulumiPlugin.yaml");

    it("finds the root program, the plugin manifest and every example", () => {
        assert.ok(projects.includes("Pulumi.yaml"));
        assert.deepEqual(plugins, ["PulumiPlugin.yaml"]);
        for (const example of fs.readdirSync(path.join(ROOT, "examples")))
            assert.ok(projects.includes(`examples/${example}/Pulumi.yaml`), `examples/${example} has a Pulumi.yaml`);
    });

    for (const relative of projects) {
        it(`${relative} is valid YAML with the fields the CLI reads`, () => {
            const project = load(relative);
            const dir = path.dirname(relative);
            assert.ok(typeof project.name === "string" && project.name !== "", "a non-empty name");
            const runtime = runtimeName(project.runtime);
            assert.ok(runtime && RUNTIMES.includes(runtime), `runtime ${JSON.stringify(project.runtime)} is one of ${RUNTIMES}`);
            if (project.description !== undefined) assert.equal(typeof project.description, "string");
            if (project.main !== undefined) {
                assert.equal(typeof project.main, "string");
                assert.ok(fs.existsSync(path.join(ROOT, dir, project.main)), `main ${project.main} exists`);
            }
            if (runtime === "nodejs") assert.ok(fs.existsSync(nodeEntry(dir, project.main)), "the nodejs entry point exists");
            if (runtime === "python") assert.ok(fs.existsSync(path.join(ROOT, dir, project.main ?? "", "__main__.py")));
            if (runtime === "go") assert.ok(fs.existsSync(path.join(ROOT, dir, project.main ?? "", "go.mod")));
            if (runtime === "yaml")
                assert.ok(project.resources && typeof project.resources === "object", "a YAML program declares resources");
            assert.deepEqual(configProblems(project.name, project.config ?? {}), []);
            for (const [pkg, source] of Object.entries(project.packages ?? {})) {
                if (typeof source === "string" && source.startsWith("."))
                    assert.ok(
                        fs.existsSync(path.join(ROOT, dir, source, "PulumiPlugin.yaml")),
                        `package ${pkg} at ${source} is a plugin folder`,
                    );
            }
        });
    }

    for (const relative of plugins) {
        it(`${relative} is valid YAML with the fields the CLI reads`, () => {
            const plugin = load(relative);
            assert.equal(runtimeName(plugin.runtime), "nodejs");
            // PluginProject has runtime, packages, requiredPulumiVersion and template; nothing else is read.
            const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, path.dirname(relative), "package.json"), "utf8"));
            assert.equal(plugin.name ?? pkg.name, pkg.name, "a name, if given, matches package.json (the name the host uses)");
        });
    }

    it("the root program's config declares every key program/index.ts reads", () => {
        const project = load("Pulumi.yaml");
        const source = fs.readFileSync(path.join(ROOT, "program/index.ts"), "utf8");
        const read = [...source.matchAll(/config\.(?:get|require|getObject|requireObject)(?:<[^>]+>)?\("([^"]+)"\)/g)].map(
            (m) => `isbsvc:${m[1]}`,
        );
        assert.ok(read.length > 0);
        for (const key of read) assert.ok(project.config[key], `${key} is declared in Pulumi.yaml`);
        assert.equal(project.config["isbsvc:spec"].type, "object");
    });

    it("the root program runs from stack config alone and exports every output of the component, the password secret", async () => {
        // What the CLI hands the program: the stack's config (as `pulumi config set --path` writes it
        // to Pulumi.<stack>.yaml) over the project's declared defaults, each value a string, objects
        // as JSON (the nodejs host passes them in PULUMI_CONFIG; the SDK's setAllConfig stores them).
        const project = load("Pulumi.yaml");
        const stackConfig: Record<string, unknown> = {
            "isbsvc:spec": { jetstream: { version: "2.10.29", tls: true } },
            "isbsvc:namespace": "stream",
        };
        const config: Record<string, string> = {};
        for (const [key, decl] of Object.entries<any>(project.config)) if (decl.default !== undefined) config[key] = String(decl.default);
        for (const [key, value] of Object.entries(stackConfig)) config[key] = typeof value === "string" ? value : JSON.stringify(value);
        pulumi.runtime.setAllConfig({ ...pulumi.runtime.allConfig(), ...config });

        const program = (await import("../../program/index")) as unknown as Record<string, unknown>;
        const exported = Object.keys(program).filter((k) => k !== "default");
        assert.deepEqual(exported.sort(), [...CONNECTION_FIELD_NAMES].sort(), "the program exports exactly the contract");
        for (const k of CONNECTION_FIELD_NAMES) {
            const value = program[k] as pulumi.Output<unknown>;
            assert.ok(pulumi.Output.isInstance(value), `${k} is an Output`);
            assert.equal(await pulumi.isSecret(value), CONNECTION_FIELDS[k].secret, `${k}: secret`);
        }
        assert.equal(await valueOf(program.url as pulumi.Output<string>), "nats://isbsvc-default-js-svc.stream.svc:4222");
        assert.equal(await valueOf(program.namespace as pulumi.Output<string>), "stream");
        assert.equal(await valueOf(program.tlsEnabled as pulumi.Output<boolean>), true);
        assert.match(await valueOf(program.password as pulumi.Output<string>), /^\S{16,}$/);
        await settle();
        const statefulSets = registry().filter((r) => r.type === "kubernetes:apps/v1:StatefulSet" && r.name === "default-js");
        assert.ok(
            statefulSets.some((r) => r.inputs.metadata?.namespace === "stream"),
            "named by the Pulumi.yaml default of isbsvc:name, in the configured namespace",
        );
    });

    it("only the root holds both manifests, and nothing tells to run `pulumi package` on `.` there", () => {
        // pulumi v3.248.0 workspace.LoadBaseProjectFrom: both files at the same depth = "detected both
        // PulumiPlugin.yaml and Pulumi.yaml"; get-schema/gen-sdk on a plugin source call it on the cwd.
        const both = projects.filter((p) => plugins.includes(path.join(path.dirname(p), "PulumiPlugin.yaml")));
        assert.deepEqual(both, ["Pulumi.yaml"]);
        const texts = ["README.md", "scripts/gen-sdk.sh", "PulumiPlugin.yaml", "package.json"].map((f) => [
            f,
            fs.readFileSync(path.join(ROOT, f), "utf8"),
        ]);
        for (const [file, text] of texts) {
            assert.doesNotMatch(text, /pulumi package (get-schema|gen-sdk) \.(\s|$)/m, `${file} runs pulumi package on . at the root`);
            assert.doesNotMatch(text, /SCHEMA_SOURCE:-\.\}/, `${file} defaults the gen-sdk source to .`);
        }
    });
});
