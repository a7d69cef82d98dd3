/**
 * The multi-language package: the schema the Pulumi CLI infers from the sources (the same analyzer,
 * run offline from the repository root), the committed sdk/schema.json, descriptions, secretness,
 * the plugin manifest, and the YAML example checked against the schema.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import {
    COMPONENT_TOKEN,
    PackageSchema,
    PropertySchema,
    PROVIDER_NAME,
    ROOT,
    SCHEMA_PATH,
    SECRET_OUTPUTS,
    generateSchema,
    inferredSchema,
    serialize,
} from "../../scripts/gen-schema";
import { build } from "../../sim/runtime/build";
import { InterStepBufferService } from "../../provider";
import * as entry from "../../index";

/** Every property of the component (inputs, outputs) and of its object types, with a readable path. */
function allProperties(schema: PackageSchema): Array<{ where: string; prop: PropertySchema }> {
    const out: Array<{ where: string; prop: PropertySchema }> = [];
    for (const [token, res] of Object.entries(schema.resources)) {
        for (const [k, p] of Object.entries(res.inputProperties ?? {})) out.push({ where: `${token} input ${k}`, prop: p });
        for (const [k, p] of Object.entries(res.properties ?? {})) out.push({ where: `${token} output ${k}`, prop: p });
    }
    for (const [token, type] of Object.entries(schema.types)) {
        for (const [k, p] of Object.entries(type.properties ?? {})) out.push({ where: `${token}.${k}`, prop: p });
    }
    return out;
}

