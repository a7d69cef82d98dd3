/**
 * Whole-object golden files: every object and config file the component renders for a few
 * representative specs, kept in tests/golden/<case>/ so a reviewer sees every rendered change in
 * a diff. Generated values (passwords, keys, certificates) are masked as `<resource.field>`;
 * Secret data is shown decoded. Regenerate after an intended change with `npm run golden`
 * (UPDATE_GOLDEN=1) and review the diff.
 */
import { strict as assert } from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { build, Built } from "../../sim/runtime/build";
import { decodedInputs, generatedValues, maskGenerated } from "../../sim/runtime/generated";
import { InterStepBufferServiceArgs } from "../../provider";

const GOLDEN_DIR = path.join(__dirname, "..", "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** The representative specs. */
const CASES: Record<string, InterStepBufferServiceArgs> = {
    "jetstream-default": { namespace: "pipelines", jetstream: { version: "2.10.29" } },
    "jetstream-tls-encryption-persistence": {
        namespace: "pipelines",
        jetstream: { version: "2.10.29", tls: true, encryption: true, persistence: { volumeSize: "10Gi", storageClassName: "fast" } },
    },
    "numaflow-tls-encryption": {
        namespace: "pipelines",
        provisioner: "numaflow",
        jetstream: { version: "2.10.29", tls: true, encryption: true, persistence: { volumeSize: "10Gi" } },
    },
    "numaflow-standalone": { namespace: "pipelines", provisioner: "numaflow", jetstream: { version: "2.10.29", replicas: 1 } },
    "redis-native-tls": { namespace: "pipelines", redis: { native: { version: "7.0.15", tls: true } } },
    // Phase 2 of a password rotation: slot b active, slot a still accepted.
    "redis-native-rotation": {
        namespace: "pipelines",
        redis: { native: { version: "6.2.6", passwordRotation: { active: "b", accept: "both" } } },
    },
    "jetstream-monitoring": {
        namespace: "pipelines",
        monitoring: { enabled: true, labels: { release: "kube-prometheus" }, interval: "30s" },
        jetstream: { version: "2.10.29", persistence: { volumeSize: "10Gi" } },
    },
    "redis-native-monitoring": {
        namespace: "pipelines",
        monitoring: { enabled: true, kind: "ServiceMonitor" },
        redis: { native: { version: "7.0.15", tls: true } },
    },
    "redis-external": {
        namespace: "pipelines",
        redis: { external: { url: "rediss://redis.example.internal:6380", user: "isb", password: "external-password" } },
    },
};

/** File name of a child: `<Kind>-<name>.yaml` for Kubernetes objects, `generated.yaml` for the rest. */
function fileOf(type: string, name: string): string {
    return type.startsWith("kubernetes:") ? `${type.split(":").pop()}-${name}.yaml` : "generated.yaml";
}

/** `a` with every string that differs in `b` (the same spec built again) masked: values derived from generated ones, e.g. a checksum of the password. */
function maskVarying(a: unknown, b: unknown): unknown {
    if (typeof a === "string") return a === b ? a : "<derived from generated values>";
    if (Array.isArray(a)) return a.map((v, i) => maskVarying(v, Array.isArray(b) ? b[i] : undefined));
    if (typeof a === "object" && a !== null) {
        const other = (typeof b === "object" && b !== null ? b : {}) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, maskVarying(v, other[k])]));
    }
    return a;
}

/** A child's masked golden document. */
function goldenDoc(b: Built, c: Built["children"][number]): unknown {
    const values = generatedValues(b);
    return c.type.startsWith("kubernetes:")
        ? maskGenerated(decodedInputs(c.type, c.inputs), values)
        : { type: c.type, name: c.name, inputs: maskGenerated(c.inputs, values) };
}

/** The golden files of a component built twice from the same spec: path → text. */
function goldenFiles(b: Built, again: Built): Map<string, string> {
    const files = new Map<string, unknown[]>();
    // Registration order of the tls/random resources depends on when their inputs resolve: sort.
    const children = [...b.children].sort((x, y) => (`${x.type} ${x.name}` < `${y.type} ${y.name}` ? -1 : 1));
    for (const c of children) {
        const twin = again.children.find((o) => o.type === c.type && o.name === c.name);
        const doc = maskVarying(goldenDoc(b, c), twin && goldenDoc(again, twin));
        const f = fileOf(c.type, c.name);
        files.set(f, [...(files.get(f) ?? []), doc]);
    }
    // tlsNotAfter depends on the clock (the certificates' creation), credentialsRevision on generated values.
    const outputs = (x: Built) => {
        const o: Record<string, unknown> = { ...maskGenerated(x.outputs, generatedValues(x)) };
        if (o.tlsNotAfter) o.tlsNotAfter = "<earliest certificate validityEndTime>";
        return o;
    };
    files.set("outputs.yaml", [maskVarying(outputs(b), outputs(again))]);
    const dump = (docs: unknown[]) => docs.map((d) => yaml.dump(d, { lineWidth: -1, noRefs: true, sortKeys: true })).join("---\n");
    return new Map([...files.entries()].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0)).map(([f, docs]) => [f, dump(docs)]));
}

describe(`golden files (${UPDATE ? "updating" : "checking"} tests/golden)`, () => {
    for (const [name, args] of Object.entries(CASES)) {
        it(`${name}: every rendered object and config file is as reviewed`, async () => {
            const dir = path.join(GOLDEN_DIR, name);
            const files = goldenFiles(await build("golden", args), await build("golden", args));
            if (UPDATE) {
                fs.rmSync(dir, { recursive: true, force: true });
                fs.mkdirSync(dir, { recursive: true });
                for (const [f, text] of files) fs.writeFileSync(path.join(dir, f), text);
                return;
            }
            const onDisk = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
            assert.deepEqual(onDisk, [...files.keys()], `files of ${dir} differ: run \`npm run golden\` and review the diff`);
            for (const [f, text] of files) {
                assert.equal(
                    text,
                    fs.readFileSync(path.join(dir, f), "utf8"),
                    `${name}/${f} changed: run \`npm run golden\` and review the diff`,
                );
            }
        });
    }
});
