/**
 * Calibration of the update-plan model (rules/update-plan.ts, through tests/rules/plan-harness.ts)
 * against the real engine: for day-2 transitions of tests/rules/day2-matrix.test.ts, the step the
 * real `pulumi preview --diff --json` plans for every resource, and the step the following
 * `pulumi up` takes, must be the model's (same / update / replace / delete-before-replace / create /
 * delete). Each chain is one stack: every transition starts from the state the previous `up` left.
 *
 * Every stack uses `skipAwait: true` (no kubelet: pods never become Ready, so an awaited StatefulSet
 * never finishes). With skipAwait the component makes no claim patches (provider/resources/
 * volume-growth.ts `growsVolumes`), so a volumeSize change is calibrated for the StatefulSet's step
 * only; the patches' steps are model-only.
 *
 * The model runs in a child process (tests/engine/support/model-plan.ts): it needs the mock runtime,
 * which must not be installed where the real engine's inline programs run.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type * as automation from "@pulumi/pulumi/automation";
import { Cluster } from "./support/cluster";
import { Engine } from "./support/engine";
import { producer } from "./support/programs";
import { PlannedStep, plannedSteps, stepsOf } from "./support/steps";
import type { ModelAnswer, ModelRequest } from "./support/model-plan";
import type { InterStepBufferServiceArgs } from "../../provider";
import { diffKubernetes, checkKubernetes } from "../../rules/kubernetes";
import { PropertyMap, UNKNOWN } from "../../rules/values";

const PROJECT = "isbsvc-engine-day2";
const quiet = process.env.ENGINE_VERBOSE ? (s: string) => process.stdout.write(s) : undefined;

type Flavour = "jetstream" | "redis";

interface Transition {
    title: string;
    /** The flavour's spec after the change (merged over the previous spec). */
    change?: Record<string, unknown>;
    /** Resource names to `--replace`. */
    replace?: string[];
    /**
     * Checks of the cluster around the transition: `before` runs before the preview, its result is
     * passed to `after`, which runs after the up.
     */
    cluster?: {
        before: (cluster: Cluster, ns: string) => Promise<unknown>;
        after: (cluster: Cluster, ns: string, before: any) => Promise<void>;
    };
}

/**
 * A persistence change keeps the StatefulSet and its pods (the claim template is fixed at creation:
 * provider/render/statefulset.ts `CLAIM_TEMPLATE_IGNORE_CHANGES`): the same StatefulSet, its spec not
 * written (same generation), the live claim template still the first size, its pods still owned by it. It used to replace the
 * StatefulSet, which neither the preview (the dry-run apply of the new StatefulSet was refused:
 * "updates to statefulset spec for fields other than 'replicas' ... are forbidden") nor, under
 * skipAwait, the up (the orphaning delete was not awaited; SSA conflict on
 * `.spec.volumeClaimTemplates`) could do.
 */
function keepsStatefulSet(statefulSet: string, size: string): NonNullable<Transition["cluster"]> {
    const state = async (cluster: Cluster, ns: string) => {
        const sts = await cluster.get(`/apis/apps/v1/namespaces/${ns}/statefulsets/${statefulSet}`);
        return {
            uid: sts.metadata.uid as string,
            // The spec was not written at all (a no-op apply leaves the generation as it was).
            generation: sts.metadata.generation as number,
            size: sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage as string,
        };
    };
    return {
        before: state,
        after: async (cluster, ns, before) => {
            const now = await state(cluster, ns);
            assert.deepEqual(now, { ...before, size }, "the same StatefulSet, unchanged, with the claim template of the first create");
            // Its pods were neither deleted with it nor orphaned: every pod is still owned by it. (Pod UIDs are not
            // compared: the controller may still be rolling pods from an earlier transition, as no pod becomes Ready.)
            const pods = (await cluster.get(`/api/v1/namespaces/${ns}/pods`)).items;
            assert.ok(pods.length > 0, "the controller made pods");
            for (const p of pods)
                assert.deepEqual(
                    (p.metadata.ownerReferences ?? []).map((o: any) => o.uid),
                    [now.uid],
                    `${p.metadata.name} owned by the StatefulSet`,
                );
        },
    };
}

