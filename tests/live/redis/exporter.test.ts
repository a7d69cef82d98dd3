/**
 * Live proof of the Redis pods' `metrics` container: Debian's redis_exporter
 * (`prometheus-redis-exporter`, 1.45 — the rendered images are oliver006/redis_exporter 1.33 to
 * 1.56) run with the container's rendered environment, mounts and user against the pod's
 * redis-server, with and without TLS. Its `/metrics` endpoint must report the server as up, with
 * the server's own metrics, so the rendered address, user, password and CA file work together.
 *
 * Needs root, iproute2, redis-server, redis-sentinel and prometheus-redis-exporter (FAILS, never
 * skips, without them). Run:
 *   npx mocha --no-config --require ts-node/register/transpile-only --require tests/support/setup.ts \
 *     --timeout 180000 --exit tests/live/redis/exporter.test.ts
 */
import { strict as assert } from "node:assert";
import * as http from "node:http";
import { build, Built } from "../../../sim/runtime/build";
import { newId } from "../../../sim/pods/netns";
import { findStatefulSet } from "../../../sim/pods/pod-files";
import { RedisPods, roleOf } from "../../../sim/pods/redis-pods";
import { requireBinary } from "../../../sim/pods/requirements";
import { waitFor } from "../../../sim/pods/wait";

const VERSION = "7.0.15";
const METRICS_PORT = 9121;

/** GET `url` as text. @throws on a non-200 status or after `timeoutMs`. */
function httpGetText(url: string, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const req = http.get(url, { agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
                clearTimeout(timer);
                const body = Buffer.concat(chunks).toString("utf8");
                if (res.statusCode === 200) resolve(body);
                else reject(new Error(`GET ${url}: ${res.statusCode} ${body.slice(0, 300)}`));
            });
        });
        const timer = setTimeout(() => req.destroy(new Error(`GET ${url} timed out`)), timeoutMs);
        req.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
    });
}

/** The value of a metric (its first sample, whatever its labels) in a Prometheus text exposition (undefined when absent). */
function metric(text: string, name: string): number | undefined {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
    return m ? Number(m[1]) : undefined;
}

for (const tls of [false, true]) {
    describe(`live Redis (tls: ${tls}): the metrics container's exporter scrapes its redis-server`, function () {
        this.timeout(300_000);
        let built: Built;
        let pods: RedisPods;

        before(async () => {
            requireBinary("prometheus-redis-exporter");
            built = await build(tls ? "ext" : "exp", { namespace: "live", redis: { native: { version: VERSION, tls } } });
            pods = await RedisPods.start(built.children, { id: newId(tls ? "et" : "ep") });
        });

        afterEach(function () {
            if (this.currentTest?.state === "failed") pods?.dumpLogs();
        });

        after(async () => {
            await pods?.destroy();
        });

        it("reports the server up with its metrics, using the rendered address, user, password and CA", async () => {
            const binary = requireBinary("prometheus-redis-exporter");
            const container = findStatefulSet(built.children).inputs.spec.template.spec.containers.find(
                (c: { name: string }) => c.name === "metrics",
            );
            const env = Object.fromEntries((container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
            assert.equal(env.REDIS_ADDR, `${tls ? "rediss" : "redis"}://localhost:6379`);
            assert.equal("REDIS_EXPORTER_TLS_CA_CERT_FILE" in env, tls);

            for (const pod of pods.podNames()) {
                const exporter = pods.startMetrics(pod, binary);
                const role = (await roleOf(pods, pod, built.outputs)).role;
                const text = await waitFor(
                    `${pod}'s exporter to answer`,
                    () => httpGetText(`http://${pods.address(pod)}:${METRICS_PORT}/metrics`, 5000),
                    { timeoutMs: 30_000, intervalMs: 250 },
                );
                assert.equal(metric(text, "redis_up"), 1, `${pod}: redis_up\n${exporter.logs()}`);
                assert.match(text, new RegExp(`^redis_instance_info\\{[^}]*role="${role}"`, "m"), `${pod}: the server's own INFO`);
                if (role === "master") assert.equal(metric(text, "redis_connected_slaves"), 2, "the master's replicas");
                else assert.equal(metric(text, "redis_master_link_up"), 1, "the replica's link (IsbRedisReplicaLinkDown)");
                assert.ok(exporter.running, exporter.logs());
            }
            if (tls) {
                // Control: without the rendered CA file the exporter cannot verify the server's certificate.
                const pod = pods.podNames()[0];
                const noCa = pods.startMetrics(pod, binary, {
                    REDIS_EXPORTER_TLS_CA_CERT_FILE: undefined,
                    REDIS_EXPORTER_WEB_LISTEN_ADDRESS: ":9122",
                });
                const text = await waitFor(
                    `${pod}'s control exporter to answer`,
                    () => httpGetText(`http://${pods.address(pod)}:9122/metrics`, 5000),
                    {
                        timeoutMs: 30_000,
                        intervalMs: 250,
                    },
                );
                assert.equal(metric(text, "redis_up"), 0, "verification fails without the CA");
                assert.match(noCa.logs(), /Couldn.t connect to redis instance/);
            }
        });
    });
}
