/** The resources a JetStream ISB service registers: names, parents, properties and outputs. */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { build, Built, K8S, secretData } from "../../sim/runtime/build";
import { isSerializedSecret } from "../../sim/runtime/mock-runtime";
import { parseNatsConf } from "../support/nats-conf";

const TLS_ENC = {
    namespace: "pipelines",
    jetstream: { version: "2.10.29", tls: true, encryption: true, persistence: { volumeSize: "10Gi" } },
};

describe("JetStream resources", () => {
    let b: Built;
    before(async () => {
        b = await build("default", TLS_ENC);
    });

    it("registers the component under the isbsvc type token", () => {
        assert.equal(b.component.type, "isbsvc:index:InterStepBufferService");
        assert.equal(b.component.custom, false);
    });

    it("creates every child parented to the component and named after it", () => {
        const names = b.children.map((c) => `${c.type}::${c.name}`).sort();
        assert.deepEqual(names, [
            "kubernetes:apps/v1:StatefulSet::default-js",
            "kubernetes:core/v1:ConfigMap::default-js-config",
            "kubernetes:core/v1:PersistentVolumeClaimPatch::default-js-data-0",
            "kubernetes:core/v1:PersistentVolumeClaimPatch::default-js-data-1",
            "kubernetes:core/v1:PersistentVolumeClaimPatch::default-js-data-2",
            "kubernetes:core/v1:Secret::default-js-client-auth",
            "kubernetes:core/v1:Secret::default-js-server",
            "kubernetes:core/v1:Service::default-js-svc",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy::default-js-network-policy",
            "kubernetes:policy/v1:PodDisruptionBudget::default-js-pdb",
            "random:index/randomPassword:RandomPassword::default-js-encryption-key",
            "random:index/randomPassword:RandomPassword::default-js-password",
            "random:index/randomPassword:RandomPassword::default-js-route-password",
            "random:index/randomPassword:RandomPassword::default-js-system-password",
            "random:index/randomString:RandomString::default-js-user",
            "tls:index/certRequest:CertRequest::default-route-csr",
            "tls:index/certRequest:CertRequest::default-server-csr",
            "tls:index/locallySignedCert:LocallySignedCert::default-route-cert",
            "tls:index/locallySignedCert:LocallySignedCert::default-server-cert",
            "tls:index/privateKey:PrivateKey::default-ca-key",
            "tls:index/privateKey:PrivateKey::default-route-key",
            "tls:index/privateKey:PrivateKey::default-server-key",
            "tls:index/selfSignedCert:SelfSignedCert::default-ca",
        ]);
        for (const c of b.children) assert.ok(c.name.startsWith("default-"), c.name);
    });

    it("gives Kubernetes objects the upstream names in the requested namespace", () => {
        const k8sChildren = b.children.filter((c) => c.type.startsWith("kubernetes:"));
        const byName = Object.fromEntries(k8sChildren.map((c) => [c.inputs.metadata.name, c]));
        assert.deepEqual(Object.keys(byName).sort(), [
            "isbsvc-default-js",
            "isbsvc-default-js-client-auth",
            "isbsvc-default-js-config",
            "isbsvc-default-js-network-policy",
            "isbsvc-default-js-pdb",
            "isbsvc-default-js-server",
            "isbsvc-default-js-svc",
            "isbsvc-default-js-vol-isbsvc-default-js-0",
            "isbsvc-default-js-vol-isbsvc-default-js-1",
            "isbsvc-default-js-vol-isbsvc-default-js-2",
        ]);
        for (const c of k8sChildren) {
            assert.equal(c.inputs.metadata.namespace, "pipelines");
            // A claim patch sends only the size (volume-growth.ts): the claim has its labels from the template.
            if (c.type.endsWith("Patch")) continue;
            assert.equal(c.inputs.metadata.labels["app.kubernetes.io/component"], "isbsvc");
            assert.equal(c.inputs.metadata.labels["numaflow.numaproj.io/isbsvc-name"], "default");
            assert.equal(c.inputs.metadata.labels["numaflow.numaproj.io/isbsvc-type"], "jetstream");
        }
    });

    it("exports the connection contract", () => {
        const o = b.outputs;
        assert.equal(o.type, "jetstream");
        assert.equal(o.url, "nats://isbsvc-default-js-svc.pipelines.svc:4222");
        assert.equal(o.credentialsSecretName, "isbsvc-default-js-client-auth");
        assert.equal(o.tlsEnabled, true);
        assert.match(o.caCertPem, /^-----BEGIN CERTIFICATE-----/);
        assert.equal(o.namespace, "pipelines");
        assert.equal(o.serviceName, "isbsvc-default-js-svc");
        assert.match(o.user, /^[a-z0-9]{12}$/);
        assert.match(o.password, /^[A-Za-z0-9]{32}$/);
        assert.match(o.streamConfig, /^stream:$/m);
    });

    it("marks the password output secret and leaves the rest plain", async () => {
        assert.equal(await pulumi.isSecret(b.isb.password), true);
        for (const f of ["url", "user", "caCertPem", "namespace", "serviceName", "streamConfig", "type"] as const) {
            assert.equal(await pulumi.isSecret(b.isb[f]), false, f);
        }
    });

    it("sends Secret data to the engine as secrets", () => {
        for (const s of b.ofType(K8S.secret)) assert.ok(isSerializedSecret(s.raw.data), `${s.name} data is not secret`);
    });

    it("puts auth.conf, routes.conf, the encryption key and the certificates in the server Secret", () => {
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
            "routes",
        ]);
        assert.ok(data.auth.includes(`user: "${b.outputs.user}", password: "${b.outputs.password}"`));
        assert.match(data.encryption, /^[A-Za-z]{48}$/, "letters only: nats-server parses $JS_KEY as a config token");
        assert.equal(data["ca-cert"], b.outputs.caCertPem);
        assert.match(data["private-key"], /PRIVATE KEY/);
        const routes = parseNatsConf(data.routes);
        const routePassword = (routes.authorization as Record<string, string>).password;
        assert.match(routePassword, /^[A-Za-z0-9]{32}$/);
        assert.notEqual(routePassword, b.outputs.password, "the route password is its own");
        assert.deepEqual(routes, {
            authorization: { user: "route", password: routePassword },
            routes: [0, 1, 2].map((i) => `nats://route:${routePassword}@isbsvc-default-js-${i}.isbsvc-default-js-svc.pipelines.svc:6222`),
        });
    });

    it("gives pipeline pods user, password and the CA in the client Secret", () => {
        const data = secretData(b.child(K8S.secret, "default-js-client-auth"));
        assert.deepEqual(data, {
            "ca.crt": b.outputs.caCertPem,
            "client-auth-password": b.outputs.password,
            "client-auth-user": b.outputs.user,
        });
    });

    it("renders a headless Service that publishes not-ready pods", () => {
        const spec = b.child(K8S.service).inputs.spec;
        assert.equal(spec.clusterIP, "None");
        assert.equal(spec.publishNotReadyAddresses, true);
        assert.deepEqual(
            spec.ports.map((p: any) => `${p.name}:${p.port}`),
            ["tcp-client:4222", "cluster:6222", "metrics:7777", "monitor:8222"],
        );
    });

    it("gives the StatefulSet a plain serviceName and no dependency on the Service (no await deadlock)", () => {
        const sts = b.child(K8S.statefulSet);
        assert.equal(sts.inputs.spec.serviceName, "isbsvc-default-js-svc");
        const svcUrn = b.child(K8S.service).urn;
        assert.ok(!sts.options.dependencies.includes(svcUrn));
    });

    it("renders the StatefulSet pods: containers, probes, lame duck, volumes", () => {
        const spec = b.child(K8S.statefulSet).inputs.spec;
        assert.equal(spec.replicas, 3);
        assert.equal(spec.podManagementPolicy, "Parallel");
        const pod = spec.template.spec;
        assert.equal(pod.shareProcessNamespace, true);
        assert.equal(pod.terminationGracePeriodSeconds, 145);
        assert.deepEqual(
            pod.containers.map((c: any) => c.name),
            ["main", "reloader", "metrics"],
        );
        const main = pod.containers[0];
        assert.equal(main.image, "nats:2.10.29");
        assert.deepEqual(main.command, ["/nats-server", "--config", "/etc/nats-config/nats-js.conf"]);
        assert.deepEqual(main.lifecycle.preStop.exec.command, ["/nats-server", "-sl=ldm=/var/run/nats/nats.pid"]);
        assert.equal(main.startupProbe.httpGet.path, "/healthz");
        assert.equal(main.readinessProbe.httpGet.path, "/healthz?js-enabled-only=true");
        const jsKey = main.env.find((e: any) => e.name === "JS_KEY");
        assert.deepEqual(jsKey.valueFrom, { secretKeyRef: { name: "isbsvc-default-js-server", key: "encryption" } });
        assert.equal(
            main.env.find((e: any) => e.name === "CLUSTER_ADVERTISE").value,
            "$(POD_NAME).isbsvc-default-js-svc.$(POD_NAMESPACE).svc",
        );
        const projected = pod.volumes.find((v: any) => v.name === "config-volume").projected.sources;
        assert.deepEqual(projected[1].secret.items.map((i: any) => i.path).sort(), [
            "auth.conf",
            "ca-cert.pem",
            "cluster-ca-cert.pem",
            "cluster-server-cert.pem",
            "cluster-server-key.pem",
            "routes.conf",
            "server-cert.pem",
            "server-key.pem",
        ]);
        const reloader = pod.containers[1];
        assert.deepEqual(
            reloader.command.filter((_: string, i: number) => reloader.command[i - 1] === "-config"),
            [
                "/etc/nats-config/nats-js.conf",
                "/etc/nats-config/auth.conf",
                "/etc/nats-config/routes.conf",
                "/etc/nats-config/ca-cert.pem",
                "/etc/nats-config/server-cert.pem",
                "/etc/nats-config/server-key.pem",
                "/etc/nats-config/cluster-server-cert.pem",
                "/etc/nats-config/cluster-server-key.pem",
            ],
        );
    });

    it("claims a persistent volume per pod and retains it when the StatefulSet goes", () => {
        const spec = b.child(K8S.statefulSet).inputs.spec;
        assert.deepEqual(spec.volumeClaimTemplates[0].spec, {
            accessModes: ["ReadWriteOnce"],
            volumeMode: "Filesystem",
            resources: { requests: { storage: "10Gi" } },
        });
        assert.equal(spec.volumeClaimTemplates[0].metadata.name, "isbsvc-default-js-vol");
        assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        const main = spec.template.spec.containers[0];
        assert.ok(main.volumeMounts.some((m: any) => m.name === "isbsvc-default-js-vol" && m.mountPath === "/data/jetstream"));
        assert.ok(!spec.template.spec.volumes.some((v: any) => v.name === "js-data"));
    });

    it("spreads pods with a soft anti-affinity and protects the quorum with a PDB", () => {
        const pod = b.child(K8S.statefulSet).inputs.spec.template.spec;
        const term = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0];
        assert.equal(term.podAffinityTerm.topologyKey, "kubernetes.io/hostname");
        assert.equal(term.podAffinityTerm.labelSelector.matchLabels["numaflow.numaproj.io/isbsvc-name"], "default");
        const pdb = b.child(K8S.pdb).inputs.spec;
        assert.equal(pdb.maxUnavailable, 1);
        assert.deepEqual(pdb.selector.matchLabels, b.child(K8S.statefulSet).inputs.spec.selector.matchLabels);
    });

    it("keeps the ConfigMap free of credentials and mounts it with the Secret in one directory", () => {
        const data = b.child(K8S.configMap).inputs.data["nats-js"] as string;
        assert.ok(!data.includes(b.outputs.password));
        const routePassword = (parseNatsConf(secretData(b.child(K8S.secret, "default-js-server")).routes).authorization as any).password;
        assert.ok(!data.includes(routePassword), "the route password is not in the ConfigMap");
        assert.doesNotMatch(data, /nats:\/\//, "no route URL in the ConfigMap");
        assert.ok(data.includes("include ./auth.conf"));
        assert.ok(data.includes("include ./routes.conf"));
    });
});

