/**
 * Generates `sdk/schema.json`: the package schema this repository serves as a source-based plugin
 * package (what `pulumi package get-schema <path to this repository>` prints), produced offline
 * with the provider the plugin runs (provider/plugin-provider.ts: the SDK's ComponentProvider and
 * its analyzer, run on the repository root exactly as the plugin host runs it, plus `"secret":
 * true` on the outputs the contract in provider/outputs/connection.ts marks secret, which the
 * analyzer cannot infer). tests/unit/schema.test.ts checks the file is up to date and
 * tests/unit/plugin.test.ts that the running plugin serves the same schema.
 *
 * It also renders the outputs table of README.md from the same contract.
 *
 *   npm run schema              # rewrite sdk/schema.json and the README outputs table
 *   npm run schema -- --check   # exit 1 when either is out of date
 */
import * as fs from "fs";
import * as path from "path";
import { connectionMarkdownTable, SECRET_CONNECTION_FIELDS } from "../provider/outputs/connection";
import { COMPONENT_TOKEN, IsbComponentProvider, PROVIDER_NAME, pluginProvider } from "../provider/plugin-provider";

export { COMPONENT_TOKEN, PROVIDER_NAME };

/** Repository root: the plugin directory (PulumiPlugin.yaml, package.json, tsconfig.json). */
export const ROOT = path.resolve(__dirname, "..");
export const SCHEMA_PATH = path.join(ROOT, "sdk", "schema.json");
/** Outputs the component returns as secrets (`pulumi.secret`), marked `secret: true` in the schema. */
export const SECRET_OUTPUTS: string[] = SECRET_CONNECTION_FIELDS;

/** A property of a resource or of an object type, as the schema describes it. */
export interface PropertySchema {
    type?: string;
    $ref?: string;
    items?: PropertySchema;
    additionalProperties?: PropertySchema;
    description?: string;
    plain?: boolean;
    optional?: boolean;
    secret?: boolean;
}

export interface ObjectTypeSchema {
    type: string;
    properties?: Record<string, PropertySchema>;
    required?: string[];
    enum?: unknown[];
    description?: string;
}

export interface ResourceSchema extends ObjectTypeSchema {
    isComponent?: boolean;
    inputProperties: Record<string, PropertySchema>;
    requiredInputs: string[];
    properties: Record<string, PropertySchema>;
    required: string[];
}

export interface PackageSchema {
    name: string;
    version: string;
    description?: string;
    resources: Record<string, ResourceSchema>;
    types: Record<string, ObjectTypeSchema>;
    [key: string]: unknown;
}

/** The component provider the plugin serves for this package (same name, components and directory). */
export function componentProvider(): IsbComponentProvider {
    return pluginProvider(ROOT);
}

let shared: IsbComponentProvider | undefined;

/** One provider per process: the analyzer takes a few seconds and the provider caches its schema. */
export function sharedComponentProvider(): IsbComponentProvider {
    shared ??= componentProvider();
    return shared;
}

/** The schema exactly as the plugin serves it (`GetSchema`). */
export async function inferredSchema(provider: IsbComponentProvider = sharedComponentProvider()): Promise<PackageSchema> {
    try {
        return JSON.parse(await provider.getSchema()) as PackageSchema;
    } catch (e) {
        const message = (e as Error).message;
        if (/No entry points found/.test(message)) {
            throw new Error(
                `${message}\nThe analyzer only sees the files tsconfig.json includes: add "index.ts" (the root ` +
                    `entry that re-exports provider/) to "include" in tsconfig.json.`,
            );
        }
        throw e;
    }
}

/** The schema sdk/schema.json must contain: the one the plugin serves. */
export async function generateSchema(provider?: IsbComponentProvider): Promise<PackageSchema> {
    return inferredSchema(provider);
}

export function serialize(schema: PackageSchema): string {
    return JSON.stringify(schema, null, 2) + "\n";
}

export const README_PATH = path.join(ROOT, "README.md");
const TABLE_BLOCK = /(<!-- contract:outputs begin[^\n]*-->\n)[\s\S]*?(\n<!-- contract:outputs end -->)/;

/** README.md with its outputs table rendered from the contract (CONNECTION_FIELDS). */
export function renderReadme(readme: string): string {
    if (!TABLE_BLOCK.test(readme)) throw new Error("README.md has no contract:outputs block");
    return readme.replace(TABLE_BLOCK, (_m, begin: string, end: string) => begin + connectionMarkdownTable() + end);
}

async function main(argv: string[]): Promise<void> {
    const readme = fs.readFileSync(README_PATH, "utf8");
    const files: Array<[string, string]> = [
        [SCHEMA_PATH, serialize(await generateSchema(componentProvider()))],
        [README_PATH, renderReadme(readme)],
    ];
    for (const [file, text] of files) {
        const relative = path.relative(process.cwd(), file);
        const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
        if (argv.includes("--check")) {
            if (current !== text) {
                console.error(`${relative} is out of date: run \`npm run schema\``);
                process.exitCode = 1;
            } else console.log(`${relative} is up to date`);
            continue;
        }
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        console.log(`wrote ${relative}`);
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e) => {
        console.error((e as Error).message);
        process.exitCode = 1;
    });
}
