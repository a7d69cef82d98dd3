/**
 * The real engine against a real API server (`npm run test:engine`, see README "Engine tests"):
 * the Pulumi CLI and the Kubernetes provider built from their Go modules, etcd + kube-apiserver +
 * kube-controller-manager on 127.0.0.1, a file backend, and the component from provider/index.ts.
 * No kubelet: the StatefulSet controller creates Pods (admitted by PodSecurity `restricted`) and PVCs,
 * which stay Pending, so every stack uses `skipAwait: true`.
 */
import * as assert from "node:assert/strict";
import type * as automation from "@pulumi/pulumi/automation";
import { Cluster, waitFor } from "./support/cluster";
import { cleanupOnInterrupt, Engine, requireBinaries } from "./support/engine";
import { consumer, CONTRACT, producer, ProducerOptions } from "./support/programs";
import { plannedSteps } from "./support/steps";
import type { InterStepBufferServiceArgs } from "../../provider";

const PROJECT = "isbsvc-engine";
const timings: Array<[string, number]> = [];

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    try {
        return await fn();
    } finally {
        timings.push([label, (Date.now() - t0) / 1000]);
    }
}

const quiet = process.env.ENGINE_VERBOSE ? (s: string) => process.stdout.write(s) : undefined;

/** Kubernetes objects in a stack's state: `kind/name` of every kubernetes: resource but the provider. */
async function stackObjects(stack: automation.Stack): Promise<Array<{ kind: string; name: string; apiVersion: string; ns: string }>> {
    const state = await stack.exportStack();
    return (state.deployment.resources ?? [])
        .filter((r: any) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:"))
        .map((r: any) => ({
            kind: r.outputs.kind,
            name: r.outputs.metadata.name,
            apiVersion: r.outputs.apiVersion,
            ns: r.outputs.metadata.namespace,
        }));
}

function objectPath(o: { kind: string; name: string; apiVersion: string; ns: string }): string {
    // The REST resource of a kind: lower case, plural (`NetworkPolicy` → `networkpolicies`).
    const lower = o.kind.toLowerCase();
    const plural = lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`;
    const base = o.apiVersion === "v1" ? "/api/v1" : `/apis/${o.apiVersion}`;
    return `${base}/namespaces/${o.ns}/${plural}/${o.name}`;
}

interface Case {
    title: string;
    stackName: string;
    ns: string;
    args: InterStepBufferServiceArgs;
    replicas: number;
    statefulSet: string;
    expected: Record<string, unknown>;
    persistence: boolean;
}

const CASES: Case[] = [
    {
        title: "JetStream (3 replicas, TLS, encryption, persistence)",
        stackName: "jetstream",
        ns: "isb-js",
        replicas: 3,
        statefulSet: "isbsvc-default-js",
        persistence: true,
        args: {
            namespace: "isb-js",
            skipAwait: true,
            jetstream: {
                version: "2.10.29",
                replicas: 3,
                tls: true,
                encryption: true,
                persistence: { volumeSize: "1Gi" },
                settings: "max_payload: 8MB",
                bufferConfig: "stream:\n  maxMsgs: 50000",
            },
        },
        expected: {
            type: "jetstream",
            url: "nats://isbsvc-default-js-svc.isb-js.svc:4222",
            sentinelUrl: "",
            masterName: "",
            clusterMode: false,
            tlsEnabled: true,
            namespace: "isb-js",
            serviceName: "isbsvc-default-js-svc",
            credentialsSecretName: "isbsvc-default-js-client-auth",
        },
    },
    {
        title: "native Redis (3 replicas, TLS, persistence)",
        stackName: "redis",
        ns: "isb-redis",
        replicas: 3,
        statefulSet: "isbsvc-default-redis",
        persistence: true,
        args: {
            namespace: "isb-redis",
            skipAwait: true,
            redis: {
                native: {
                    version: "7.0.15",
                    replicas: 3,
                    tls: true,
                    persistence: { volumeSize: "1Gi" },
                },
            },
        },
        expected: {
            type: "redis",
            url: "",
            sentinelUrl: "isbsvc-default-redis-svc.isb-redis.svc:26379",
            masterName: "mymaster",
            clusterMode: false,
            tlsEnabled: true,
            namespace: "isb-redis",
            serviceName: "isbsvc-default-redis-svc",
            credentialsSecretName: "isbsvc-default-redis-auth",
        },
    },
];

describe("engine: the real Pulumi engine against a real API server", function () {
    let cluster: Cluster;
    let engine: Engine;

    before(function () {
        requireBinaries(["pulumi", "pulumi-resource-kubernetes", "kube-apiserver", "kube-controller-manager"]);
        // Interrupted runs stop the control plane too (every process by PID) and remove the folders.
        cleanupOnInterrupt(() => {
            cluster?.stop();
            engine?.remove();
        });
        const t0 = Date.now();
        cluster = Cluster.start();
        timings.push(["control plane start", (Date.now() - t0) / 1000]);
        engine = new Engine();
    });

    afterEach(function () {
        // Report a failure at once (the run is long; mocha prints failures only at the end).
        if (this.currentTest?.state === "failed")
            console.log(`      FAILED: ${this.currentTest.title}\n${String(this.currentTest.err?.message ?? this.currentTest.err)}`);
    });

    after(function () {
        cluster?.stop();
        engine?.remove();
        console.log("\n  engine test timings:");
        for (const [label, s] of timings) console.log(`    ${s.toFixed(1).padStart(7)} s  ${label}`);
    });

    for (const c of CASES) {
        describe(c.title, function () {
            let stack: automation.Stack;
            let opts: ProducerOptions;
            let createdPods = 0;

            before(async function () {
                await cluster.createRestrictedNamespace(c.ns);
                opts = { kubeconfig: cluster.kubeconfig, name: "default", args: c.args };
                stack = await engine.stack(PROJECT, c.stackName, producer(opts));
            });

            it("pulumi up: every object is accepted (server-side apply, PodSecurity restricted); outputs match the contract", async function () {
                const up = await timed(`${c.stackName}: pulumi up`, () => stack.up({ onOutput: quiet }));
                assert.equal(up.summary.result, "succeeded");

                // The contract: every output exported, with the expected values; password secret.
                for (const k of CONTRACT) assert.ok(k in up.outputs, `output ${k} missing`);
                for (const [k, v] of Object.entries(c.expected)) assert.deepEqual(up.outputs[k].value, v, `output ${k}`);
                assert.equal(up.outputs.password.secret, true, "password is secret");
                assert.match(up.outputs.password.value, /^[A-Za-z0-9]{32}$/);
                assert.match(up.outputs.caCertPem.value, /^-----BEGIN CERTIFICATE-----/);
                if (c.expected.type === "jetstream") {
                    assert.match(up.outputs.user.value, /^[a-z0-9]{12}$/);
                    assert.match(up.outputs.streamConfig.value, /maxmsgs: 50000/);
                }

                // Every Kubernetes object of the stack exists on the API server, applied server-side.
                const objs = await stackObjects(stack);
                assert.ok(objs.length >= 5, `only ${objs.length} Kubernetes objects in the stack`);
                for (const o of objs) {
                    const live = await cluster.get(objectPath(o));
                    const applied = (live.metadata.managedFields ?? []).filter((f: any) => f.operation === "Apply");
                    assert.ok(
                        applied.length > 0,
                        `${o.kind}/${o.name}: no server-side apply field manager (${JSON.stringify(live.metadata.managedFields?.map((f: any) => [f.manager, f.operation]))})`,
                    );
                }

                // The client credentials Secret holds the password of the outputs.
                const secret = await cluster.get(`/api/v1/namespaces/${c.ns}/secrets/${c.expected.credentialsSecretName}`);
                const stored = Object.values(secret.data as Record<string, string>).map((b) => Buffer.from(b, "base64").toString());
                assert.ok(stored.includes(up.outputs.password.value), "credentials Secret holds the output password");

                // PodSecurity `restricted` admits the pod template (server-side dry run), and the StatefulSet
                // controller creates the Pods and their PVCs. Without a kubelet no Pod becomes Ready, so
                // with podManagementPolicy OrderedReady only ordinal 0 is ever created.
                assert.equal(await cluster.podAdmission(c.ns, c.statefulSet), undefined, "pod template admitted");
                const sts = await cluster.get(`/apis/apps/v1/namespaces/${c.ns}/statefulsets/${c.statefulSet}`);
                const expectedPods = sts.spec.podManagementPolicy === "Parallel" ? c.replicas : 1;
                const pods = await timed(`${c.stackName}: pods created`, () =>
                    waitFor(`${expectedPods} pod(s) of ${c.statefulSet}`, 60_000, async () => {
                        const items = (await cluster.get(`/api/v1/namespaces/${c.ns}/pods`)).items;
                        return items.length >= expectedPods ? items : undefined;
                    }).catch(async (e) => {
                        throw new Error(`${e.message}\nevents:\n${(await cluster.events(c.ns)).join("\n")}`);
                    }),
                );
                assert.deepEqual(
                    pods.map((p: any) => p.metadata.name).sort(),
                    Array.from({ length: expectedPods }, (_, i) => `${c.statefulSet}-${i}`),
                );
                createdPods = expectedPods;
                if (c.persistence) {
                    const pvcs = (await cluster.get(`/api/v1/namespaces/${c.ns}/persistentvolumeclaims`)).items;
                    assert.equal(pvcs.length, expectedPods, "one PVC per pod");
                }
            });

            it("a second pulumi preview right after up shows no changes", async function () {
                const preview = await timed(`${c.stackName}: pulumi preview`, () => stack.preview({ onOutput: quiet }));
                const changes = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
                if (changes.length) {
                    const steps = await plannedSteps(engine, stack, producer(opts));
                    const changed = [...steps.values()]
                        .filter((s) => s.op !== "same")
                        .map((s) => `${s.name} ${s.op} ${JSON.stringify(s.detailedDiff ?? s.diffReasons)}`);
                    assert.fail(`preview after up plans changes ${JSON.stringify(changes)}:\n${changed.join("\n")}`);
                }
                // The same through the step helper (`pulumi preview --diff --json`).
                const steps = await timed(`${c.stackName}: pulumi preview --diff --json`, () =>
                    plannedSteps(engine, stack, producer(opts)),
                );
                assert.ok(steps.size > 5);
                for (const s of steps.values()) assert.equal(s.op, "same", `${s.name}: ${s.op}`);
            });

            it("a StackReference consumer reads the outputs", async function () {
                const ref = `organization/${PROJECT}/${c.stackName}`;
                const consumerStack = await engine.stack(`${PROJECT}-consumer`, c.stackName, consumer(ref));
                const up = await timed(`${c.stackName}: consumer up`, () => consumerStack.up({ onOutput: quiet }));
                const producerOutputs = await stack.outputs();
                for (const k of CONTRACT) assert.deepEqual(up.outputs[k].value, producerOutputs[k].value, `consumer ${k}`);
                assert.equal(up.outputs.password.secret, true, "password stays secret through the reference");
                await consumerStack.destroy({ onOutput: quiet });
                await consumerStack.workspace.removeStack(consumerStack.name);
            });

            it("pulumi destroy removes every object of the stack, and the garbage collector its Pods (only the retained PVCs stay)", async function () {
                const objs = await stackObjects(stack);
                await timed(`${c.stackName}: pulumi destroy`, () => stack.destroy({ onOutput: quiet }));
                for (const o of objs) {
                    const r = await cluster.request("GET", objectPath(o));
                    assert.equal(r.status, 404, `${o.kind}/${o.name} still exists after destroy`);
                }
                // The StatefulSet carries no `pulumi.com/deletionPropagationPolicy: orphan` any more (its claim
                // template is fixed at creation, provider/render/statefulset.ts), so its delete cascades: the
                // garbage collector deletes the Pods (Pending, never scheduled: removed at once). It used to
                // orphan them (the defect this test pinned). The PVCs stay, as `whenDeleted: Retain` says.
                const left = await waitFor("the garbage collector to delete the pods", 60_000, async () => {
                    const all = await cluster.objects(c.ns);
                    return all.some((o) => o.kind === "Pod") ? undefined : all;
                });
                const leftNames = left.map((o) => `${o.kind}/${o.name}`).sort();
                const pvcs = left.filter((o) => o.kind === "PersistentVolumeClaim").map((o) => o.name);
                assert.deepEqual(
                    leftNames.filter((n) => !n.startsWith("PersistentVolumeClaim/")),
                    [],
                    `left behind: ${leftNames.join(", ")}`,
                );
                assert.equal(pvcs.length, c.persistence ? createdPods : 0, `PVCs left: ${pvcs.join(", ")}`);
                const state = await stack.exportStack();
                assert.equal((state.deployment.resources ?? []).length, 0, "stack state empty");
            });
        });
    }

    describe("retainOnDelete", function () {
        const ns = "isb-retain";
        it("destroy forgets the objects and leaves exactly the retained ones on the API server", async function () {
            await cluster.createRestrictedNamespace(ns);
            // The component requires the default provider with upsertExistingObjects for retainOnDelete.
            const program = producer({
                kubeconfig: cluster.kubeconfig,
                name: "kept",
                retainOnDelete: true,
                defaultProvider: true,
                args: { namespace: ns, skipAwait: true, jetstream: { version: "2.10.29", replicas: 1 } },
            });
            const stack = await engine.stack(PROJECT, "retained", program, cluster.providerConfig());
            await timed("retain: pulumi up", () => stack.up({ onOutput: quiet }));
            const objs = await stackObjects(stack);
            await timed("retain: pulumi destroy", () => stack.destroy({ onOutput: quiet }));
            const state = await stack.exportStack();
            assert.equal((state.deployment.resources ?? []).length, 0, "stack state empty");
            for (const o of objs) {
                const r = await cluster.request("GET", objectPath(o));
                assert.equal(r.status, 200, `${o.kind}/${o.name} retained`);
            }
            const live = (await cluster.objects(ns))
                .filter((o) => o.kind !== "Pod" && o.kind !== "PersistentVolumeClaim")
                .map((o) => `${o.kind}/${o.name}`)
                .sort();
            assert.deepEqual(live, objs.map((o) => `${o.kind}/${o.name}`).sort(), "exactly the retained objects");
        });
    });

    describe("day-2 step helper", function () {
        it("plans the steps of an args change with pulumi preview --diff --json", async function () {
            const ns = "isb-day2";
            await cluster.createRestrictedNamespace(ns);
            const base: InterStepBufferServiceArgs = { namespace: ns, skipAwait: true, jetstream: { version: "2.10.29", replicas: 3 } };
            const stack = await engine.stack(PROJECT, "day2", producer({ kubeconfig: cluster.kubeconfig, name: "default", args: base }));
            await timed("day2: pulumi up", () => stack.up({ onOutput: quiet }));
            const changed = producer({
                kubeconfig: cluster.kubeconfig,
                name: "default",
                args: { ...base, jetstream: { ...base.jetstream!, containerTemplate: { resources: { requests: { cpu: "250m" } } } } },
            });
            const steps = await timed("day2: preview --diff --json", () => plannedSteps(engine, stack, changed));
            const notSame = [...steps.values()].filter((s) => s.op !== "same");
            console.log(
                `      container resources change: ${notSame.map((s) => `${s.name}=${s.op}${s.deleteBeforeReplace ? "(DBR)" : ""}`).join(", ")}`,
            );
            assert.equal(steps.get("default-js")?.op, "update", "the StatefulSet is updated in place");
            await timed("day2: pulumi destroy", () => stack.destroy({ onOutput: quiet }));
        });
    });
});