describe("JetStream certificates", () => {
    let b: Built;
    before(async () => {
        b = await build("certs", { namespace: "pipelines", jetstream: { version: "2.10.29", tls: true } });
    });

    it("asks for a CA and leaves with the right usages, validity and renewal window", () => {
        const ca = b.child("tls:index/selfSignedCert:SelfSignedCert").inputs;
        assert.equal(ca.isCaCertificate, true);
        assert.deepEqual(ca.allowedUses, ["cert_signing", "crl_signing", "digital_signature"]);
        assert.equal(ca.validityPeriodHours, 87600);
        assert.equal(ca.earlyRenewalHours, 720, "the CA renews early too (certificates.earlyRenewalHours default)");
        const server = b.child("tls:index/locallySignedCert:LocallySignedCert", "certs-server-cert").inputs;
        assert.deepEqual(server.allowedUses, ["digital_signature", "server_auth"]);
        assert.equal(server.validityPeriodHours, 8760);
        assert.equal(server.earlyRenewalHours, 720);
        const route = b.child("tls:index/locallySignedCert:LocallySignedCert", "certs-route-cert").inputs;
        assert.deepEqual(route.allowedUses, ["digital_signature", "server_auth", "client_auth"]);
        assert.equal(b.child("tls:index/privateKey:PrivateKey", "certs-ca-key").inputs.algorithm, "ECDSA");
    });

    it("covers the service and every pod, with and without the cluster domain", () => {
        const dnsNames = b.child("tls:index/certRequest:CertRequest", "certs-server-csr").inputs.dnsNames;
        assert.deepEqual(dnsNames, [
            "isbsvc-certs-js-svc",
            "isbsvc-certs-js-svc.pipelines",
            "isbsvc-certs-js-svc.pipelines.svc",
            "isbsvc-certs-js-svc.pipelines.svc.cluster.local",
            "*.isbsvc-certs-js-svc",
            "*.isbsvc-certs-js-svc.pipelines",
            "*.isbsvc-certs-js-svc.pipelines.svc",
            "*.isbsvc-certs-js-svc.pipelines.svc.cluster.local",
        ]);
    });

    it("issues certificates that verify against the exported CA", async () => {
        const { X509Certificate } = await import("crypto");
        const ca = new X509Certificate(b.outputs.caCertPem);
        const data = secretData(b.child(K8S.secret, "certs-js-server"));
        for (const key of ["cert", "cluster-cert"]) {
            const leaf = new X509Certificate(data[key]);
            assert.ok(leaf.verify(ca.publicKey), `${key} is not signed by the CA`);
            assert.ok(leaf.checkIssued(ca));
            assert.equal(leaf.ca, false);
            assert.ok(leaf.checkHost("isbsvc-certs-js-2.isbsvc-certs-js-svc.pipelines.svc"), `${key} does not cover pod 2`);
            assert.ok(leaf.checkHost("isbsvc-certs-js-svc.pipelines.svc.cluster.local"));
        }
        assert.equal(ca.ca, true);
    });

    it("uses RSA keys and key encipherment when asked", async () => {
        const rsa = await build("rsa", {
            namespace: "pipelines",
            jetstream: { version: "2.10.29", tls: true, replicas: 1 },
            certificates: { keyAlgorithm: "RSA", validityHours: 2000, earlyRenewalHours: 100 },
        });
        assert.deepEqual(rsa.child("tls:index/privateKey:PrivateKey", "rsa-server-key").inputs, { algorithm: "RSA", rsaBits: 2048 });
        const server = rsa.child("tls:index/locallySignedCert:LocallySignedCert").inputs;
        assert.deepEqual(server.allowedUses, ["digital_signature", "key_encipherment", "server_auth"]);
        assert.equal(server.validityPeriodHours, 2000);
        assert.equal(server.earlyRenewalHours, 100);
        const ca = rsa.child("tls:index/selfSignedCert:SelfSignedCert").inputs;
        assert.equal(ca.validityPeriodHours, 87600);
        assert.equal(ca.earlyRenewalHours, 100);
        assert.equal(rsa.ofType("tls:index/locallySignedCert:LocallySignedCert").length, 1, "standalone: no route certificate");
    });
});

