/**
 * The JetStream pod checksum (provider/render/jetstream/restart.ts) changes exactly for the settings
 * nats-server cannot reload (server/reload.go `diffOptions`, 2.9.25 / 2.10.29), and for structural
 * changes that need a restart; never for route URLs (replicas) or reloadable settings.
 */
import { strict as assert } from "assert";
import { resolveSpec, ResolvedJetStreamService } from "../../provider/args/resolve";
import { jetStreamRestartChecksum, RELOADABLE_SETTINGS } from "../../provider/render/jetstream/restart";
import { renderNatsConf } from "../../provider/render/jetstream/nats-conf";

const js = (extra: Record<string, unknown>) =>
    resolveSpec("default", { namespace: "pipelines", jetstream: { version: "2.10.29", ...extra } }) as ResolvedJetStreamService;

const SAMPLES: Record<string, string> = {
    max_payload: "2MB",
    max_connections: "100",
    max_control_line: "8192",
    max_pending: "128MB",
    max_subscriptions: "1000",
    write_deadline: '"5s"',
    ping_interval: '"1m"',
    ping_max: "5",
    lame_duck_duration: '"60s"',
    lame_duck_grace_period: '"5s"',
    debug: "true",
    trace: "true",
    logtime: "false",
    max_memory_store: "1GB",
    max_file_store: "2TB",
    sync_interval: '"1m"',
};

describe("JetStream restart checksum", () => {
    const base = jetStreamRestartChecksum(js({}));

    for (const [key, value] of Object.entries(SAMPLES)) {
        const reloadable = (RELOADABLE_SETTINGS as readonly string[]).includes(key);
        it(`${key}: ${reloadable ? "reloaded live, same checksum" : "needs a restart, new checksum"}`, () => {
            const svc = js({ settings: `${key}: ${value}` });
            assert.notEqual(renderNatsConf(svc), renderNatsConf(js({})), "the sample changes nats-js.conf");
            const changed = jetStreamRestartChecksum(svc);
            assert.equal(changed !== base, !reloadable);
        });
    }

    it("ignores the route list (replicas 3 → 5) and the namespace, not a standalone → cluster change", () => {
        assert.equal(jetStreamRestartChecksum(js({ replicas: 5 })), base);
        const other = resolveSpec("default", { namespace: "other", jetstream: { version: "2.10.29" } }) as ResolvedJetStreamService;
        assert.equal(jetStreamRestartChecksum(other), base);
        assert.notEqual(jetStreamRestartChecksum(js({ replicas: 1 })), base);
    });

    it("changes with encryption (store_dir) and TLS blocks", () => {
        assert.notEqual(jetStreamRestartChecksum(js({ encryption: true })), base);
        assert.notEqual(jetStreamRestartChecksum(js({ tls: true })), base);
    });
});
