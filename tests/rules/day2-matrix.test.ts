/**
 * The day-2 matrix (issue 10): every change a running service sees, planned by the update-plan
 * model (rules/) for the component as it is built (tests/rules/plan-harness.ts), for JetStream and
 * native Redis, with `namespace` set and omitted, with and without `retainOnDelete`, as
 * `pulumi preview` and as `pulumi up`. For each it asserts:
 * - preview and up plan the same step for every resource;
 * - the StatefulSet is never replaced; on a persistence change (volumeSize, storageClassName) its
 *   claim template stays the old state's (`ignoreChanges`, rules/ignore-changes.ts) and the preview
 *   warned;
 * - no dependent deletions (`calculateDependentReplacements`), no problem the model flags (in
 *   particular no delete-before-replace of a retained object that would end in AlreadyExists);
 * - the pods roll (the StatefulSet's pod template changes) exactly when `roll` says.
 * The printed table is the source of README "Changing a running service".
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { planTransition, Transition, TransitionPlan } from "./plan-harness";
import { PlannedStep, ResourceState } from "../../rules/update-plan";
import { deepEqual as deepEqualValues } from "../../rules/values";

const { setConfig } = require("@pulumi/pulumi/runtime/config");

type Flavour = "jetstream" | "redis";

interface Case {
    change: string;
    flavours: Flavour[];
    /** Spec of the flavour before and after (merged over the base). */
    before?: Record<string, unknown>;
    after?: Record<string, unknown>;
    /** Pulumi resource name suffixes to `--replace`. */
    replace?: (f: Flavour) => string[];
    hoursLater?: number;
    /** Whether the pods roll, per flavour. */
    roll: Record<Flavour, boolean> | boolean;
    /** A claim-template change: ignored on the StatefulSet (the template of the first create stays), warned. */
    claimTemplate?: boolean;
    /** `volumeSize` grows: every claim patch is updated (the existing PVCs grow). */
    volumeGrowth?: boolean;
    /** `tls` toggled: a JetStream preview warns that the roll stalls (routes cannot mix) and gives the procedure. */
    tlsToggle?: boolean;
}

const BASE: Record<Flavour, Record<string, unknown>> = {
    jetstream: { version: "2.10.29", replicas: 3 },
    redis: { version: "7.0.15", replicas: 3 },
};

