/**
 * The connection contract is written once (CONNECTION_FIELDS in provider/outputs/connection.ts).
 * The places that cannot be derived from it are checked against it: the component's property
 * declarations and doc comments (what the schema analyzer reads), the inferred schema, the README
 * table, and the export lists of the examples in other languages.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { CONNECTION_FIELD_NAMES, CONNECTION_FIELDS, ConnectionField, SECRET_CONNECTION_FIELDS } from "../../provider/outputs/connection";
import { COMPONENT_TOKEN, PackageSchema, README_PATH, ROOT, generateSchema, renderReadme } from "../../scripts/gen-schema";
import { build, OUTPUT_FIELDS } from "../../sim/runtime/build";

const sorted = (names: Iterable<string>) => [...names].sort();

interface Declared {
    name: string;
    type: string;
    doc: string;
    modifiers: string[];
}

/** The output properties the class InterStepBufferService declares in provider/component.ts, read with the TypeScript parser. */
function declaredOutputs(): Declared[] {
    const file = path.join(ROOT, "provider/component.ts");
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2020, true);
    const cls = source.statements.find(
        (s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === "InterStepBufferService",
    );
    assert.ok(cls, "provider/component.ts declares class InterStepBufferService");
    return cls.members.filter(ts.isPropertyDeclaration).map((p) => {
        const docs = ts.getJSDocCommentsAndTags(p).filter(ts.isJSDoc);
        const comment = docs
            .map((d) => (typeof d.comment === "string" ? d.comment : (ts.getTextOfJSDocComment(d.comment) ?? "")))
            .join("\n");
        return {
            name: p.name.getText(source),
            type: p.type?.getText(source) ?? "",
            doc: comment.replace(/\s+/g, " ").trim(),
            modifiers: (ts.getModifiers(p) ?? []).map((m) => m.getText(source)),
        };
    });
}

describe("connection contract", () => {
    let schema: PackageSchema;
    before(async function () {
        this.timeout(120_000);
        schema = await generateSchema();
    });

    it("the table is well formed: unique names, string or boolean, a description and an example each", () => {
        assert.ok(CONNECTION_FIELD_NAMES.length > 0);
        for (const k of CONNECTION_FIELD_NAMES) {
            const f: ConnectionField = CONNECTION_FIELDS[k];
            assert.ok(["string", "boolean"].includes(f.type), `${k}.type`);
            assert.ok(f.description.trim().endsWith("."), `${k}.description is a sentence`);
            assert.ok(f.example.trim(), `${k}.example`);
        }
        assert.deepEqual(SECRET_CONNECTION_FIELDS, ["password"]);
        assert.deepEqual(OUTPUT_FIELDS, CONNECTION_FIELD_NAMES, "sim/runtime/build.ts collects the contract");
    });

    it("the component class declares exactly the contract's outputs, typed and documented as in the table", () => {
        const declared = declaredOutputs();
        assert.deepEqual(
            declared.map((d) => d.name),
            CONNECTION_FIELD_NAMES,
            "one property per contract field, in table order",
        );
        for (const d of declared) {
            const f: ConnectionField = CONNECTION_FIELDS[d.name as keyof typeof CONNECTION_FIELDS];
            assert.equal(d.type, `pulumi.Output<${f.type}>`, `${d.name}: type`);
            assert.deepEqual(d.modifiers, ["public", "readonly"], `${d.name}: public readonly`);
            assert.equal(d.doc, f.description, `${d.name}: the doc comment is the table's description`);
        }
    });

    it("the inferred schema's outputs are the table: names, types, descriptions, secret marks, all required", () => {
        const res = schema.resources[COMPONENT_TOKEN];
        assert.deepEqual(sorted(Object.keys(res.properties)), sorted(CONNECTION_FIELD_NAMES));
        assert.deepEqual(sorted(res.required), sorted(CONNECTION_FIELD_NAMES));
        for (const k of CONNECTION_FIELD_NAMES) {
            const f: ConnectionField = CONNECTION_FIELDS[k];
            const p = res.properties[k];
            assert.equal(p.type, f.type, `${k}: type`);
            assert.equal(p.description, f.description, `${k}: description`);
            assert.equal(p.secret === true, f.secret, `${k}: secret`);
        }
    });

    it("at run time every contract output is an Output field of the component, secret exactly where the table says", async () => {
        const built = await build("contract", { namespace: "pipelines", redis: { native: { version: "7.0.15" } } });
        for (const k of CONNECTION_FIELD_NAMES) {
            const value = (built.isb as unknown as Record<string, unknown>)[k];
            assert.ok(pulumi.Output.isInstance(value), `${k} is an Output`);
            assert.equal(await pulumi.isSecret(value as pulumi.Output<unknown>), CONNECTION_FIELDS[k].secret, `${k}: secret`);
            const expected = CONNECTION_FIELDS[k].type === "boolean" ? "boolean" : "string";
            assert.equal(typeof built.outputs[k], expected, `${k}: resolves to a ${expected}`);
        }
    });

    it("README.md's outputs table is rendered from the table (`npm run schema` rewrites it)", () => {
        const readme = fs.readFileSync(README_PATH, "utf8");
        assert.equal(readme, renderReadme(readme), "README.md's outputs table is stale: run `npm run schema`");
    });

    it("the YAML, Python and Go examples export every contract output under its own name", () => {
        const yamlProgram = yaml.load(fs.readFileSync(path.join(ROOT, "examples/yaml/Pulumi.yaml"), "utf8")) as any;
        assert.deepEqual(Object.keys(yamlProgram.outputs), CONNECTION_FIELD_NAMES, "examples/yaml outputs");
        for (const [k, expr] of Object.entries(yamlProgram.outputs)) assert.equal(expr, `\${default.${k}}`);

        const python = fs.readFileSync(path.join(ROOT, "examples/python/__main__.py"), "utf8");
        const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        const pyExports = [...python.matchAll(/pulumi\.export\("(\w+)", isb\.(\w+)\)/g)];
        assert.deepEqual(
            pyExports.map((m) => m[1]),
            CONNECTION_FIELD_NAMES,
            "examples/python exports",
        );
        for (const m of pyExports) assert.equal(m[2], snake(m[1]), `python property of ${m[1]}`);

        const go = fs.readFileSync(path.join(ROOT, "examples/go/main.go"), "utf8");
        const tags = [...go.matchAll(/^\s+(\w+)\s+pulumi\.(String|Bool)Output\s+`pulumi:"(\w+)"`/gm)];
        assert.deepEqual(
            tags.map((m) => m[3]),
            CONNECTION_FIELD_NAMES,
            "examples/go struct fields",
        );
        for (const m of tags)
            assert.equal(
                { String: "string", Bool: "boolean" }[m[2]],
                CONNECTION_FIELDS[m[3] as keyof typeof CONNECTION_FIELDS].type,
                `go type of ${m[3]}`,
            );
        const goExports = [...go.matchAll(/ctx\.Export\("(\w+)", isb\.(\w+)\)/g)];
        assert.deepEqual(
            goExports.map((m) => m[1]),
            CONNECTION_FIELD_NAMES,
            "examples/go exports",
        );
        const fieldOf = Object.fromEntries(tags.map((m) => [m[3], m[1]]));
        for (const m of goExports) assert.equal(m[2], fieldOf[m[1]], `go field of ${m[1]}`);
    });
});
