/**
 * Keyed lists (server-side apply's list maps, rules/ssa-list-maps.ts): no rendered object holds a
 * duplicate key, a container template's env entry replaces a tuning default of ours in place and may
 * not name a variable that carries a credential, a key or the server's wiring.
 */
import { strict as assert } from "assert";
import { build } from "../../sim/runtime/build";
import { duplicateListMapKeys } from "../../rules/ssa-list-maps";
import { InterStepBufferServiceArgs } from "../../provider";
import { JS_MANAGED_ENV, JS_TUNABLE_ENV } from "../../provider/render/jetstream/layout";
import { REDIS_MANAGED_ENV } from "../../provider/render/redis/layout";

const NS = "pipelines";
const SPECS: Record<string, InterStepBufferServiceArgs> = {
    "jetstream plain": { namespace: NS, jetstream: { version: "2.10.29" } },
    "jetstream tls+encryption+persistence, user env": {
        namespace: NS,
        jetstream: {
            version: "2.10.29",
            tls: true,
            encryption: true,
            persistence: {},
            containerTemplate: {
                env: [
                    { name: "GOMEMLIMIT", value: "900MiB" },
                    { name: "EXTRA", value: "1" },
                ],
            },
            imagePullSecrets: [{ name: "regcred" }],
        },
    },
    "jetstream standalone": { namespace: NS, jetstream: { version: "2.10.29", replicas: 1 } },
    "redis native tls, user env": {
        namespace: NS,
        redis: {
            native: { version: "7.0.15", tls: true, metricsContainerTemplate: { env: [{ name: "REDIS_EXPORTER_DEBUG", value: "1" }] } },
        },
    },
    "redis native plain": { namespace: NS, redis: { native: { version: "6.2.6" } } },
};

/** Rendered Kubernetes objects of a spec. */
async function objects(args: InterStepBufferServiceArgs): Promise<any[]> {
    const b = await build("keys", args);
    return b.children.filter((c) => c.type.startsWith("kubernetes:")).map((c) => c.inputs);
}

describe("keyed lists (server-side apply list maps)", () => {
    it("the rule finds duplicates as the apiserver does, protocol defaulting to TCP", () => {
        const pod = (containers: any[]) => ({ kind: "Pod", spec: { containers } });
        assert.deepEqual(duplicateListMapKeys(pod([{ name: "a", env: [{ name: "X" }, { name: "X", value: "1" }] }])), [
            { path: "spec.containers[0].env", key: '["X"]' },
        ]);
        assert.equal(
            duplicateListMapKeys(pod([{ name: "a", ports: [{ containerPort: 1 }, { containerPort: 1, protocol: "TCP" }] }])).length,
            1,
        );
        assert.equal(
            duplicateListMapKeys(pod([{ name: "a", ports: [{ containerPort: 1 }, { containerPort: 1, protocol: "UDP" }] }])).length,
            0,
        );
        assert.equal(duplicateListMapKeys(pod([{ name: "a" }, { name: "a" }])).length, 1);
        assert.equal(
            duplicateListMapKeys({ kind: "Service", spec: { ports: [{ port: 80 }, { port: 80, protocol: "TCP" }] } } as any).length,
            1,
        );
    });

    for (const [name, args] of Object.entries(SPECS)) {
        it(`${name}: no rendered object holds a duplicate key`, async () => {
            for (const o of await objects(args)) assert.deepEqual(duplicateListMapKeys(o), [], `${o.kind} ${o.metadata.name}`);
        });
    }

    it("a user env entry replaces a tuning default (GOMEMLIMIT) in place, others are appended", async () => {
        const sts = (await objects(SPECS["jetstream tls+encryption+persistence, user env"])).find((o) => o.kind === "StatefulSet");
        const env = sts.spec.template.spec.containers[0].env as any[];
        assert.deepEqual(
            env.filter((e) => e.name === "GOMEMLIMIT"),
            [{ name: "GOMEMLIMIT", value: "900MiB" }],
        );
        assert.equal(
            env.findIndex((e) => e.name === "GOMEMLIMIT"),
            4,
            "in place of ours",
        );
        assert.deepEqual(env.at(-1), { name: "EXTRA", value: "1" });
    });

    const rejected: Array<[string, InterStepBufferServiceArgs, RegExp]> = [
        ...JS_MANAGED_ENV.map((v): [string, InterStepBufferServiceArgs, RegExp] => [
            v,
            {
                namespace: NS,
                jetstream: { version: "2.10.29", encryption: true, reloaderContainerTemplate: { env: [{ name: v, value: "x" }] } },
            },
            new RegExp(`"jetstream\\.reloaderContainerTemplate\\.env\\[0\\]\\.name" names ${v}, which the component sets`),
        ]),
        ...REDIS_MANAGED_ENV.map((v): [string, InterStepBufferServiceArgs, RegExp] => [
            v,
            {
                namespace: NS,
                redis: {
                    native: {
                        version: "7.0.15",
                        redisContainerTemplate: {
                            env: [
                                { name: "OK", value: "1" },
                                { name: v, value: "" },
                            ],
                        },
                    },
                },
            },
            new RegExp(`"redis\\.native\\.redisContainerTemplate\\.env\\[1\\]\\.name" names ${v}, which the component sets`),
        ]),
        [
            "a name given twice",
            {
                namespace: NS,
                jetstream: {
                    version: "2.10.29",
                    containerTemplate: {
                        env: [
                            { name: "A", value: "1" },
                            { name: "A", value: "2" },
                        ],
                    },
                },
            },
            /"jetstream\.containerTemplate\.env\[1\]\.name" names A a second time/,
        ],
    ];
    for (const [what, args, message] of rejected) {
        it(`rejects a container template env entry naming ${what}, at construction`, async () => {
            await assert.rejects(build("keys", args), message);
        });
    }

    it("every env name our containers set is either managed or a tuning default", async () => {
        const allowed: Set<string> = new Set([...JS_MANAGED_ENV, ...JS_TUNABLE_ENV, ...REDIS_MANAGED_ENV]);
        for (const args of Object.values(SPECS)) {
            const sts = (await objects(args)).find((o) => o.kind === "StatefulSet");
            for (const c of sts.spec.template.spec.containers) {
                for (const e of c.env ?? []) {
                    if (["EXTRA", "REDIS_EXPORTER_DEBUG"].includes(e.name)) continue;
                    assert.ok(
                        allowed.has(e.name),
                        `${c.name} sets ${e.name}, listed in neither JS_MANAGED_ENV/REDIS_MANAGED_ENV nor JS_TUNABLE_ENV`,
                    );
                }
            }
        }
    });

    it("a pod template's security context is merged field by field over ours (Redis keeps fsGroup and runAsNonRoot)", async () => {
        const sts = (
            await objects({
                namespace: NS,
                redis: { native: { version: "7.0.15", securityContext: { runAsUser: 1001, seccompProfile: { type: "RuntimeDefault" } } } },
            })
        ).find((o) => o.kind === "StatefulSet");
        assert.deepEqual(sts.spec.template.spec.securityContext, {
            runAsUser: 1001,
            runAsGroup: 999,
            fsGroup: 999,
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
        });
    });
});