const CASES: Case[] = [
    {
        change: "password rotation (`pulumi up --replace <n>-…-password`)",
        flavours: ["jetstream", "redis"],
        replace: (f) => [f === "jetstream" ? "js-password" : "redis-password"],
        roll: { jetstream: false, redis: true },
    },
    {
        change: "Redis two-phase rotation, phase 1 (`passwordRotation` unset → `{ active: a, accept: both }`)",
        flavours: ["redis"],
        after: { passwordRotation: { active: "a", accept: "both" } },
        roll: true,
    },
    {
        change: "Redis two-phase rotation, phase 2 (`{ active: a, accept: both }` → `{ active: b, accept: both }`)",
        flavours: ["redis"],
        before: { passwordRotation: { active: "a", accept: "both" } },
        after: { passwordRotation: { active: "b", accept: "both" } },
        roll: true,
    },
    {
        change: "Redis two-phase rotation, phase 3 (`{ active: b, accept: both }` → `{ active: b, accept: active }`)",
        flavours: ["redis"],
        before: { passwordRotation: { active: "b", accept: "both" } },
        after: { passwordRotation: { active: "b", accept: "active" } },
        roll: true,
    },
    {
        change: "route password rotation (`pulumi up --replace <n>-js-route-password`)",
        flavours: ["jetstream"],
        replace: () => ["js-route-password"],
        roll: false,
    },
    { change: "TLS off → on", flavours: ["jetstream", "redis"], before: { tls: false }, after: { tls: true }, roll: true, tlsToggle: true },
    { change: "TLS on → off", flavours: ["jetstream", "redis"], before: { tls: true }, after: { tls: false }, roll: true, tlsToggle: true },
    {
        change: "certificate renewal (inside the early-renewal window)",
        flavours: ["jetstream", "redis"],
        before: { tls: true },
        after: { tls: true },
        hoursLater: 8100,
        roll: { jetstream: false, redis: true },
    },
    {
        change: "replicas 3 → 5",
        flavours: ["jetstream", "redis"],
        before: { replicas: 3 },
        after: { replicas: 5 },
        roll: { jetstream: false, redis: true },
    },
    {
        change: "replicas 5 → 3",
        flavours: ["jetstream", "redis"],
        before: { replicas: 5 },
        after: { replicas: 3 },
        roll: { jetstream: false, redis: true },
    },
    {
        change: "settings, reloadable (JetStream `max_payload`)",
        flavours: ["jetstream"],
        after: { settings: "max_payload: 8MB" },
        roll: false,
    },
    {
        change: "settings, not reloadable (JetStream `max_file_store`; Redis `maxmemory`)",
        flavours: ["jetstream", "redis"],
        after: { settings: "max_file_store: 2TB" },
        roll: true,
    },
    { change: "bufferConfig", flavours: ["jetstream"], after: { bufferConfig: { stream: { maxMsgs: 50000 } } }, roll: false },
    {
        change: "persistence volumeSize 10Gi → 20Gi",
        flavours: ["jetstream", "redis"],
        before: { persistence: { volumeSize: "10Gi" } },
        after: { persistence: { volumeSize: "20Gi" } },
        roll: false,
        claimTemplate: true,
        volumeGrowth: true,
    },
    {
        change: "persistence storageClassName change",
        flavours: ["jetstream", "redis"],
        before: { persistence: { volumeSize: "10Gi", storageClassName: "standard" } },
        after: { persistence: { volumeSize: "10Gi", storageClassName: "fast" } },
        roll: false,
        claimTemplate: true,
    },
    {
        change: "replicas 3 → 5 with persistence",
        flavours: ["jetstream", "redis"],
        before: { replicas: 3, persistence: { volumeSize: "10Gi" } },
        after: { replicas: 5, persistence: { volumeSize: "10Gi" } },
        roll: { jetstream: false, redis: true },
    },
    {
        change: "replicas 5 → 3 with persistence (claim patches of 3, 4 only forgotten: retainOnDelete)",
        flavours: ["jetstream", "redis"],
        before: { replicas: 5, persistence: { volumeSize: "10Gi" } },
        after: { replicas: 3, persistence: { volumeSize: "10Gi" } },
        roll: { jetstream: false, redis: true },
    },
    { change: "version upgrade", flavours: ["jetstream", "redis"], before: { version: "2.10.17" }, roll: true },
    {
        change: "tolerations and affinity",
        flavours: ["jetstream", "redis"],
        after: {
            tolerations: [{ key: "dedicated", operator: "Equal", value: "isb", effect: "NoSchedule" }],
            affinity: {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "In", values: ["isb"] }] }],
                    },
                },
            },
        },
        roll: true,
    },
    { change: "container resources", flavours: ["jetstream", "redis"], after: { resources: true }, roll: true },
    { change: "metadata labels", flavours: ["jetstream", "redis"], after: { metadata: { labels: { team: "streams" } } }, roll: true },
    { change: "monitoring off → on (PodMonitor)", flavours: ["jetstream", "redis"], after: { monitoring: { enabled: true } }, roll: false },
    {
        change: "monitoring on → off (ServiceMonitor)",
        flavours: ["jetstream", "redis"],
        before: { monitoring: { enabled: true, kind: "ServiceMonitor" } },
        roll: false,
    },
];

/** The flavour-specific spec of a case side: some keys differ between flavours. */
function spec(f: Flavour, side: Record<string, unknown> | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = { ...BASE[f] };
    for (const [k, v] of Object.entries(side ?? {})) {
        if (k === "version" && f === "redis") out.version = "7.0.11";
        else if (k === "settings" && f === "redis") out.settings = { redis: "maxmemory 256mb" };
        else if (k === "resources") {
            const resources = { requests: { cpu: "500m", memory: "1Gi" } };
            out[f === "jetstream" ? "containerTemplate" : "redisContainerTemplate"] = { resources };
        } else out[k] = v;
    }
    return out;
}

