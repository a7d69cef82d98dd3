/** nats-js.conf, auth.conf and streamConfig rendering: pure functions, checked line by line. */
import { strict as assert } from "assert";
import * as yaml from "js-yaml";
import { resolveSpec, ResolvedJetStreamService } from "../../provider/args/resolve";
import { renderNatsConf, routeUrls } from "../../provider/render/jetstream/nats-conf";
import { renderAuthConf } from "../../provider/render/jetstream/auth-conf";
import { renderStreamConfig } from "../../provider/render/jetstream/stream-config";

const NS = "pipelines";

/** Resolves JetStream args. */
const jsSpec = (name: string, args: any) => resolveSpec(name, args) as ResolvedJetStreamService;

function conf(args: any, name = "default"): string[] {
    return renderNatsConf(jsSpec(name, args), NS).split("\n");
}

describe("nats-js.conf", () => {
    it("renders the cluster config with the defaults of the controller config", () => {
        const lines = conf({ jetstream: { version: "2.10.29" } });
        for (const expected of [
            "port: 4222",
            'pid_file: "/var/run/nats/nats.pid"',
            "http: 8222",
            "server_name: $POD_NAME",
            "max_payload: 1048576",
            'lame_duck_duration: "120s"',
            'lame_duck_grace_period: "10s"',
            "jetstream {",
            '  store_dir: "/data/jetstream/store"',
            "  max_memory_store: -1",
            "  max_file_store: 1099511627776",
            "cluster {",
            '  name: "default"',
            "  port: 6222",
            "  cluster_advertise: $CLUSTER_ADVERTISE",
            "  connect_retries: 120",
            "include ./auth.conf",
        ]) {
            assert.ok(lines.includes(expected), `missing line ${JSON.stringify(expected)}`);
        }
        assert.ok(!lines.some((l) => l.includes("key: $JS_KEY")), "no encryption key without encryption");
        assert.ok(!lines.some((l) => l.includes("tls {")), "no tls block without tls");
    });

    it("lists a route to every pod, by its DNS name in the namespace", () => {
        const svc = jsSpec("default", { jetstream: { version: "2.10.29", replicas: 5 } });
        assert.deepEqual(
            routeUrls(svc, NS),
            [0, 1, 2, 3, 4].map((i) => `nats://isbsvc-default-js-${i}.isbsvc-default-js-svc.${NS}.svc:6222`),
        );
        const lines = renderNatsConf(svc, NS).split("\n");
        for (const r of routeUrls(svc, NS)) assert.ok(lines.includes(`    "${r}"`));
    });

    it("renders client and route TLS with verification of route peers", () => {
        const text = conf({ jetstream: { version: "2.10.29", tls: true } }).join("\n");
        assert.match(
            text,
            /^tls \{\n {2}cert_file: "\/etc\/nats-config\/server-cert.pem"\n {2}key_file: "\/etc\/nats-config\/server-key.pem"\n {2}ca_file: "\/etc\/nats-config\/ca-cert.pem"\n {2}timeout: 5\n\}$/m,
        );
        assert.match(
            text,
            /^ {2}tls \{\n {4}cert_file: "\/etc\/nats-config\/cluster-server-cert.pem"\n {4}key_file: "\/etc\/nats-config\/cluster-server-key.pem"\n {4}ca_file: "\/etc\/nats-config\/cluster-ca-cert.pem"\n {4}verify: true\n {4}timeout: 5\n {2}\}$/m,
        );
    });

    it("reads the encryption key from the environment and keeps the encrypted store apart", () => {
        const lines = conf({ jetstream: { version: "2.10.29", encryption: true } });
        assert.ok(lines.includes("  key: $JS_KEY"));
        assert.ok(lines.includes('  store_dir: "/data/jetstream/encrypted-store"'));
    });

    it("renders a standalone server without a cluster block for 1 replica", () => {
        const lines = conf({ jetstream: { version: "2.10.29", replicas: 1, tls: true } });
        assert.ok(!lines.includes("cluster {"));
        assert.ok(lines.includes("tls {"), "client TLS stays on");
        assert.ok(!lines.some((l) => l.includes("cluster-server-cert")));
    });

    it("merges settings over the defaults, from YAML or an object, converting NATS sizes", () => {
        const fromYaml = conf({
            jetstream: { version: "2.10.29", settings: "max_payload: 8MB\nmax_file_store: 10GB\nmax_connections: 500" },
        });
        const fromObject = conf({
            jetstream: { version: "2.10.29", settings: { max_payload: "8MB", max_file_store: "10GB", max_connections: 500 } },
        });
        assert.deepEqual(fromYaml, fromObject);
        assert.ok(fromYaml.includes("max_payload: 8388608"));
        assert.ok(fromYaml.includes("  max_file_store: 10737418240"));
        assert.ok(fromYaml.includes("max_connections: 500"));
        assert.ok(fromYaml.includes("  max_memory_store: -1"), "defaults stay");
    });

    it("renders sync_interval only for servers that understand it", () => {
        assert.ok(conf({ jetstream: { version: "2.10.29", settings: { sync_interval: "always" } } }).includes('  sync_interval: "always"'));
    });

    it("is deterministic: same input, byte-identical output", () => {
        const args = { jetstream: { version: "2.10.29", tls: true, encryption: true, settings: "max_payload: 2MB" } };
        assert.equal(conf(args).join("\n"), conf(JSON.parse(JSON.stringify(args))).join("\n"));
    });

    it("never contains a credential", () => {
        const text = conf({ jetstream: { version: "2.10.29", tls: true, encryption: true } }).join("\n");
        assert.doesNotMatch(text, /password|pass:|user:/i);
    });
});

