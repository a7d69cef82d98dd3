/**
 * `provisioner: "numaflow"`: the two Secrets in the Numaflow controller's format, the
 * InterStepBufferService custom resource after them with the waitFor annotation and the user's
 * timeout, no objects of our own beyond those, the same connection contract, the credentials
 * revision on the pod template, and the refusals.
 */
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { build, Built, K8S, secretData } from "../../sim/runtime/build";
import { isSerializedSecret } from "../../sim/runtime/mock-runtime";
import { InterStepBufferService, SpecError } from "../../provider";
import { serverMaterialRevision } from "../../provider/render/numaflow/revision";
import { renderNumaflowAuthConf } from "../../provider/render/numaflow/secrets";
import { resolveSpec, ResolvedJetStreamService } from "../../provider/args/resolve";

const CR = "kubernetes:numaflow.numaproj.io/v1alpha1:InterStepBufferService";

const TLS_ARGS = {
    namespace: "pipelines",
    provisioner: "numaflow",
    jetstream: { version: "2.10.29", tls: true, encryption: true, persistence: { volumeSize: "10Gi" } },
};

function specError(fn: () => unknown): SpecError {
    try {
        fn();
    } catch (e) {
        if (e instanceof SpecError) return e;
        throw e;
    }
    assert.fail("expected a SpecError");
}