function args(f: Flavour, side: Record<string, unknown> | undefined, namespace: boolean): Record<string, unknown> {
    // `monitoring` is a top-level argument, the rest belongs to the flavour.
    const { monitoring, ...flavour } = side ?? {};
    const body = f === "jetstream" ? { jetstream: spec(f, flavour) } : { redis: { native: spec(f, flavour) } };
    return { ...(namespace && { namespace: "pipelines" }), ...body, ...(monitoring !== undefined && { monitoring }) };
}

const STS = "kubernetes:apps/v1:StatefulSet";
const PVC_PATCH = "kubernetes:core/v1:PersistentVolumeClaimPatch";

/**
 * The claim patches (provider/resources/volume-growth.ts): one per replica when persistence is set;
 * updated (storage only) exactly when volumeSize grows; created for new ordinals; else unchanged.
 */
function checkClaimPatches(o: TransitionPlan, c: Case, mode: string): void {
    const patches = o.news.filter((r) => r.type === PVC_PATCH);
    const replicas = (statefulSet(o.news).inputs.spec as any).replicas as number;
    const persistent = (statefulSet(o.news).inputs.spec as any).volumeClaimTemplates !== undefined;
    assert.strictEqual(patches.length, persistent ? replicas : 0, `${mode}: claim patches`);
    const oldPatches = new Set(o.olds.filter((r) => r.type === PVC_PATCH).map((r) => r.urn));
    for (const p of patches) {
        const step = o.plan.steps.find((s) => s.urn === p.urn)!;
        assert.ok(p.options?.retainOnDelete, `${p.name} is retainOnDelete`);
        assert.ok(p.dependencies?.includes(statefulSet(o.news).urn), `${p.name} depends on the StatefulSet`);
        if (!oldPatches.has(p.urn)) assert.strictEqual(step.kind, "create", `${mode}: ${p.name}`);
        else if (c.volumeGrowth) {
            assert.strictEqual(step.kind, "update", `${mode}: ${p.name}`);
            assert.deepStrictEqual(Object.keys(step.detailedDiff), ["spec.resources.requests.storage"], `${mode}: ${p.name} diff`);
        } else assert.strictEqual(step.kind, "same", `${mode}: ${p.name}`);
    }
}

function statefulSet(rs: ResourceState[]): ResourceState {
    const s = rs.find((r) => r.type === STS);
    assert.ok(s, "no StatefulSet");
    return s;
}

function nameOf(tp: TransitionPlan, urn: string): string {
    return [...tp.olds, ...tp.news].find((r) => r.urn === urn)?.name ?? urn;
}

function stepsByName(tp: TransitionPlan): Map<string, string> {
    return new Map(tp.plan.steps.map((s: PlannedStep) => [nameOf(tp, s.urn), s.kind]));
}

/** Steps other than `same`, as `kind name` (for the printed table). */
function changes(tp: TransitionPlan): string {
    return tp.plan.steps
        .filter((s) => s.kind !== "same")
        .map((s) => `${s.kind} ${nameOf(tp, s.urn).replace(/^default-/, "")}`)
        .join(", ");
}

interface Outcome {
    plan: TransitionPlan;
    warnings: string[];
}

async function run(t: Transition, mode: "preview" | "up", retain: boolean): Promise<Outcome> {
    const warnings: string[] = [];
    const original = pulumi.log.warn;
    (pulumi.log as any).warn = (msg: string) => {
        warnings.push(msg);
        return Promise.resolve();
    };
    if (retain) setConfig("kubernetes:upsertExistingObjects", "true");
    try {
        return { plan: await planTransition(t, mode), warnings };
    } finally {
        (pulumi.log as any).warn = original;
        if (retain) setConfig("kubernetes:upsertExistingObjects", "");
    }
}

const rows: string[] = [];

