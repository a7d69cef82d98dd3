/**
 * Every generated container runs with the default security context: all capabilities dropped, no
 * privilege escalation, a read-only root filesystem — in every flavour and variant, and when a
 * container template sets anything but `securityContext`.
 */
import { strict as assert } from "assert";
import { build, K8S } from "../../sim/runtime/build";

const EXPECTED = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true };

const TEMPLATE = { resources: { limits: { memory: "1Gi" } }, env: [{ name: "A", value: "1" }], imagePullPolicy: "Always" };

const SPECS: Record<string, { args: any; containers: string[] }> = {
    "JetStream cluster, TLS and encryption": {
        args: { namespace: "p", jetstream: { version: "2.10.29", tls: true, encryption: true } },
        containers: ["main", "reloader", "metrics"],
    },
    "JetStream standalone, container templates without securityContext": {
        args: {
            namespace: "p",
            jetstream: {
                version: "2.12.7",
                replicas: 1,
                containerTemplate: TEMPLATE,
                reloaderContainerTemplate: TEMPLATE,
                metricsContainerTemplate: TEMPLATE,
            },
        },
        containers: ["main", "reloader", "metrics"],
    },
    "native Redis, TLS": {
        args: { namespace: "p", redis: { native: { version: "7.0.15", tls: true } } },
        containers: ["redis", "sentinel", "metrics"],
    },
    "native Redis, container templates without securityContext": {
        args: {
            namespace: "p",
            redis: {
                native: {
                    version: "6.2.6",
                    redisContainerTemplate: TEMPLATE,
                    sentinelContainerTemplate: TEMPLATE,
                    metricsContainerTemplate: TEMPLATE,
                },
            },
        },
        containers: ["redis", "sentinel", "metrics"],
    },
};

describe("container security context", () => {
    for (const [title, { args, containers }] of Object.entries(SPECS)) {
        it(`every container drops ALL capabilities, cannot escalate and has a read-only root: ${title}`, async () => {
            const b = await build(`sec-${Object.keys(SPECS).indexOf(title)}`, args);
            const pod = b.child(K8S.statefulSet).inputs.spec.template.spec;
            assert.deepEqual(
                pod.containers.map((c: any) => c.name),
                containers,
            );
            assert.equal(pod.initContainers, undefined, "no init container escapes the check");
            for (const c of pod.containers) {
                assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"], `${c.name} keeps capabilities`);
                assert.deepEqual(c.securityContext, EXPECTED, `${c.name}`);
            }
        });
    }
});