describe("auth.conf", () => {
    const creds = { user: "u1a2b3", password: "Pa55word", systemPassword: "Sy5pass" };

    it("defines the js account with JetStream and the system account", () => {
        const text = renderAuthConf(creds);
        assert.match(text, /^system_account: sys$/m);
        assert.match(text, /js \{\n {4}jetstream: enabled\n {4}users: \[ \{ user: "u1a2b3", password: "Pa55word" \} \]/);
        assert.match(text, /sys \{\n {4}users: \[ \{ user: "sys", password: "Sy5pass" \} \]/);
    });

    it("refuses credentials outside the safe alphabet", () => {
        assert.throws(() => renderAuthConf({ ...creds, password: 'a"b' }), /outside \[A-Za-z0-9\]/);
    });
});

describe("streamConfig", () => {
    const streamConfig = (args: any) => {
        const svc = jsSpec("default", args);
        return renderStreamConfig(svc.jetstream.bufferConfig);
    };

    it("matches the controller's merged defaults, lower-cased and sorted", () => {
        assert.equal(
            streamConfig({ jetstream: { version: "2.10.29" } }),
            [
                "consumer:",
                "  ackwait: 60s",
                "  maxackpending: 25000",
                "otbucket:",
                "  history: 1",
                "  maxbytes: 0",
                "  maxvaluesize: 0",
                "  replicas: 3",
                "  storage: 0",
                "  ttl: 3h",
                "procbucket:",
                "  history: 1",
                "  maxbytes: 0",
                "  maxvaluesize: 0",
                "  replicas: 3",
                "  storage: 0",
                "  ttl: 72h",
                "stream:",
                "  duplicates: 60s",
                "  maxage: 72h",
                "  maxbytes: -1",
                "  maxmsgs: 100000",
                "  replicas: 3",
                "  retention: 0",
                "  storage: 0",
                "",
            ].join("\n"),
        );
    });

    it("deep-merges bufferConfig: one changed key keeps every other default", () => {
        const parsed = yaml.load(streamConfig({ jetstream: { version: "2.10.29", bufferConfig: "stream:\n  maxMsgs: 50000" } })) as any;
        assert.equal(parsed.stream.maxmsgs, 50000);
        assert.equal(parsed.stream.maxage, "72h");
        assert.equal(parsed.consumer.maxackpending, 25000);
    });

    it("forces replicas 1 for a standalone server", () => {
        const parsed = yaml.load(streamConfig({ jetstream: { version: "2.10.29", replicas: 1 } })) as any;
        assert.equal(parsed.stream.replicas, 1);
        assert.equal(parsed.otbucket.replicas, 1);
        assert.equal(parsed.procbucket.replicas, 1);
    });
});
