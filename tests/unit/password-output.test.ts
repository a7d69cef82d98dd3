/**
 * The `password` output is secret for every flavour, whatever form the password arrives in: a
 * generated one, an external Redis password given as a plain string (the component must make it
 * secret itself), or none at all (a referenced Secret).
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { build, K8S, secretData } from "../../sim/runtime/build";
import { isSerializedSecret } from "../../sim/runtime/mock-runtime";

describe("password output", () => {
    it("an external Redis password given as a plain string comes out secret, in the output and in the Secret", async () => {
        const b = await build("plainpw", {
            namespace: "pipelines",
            redis: { external: { url: "redis.example.com:6379", password: "Plain-Str1ng-Pw" } },
        });
        assert.equal(b.outputs.password, "Plain-Str1ng-Pw");
        assert.equal(await pulumi.isSecret(b.isb.password), true, "password output is not secret");
        const secret = b.child(K8S.secret, "plainpw-redis-auth");
        assert.deepEqual(secretData(secret), { "redis-password": "Plain-Str1ng-Pw" });
        assert.equal(isSerializedSecret(secret.raw.data), true, "Secret data is not secret");
    });

    it("an external Redis password given as an Output that is not secret comes out secret", async () => {
        const b = await build("outputpw", {
            namespace: "pipelines",
            redis: { external: { url: "redis.example.com:6379", password: pulumi.output("Plain-0utput-Pw") } },
        });
        assert.equal(b.outputs.password, "Plain-0utput-Pw");
        assert.equal(await pulumi.isSecret(b.isb.password), true);
    });

    it("is secret (and empty) for an external Redis whose password is a referenced Secret", async () => {
        const b = await build("refpw", {
            namespace: "pipelines",
            redis: { external: { url: "redis.example.com:6379", passwordSecret: { name: "managed", key: "pw" } } },
        });
        assert.equal(b.outputs.password, "");
        assert.equal(await pulumi.isSecret(b.isb.password), true);
    });

    for (const [title, args] of Object.entries({
        JetStream: { namespace: "pipelines", jetstream: { version: "2.10.29", replicas: 1 } },
        "native Redis": { namespace: "pipelines", redis: { native: { version: "7.0.15" } } },
    })) {
        it(`is the generated password, secret: ${title}`, async () => {
            const b = await build(`genpw-${title.length}`, args);
            assert.equal(b.outputs.password.length, 32);
            assert.equal(await pulumi.isSecret(b.isb.password), true);
        });
    }
});