/**
 * The data keys of a Secret after the up. With `retainOnDelete` a Secret's re-create is a forced
 * server-side apply onto the retained object under a new field manager: fields only the old
 * manager set stay (server-side apply removes only fields the applier itself owned before).
 */
function secretKeysAfter(secret: string, keys: string[]): NonNullable<Transition["cluster"]> {
    return {
        before: async () => undefined,
        after: async (cluster, ns) => {
            const s = await cluster.get(`/api/v1/namespaces/${ns}/secrets/${secret}`);
            assert.deepEqual(Object.keys(s.data ?? {}).sort(), keys, `${secret} data keys`);
        },
    };
}

interface Chain {
    title: string;
    stack: string;
    flavour: Flavour;
    ns: string;
    /** `namespace` set in the args (else the provider's default namespace, `kubernetes:namespace`). */
    namespaceSet: boolean;
    retainOnDelete?: boolean;
    start: Record<string, unknown>;
    transitions: Transition[];
}

const CHAINS: Chain[] = [
    {
        title: "JetStream, namespace set",
        stack: "js",
        flavour: "jetstream",
        ns: "d2-js",
        namespaceSet: true,
        start: { version: "2.10.17", replicas: 3, persistence: { volumeSize: "1Gi" } },
        transitions: [
            { title: "settings change (max_payload)", change: { settings: "max_payload: 8MB" } },
            { title: "replicas 3 → 5", change: { replicas: 5 } },
            { title: "version 2.10.17 → 2.10.29", change: { version: "2.10.29" } },
            { title: "TLS off → on", change: { tls: true } },
            { title: "password rotation (--replace default-js-password)", replace: ["default-js-password"] },
            { title: "route password rotation (--replace default-js-route-password)", replace: ["default-js-route-password"] },
            // One replica per update, acknowledged: a larger or unacknowledged scale-down is refused by the
            // StatefulSet's hook (tests/engine/hooks.test.ts).
            { title: "replicas 5 → 4 (allowScaleDown)", change: { replicas: 4, allowScaleDown: true } },
            { title: "replicas 4 → 3 (allowScaleDown)", change: { replicas: 3 } },
            { title: "TLS on → off", change: { tls: false } },
            {
                title: "persistence volumeSize 1Gi → 2Gi (claim template kept: nothing changes under skipAwait)",
                change: { persistence: { volumeSize: "2Gi" } },
                cluster: keepsStatefulSet("isbsvc-default-js", "1Gi"),
            },
        ],
    },
    {
        title: "native Redis, namespace set",
        stack: "redis",
        flavour: "redis",
        ns: "d2-redis",
        namespaceSet: true,
        start: { version: "7.0.11", replicas: 3, persistence: { volumeSize: "1Gi" } },
        transitions: [
            { title: "password rotation (--replace default-redis-password)", replace: ["default-redis-password"] },
            { title: "TLS off → on", change: { tls: true } },
            { title: "replicas 3 → 5", change: { replicas: 5 } },
            { title: "settings change (maxmemory)", change: { settings: { redis: "maxmemory 256mb" } } },
            { title: "version 7.0.11 → 7.0.15", change: { version: "7.0.15" } },
            { title: "TLS on → off", change: { tls: false } },
            {
                title: "persistence volumeSize 1Gi → 2Gi (claim template kept: nothing changes under skipAwait)",
                change: { persistence: { volumeSize: "2Gi" } },
                cluster: keepsStatefulSet("isbsvc-default-redis", "1Gi"),
            },
        ],
    },
    {
        title: "JetStream, namespace omitted (kubernetes:namespace)",
        stack: "js-omitted",
        flavour: "jetstream",
        ns: "d2-omitted",
        namespaceSet: false,
        start: { version: "2.10.29", replicas: 3 },
        transitions: [
            { title: "settings change (max_payload)", change: { settings: "max_payload: 8MB" } },
            { title: "TLS off → on", change: { tls: true } },
        ],
    },
    {
        title: "native Redis, retainOnDelete (upsertExistingObjects)",
        stack: "redis-retained",
        flavour: "redis",
        ns: "d2-retained",
        namespaceSet: true,
        retainOnDelete: true,
        start: { version: "7.0.15", replicas: 3, tls: true },
        transitions: [
            { title: "replicas 3 → 5", change: { replicas: 5 } },
            { title: "settings change (maxmemory)", change: { settings: { redis: "maxmemory 256mb" } } },
            // The auth Secret is re-created onto the retained one: forced (pulumi.com/patchForce), no conflict.
            { title: "password rotation (--replace default-redis-password)", replace: ["default-redis-password"] },
        ],
    },
    {
        title: "JetStream, retainOnDelete (upsertExistingObjects)",
        stack: "js-retained",
        flavour: "jetstream",
        ns: "d2-js-retained",
        namespaceSet: true,
        retainOnDelete: true,
        start: { version: "2.10.29", replicas: 3 },
        transitions: [
            // The fixed-name ConfigMap and Secrets are re-created onto the retained ones, forced.
            { title: "settings change (max_payload)", change: { settings: "max_payload: 8MB" } },
            { title: "TLS off → on", change: { tls: true } },
            {
                title: "TLS on → off (the client Secret keeps the old manager's ca.crt)",
                change: { tls: false },
                cluster: secretKeysAfter("isbsvc-default-js-client-auth", ["ca.crt", "client-auth-password", "client-auth-user"]),
            },
        ],
    },
];

