/**
 * The pod bed's model of what the Numaflow controller builds (sim/pods/numaflow-pods.ts), checked
 * against the worked example of shared/reference/numaflow-isbsvc.md §10 and §5.8–5.10.
 */
import { strict as assert } from "assert";
import { build } from "../../sim/runtime/build";
import { controllerObjects, renderControllerNatsConf } from "../../sim/pods/numaflow-pods";

describe("sim: the Numaflow controller's objects", () => {
    it("renders the cluster config: routes to every pod, cluster name, retries, route TLS files, auth include", () => {
        const conf = renderControllerNatsConf("default", "numaflow-system", { replicas: 3, tls: true, encryption: true });
        const routes = [0, 1, 2].map((i) => `nats://isbsvc-default-js-${i}.isbsvc-default-js-svc.numaflow-system.svc:6222`);
        assert.ok(conf.includes(`routes: [${routes.join(",")}]`), conf);
        for (const line of [
            "port: 4222",
            'pid_file: "/var/run/nats/nats.pid"',
            "max_payload: 1048576",
            "http: 8222",
            "server_name: $POD_NAME",
            "key: $JS_KEY",
            'store_dir: "/data/jetstream/store"',
            "max_memory_store: -1",
            "max_file_store: 1TB",
            "name: default",
            "cluster_advertise: $CLUSTER_ADVERTISE",
            "connect_retries: 120",
            'cert_file: "/etc/nats-config/cluster-server-cert.pem"',
            'key_file: "/etc/nats-config/cluster-server-key.pem"',
            'ca_file: "/etc/nats-config/cluster-ca-cert.pem"',
            "lame_duck_duration: 120s",
            "include ./auth.conf",
        ]) {
            assert.ok(
                conf.split("\n").some((l) => l.trim() === line),
                `${line} in\n${conf}`,
            );
        }
    });

    it("renders the standalone config for 1 replica, and merges the spec's settings over the controller's", () => {
        const conf = renderControllerNatsConf("solo", "ns", { replicas: 1, settings: "max_payload: 2097152\n" });
        assert.doesNotMatch(conf, /cluster \{/);
        assert.doesNotMatch(conf, /JS_KEY/);
        assert.match(conf, /^max_payload: 2097152$/m);
        assert.match(conf, /^ {2}max_file_store: 1TB$/m);
        // GetReplicas: 2 means 3.
        assert.match(renderControllerNatsConf("two", "ns", { replicas: 2 }), /cluster \{/);
    });

    it("builds the StatefulSet from our resource and Secrets: projected items, env, command, pod-template annotations", async () => {
        const b = await build("model", { namespace: "ns", provisioner: "numaflow", jetstream: { version: "2.10.29", tls: true } });
        const objects = controllerObjects(b.children);
        const sts = objects.find((o) => o.inputs.kind === "StatefulSet")!.inputs;
        assert.equal(sts.metadata.name, "isbsvc-model-js");
        assert.equal(sts.spec.serviceName, "isbsvc-model-js-svc");
        const projected = sts.spec.template.spec.volumes.find((v: any) => v.name === "config-volume").projected.sources;
        assert.deepEqual(
            projected[1].secret.items.map((i: any) => i.key),
            ["auth", "private-key", "cert", "ca-cert", "cluster-private-key", "cluster-cert", "cluster-ca-cert"],
        );
        const main = sts.spec.template.spec.containers[0];
        assert.deepEqual(main.command, ["/nats-server", "--config", "/etc/nats-config/nats-js.conf"]);
        assert.deepEqual(main.env.find((e: any) => e.name === "JS_KEY").valueFrom.secretKeyRef, {
            name: "isbsvc-model-js-server",
            key: "encryption",
        });
        assert.match(sts.spec.template.metadata.annotations["isbsvc/credentials-revision"], /^[0-9a-f]{16}$/);
        const alpine = await build("alp", { namespace: "ns", provisioner: "numaflow", jetstream: { version: "2.9.0-alpine" } });
        const alpineMain = controllerObjects(alpine.children).find((o) => o.inputs.kind === "StatefulSet")!.inputs.spec.template.spec
            .containers[0];
        assert.equal(alpineMain.command[0], "nats-server", "startCommand of the -alpine images");
        assert.throws(() => controllerObjects(b.children.filter((c) => c.name !== "model-js-client-auth")), /client-auth is missing/);
    });
});
