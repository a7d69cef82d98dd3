/**
 * Each Service port reaches the right container: port → targetPort → the container port of that
 * number, found by name in the container that serves it. A Sentinel port pointing at Redis (or
 * nowhere) would send Sentinel clients to the wrong server.
 */
import { strict as assert } from "assert";
import { build, Built, K8S } from "../../sim/runtime/build";

/** `service port name:port → container/port name:containerPort` for every port of `service`. */
function routes(b: Built, serviceName: string): string[] {
    const svc = b.child(K8S.service, serviceName).inputs.spec;
    const pod = b.child(K8S.statefulSet).inputs.spec.template.spec;
    return svc.ports.map((p: any) => {
        const target = p.targetPort ?? p.port;
        const hits = pod.containers.flatMap((c: any) =>
            (c.ports ?? [])
                .filter((cp: any) => cp.containerPort === target || cp.name === target)
                .map((cp: any) => `${c.name}/${cp.name}:${cp.containerPort}`),
        );
        assert.equal(hits.length, 1, `${serviceName} port ${p.name} → ${target} reaches ${hits.length} container ports`);
        return `${p.name}:${p.port} → ${hits[0]}`;
    });
}

describe("Service ports reach the container ports", () => {
    it("native Redis: the client and headless Services send 6379 to redis and 26379 to sentinel", async () => {
        const b = await build("ports-rds", { namespace: "p", redis: { native: { version: "7.0.15", tls: true } } });
        for (const name of ["ports-rds-redis-svc", "ports-rds-redis-svc-headless"]) {
            assert.deepEqual(routes(b, name), ["tcp-redis:6379 → redis/redis:6379", "tcp-sentinel:26379 → sentinel/sentinel:26379"], name);
            const ports = b.child(K8S.service, name).inputs.spec.ports;
            assert.deepEqual(
                ports.map((p: any) => [p.port, p.targetPort, p.protocol]),
                [
                    [6379, 6379, "TCP"],
                    [26379, 26379, "TCP"],
                ],
            );
        }
        assert.equal(b.outputs.sentinelUrl, "isbsvc-ports-rds-redis-svc.p.svc:26379");
    });

    it("JetStream: client, cluster, metrics and monitor ports reach main and metrics", async () => {
        const b = await build("ports-js", { namespace: "p", jetstream: { version: "2.10.29" } });
        assert.deepEqual(routes(b, "ports-js-js-svc"), [
            "tcp-client:4222 → main/client:4222",
            "cluster:6222 → main/cluster:6222",
            "metrics:7777 → metrics/metrics:7777",
            "monitor:8222 → main/monitor:8222",
        ]);
        assert.equal(b.outputs.url, "nats://isbsvc-ports-js-js-svc.p.svc:4222");
    });
});
