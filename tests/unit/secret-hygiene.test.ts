/**
 * No generated secret appears anywhere but in Secret data and secret outputs: not in a ConfigMap,
 * label, annotation, other resource input, or non-secret output.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { build, OUTPUT_FIELDS } from "../../sim/runtime/build";
import { generatedValues } from "../../sim/runtime/generated";
import { isSerializedSecret } from "../../sim/runtime/mock-runtime";

/** The runner's spec files are the example specs users start from. */
function runnerSpecs(): Record<string, any> {
    const dir = path.join(__dirname, "..", "..", "local", "specs");
    return Object.fromEntries(
        fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".yaml"))
            .map((f) => [`local/specs/${f}`, (yaml.load(fs.readFileSync(path.join(dir, f), "utf8")) as { args: any }).args]),
    );
}

const SPECS: Record<string, any> = {
    ...runnerSpecs(),
    "JetStream, TLS and encryption": { namespace: "pipelines", jetstream: { version: "2.10.29", tls: true, encryption: true } },
    "JetStream, plain": { namespace: "pipelines", jetstream: { version: "2.10.29" } },
    "JetStream, standalone with persistence": {
        namespace: "pipelines",
        jetstream: { version: "2.10.29", replicas: 1, tls: true, persistence: {} },
    },
    "JetStream, provider namespace": { jetstream: { version: "2.12.7", tls: true } },
    "JetStream, provisioner numaflow, TLS": {
        namespace: "pipelines",
        provisioner: "numaflow",
        jetstream: { version: "2.10.29", tls: true, encryption: true },
    },
    "native Redis, TLS": { namespace: "pipelines", redis: { native: { version: "7.0.15", tls: true } } },
    "native Redis, plain": { redis: { native: { version: "6.2.6", persistence: {} } } },
};

/** Paths in a raw (serialized) value where `needle` occurs outside a secret. */
function exposedAt(raw: unknown, needles: string[], path = ""): string[] {
    if (isSerializedSecret(raw)) return [];
    if (typeof raw === "string") {
        const decoded = /^[A-Za-z0-9+/=]{16,}$/.test(raw) ? Buffer.from(raw, "base64").toString("utf8") : "";
        return needles.some((n) => raw.includes(n) || decoded.includes(n)) ? [path] : [];
    }
    if (Array.isArray(raw)) return raw.flatMap((v, i) => exposedAt(v, needles, `${path}[${i}]`));
    if (typeof raw === "object" && raw !== null) {
        return Object.entries(raw).flatMap(([k, v]) => exposedAt(v, needles, path ? `${path}.${k}` : k));
    }
    return [];
}

describe("secret hygiene", () => {
    for (const [title, args] of Object.entries(SPECS)) {
        it(`keeps generated secrets inside Secrets and secret outputs: ${title}`, async () => {
            const b = await build(`hyg-${Object.keys(SPECS).indexOf(title)}`, args);
            const secrets = generatedValues(b)
                .filter((v) => v.secret)
                .map((v) => v.value);
            assert.ok(secrets.length >= 1, "passwords were generated");
            for (const c of b.children) {
                const exposed = exposedAt(c.raw, secrets);
                assert.deepEqual(exposed, [], `${c.type} ${c.name} exposes a secret at ${exposed.join(", ")}`);
            }
            for (const f of OUTPUT_FIELDS) {
                const value = JSON.stringify(b.outputs[f]);
                const leaks = secrets.some((s) => value.includes(s));
                if (leaks)
                    assert.equal(
                        await pulumi.isSecret(b.isb[f] as pulumi.Output<unknown>),
                        true,
                        `output ${f} carries a secret but is not secret`,
                    );
            }
            assert.equal(await pulumi.isSecret(b.isb.password), true);
        });
    }

    it("detects a leak (the check itself can fail)", () => {
        assert.deepEqual(exposedAt({ data: { a: "xx-SECRET-xx" } }, ["SECRET"]), ["data.a"]);
        assert.deepEqual(exposedAt({ data: Buffer.from("has SECRET inside").toString("base64") }, ["SECRET"]), ["data"]);
    });
});
