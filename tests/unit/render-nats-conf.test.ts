/** nats-js.conf, auth.conf and streamConfig rendering: pure functions, parsed back and checked as structures. */
import { strict as assert } from "assert";
import * as yaml from "js-yaml";
import { resolveSpec, ResolvedJetStreamService } from "../../provider/args/resolve";
import { renderNatsConf } from "../../provider/render/jetstream/nats-conf";
import { DEFAULT_JETSTREAM_CIPHER } from "../../provider/args/jetstream";
import { renderRoutesConf, routeUrls } from "../../provider/render/jetstream/routes-conf";
import { renderAuthConf } from "../../provider/render/jetstream/auth-conf";
import { renderStreamConfig } from "../../provider/render/jetstream/stream-config";
import { parseNatsConf } from "../support/nats-conf";

const NS = "pipelines";

/** Resolves JetStream args. */
const jsSpec = (name: string, args: any) => resolveSpec(name, args) as ResolvedJetStreamService;

/** The rendered nats-js.conf, parsed back. */
function conf(args: any, name = "default"): Record<string, any> {
    return parseNatsConf(renderNatsConf(jsSpec(name, args)));
}

const ROUTE_PASSWORD = "R0utePa55word";
const ROUTES = (n: number) =>
    [...Array(n).keys()].map((i) => `nats://route:${ROUTE_PASSWORD}@isbsvc-default-js-${i}.isbsvc-default-js-svc.${NS}.svc:6222`);

