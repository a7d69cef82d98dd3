/**
 * `credentialsRevision` (issue 13, item 7): a non-secret fingerprint of what clients need (user,
 * password, TLS, CA) that changes exactly when one of them changes, and does not leak the password.
 */
import { strict as assert } from "assert";
import { createHash, createHmac } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { CREDENTIALS_REVISION_DOMAIN, CredentialMaterial, credentialsRevision } from "../../provider/outputs/credentials-revision";
import { build, GEN } from "../../sim/runtime/build";

const BASE: CredentialMaterial = {
    user: "k3x9a8b7c6d5",
    password: "Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk",
    tlsEnabled: true,
    caCertPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
};

describe("credentialsRevision (pure)", () => {
    it("is 16 lower-case hex digits and deterministic", () => {
        const r = credentialsRevision(BASE);
        assert.match(r, /^[0-9a-f]{16}$/);
        assert.equal(credentialsRevision({ ...BASE }), r);
        assert.equal(credentialsRevision(BASE, "key"), credentialsRevision(BASE, "key"));
    });

    it("changes when any field a client needs changes", () => {
        const r = credentialsRevision(BASE);
        const variants: CredentialMaterial[] = [
            { ...BASE, user: BASE.user + "x" },
            { ...BASE, password: BASE.password.slice(1) + "Z" },
            { ...BASE, tlsEnabled: false },
            { ...BASE, caCertPem: BASE.caCertPem.replace("MIIB", "MIIC") },
            { ...BASE, caCertPem: "" },
            { ...BASE, passwordRef: "other-secret/password" },
        ];
        const seen = new Set([r]);
        for (const v of variants) {
            const rv = credentialsRevision(v);
            assert.ok(!seen.has(rv), `${JSON.stringify(v)} gives a new revision`);
            seen.add(rv);
        }
    });

    it("an optional field left out and given empty are the same material", () => {
        assert.equal(credentialsRevision({ ...BASE, passwordRef: "" }), credentialsRevision(BASE));
    });

    it("field boundaries are unambiguous (moving characters between user and password changes it)", () => {
        assert.notEqual(
            credentialsRevision({ ...BASE, user: "ab", password: "c" }),
            credentialsRevision({ ...BASE, user: "a", password: "bc" }),
        );
    });

    it("is the domain-separated SHA-256 (HMAC with a key), truncated: never the bare hash of the password or material", () => {
        const canonical = JSON.stringify([BASE.user, BASE.password, BASE.tlsEnabled, BASE.caCertPem, ""]);
        const expected = createHash("sha256").update(`${CREDENTIALS_REVISION_DOMAIN}\n${canonical}`).digest("hex").slice(0, 16);
        assert.equal(credentialsRevision(BASE), expected);
        assert.equal(
            credentialsRevision(BASE, "k"),
            createHmac("sha256", "k").update(`${CREDENTIALS_REVISION_DOMAIN}\n${canonical}`).digest("hex").slice(0, 16),
        );
        const r = credentialsRevision(BASE);
        for (const bare of [BASE.password, canonical]) {
            assert.ok(!createHash("sha256").update(bare).digest("hex").startsWith(r), "not a prefix of an undomained hash");
        }
        assert.ok(!r.includes(BASE.password.slice(0, 4).toLowerCase()));
        assert.notEqual(credentialsRevision(BASE, "key-a"), credentialsRevision(BASE, "key-b"), "the key matters");
        assert.notEqual(credentialsRevision(BASE, "key-a"), credentialsRevision(BASE));
    });
});

describe("credentialsRevision (component output)", () => {
    const material = (o: Record<string, any>): CredentialMaterial => ({
        user: o.user,
        password: o.password,
        tlsEnabled: o.tlsEnabled,
        caCertPem: o.caCertPem,
    });

    it("JetStream with TLS: the revision of the exported user, password, TLS flag and CA; not secret", async () => {
        const b = await build("rev-js", { namespace: "pipelines", jetstream: { version: "2.10.29", tls: true } });
        assert.match(b.outputs.caCertPem, /BEGIN CERTIFICATE/);
        assert.equal(b.outputs.credentialsRevision, credentialsRevision(material(b.outputs)));
        assert.equal(await pulumi.isSecret(b.isb.credentialsRevision), false);
        assert.ok(!b.outputs.credentialsRevision.includes(b.outputs.password));
    });

    it("JetStream without TLS and native Redis (with and without TLS) follow the same rule", async () => {
        for (const [name, args] of [
            ["rev-js-plain", { namespace: "pipelines", jetstream: { version: "2.10.29" } }],
            ["rev-redis", { namespace: "pipelines", redis: { native: { version: "7.0.15" } } }],
            ["rev-redis-tls", { namespace: "pipelines", redis: { native: { version: "7.0.15", tls: true } } }],
        ] as const) {
            const b = await build(name, args);
            assert.equal(b.outputs.credentialsRevision, credentialsRevision(material(b.outputs)), name);
            assert.equal(await pulumi.isSecret(b.isb.credentialsRevision), false, name);
        }
    });

    it("a new generated password (another service) gives another revision", async () => {
        const a = await build("rev-a", { namespace: "pipelines", jetstream: { version: "2.10.29" } });
        const b = await build("rev-b", { namespace: "pipelines", jetstream: { version: "2.10.29" } });
        assert.notEqual(a.outputs.password, b.outputs.password);
        assert.notEqual(a.outputs.credentialsRevision, b.outputs.credentialsRevision);
    });

    it("external Redis with a password: keyed with a generated key (a user password may be guessable)", async () => {
        const b = await build("rev-ext", {
            namespace: "pipelines",
            redis: { external: { url: "rediss://redis.example:6380", user: "isb", password: "weak" } },
        });
        const key = b.child(GEN.password, "rev-ext-credentials-revision-key");
        assert.equal(key.state.length, 32);
        const m = { user: "isb", password: "weak", tlsEnabled: true, caCertPem: "", passwordRef: "" };
        assert.equal(b.outputs.credentialsRevision, credentialsRevision(m, key.state.result));
        assert.notEqual(b.outputs.credentialsRevision, credentialsRevision(m), "not the unkeyed hash a guess could be tested against");
        assert.equal(await pulumi.isSecret(b.isb.credentialsRevision), false);
    });

    it("external Redis with passwordSecret: no key, the revision covers the reference", async () => {
        const b = await build("rev-ext-ref", {
            namespace: "pipelines",
            redis: { external: { url: "redis.example:6379", passwordSecret: { name: "redis-creds", key: "pw" } } },
        });
        assert.equal(b.ofType(GEN.password).length, 0);
        assert.equal(
            b.outputs.credentialsRevision,
            credentialsRevision({ user: "", password: "", tlsEnabled: false, caCertPem: "", passwordRef: "redis-creds/pw" }),
        );
    });
});