function args(c: Chain, spec: Record<string, unknown>): InterStepBufferServiceArgs {
    const body = c.flavour === "jetstream" ? { jetstream: spec } : { redis: { native: spec } };
    return { ...(c.namespaceSet && { namespace: c.ns }), skipAwait: true, ...body } as unknown as InterStepBufferServiceArgs;
}

/** The specs of a chain: start, then after each transition. */
function specs(c: Chain): Record<string, unknown>[] {
    const out = [c.start];
    for (const t of c.transitions) out.push({ ...out[out.length - 1], ...(t.change ?? {}) });
    return out;
}

/** Stack config of a chain: the default provider (kubeconfig, upsert) and, with the namespace omitted, its namespace. */
function config(cluster: Cluster, c: Chain): Record<string, { value: string; secret?: boolean }> {
    return cluster.providerConfig(c.namespaceSet ? undefined : c.ns);
}

/** The model's step kind of an engine step. */
function kindOf(s: PlannedStep): string {
    return s.op === "replace" ? (s.deleteBeforeReplace ? "delete-before-replace" : "replace") : s.op;
}

/** Custom resources only (no stack, providers or components): the ones whose steps the model plans for a provider. */
const CUSTOM = /^(kubernetes|random|tls):/;

function compare(what: string, engine: Map<string, PlannedStep>, model: Record<string, { kind: string; type: string }>): string[] {
    const names = new Set([
        ...[...engine.values()].filter((s) => CUSTOM.test(s.type)).map((s) => s.name),
        ...Object.entries(model)
            .filter(([, m]) => CUSTOM.test(m.type))
            .map(([n]) => n),
    ]);
    const out: string[] = [];
    for (const n of [...names].sort()) {
        const e = engine.get(n);
        const eKind = e ? kindOf(e) : "(none)";
        const mKind = model[n]?.kind ?? "(none)";
        if (eKind !== mKind)
            out.push(`${what} ${n}: engine ${eKind}${e ? ` ${JSON.stringify(e.detailedDiff ?? e.diffReasons)}` : ""}, model ${mKind}`);
    }
    return out;
}

function changed(steps: Map<string, PlannedStep>): string {
    return (
        [...steps.values()]
            .filter((s) => CUSTOM.test(s.type) && s.op !== "same")
            .map((s) => `${s.name.replace(/^default-/, "")}=${kindOf(s)}`)
            .sort()
            .join(", ") || "nothing"
    );
}

