/**
 * WHICH object holds each generated secret (passwords, private keys, the encryption key) — not
 * only whether the value is secret-wrapped. A secret-wrapped value in a ConfigMap is stored in
 * plaintext by Kubernetes, so the only Kubernetes objects that may hold one are Secrets (in
 * `data`); the tls resources that sign with a key may take it as input; among the outputs only
 * `password` may carry one.
 */
import { strict as assert } from "assert";
import { build, Built, OUTPUT_FIELDS } from "../../sim/runtime/build";
import { generatedValues } from "../../sim/runtime/generated";

/** Where a secret may be: resource type → input paths (`*` = any key). */
const ALLOWED: Record<string, RegExp> = {
    "kubernetes:core/v1:Secret": /^data\..+$/,
    "tls:index/selfSignedCert:SelfSignedCert": /^privateKeyPem$/,
    "tls:index/certRequest:CertRequest": /^privateKeyPem$/,
    "tls:index/locallySignedCert:LocallySignedCert": /^caPrivateKeyPem$/,
};

/** Paths in an (unwrapped) input value where `needle` occurs, in clear or inside base64. */
export function pathsOf(value: unknown, needle: string, path = ""): string[] {
    if (typeof value === "string") {
        const decoded = /^[A-Za-z0-9+/=]{16,}$/.test(value) ? Buffer.from(value, "base64").toString("utf8") : "";
        return value.includes(needle) || decoded.includes(needle) ? [path] : [];
    }
    if (Array.isArray(value)) return value.flatMap((v, i) => pathsOf(v, needle, `${path}[${i}]`));
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([k, v]) => pathsOf(v, needle, path ? `${path}.${k}` : k));
    }
    return [];
}

/** Every `type::name:path` of a child whose inputs hold `needle`. */
function holders(b: Built, needle: string): string[] {
    return b.children.flatMap((c) => pathsOf(c.inputs, needle).map((p) => `${c.type}::${c.name}:${p}`));
}

function disallowed(holder: string): boolean {
    const [type, rest] = holder.split("::");
    const path = rest.slice(rest.indexOf(":") + 1);
    return !(ALLOWED[type]?.test(path) ?? false);
}

/** Generated secret values by the label `<resource>.<field>`, plus any given secret. */
function secretsOf(b: Built, given: Record<string, string> = {}): Record<string, string> {
    const out: Record<string, string> = { ...given };
    for (const v of generatedValues(b)) if (v.secret) out[v.label] = v.value;
    return out;
}

const SPECS: Record<string, { args: any; given?: Record<string, string> }> = {
    "JetStream, TLS and encryption": { args: { namespace: "pipelines", jetstream: { version: "2.10.29", tls: true, encryption: true } } },
    "JetStream, standalone": { args: { namespace: "pipelines", jetstream: { version: "2.12.7", replicas: 1, tls: true } } },
    "JetStream, no namespace": { args: { jetstream: { version: "2.10.29", encryption: true } } },
    "native Redis, TLS": { args: { namespace: "pipelines", redis: { native: { version: "7.0.15", tls: true } } } },
    "native Redis, plain": { args: { redis: { native: { version: "6.2.6", persistence: {} } } } },
    "external Redis, plain-string password": {
        args: { namespace: "pipelines", redis: { external: { url: "r:6379", password: "Given-Pl4in-Password" } } },
        given: { "given password": "Given-Pl4in-Password" },
    },
};

describe("secret holders", () => {
    for (const [title, { args, given }] of Object.entries(SPECS)) {
        it(`only Secrets (data) and the signing tls inputs hold a secret, only the password output carries one: ${title}`, async () => {
            const b = await build(`holders-${Object.keys(SPECS).indexOf(title)}`, args);
            const secrets = secretsOf(b, given);
            assert.ok(Object.keys(secrets).length >= 1);
            for (const [label, value] of Object.entries(secrets)) {
                const where = holders(b, value);
                assert.deepEqual(where.filter(disallowed), [], `${label} is held by an object that stores it in plaintext`);
                const outputs = OUTPUT_FIELDS.filter((f) => JSON.stringify(b.outputs[f]).includes(value));
                assert.ok(
                    outputs.every((f) => f === "password"),
                    `${label} is in outputs ${outputs.join(", ")}`,
                );
            }
        });
    }

    it("puts each generated secret of a JetStream service with TLS and encryption exactly where it belongs", async () => {
        const b = await build("where", SPECS["JetStream, TLS and encryption"].args);
        const secrets = secretsOf(b);
        const table = Object.fromEntries(Object.entries(secrets).map(([label, value]) => [label, holders(b, value).sort()]));
        const S = "kubernetes:core/v1:Secret";
        assert.deepEqual(table, {
            "where-js-password.result": [`${S}::where-js-client-auth:data.client-auth-password`, `${S}::where-js-server:data.auth`],
            "where-js-route-password.result": [`${S}::where-js-server:data.routes`],
            "where-js-system-password.result": [`${S}::where-js-server:data.auth`],
            "where-js-encryption-key.result": [`${S}::where-js-server:data.encryption`],
            // The CA key signs, and is in no Kubernetes object at all.
            "where-ca-key.privateKeyPem": [
                "tls:index/locallySignedCert:LocallySignedCert::where-route-cert:caPrivateKeyPem",
                "tls:index/locallySignedCert:LocallySignedCert::where-server-cert:caPrivateKeyPem",
                "tls:index/selfSignedCert:SelfSignedCert::where-ca:privateKeyPem",
            ],
            "where-ca-key.privateKeyPemPkcs8": [],
            "where-server-key.privateKeyPem": [
                `${S}::where-js-server:data.private-key`,
                "tls:index/certRequest:CertRequest::where-server-csr:privateKeyPem",
            ],
            "where-server-key.privateKeyPemPkcs8": [],
            "where-route-key.privateKeyPem": [
                `${S}::where-js-server:data.cluster-private-key`,
                "tls:index/certRequest:CertRequest::where-route-csr:privateKeyPem",
            ],
            "where-route-key.privateKeyPemPkcs8": [],
        });
    });

    it("flags a secret-wrapped value in a ConfigMap (the check itself can fail)", () => {
        assert.equal(disallowed("kubernetes:core/v1:ConfigMap::x-js-config:data.leak"), true);
        assert.equal(disallowed("kubernetes:apps/v1:StatefulSet::x-js:spec.template.spec.containers[0].env[0].value"), true);
        assert.equal(disallowed("kubernetes:core/v1:Secret::x-js-server:metadata.annotations.a"), true);
        assert.equal(disallowed("kubernetes:core/v1:Secret::x-js-server:data.encryption"), false);
        assert.deepEqual(pathsOf({ data: { k: Buffer.from("has NEEDLE-1234 in").toString("base64") } }, "NEEDLE-1234"), ["data.k"]);
    });
});