describe("JetStream variants", () => {
    it("without TLS creates no certificates, exports an empty CA and mounts only auth.conf and routes.conf", async () => {
        const b = await build("plain", { namespace: "pipelines", jetstream: { version: "2.10.29" } });
        assert.equal(b.children.filter((c) => c.type.startsWith("tls:")).length, 0);
        assert.equal(b.outputs.caCertPem, "");
        assert.equal(b.outputs.tlsEnabled, false);
        const pod = b.child(K8S.statefulSet).inputs.spec.template.spec;
        const items = pod.volumes.find((v: any) => v.name === "config-volume").projected.sources[1].secret.items;
        assert.deepEqual(items, [
            { key: "auth", path: "auth.conf" },
            { key: "routes", path: "routes.conf" },
        ]);
        assert.ok(pod.volumes.some((v: any) => v.name === "js-data" && v.emptyDir));
        assert.deepEqual(Object.keys(secretData(b.child(K8S.secret, "plain-js-client-auth"))).sort(), [
            "client-auth-password",
            "client-auth-user",
        ]);
        assert.ok(!pod.containers[0].env.some((e: any) => e.name === "JS_KEY"), "no encryption key in the environment without encryption");
    });

    it("standalone (1 replica) has no PDB and no default anti-affinity", async () => {
        const b = await build("solo", { namespace: "pipelines", jetstream: { version: "2.10.29", replicas: 1 } });
        assert.equal(b.ofType(K8S.pdb).length, 0);
        const spec = b.child(K8S.statefulSet).inputs.spec;
        assert.equal(spec.replicas, 1);
        assert.equal(spec.template.spec.affinity, undefined);
        assert.match(b.outputs.streamConfig, /stream:[\s\S]*replicas: 1/);
    });

    it("lets users override the PDB and anti-affinity, and takes their affinity verbatim", async () => {
        // A valid affinity (an empty nodeSelectorTerms is refused by the apiserver, and so at construction).
        const affinity = {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] }],
                },
            },
        };
        const b = await build("custom", {
            namespace: "pipelines",
            jetstream: { version: "2.10.29", replicas: 5, affinity },
            podDisruptionBudget: { maxUnavailable: 2 },
        });
        assert.deepEqual(b.child(K8S.statefulSet).inputs.spec.template.spec.affinity, affinity);
        assert.equal(b.child(K8S.pdb).inputs.spec.maxUnavailable, 2);
        const hard = await build("hard", {
            namespace: "pipelines",
            jetstream: { version: "2.10.29" },
            antiAffinity: "hard",
            podDisruptionBudget: { enabled: false },
        });
        assert.ok(
            hard.child(K8S.statefulSet).inputs.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution,
        );
        assert.equal(hard.ofType(K8S.pdb).length, 0);
    });

    it("applies container and pod templates with the upstream semantics", async () => {
        const b = await build("tpl", {
            namespace: "pipelines",
            jetstream: {
                version: "2.8.3-alpine",
                startArgs: ["-D"],
                containerTemplate: {
                    resources: { limits: { memory: "1Gi" } },
                    imagePullPolicy: "IfNotPresent",
                    env: [{ name: "EXTRA", value: "1" }],
                    livenessProbe: { periodSeconds: 60 },
                },
                metricsContainerTemplate: { securityContext: { runAsUser: 1000 } },
                metadata: { labels: { team: "data", "app.kubernetes.io/component": "mine" }, annotations: { a: "b" } },
                nodeSelector: { disk: "ssd" },
                priorityClassName: "high",
                serviceAccountName: "isb",
            },
        });
        const tpl = b.child(K8S.statefulSet).inputs.spec.template;
        const [main, reloader, metrics] = tpl.spec.containers;
        assert.deepEqual(main.command, ["nats-server", "--config", "/etc/nats-config/nats-js.conf"], "alpine uses PATH");
        assert.deepEqual(main.args, ["-D"]);
        assert.deepEqual(
            main.resources,
            { limits: { memory: "1Gi" }, requests: { cpu: "100m", memory: "256Mi" } },
            "merged over the default requests",
        );
        assert.equal(main.imagePullPolicy, "IfNotPresent");
        assert.deepEqual(main.env.at(-1), { name: "EXTRA", value: "1" });
        assert.equal(main.livenessProbe.periodSeconds, 60);
        assert.equal(main.livenessProbe.httpGet.path, "/healthz?js-enabled-only=true", "only timings are patched");
        assert.deepEqual(
            metrics.securityContext,
            { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsUser: 1000 },
            "a template's security context is merged field by field over ours",
        );
        assert.equal(reloader.securityContext.readOnlyRootFilesystem, true, "default security context stays");
        assert.equal(tpl.metadata.labels.team, "data");
        assert.equal(tpl.metadata.labels["app.kubernetes.io/component"], "isbsvc", "component labels win");
        assert.equal(tpl.metadata.annotations.a, "b");
        assert.deepEqual(tpl.spec.nodeSelector, { disk: "ssd" });
        assert.equal(tpl.spec.priorityClassName, "high");
        assert.equal(tpl.spec.serviceAccountName, "isb");
        assert.equal(tpl.spec.automountServiceAccountToken, false);
    });

    it("passes the Kubernetes provider from opts.providers to every Kubernetes child", async () => {
        const provider = new k8s.Provider("k8s", { namespace: "ignored" });
        const b = await build(
            "prov",
            { namespace: "pipelines", jetstream: { version: "2.10.29" } },
            { providers: { kubernetes: provider } },
        );
        const k8sChildren = b.children.filter((c) => c.type.startsWith("kubernetes:"));
        assert.equal(k8sChildren.length, 7);
        for (const c of k8sChildren) assert.match(c.provider, /^urn:pulumi:test::isbsvc-test::pulumi:providers:kubernetes::k8s::/);
    });

    it("decides the namespace at construction when none is given: every object's metadata is plain", async () => {
        const b = await build("nons", { jetstream: { version: "2.10.29" } });
        assert.equal(b.outputs.namespace, "default");
        assert.equal(b.outputs.url, "nats://isbsvc-nons-js-svc.default.svc:4222");
        for (const c of b.children.filter((r) => r.type.startsWith("kubernetes:"))) {
            assert.equal(c.inputs.metadata.namespace, "default", c.name);
            assert.equal(isSerializedSecret(c.raw.metadata), false, c.name);
        }
    });

    it("takes the namespace as an Output, e.g. from a Namespace resource", async () => {
        const ns = new k8s.core.v1.Namespace("streams", { metadata: { name: "streams" } });
        const b = await build("nsout", { namespace: ns.metadata.name, jetstream: { version: "2.10.29" } });
        assert.equal(b.outputs.namespace, "streams");
        assert.equal(b.outputs.url, "nats://isbsvc-nsout-js-svc.streams.svc:4222");
        for (const c of b.children.filter((r) => r.type.startsWith("kubernetes:"))) assert.equal(c.inputs.metadata.namespace, "streams");
    });

    it("validates a namespace Output when it resolves, naming the field", async () => {
        const { resolveSpec } = await import("../../provider/args/resolve");
        const spec = resolveSpec("bad", { namespace: pulumi.output("Not_A_Namespace"), jetstream: { version: "2.10.29" } });
        // Output.promise() is internal, but it is the only way to observe a rejected Output.
        await assert.rejects((pulumi.output(spec.namespace) as any).promise(), /"namespace" must be a DNS-1123 label/);
    });

    it("warns when the version is latest", async () => {
        const warnings: string[] = [];
        const original = pulumi.log.warn;
        (pulumi.log as any).warn = (msg: string) => {
            warnings.push(msg);
            return Promise.resolve();
        };
        try {
            const b = await build("latest", { namespace: "pipelines", jetstream: { version: "latest" } });
            assert.equal(b.child(K8S.statefulSet).inputs.spec.template.spec.containers[0].image, "nats:2.12.7");
        } finally {
            (pulumi.log as any).warn = original;
        }
        assert.ok(
            warnings.some((w) => /"latest"/.test(w)),
            warnings.join("\n"),
        );
    });
});