/** Runs the model for every transition of every chain, preview and up, in one child process. */
function modelAnswers(cluster: Cluster): Map<string, ModelAnswer> {
    const requests: ModelRequest[] = [];
    for (const c of CHAINS) {
        const sp = specs(c);
        c.transitions.forEach((t, i) => {
            for (const mode of ["preview", "up"] as const) {
                requests.push({
                    id: `${c.stack}/${i}/${mode}`,
                    mode,
                    name: "default",
                    before: args(c, sp[i]),
                    after: args(c, sp[i + 1]),
                    replace: t.replace,
                    retainOnDelete: c.retainOnDelete,
                    config: Object.fromEntries(
                        Object.entries(config(cluster, c))
                            .filter(([k]) => k !== "kubernetes:kubeconfig")
                            .map(([k, v]) => [k, v.value]),
                    ),
                });
            }
        });
    }
    const root = path.resolve(__dirname, "../..");
    const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "support/model-plan.ts")], {
        cwd: root,
        input: JSON.stringify(requests),
        maxBuffer: 64 << 20,
        timeout: 600_000,
        encoding: "utf8",
        // stderr (the component's preview warnings) stays out of the test output; on failure it is in the error.
        stdio: ["pipe", "pipe", "pipe"],
    });
    const answers: ModelAnswer[] = JSON.parse(out.trim().split("\n").pop()!);
    return new Map(answers.map((a) => [a.id, a]));
}

/** Resource steps of a `pulumi up`, from its engine events (`resourcePreEvent.metadata`). */
async function upSteps(stack: automation.Stack, program: automation.PulumiFn, replace: string[]): Promise<Map<string, PlannedStep>> {
    const records: any[] = [];
    stack.workspace.program = program;
    const up = await stack.up({
        onOutput: quiet,
        replace,
        onEvent: (e) => {
            if (e.resourcePreEvent) records.push(e.resourcePreEvent.metadata);
        },
    });
    assert.equal(up.summary.result, "succeeded");
    return stepsOf(records);
}

async function urnsOf(stack: automation.Stack, names: string[]): Promise<string[]> {
    const resources = (await stack.exportStack()).deployment.resources ?? [];
    return names.map((n) => {
        const r = resources.find((x: any) => x.urn.endsWith(`::${n}`));
        assert.ok(r, `no resource ${n} in the stack`);
        return r.urn as string;
    });
}