describe("provisioner numaflow", () => {
    let b: Built;
    before(async () => {
        b = await build("default", TLS_ARGS);
    });

    it("creates exactly the two Secrets and the InterStepBufferService (no StatefulSet, Service, ConfigMap or PDB)", () => {
        const k8s = b.children.filter((c) => c.type.startsWith("kubernetes:")).map((c) => `${c.type}::${c.name}`);
        assert.deepEqual(k8s.sort(), [
            "kubernetes:core/v1:Secret::default-js-client-auth",
            "kubernetes:core/v1:Secret::default-js-server",
            `${CR}::default-isbsvc`,
        ]);
        for (const t of [K8S.statefulSet, K8S.service, K8S.configMap, K8S.pdb]) assert.equal(b.ofType(t).length, 0, t);
    });

    it("names the Secrets as the controller does, with its labels, in the service's namespace", () => {
        const names = b.ofType(K8S.secret).map((s) => s.inputs.metadata.name);
        assert.deepEqual(names.sort(), ["isbsvc-default-js-client-auth", "isbsvc-default-js-server"]);
        for (const s of b.ofType(K8S.secret)) {
            assert.equal(s.inputs.metadata.namespace, "pipelines");
            assert.equal(s.inputs.type, "Opaque");
            assert.equal(s.inputs.metadata.labels["numaflow.numaproj.io/isbsvc-name"], "default");
            assert.ok(isSerializedSecret(s.raw.data), "data is secret");
        }
    });

    it("fills the server Secret with the controller's eight keys from our material", () => {
        const data = secretData(b.child(K8S.secret, "default-js-server"));
        assert.deepEqual(Object.keys(data).sort(), [
            "auth",
            "ca-cert",
            "cert",
            "cluster-ca-cert",
            "cluster-cert",
            "cluster-private-key",
            "encryption",
            "private-key",
        ]);
        assert.equal(data["ca-cert"], b.outputs.caCertPem);
        assert.equal(data["cluster-ca-cert"], b.outputs.caCertPem);
        assert.match(data.cert, /^-----BEGIN CERTIFICATE-----/);
        assert.match(data["cluster-cert"], /^-----BEGIN CERTIFICATE-----/);
        assert.notEqual(data.cert, data["cluster-cert"]);
        assert.match(data["private-key"], /PRIVATE KEY-----/);
        assert.match(data["cluster-private-key"], /PRIVATE KEY-----/);
        assert.match(data.encryption, /^[A-Za-z]{48}$/);
    });

    it("renders auth in the controller template's shape: system account, js account with our user, sys user, client tls block", () => {
        const auth = secretData(b.child(K8S.secret, "default-js-server")).auth;
        const { user, password } = b.outputs;
        assert.match(auth, /^system_account: sys\n/);
        assert.ok(auth.includes(`{"user": "${user}", "pass": "${password}"}`), auth);
        assert.match(auth, /"js": \{\n {4}"jetstream": true,/);
        assert.match(auth, /\{"user": "sys", "pass": "[A-Za-z0-9]{32}"\}/);
        assert.ok(
            auth.endsWith(
                'tls {\n  cert_file: "/etc/nats-config/server-cert.pem"\n  key_file: "/etc/nats-config/server-key.pem"\n' +
                    '  ca_file: "/etc/nats-config/ca-cert.pem"\n}\n',
            ),
            auth,
        );
        assert.ok(!renderNumaflowAuthConf({ user: "u1", password: "p1", systemPassword: "s1" }, false).includes("tls"));
        assert.throws(() => renderNumaflowAuthConf({ user: 'u"', password: "p", systemPassword: "s" }, false), /outside/);
    });

    it("fills the client Secret with the controller's keys (and our ca.crt)", () => {
        const data = secretData(b.child(K8S.secret, "default-js-client-auth"));
        assert.deepEqual(data, {
            "client-auth-user": b.outputs.user,
            "client-auth-password": b.outputs.password,
            "ca.crt": b.outputs.caCertPem,
        });
    });

    it("issues certificates for the controller's Service and pod names", () => {
        const data = secretData(b.child(K8S.secret, "default-js-server"));
        for (const [key, ext] of [
            ["cert", "server"],
            ["cluster-cert", "route"],
        ]) {
            const cert = new crypto.X509Certificate(data[key]);
            const sans = cert.subjectAltName ?? "";
            for (const host of [
                "isbsvc-default-js-svc.pipelines.svc",
                "isbsvc-default-js-svc.pipelines.svc.cluster.local",
                "*.isbsvc-default-js-svc.pipelines.svc",
                "*.isbsvc-default-js-svc.pipelines.svc.cluster.local",
            ]) {
                assert.ok(sans.includes(`DNS:${host}`), `${ext}: ${host} in ${sans}`);
            }
            assert.ok(cert.checkIssued(new crypto.X509Certificate(b.outputs.caCertPem)), `${ext} signed by our CA`);
        }
    });

    it("creates the InterStepBufferService named after the service, mirroring the args", () => {
        const cr = b.child(CR, "default-isbsvc").inputs;
        assert.equal(cr.apiVersion, "numaflow.numaproj.io/v1alpha1");
        assert.equal(cr.kind, "InterStepBufferService");
        assert.equal(cr.metadata.name, "default");
        assert.equal(cr.metadata.namespace, "pipelines");
        const js = cr.spec.jetstream;
        assert.equal(js.version, "2.10.29");
        assert.equal(js.replicas, 3);
        assert.equal(js.tls, true);
        assert.equal(js.encryption, true);
        assert.deepEqual(js.persistence, { volumeSize: "10Gi" });
        assert.equal(typeof js.settings, "string");
        assert.deepEqual(yaml.load(js.settings), { max_payload: 1048576, max_memory_store: -1, max_file_store: 1024 ** 4 });
        assert.equal(typeof js.bufferConfig, "string");
        assert.equal(js.bufferConfig, b.outputs.streamConfig);
    });

    it("creates the resource after both Secrets (dependsOn)", () => {
        const cr = b.child(CR, "default-isbsvc");
        const secretUrns = b.ofType(K8S.secret).map((s) => s.urn);
        for (const urn of secretUrns) assert.ok(cr.options.dependencies.includes(urn), `${urn} in ${cr.options.dependencies}`);
    });

    it("waits for status.phase Running with the user's timeout", async () => {
        const cr = b.child(CR, "default-isbsvc");
        assert.equal(cr.inputs.metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.phase}=Running");
        assert.deepEqual(
            { create: cr.options.customTimeouts?.create, update: cr.options.customTimeouts?.update },
            { create: "20m", update: "20m" },
        );
        const custom = await build("slow", { ...TLS_ARGS, customTimeouts: { create: "45m", update: "30m" } });
        const o = custom.child(CR, "slow-isbsvc").options.customTimeouts;
        assert.deepEqual({ create: o?.create, update: o?.update }, { create: "45m", update: "30m" });
        const skip = await build("skip", { ...TLS_ARGS, skipAwait: true });
        const ann = skip.child(CR, "skip-isbsvc").inputs.metadata.annotations;
        assert.deepEqual(ann, { "pulumi.com/skipAwait": "true" });
    });

    it("puts the credentials revision (a hash, not a secret) on the pod template", () => {
        const cr = b.child(CR, "default-isbsvc");
        const rev = cr.inputs.spec.jetstream.metadata.annotations["isbsvc/credentials-revision"];
        assert.match(rev, /^[0-9a-f]{16}$/);
        assert.ok(!isSerializedSecret(cr.raw.spec), "spec is not secret");
        const server = secretData(b.child(K8S.secret, "default-js-server"));
        const client = secretData(b.child(K8S.secret, "default-js-client-auth"));
        const parts: Record<string, string> = {};
        for (const [k, v] of Object.entries(server)) if (k !== "encryption") parts[`server/${k}`] = v;
        for (const [k, v] of Object.entries(client)) parts[`client/${k}`] = v;
        assert.equal(rev, serverMaterialRevision(parts));
    });

    it("exports the same connection contract as direct mode", async () => {
        const o = b.outputs;
        assert.equal(o.type, "jetstream");
        assert.equal(o.url, "nats://isbsvc-default-js-svc.pipelines.svc:4222");
        assert.equal(o.serviceName, "isbsvc-default-js-svc");
        assert.equal(o.namespace, "pipelines");
        assert.equal(o.credentialsSecretName, "isbsvc-default-js-client-auth");
        assert.equal(o.tlsEnabled, true);
        assert.match(o.password, /^[A-Za-z0-9]{32}$/);
        assert.equal(await pulumi.isSecret(b.isb.password), true, "password output is secret");
        const direct = await build("default", { ...TLS_ARGS, provisioner: "direct" });
        for (const k of ["type", "url", "serviceName", "namespace", "credentialsSecretName", "tlsEnabled", "streamConfig"] as const) {
            assert.equal(o[k], direct.outputs[k], k);
        }
    });

    it("without TLS: auth and encryption only, no certificates, no CA", async () => {
        const plain = await build("plain", {
            namespace: "pipelines",
            provisioner: "numaflow",
            jetstream: { version: "2.10.29", replicas: 1 },
        });
        assert.deepEqual(Object.keys(secretData(plain.child(K8S.secret, "plain-js-server"))).sort(), ["auth", "encryption"]);
        assert.deepEqual(Object.keys(secretData(plain.child(K8S.secret, "plain-js-client-auth"))).sort(), [
            "client-auth-password",
            "client-auth-user",
        ]);
        assert.equal(plain.children.filter((c) => c.type.startsWith("tls:")).length, 0);
        assert.equal(plain.outputs.caCertPem, "");
        const js = plain.child(CR, "plain-isbsvc").inputs.spec.jetstream;
        assert.equal(js.replicas, 1);
        assert.equal(js.tls, false);
        assert.match(js.bufferConfig, /replicas: 1/);
        assert.doesNotMatch(js.bufferConfig, /replicas: 3/);
    });

    it("creates a route certificate with TLS even for one replica (the controller projects the cluster keys)", async () => {
        const solo = await build("solo", {
            namespace: "pipelines",
            provisioner: "numaflow",
            jetstream: { version: "2.10.29", replicas: 1, tls: true },
        });
        const data = secretData(solo.child(K8S.secret, "solo-js-server"));
        assert.ok(data["cluster-cert"] && data["cluster-private-key"] && data["cluster-ca-cert"]);
    });

    it("passes pod and container templates through and keeps the user's pod annotations", async () => {
        const t = await build("tpl", {
            namespace: "pipelines",
            provisioner: "numaflow",
            jetstream: {
                version: "latest",
                metadata: { annotations: { team: "data" }, labels: { tier: "isb" } },
                containerTemplate: { resources: { limits: { memory: "1Gi" } } },
                nodeSelector: { pool: "isb" },
                startArgs: ["-D"],
                settings: { max_payload: "8MB" },
            },
        });
        const js = t.child(CR, "tpl-isbsvc").inputs.spec.jetstream;
        assert.equal(js.version, "latest");
        assert.deepEqual(js.metadata.labels, { tier: "isb" });
        assert.equal(js.metadata.annotations.team, "data");
        assert.match(js.metadata.annotations["isbsvc/credentials-revision"], /^[0-9a-f]{16}$/);
        assert.deepEqual(js.containerTemplate, { resources: { limits: { memory: "1Gi" } } });
        assert.deepEqual(js.nodeSelector, { pool: "isb" });
        assert.deepEqual(js.startArgs, ["-D"]);
        assert.equal((yaml.load(js.settings) as Record<string, unknown>).max_payload, 8 * 1024 * 1024);
        assert.equal(js.automountServiceAccountToken, undefined);
    });

    it("takes the namespace as an Output (metadata follows it; the spec does not depend on it)", async () => {
        const o = await build("nsout", { namespace: pulumi.output("team-a"), provisioner: "numaflow", jetstream: { version: "2.10.29" } });
        const cr = o.child(CR, "nsout-isbsvc");
        assert.equal(cr.inputs.metadata.namespace, "team-a");
        assert.equal(cr.inputs.metadata.name, "nsout");
        for (const s of o.ofType(K8S.secret)) assert.equal(s.inputs.metadata.namespace, "team-a");
        assert.equal(o.outputs.url, "nats://isbsvc-nsout-js-svc.team-a.svc:4222");
    });

    it("the default stays direct", async () => {
        const d = await build("dflt", { namespace: "pipelines", jetstream: { version: "2.10.29" } });
        assert.equal(d.ofType(CR).length, 0);
        assert.equal(d.ofType(K8S.statefulSet).length, 1);
    });
});

describe("provisioner numaflow: refusals at construction", () => {
    it("rejects Redis, naming provisioner and why", () => {
        for (const redis of [{ native: { version: "7.0.15" } }, { external: { url: "redis:6379" } }]) {
            const e = specError(() => new InterStepBufferService("r", { namespace: "p", provisioner: "numaflow", redis }));
            assert.equal(e.field, "provisioner");
            assert.match(e.message, /Numaflow removed Redis ISB services in v1\.7/);
        }
    });

    it('rejects encryption "aes" (the controller renders no cipher) and accepts "chachapoly" as encryption on', () => {
        const e = specError(
            () =>
                new InterStepBufferService("x", {
                    namespace: "p",
                    provisioner: "numaflow",
                    jetstream: { version: "2.10.29", encryption: "aes" },
                }),
        );
        assert.equal(e.field, "jetstream.encryption");
        assert.match(e.message, /cannot be "aes" with provisioner "numaflow"/);
        const svc = resolveSpec("x", {
            namespace: "p",
            provisioner: "numaflow",
            jetstream: { version: "2.10.29", encryption: "chachapoly" },
        }) as ResolvedJetStreamService;
        assert.equal(svc.numaflowSpec?.encryption, true, "the custom resource gets a boolean");
    });

    it("rejects an unknown provisioner", () => {
        const e = specError(
            () => new InterStepBufferService("x", { namespace: "p", provisioner: "helm", jetstream: { version: "2.10.29" } }),
        );
        assert.equal(e.field, "provisioner");
        assert.match(e.message, /"direct" or "numaflow"/);
        const t = specError(
            () =>
                new InterStepBufferService("x", {
                    namespace: "p",
                    provisioner: true as unknown as string,
                    jetstream: { version: "2.10.29" },
                }),
        );
        assert.equal(t.field, "provisioner");
    });

    it("rejects options that shape objects the controller builds", () => {
        const js = { version: "2.10.29" };
        assert.equal(
            specError(
                () => new InterStepBufferService("x", { namespace: "p", provisioner: "numaflow", jetstream: js, podDisruptionBudget: {} }),
            ).field,
            "podDisruptionBudget",
        );
        assert.equal(
            specError(
                () => new InterStepBufferService("x", { namespace: "p", provisioner: "numaflow", jetstream: js, antiAffinity: "hard" }),
            ).field,
            "antiAffinity",
        );
        const mode = (extra: object) => () =>
            new InterStepBufferService("x", { namespace: "p", provisioner: "numaflow", jetstream: js, ...extra } as any);
        assert.equal(specError(mode({ monitoring: { enabled: true } })).field, "monitoring.enabled");
        assert.equal(specError(mode({ networkPolicy: {} })).field, "networkPolicy");
        assert.equal(specError(mode({ networkPolicy: { enabled: true } })).field, "networkPolicy");
        // Explicitly off is accepted.
        assert.doesNotThrow(mode({ networkPolicy: { enabled: false }, monitoring: { enabled: false } }));
    });

    it("rejects settings the controller drops, naming the key", () => {
        const e = specError(
            () =>
                new InterStepBufferService("x", {
                    namespace: "p",
                    provisioner: "numaflow",
                    jetstream: { version: "2.10.29", settings: "max_payload: 2MB\nmax_connections: 100" },
                }),
        );
        assert.equal(e.field, "jetstream.settings.max_connections");
        assert.match(e.message, /not read by the Numaflow controller/);
    });
});

describe("serverMaterialRevision (numaflow pod annotation)", () => {
    it("is deterministic, key-order independent, short hex, and changes with any value", () => {
        const a = serverMaterialRevision({ user: "u", password: "p", caCertPem: "c" });
        assert.match(a, /^[0-9a-f]{16}$/);
        assert.equal(a, serverMaterialRevision({ caCertPem: "c", password: "p", user: "u" }));
        assert.notEqual(a, serverMaterialRevision({ user: "u", password: "q", caCertPem: "c" }));
        assert.notEqual(a, serverMaterialRevision({ user: "u", password: "p", caCertPem: "d" }));
        // Length prefixes: moving characters between fields changes the revision.
        assert.notEqual(serverMaterialRevision({ a: "xy", b: "" }), serverMaterialRevision({ a: "x", b: "y" }));
        assert.ok(!a.includes("p"));
    });
});