describe("rules: day-2 matrix (issue 10)", function () {
    this.timeout(600_000);

    for (const retain of [false, true]) {
        for (const namespace of [true, false]) {
            for (const f of ["jetstream", "redis"] as Flavour[]) {
                const variant = `${f}, namespace ${namespace ? "set" : "omitted"}${retain ? ", retainOnDelete" : ""}`;
                describe(variant, () => {
                    for (const c of CASES.filter((x) => x.flavours.includes(f))) {
                        it(c.change, async () => {
                            const t: Transition = {
                                name: "default",
                                before: args(f, c.before, namespace) as any,
                                after: args(f, c.after, namespace) as any,
                                replace: c.replace?.(f).map((s) => `default-${s}`),
                                now: c.hoursLater ? new Date(Date.now() + c.hoursLater * 3600_000) : undefined,
                                // The component requires upsertExistingObjects with retainOnDelete (provider/args/retain.ts).
                                ...(retain && { options: { retainOnDelete: true }, kubernetes: { upsertExistingObjects: true } }),
                            };
                            const preview = await run(t, "preview", retain);
                            const up = await run(t, "up", retain);

                            for (const [mode, o] of [
                                ["preview", preview],
                                ["up", up],
                            ] as const) {
                                const p = o.plan.plan;
                                assert.deepStrictEqual(p.dependentDeletes, [], `${mode}: dependent deletions`);
                                assert.deepStrictEqual(
                                    p.problems.map((x) => `${x.code} ${nameOf(o.plan, x.urn)}`),
                                    [],
                                    `${mode}: problems flagged by the model`,
                                );
                                const sts = p.steps.find((s) => s.urn === statefulSet(o.plan.news).urn)!;
                                const stsOld = statefulSet(o.plan.olds);
                                assert.ok(!["replace", "delete-before-replace"].includes(sts.kind), `${mode}: StatefulSet ${sts.kind}`);
                                assert.ok(
                                    Object.keys(sts.detailedDiff).every((path) => !path.startsWith("spec.volumeClaimTemplates")),
                                    `${mode}: claim template diff ${Object.keys(sts.detailedDiff)}`,
                                );
                                assert.deepStrictEqual(
                                    (sts.inputs.spec as any).volumeClaimTemplates,
                                    (stsOld.inputs.spec as any).volumeClaimTemplates,
                                    `${mode}: the claim template is the old state's`,
                                );
                                assert.ok(
                                    !(stsOld.inputs.metadata as any).annotations?.["pulumi.com/deletionPropagationPolicy"],
                                    "no orphan annotation",
                                );
                                if (c.claimTemplate) {
                                    if (mode === "preview")
                                        assert.ok(
                                            o.warnings.some((w) => /claim template is never changed/.test(w)),
                                            "preview warning",
                                        );
                                }
                                checkClaimPatches(o.plan, c, mode);
                                if (c.tlsToggle && f === "jetstream" && mode === "preview") {
                                    assert.ok(
                                        o.warnings.some((w) =>
                                            /jetstream\.tls: .*routes do not connect.*delete all remaining old pods at once/s.test(w),
                                        ),
                                        "preview warning about the TLS toggle",
                                    );
                                }
                                const oldTemplate = (stsOld.inputs.spec as any).template;
                                const newTemplate = (sts.inputs.spec as any).template;
                                const rolls = !deepEqualValues(oldTemplate, newTemplate);
                                const expected = typeof c.roll === "boolean" ? c.roll : c.roll[f];
                                assert.strictEqual(rolls, expected, `${mode}: pods roll`);
                            }
                            // Same steps at preview and up (what the user approves is what happens).
                            assert.deepStrictEqual(
                                [...stepsByName(preview.plan)].sort(),
                                [...stepsByName(up.plan)].sort(),
                                "preview vs up",
                            );
                            if (!retain && namespace) {
                                const roll = typeof c.roll === "boolean" ? c.roll : c.roll[f];
                                rows.push(`| ${f} | ${c.change} | ${changes(up.plan) || "nothing"} | ${roll ? "yes" : "no"} |`);
                            }
                        });
                    }
                });
            }
        }
    }

    after(() => {
        console.log(
            ["\n  | Flavour | Change | Steps (preview = up) | Pods roll |", "  |---|---|---|---|", ...rows.map((r) => `  ${r}`)].join("\n"),
        );
    });
});
