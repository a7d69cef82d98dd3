/**
 * The component provider this package serves as a source-based plugin. It is the SDK's
 * ComponentProvider (schema inferred from the TypeScript sources, `construct` of the component)
 * with one addition: the outputs the contract marks secret (provider/outputs/connection.ts) get
 * `"secret": true` in the served schema, which the analyzer cannot infer. `npm run schema` writes
 * the same schema to sdk/schema.json, so what `pulumi package get-schema` prints, what SDKs are
 * generated from and the committed file are one schema.
 */
import * as fs from "fs";
import * as path from "path";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { InterStepBufferService } from "./component";
import { SECRET_CONNECTION_FIELDS } from "./outputs/connection";

/** Provider name, as the nodejs plugin host derives it from package.json `name`. */
export const PROVIDER_NAME = "isbsvc";
export const COMPONENT_TOKEN = `${PROVIDER_NAME}:index:InterStepBufferService`;

/** Marks the contract's secret outputs `secret: true` in a schema (JSON text); fails if one is missing. */
export function markSecretOutputs(schemaJson: string): string {
    const schema = JSON.parse(schemaJson);
    const outputs = schema.resources?.[COMPONENT_TOKEN]?.properties;
    if (!outputs) throw new Error(`the schema has no resource ${COMPONENT_TOKEN}`);
    for (const name of SECRET_CONNECTION_FIELDS) {
        if (!outputs[name]) throw new Error(`secret output "${name}" is not an output of ${COMPONENT_TOKEN}`);
        outputs[name] = { ...outputs[name], secret: true };
    }
    return JSON.stringify(schema);
}

/** The SDK's ComponentProvider, serving the schema with the secret outputs marked. */
export class IsbComponentProvider extends ComponentProvider {
    private markedSchema?: string;

    async getSchema(): Promise<string> {
        this.markedSchema ??= markSecretOutputs(await super.getSchema());
        return this.markedSchema;
    }
}

/** The provider for the plugin directory `dirname` (the repository root: PulumiPlugin.yaml, package.json, tsconfig.json). */
export function pluginProvider(dirname: string): IsbComponentProvider {
    return new IsbComponentProvider({ components: [InterStepBufferService], name: PROVIDER_NAME, dirname });
}

/** The plugin directory: the nearest folder at or above `from` holding PulumiPlugin.yaml. */
export function pluginDirectory(from: string = __dirname): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "PulumiPlugin.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no PulumiPlugin.yaml above ${from}`);
    }
}