describe("nats-js.conf", () => {
    it("renders the cluster config with the defaults of the controller config, and nothing else", () => {
        assert.deepEqual(conf({ jetstream: { version: "2.10.29" } }), {
            port: 4222,
            pid_file: "/var/run/nats/nats.pid",
            http: 8222,
            server_name: "$POD_NAME",
            lame_duck_duration: "120s",
            lame_duck_grace_period: "10s",
            max_payload: 1048576,
            jetstream: { store_dir: "/data/jetstream/store", max_file_store: 1099511627776, max_memory_store: -1 },
            cluster: {
                name: "default",
                port: 6222,
                include: "./routes.conf",
                cluster_advertise: "$CLUSTER_ADVERTISE",
                connect_retries: 120,
            },
            include: "./auth.conf",
        });
    });

    it("routes.conf: the route credential and a route to every pod, by its DNS name in the namespace, with the credential", () => {
        const svc = jsSpec("default", { jetstream: { version: "2.10.29", replicas: 5 } });
        assert.deepEqual(routeUrls(svc, NS, ROUTE_PASSWORD), ROUTES(5));
        assert.deepEqual(parseNatsConf(renderRoutesConf(svc, NS, ROUTE_PASSWORD)), {
            authorization: { user: "route", password: ROUTE_PASSWORD },
            routes: ROUTES(5),
        });
        assert.equal(parseNatsConf(renderNatsConf(svc)).cluster.routes, undefined, "no route in nats-js.conf");
    });

    it("routes.conf: refuses a password outside [A-Za-z0-9] (it goes into URLs) and a standalone service", () => {
        const svc = jsSpec("default", { jetstream: { version: "2.10.29" } });
        for (const bad of ["", "a@b", "a:b", "a/b", 'a"b', "a b"]) {
            assert.throws(() => renderRoutesConf(svc, NS, bad), /route password/, JSON.stringify(bad));
        }
        assert.throws(() => renderRoutesConf(jsSpec("default", { jetstream: { version: "2.10.29", replicas: 1 } }), NS, ROUTE_PASSWORD));
    });

    it("renders client and route TLS with verification of route peers", () => {
        const c = conf({ jetstream: { version: "2.10.29", tls: true } });
        assert.deepEqual(c.tls, {
            cert_file: "/etc/nats-config/server-cert.pem",
            key_file: "/etc/nats-config/server-key.pem",
            ca_file: "/etc/nats-config/ca-cert.pem",
            timeout: 5,
        });
        assert.deepEqual(c.cluster.tls, {
            cert_file: "/etc/nats-config/cluster-server-cert.pem",
            key_file: "/etc/nats-config/cluster-server-key.pem",
            ca_file: "/etc/nats-config/cluster-ca-cert.pem",
            verify: true,
            timeout: 5,
        });
    });

    it("reads the encryption key from the environment and keeps the encrypted store apart", () => {
        const js = conf({ jetstream: { version: "2.10.29", encryption: true } }).jetstream;
        assert.equal(js.key, "$JS_KEY");
        assert.equal(js.store_dir, "/data/jetstream/encrypted-store");
        assert.equal(conf({ jetstream: { version: "2.10.29" } }).jetstream.key, undefined, "no key without encryption");
    });

    it("writes `cipher: aes` only for aes: ChaCha20-Poly1305 is the server's default and needs no line", () => {
        const js = (encryption: unknown, version = "2.10.29") => conf({ jetstream: { version, encryption } }).jetstream;
        assert.equal(js("aes").cipher, "aes");
        assert.equal(js("aes").key, "$JS_KEY");
        assert.equal(js("aes").store_dir, "/data/jetstream/encrypted-store", "the same store as any cipher: nats-server converts it");
        assert.equal(js("aes", "2.9.0").cipher, "aes", "2.9.0 is the first release with the option");
        for (const e of ["chachapoly", true]) {
            assert.equal(js(e).cipher, undefined, `no cipher line for ${String(e)}`);
            assert.equal(js(e).key, "$JS_KEY");
        }
        assert.equal(js("chachapoly", "2.8.1").key, "$JS_KEY", "chachapoly works on 2.8 (its only cipher)");
        assert.equal(js(true, "2.8.1").cipher, undefined);
        assert.equal(js(false).key, undefined);
        assert.equal(js(false).cipher, undefined);
        const text = (e: unknown) => renderNatsConf(jsSpec("default", { jetstream: { version: "2.10.29", encryption: e } }));
        assert.equal(text("chachapoly"), text(true), "chachapoly and true render the same bytes (no roll between them)");
    });

    it("resolves encryption to a cipher: true means the default, a name means that cipher, off means none", () => {
        const r = (encryption: unknown, version = "2.10.29") => jsSpec("default", { jetstream: { version, encryption } }).jetstream;
        assert.deepEqual([r(true).encryption, r(true).cipher], [true, DEFAULT_JETSTREAM_CIPHER]);
        assert.deepEqual([r("aes").encryption, r("aes").cipher], [true, "aes"]);
        assert.deepEqual([r("chachapoly").encryption, r("chachapoly").cipher], [true, "chachapoly"]);
        assert.deepEqual([r(false).encryption, r(false).cipher], [false, undefined]);
        assert.deepEqual([r(undefined).encryption, r(undefined).cipher], [false, undefined]);
        assert.equal(r(true, "2.8.3").cipher, "chachapoly", "2.8 has only ChaCha20-Poly1305");
    });

    it("renders a standalone server without a cluster block for 1 replica", () => {
        const c = conf({ jetstream: { version: "2.10.29", replicas: 1, tls: true } });
        assert.equal(c.cluster, undefined);
        assert.equal(c.tls.cert_file, "/etc/nats-config/server-cert.pem", "client TLS stays on");
    });

    it("merges settings over the defaults, from YAML or an object, converting NATS sizes", () => {
        const fromYaml = conf({
            jetstream: { version: "2.10.29", settings: "max_payload: 8MB\nmax_file_store: 10GB\nmax_connections: 500" },
        });
        const fromObject = conf({
            jetstream: { version: "2.10.29", settings: { max_payload: "8MB", max_file_store: "10GB", max_connections: 500 } },
        });
        assert.deepEqual(fromYaml, fromObject);
        assert.equal(fromYaml.max_payload, 8388608);
        assert.equal(fromYaml.jetstream.max_file_store, 10737418240);
        assert.equal(fromYaml.max_connections, 500);
        assert.equal(fromYaml.jetstream.max_memory_store, -1, "defaults stay");
    });

    it("renders sync_interval only for servers that understand it", () => {
        assert.equal(conf({ jetstream: { version: "2.10.29", settings: { sync_interval: "always" } } }).jetstream.sync_interval, "always");
    });

    it("is deterministic: same input, byte-identical output", () => {
        const args = { jetstream: { version: "2.10.29", tls: true, encryption: true, settings: "max_payload: 2MB" } };
        assert.equal(renderNatsConf(jsSpec("d", args)), renderNatsConf(jsSpec("d", JSON.parse(JSON.stringify(args)))));
    });

    it("never contains a credential", () => {
        const text = renderNatsConf(jsSpec("default", { jetstream: { version: "2.10.29", tls: true, encryption: true } }));
        assert.doesNotMatch(text, /password|pass:|user:/i);
    });
});

describe("auth.conf", () => {
    const creds = { user: "u1a2b3", password: "Pa55word", systemPassword: "Sy5pass" };

    it("defines the js account with JetStream and the system account, and nothing else", () => {
        assert.deepEqual(parseNatsConf(renderAuthConf(creds)), {
            system_account: "sys",
            accounts: {
                js: { jetstream: "enabled", users: [{ user: "u1a2b3", password: "Pa55word" }] },
                sys: { users: [{ user: "sys", password: "Sy5pass" }] },
            },
        });
    });

    it("refuses credentials outside the safe alphabet", () => {
        assert.throws(() => renderAuthConf({ ...creds, password: 'a"b' }), /outside \[A-Za-z0-9\]/);
    });
});

describe("the test parser of nats-server configuration", () => {
    it("rejects a key given twice and text it does not understand", () => {
        assert.throws(() => parseNatsConf("port: 1\nport: 2\n"), /given twice/);
        assert.throws(() => parseNatsConf('a: "unterminated\n'), /cannot tokenize/);
        assert.throws(() => parseNatsConf("a { b: 1\n"), /expected \}/);
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