/** True for a Pulumi YAML expression (`${...}` interpolation or an `fn::` call): an Output at run time. */
function isExpression(value: unknown): boolean {
    if (typeof value === "string") return /\$\{/.test(value);
    return (
        typeof value === "object" &&
        value !== null &&
        !Array.isArray(value) &&
        Object.keys(value).some((k) => k.toLowerCase().startsWith("fn::"))
    );
}

/**
 * Checks a YAML value against a schema property: the property exists, the type matches (walking
 * arrays, maps, object types and $refs), required properties are set, and plain properties get
 * literals, not expressions. Returns the problems found.
 */
function checkValue(schema: PackageSchema, prop: PropertySchema, value: unknown, at: string): string[] {
    if (isExpression(value)) {
        return prop.plain ? [`${at}: a plain property (known at construction) cannot take the expression ${JSON.stringify(value)}`] : [];
    }
    if (prop.$ref === "pulumi.json#/Any") return [];
    if (prop.$ref) {
        const token = prop.$ref.replace(/^#\/types\//, "");
        const type = schema.types[token];
        if (!type) return [`${at}: unresolved $ref ${prop.$ref}`];
        if (type.enum)
            return type.enum.includes(value) ? [] : [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(type.enum)}`];
        return checkObject(schema, type.properties ?? {}, type.required ?? [], value, at);
    }
    switch (prop.type) {
        case "string":
            return typeof value === "string" ? [] : [`${at}: expected a string, got ${JSON.stringify(value)}`];
        case "number":
            return typeof value === "number" ? [] : [`${at}: expected a number, got ${JSON.stringify(value)}`];
        case "integer":
            return Number.isInteger(value) ? [] : [`${at}: expected an integer, got ${JSON.stringify(value)}`];
        case "boolean":
            return typeof value === "boolean" ? [] : [`${at}: expected a boolean, got ${JSON.stringify(value)}`];
        case "array":
            if (!Array.isArray(value)) return [`${at}: expected a list, got ${JSON.stringify(value)}`];
            return value.flatMap((v, i) => checkValue(schema, prop.items ?? {}, v, `${at}[${i}]`));
        case "object":
            if (typeof value !== "object" || value === null || Array.isArray(value))
                return [`${at}: expected a map, got ${JSON.stringify(value)}`];
            return Object.entries(value).flatMap(([k, v]) => checkValue(schema, prop.additionalProperties ?? {}, v, `${at}.${k}`));
        default:
            return [`${at}: property has no type in the schema`];
    }
}

function checkObject(
    schema: PackageSchema,
    props: Record<string, PropertySchema>,
    required: string[],
    value: unknown,
    at: string,
): string[] {
    if (typeof value !== "object" || value === null || Array.isArray(value))
        return [`${at}: expected an object, got ${JSON.stringify(value)}`];
    const problems: string[] = [];
    for (const k of required) if ((value as Record<string, unknown>)[k] === undefined) problems.push(`${at}.${k}: required`);
    for (const [k, v] of Object.entries(value)) {
        const p = props[k];
        if (!p) problems.push(`${at}.${k}: not in the schema (known: ${Object.keys(props).join(", ")})`);
        else problems.push(...checkValue(schema, p, v, `${at}.${k}`));
    }
    return problems;
}

/** The YAML example's resources of our component type, by resource name. */
function yamlComponents(): Record<string, any> {
    const program = yaml.load(fs.readFileSync(path.join(ROOT, "examples/yaml/Pulumi.yaml"), "utf8")) as any;
    const types = [`${PROVIDER_NAME}:InterStepBufferService`, COMPONENT_TOKEN];
    return Object.fromEntries(Object.entries(program.resources ?? {}).filter(([, r]: [string, any]) => types.includes(r.type)));
}

describe("plugin manifest", () => {
    it("PulumiPlugin.yaml declares a nodejs plugin named like package.json", () => {
        const manifest = yaml.load(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8")) as Record<string, unknown>;
        assert.equal(manifest.runtime, "nodejs");
        assert.equal(manifest.name, PROVIDER_NAME);
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        // The plugin host derives the provider name from package.json, not from PulumiPlugin.yaml.
        assert.equal(pkg.name, PROVIDER_NAME);
        assert.equal(
            entry.InterStepBufferService,
            InterStepBufferService,
            "the root index.ts (the analyzer's entry point) exports the component",
        );
    });
});

describe("multi-language package schema", () => {
    let schema: PackageSchema;
    before(async function () {
        this.timeout(120_000);
        schema = await generateSchema();
    });

    it("the analyzer infers the component from the repository root, as `pulumi package add` does", async () => {
        const inferred = await inferredSchema();
        assert.equal(inferred.name, PROVIDER_NAME);
        assert.deepEqual(Object.keys(inferred.resources), [COMPONENT_TOKEN]);
        assert.equal(inferred.resources[COMPONENT_TOKEN].isComponent, true);
        assert.ok(Object.keys(inferred.resources[COMPONENT_TOKEN].inputProperties).includes("jetstream"));
    });

    it("sdk/schema.json is up to date (after changing provider/ args or outputs, run `npm run schema`)", () => {
        assert.ok(fs.existsSync(SCHEMA_PATH), "sdk/schema.json is missing: run `npm run schema`");
        const committed = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8"));
        assert.deepStrictEqual(committed, JSON.parse(serialize(schema)), "sdk/schema.json differs from the sources: run `npm run schema`");
    });

    it("every input, output and nested property has a description (the SDKs' doc comments)", () => {
        const missing = allProperties(schema)
            .filter(({ prop }) => !prop.description?.trim())
            .map(({ where }) => where);
        assert.deepEqual(missing, [], `add a /** ... */ comment to: ${missing.join(", ")}`);
        assert.ok(schema.resources[COMPONENT_TOKEN].description?.trim(), "the component class has a description");
    });

    it("marks exactly the secret outputs secret, and they are secret at run time while the others are not", async () => {
        const outputs = schema.resources[COMPONENT_TOKEN].properties;
        const marked = Object.keys(outputs)
            .filter((k) => outputs[k].secret)
            .sort();
        assert.deepEqual(marked, [...SECRET_OUTPUTS].sort());
        assert.ok(!Object.values(schema.resources[COMPONENT_TOKEN].inputProperties).some((p) => p.secret));

        const built = await build("schemasecret", { namespace: "pipelines", jetstream: { version: "2.10.29", tls: true } });
        const secretAtRunTime: string[] = [];
        for (const k of Object.keys(outputs)) {
            const value = (built.isb as any)[k];
            assert.ok(pulumi.Output.isInstance(value), `output ${k} is an Output field of the component`);
            if (await pulumi.isSecret(value)) secretAtRunTime.push(k);
        }
        assert.deepEqual(secretAtRunTime.sort(), marked);
    });

    it("the YAML example sets only schema inputs, with the right types, and literal spec values", () => {
        const components = yamlComponents();
        assert.ok(Object.keys(components).length > 0, "examples/yaml declares an InterStepBufferService");
        const res = schema.resources[COMPONENT_TOKEN];
        for (const [name, r] of Object.entries(components)) {
            const problems = checkObject(
                schema,
                res.inputProperties,
                res.requiredInputs,
                r.properties ?? {},
                `resources.${name}.properties`,
            );
            assert.deepEqual(problems, []);
        }
    });

    it("the schema check catches a wrong YAML property, type or expression", () => {
        const res = schema.resources[COMPONENT_TOKEN];
        const problems = checkObject(
            schema,
            res.inputProperties,
            res.requiredInputs,
            {
                namespace: "${ns.metadata.name}",
                clusterDomain: "${cfg.domain}",
                jetstream: { replicas: "3", persistence: { size: "1Gi" }, containerTemplate: { resources: { requests: { cpu: 1 } } } },
            },
            "p",
        );
        const expected = [
            /^p\.jetstream\.containerTemplate\.resources\.requests\.cpu: expected a string, got 1$/,
            /^p\.jetstream\.persistence\.size: not in the schema/,
            /^p\.jetstream\.replicas: expected a number, got "3"$/,
            /^p\.jetstream\.version: required$/,
            /^p\.clusterDomain: a plain property \(known at construction\) cannot take the expression/,
        ];
        assert.equal(problems.length, expected.length, problems.join("\n"));
        for (const re of expected)
            assert.ok(
                problems.some((p) => re.test(p)),
                `${re} in:\n${problems.join("\n")}`,
            );
    });

    it("the YAML example's outputs are component outputs", () => {
        const program = yaml.load(fs.readFileSync(path.join(ROOT, "examples/yaml/Pulumi.yaml"), "utf8")) as any;
        const outputs = schema.resources[COMPONENT_TOKEN].properties;
        for (const [k, expr] of Object.entries(program.outputs ?? {})) {
            const m = /^\$\{(\w[\w-]*)\.(\w+)\}$/.exec(String(expr));
            assert.ok(m, `output ${k} reads a component output`);
            assert.ok(yamlComponents()[m![1]], `output ${k} reads resource ${m![1]}`);
            assert.ok(outputs[m![2]], `output ${k}: ${m![2]} is an output of the component`);
        }
        assert.equal(program.packages?.[PROVIDER_NAME], "../..");
        assert.equal(program.runtime, "yaml");
    });
});