describe("engine: day-2 steps of the real engine = the update-plan model's", function () {
    let cluster: Cluster;
    let engine: Engine;
    let model: Map<string, ModelAnswer>;
    const table: string[] = [];

    before(function () {
        cluster = Cluster.start();
        engine = new Engine();
        const t0 = Date.now();
        model = modelAnswers(cluster);
        console.log(`      model planned ${model.size} transitions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed")
            console.log(`      FAILED: ${this.currentTest.title}\n${String(this.currentTest.err?.message ?? this.currentTest.err)}`);
    });

    after(function () {
        cluster?.stop();
        engine?.remove();
        console.log(
            ["\n  | Chain | Transition | Steps (preview = up = model) |", "  |---|---|---|", ...table.map((r) => `  ${r}`)].join("\n"),
        );
    });

    for (const c of CHAINS) {
        describe(c.title, function () {
            let stack: automation.Stack;
            const sp = specs(c);
            const program = (i: number) =>
                producer({
                    kubeconfig: cluster.kubeconfig,
                    name: "default",
                    args: args(c, sp[i]),
                    defaultProvider: true,
                    ...(c.retainOnDelete && { retainOnDelete: true }),
                });

            before(async function () {
                await cluster.createRestrictedNamespace(c.ns);
                stack = await engine.stack(PROJECT, c.stack, program(0), config(cluster, c));
                const up = await stack.up({ onOutput: quiet });
                assert.equal(up.summary.result, "succeeded");
            });

            after(async function () {
                await stack?.destroy({ onOutput: quiet });
            });

            c.transitions.forEach((t, i) => {
                it(t.title, async function () {
                    const replace = await urnsOf(stack, t.replace ?? []);
                    const mPreview = model.get(`${c.stack}/${i}/preview`)!;
                    const mUp = model.get(`${c.stack}/${i}/up`)!;
                    assert.equal(mPreview.error ?? mUp.error, undefined, "the model planned the transition");
                    // The real up succeeds, so the model must flag no problem (e.g. a retained re-create conflict).
                    assert.deepEqual([...mPreview.problems, ...mUp.problems], [], "problems flagged by the model");
                    const before = await t.cluster?.before(cluster, c.ns);

                    const preview = await plannedSteps(engine, stack, program(i + 1), replace);
                    const up = await upSteps(stack, program(i + 1), replace);
                    const mismatches = [...compare("preview", preview, mPreview.steps), ...compare("up", up, mUp.steps)];
                    table.push(`| ${c.title} | ${t.title} | ${changed(up)} |`);
                    assert.deepEqual(mismatches, [], `engine vs model:\n${mismatches.join("\n")}`);
                    assert.equal(changed(preview), changed(up), "preview and up take the same steps");
                    await t.cluster?.after(cluster, c.ns, before);
                });
            });

            it("a preview after the last up plans no change", async function () {
                const steps = await plannedSteps(engine, stack, program(c.transitions.length));
                assert.equal(changed(steps), "nothing");
            });
        });
    }

    /**
     * The question our reference left open (shared/reference/pulumi-kubernetes-updates.md "Uncertain"):
     * how pulumi-kubernetes' Diff treats an unknown value in `metadata`. Two ConfigMaps with a fixed
     * name: one with a label from a random string, one whose whole `metadata` comes from it. Replacing
     * the random string (a new length) makes the value unknown at preview.
     */
    describe("unknown values in metadata (pulumi-kubernetes Diff)", function () {
        const ns = "d2-unknown";
        const prog = (length: number) => async () => {
            const tag = new random.RandomString("tag", { length, special: false, upper: false });
            new k8s.core.v1.ConfigMap("label-unknown", {
                metadata: { name: "label-unknown", namespace: ns, labels: { tag: tag.result } },
                data: { a: "1" },
            });
            new k8s.core.v1.ConfigMap("metadata-unknown", {
                metadata: tag.result.apply((v) => ({ name: "metadata-unknown", namespace: ns, labels: { tag: v } })),
                data: { a: "1" },
            });
            return {};
        };

        it("the engine's steps are the model's: an unknown label updates, an unknown metadata replaces (create first) at preview", async function () {
            await cluster.createRestrictedNamespace(ns);
            const stack = await engine.stack(PROJECT, "unknown-metadata", prog(8), cluster.providerConfig());
            await stack.up({ onOutput: quiet });
            const preview = await plannedSteps(engine, stack, prog(9));
            const up = await upSteps(stack, prog(9), []);

            // The model: pulumi-kubernetes Diff of the checked inputs, the unknown where the program has one.
            const oldLabel = (await stack.exportStack()).deployment.resources.find((r: any) => r.urn.endsWith("::tag"));
            assert.ok(oldLabel);
            const object = (name: string, tag: unknown): PropertyMap =>
                checkKubernetes({
                    apiVersion: "v1",
                    kind: "ConfigMap",
                    metadata: { name, namespace: ns, labels: { tag: tag as string } },
                    data: { a: "1" },
                });
            const kind = (d: ReturnType<typeof diffKubernetes>) =>
                d.changes !== "some"
                    ? "same"
                    : d.replaces.length
                      ? d.deleteBeforeReplace
                          ? "delete-before-replace"
                          : "replace"
                      : "update";
            const old = (name: string) => object(name, "abcdefgh");
            const modelPreview = {
                "label-unknown": kind(diffKubernetes(old("label-unknown"), object("label-unknown", UNKNOWN))),
                "metadata-unknown": kind(
                    diffKubernetes(
                        old("metadata-unknown"),
                        checkKubernetes({ apiVersion: "v1", kind: "ConfigMap", metadata: UNKNOWN, data: { a: "1" } }),
                    ),
                ),
            };
            const modelUp = {
                "label-unknown": kind(diffKubernetes(old("label-unknown"), object("label-unknown", "abcdefghi"))),
                "metadata-unknown": kind(diffKubernetes(old("metadata-unknown"), object("metadata-unknown", "abcdefghi"))),
            };
            const got = (m: Map<string, PlannedStep>) => ({
                "label-unknown": kindOf(m.get("label-unknown")!),
                "metadata-unknown": kindOf(m.get("metadata-unknown")!),
            });
            console.log(
                `      preview: engine ${JSON.stringify(got(preview))} (metadata-unknown diff ${JSON.stringify(preview.get("metadata-unknown")?.detailedDiff)}); up: engine ${JSON.stringify(got(up))}`,
            );
            assert.deepEqual(got(preview), modelPreview, "preview: engine vs model");
            assert.deepEqual(got(up), modelUp, "up: engine vs model");
            await stack.destroy({ onOutput: quiet });
        });
    });
});
