/**
 * A pure model of how `pulumi preview` / `pulumi up` plan an update of existing resources: the
 * Pulumi engine's step generator (pulumi/pulumi v3.248.0) with the Diff rules of
 * pulumi-kubernetes (rules/kubernetes.ts) and of the bridged random/tls providers
 * (rules/bridged.ts). No Pulumi imports. Research notes: /work/notes/day2-rules.md.
 *
 * Given the old state and the resources the new program registers (in registration order), it
 * gives every resource a step — same, update, replace (create-before-delete),
 * delete-before-replace, create, delete — including the dependents the engine deletes first for a
 * delete-before-replace (`calculateDependentReplacements`), and flags known traps.
 *
 * Engine file: pkg/resource/deploy/step_generator.go (functions named in each comment).
 */
import { alwaysRenews, diffBridged, isBridged } from "./bridged";
import {
    DiffKind,
    KubernetesConfig,
    checkKubernetes,
    diffKubernetes,
    forcesConflicts,
    hasFixedName,
    isPatchResource,
    nestedString,
    requiredFieldsSent,
} from "./kubernetes";
import { processIgnoreChanges } from "./ignore-changes";
import { PropertyMap, UNKNOWN, Value, containsUnknown, deepEqual } from "./values";

export { UNKNOWN, Value, PropertyMap, DiffKind, KubernetesConfig };

export interface ResourceOptions {
    protect?: boolean;
    retainOnDelete?: boolean;
    /** Unset: the provider's Diff decides; true/false overrides it (`continueStepsFromDiff`). */
    deleteBeforeReplace?: boolean;
    replaceOnChanges?: string[];
    /** Paths reset to their old values before Check and Diff (rules/ignore-changes.ts). */
    ignoreChanges?: string[];
}

/** A resource of the old state or of the new program. */
export interface ResourceState {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    /** false for component resources (default true). */
    custom?: boolean;
    /** URN of an explicit provider resource; unset = the default provider of the package. */
    provider?: string;
    /** Inputs; old state: the provider-checked inputs. Unknowns are `UNKNOWN`. */
    inputs: PropertyMap;
    /** Old state only: outputs (tls certificates: `validityEndTime`). */
    outputs?: PropertyMap;
    /** Per top-level input property, the URNs its value came from. */
    propertyDependencies?: Record<string, string[]>;
    /** `dependsOn` and all other resource dependencies. */
    dependencies?: string[];
    options?: ResourceOptions;
}

/** What a provider's Diff answers (pulumi `sdk/go/common/resource/plugin/provider.go` `DiffResult`). */
export interface DiffResult {
    changes: "none" | "some" | "unknown";
    replaceKeys: string[];
    changedKeys?: string[];
    detailedDiff?: Record<string, DiffKind>;
    deleteBeforeReplace?: boolean;
}

export interface DiffContext {
    config: KubernetesConfig;
    now: Date;
}

/** Rules of a provider not built in (e.g. the test providers of the engine's lifecycle tests). */
export interface CustomProvider {
    diff(old: ResourceState, newInputs: PropertyMap, ctx: DiffContext): DiffResult;
    /** Whether the outputs are unknown at preview after `kind` (default: any change). */
    outputsUnknown?(kind: StepKind): boolean;
}

export interface PlanOptions {
    /** `pulumi preview` (true) or `pulumi up` (false, default). */
    preview?: boolean;
    /** `pulumi up --replace <urn>`. */
    targetReplaces?: string[];
    /** Config of the default Kubernetes provider. */
    kubernetes?: KubernetesConfig;
    /** Config of explicit Kubernetes provider resources, by URN. */
    providerConfigs?: Record<string, KubernetesConfig>;
    /** Clock for certificate renewal (default: now). */
    now?: Date;
    /**
     * At preview, make every input property that depends on a resource with unknown outputs
     * UNKNOWN as a whole (what an `apply` over an unknown gives). Default: `preview`. Turn off
     * when the new inputs already carry the program's real unknowns (the harness).
     */
    propagateUnknowns?: boolean;
    /** Custom provider rules by resource type or by package (the type's first segment). */
    providers?: Record<string, CustomProvider>;
}

export type StepKind = "same" | "update" | "replace" | "delete-before-replace" | "create" | "delete";

export interface PlannedStep {
    urn: string;
    kind: StepKind;
    replaceKeys: string[];
    detailedDiff: Record<string, DiffKind>;
    /** Set when the engine deletes this resource first for the delete-before-replace of that URN. */
    deletedFirstFor?: string;
    /** Inputs the step uses (new inputs after preview unknowns and Check; old inputs for a delete). */
    inputs: PropertyMap;
    /** At preview, whether dependents see this resource's outputs as unknown. */
    outputsUnknown: boolean;
    /** Its delete (or the delete half of its replacement) only forgets it (`retainOnDelete`, `DeleteStep.Apply`). */
    retained?: boolean;
}

export type ProblemCode =
    | "protected-replace"
    | "protected-dependent"
    | "protected-delete"
    | "retained-recreate"
    | "retained-recreate-conflict"
    | "create-before-delete-same-name"
    | "replace-undecided-at-preview"
    | "certificate-always-renews"
    | "patch-relinquishes-required-field";

export interface Problem {
    urn: string;
    code: ProblemCode;
    message: string;
}

export interface Plan {
    steps: PlannedStep[];
    problems: Problem[];
    /** Dependents deleted before a delete-before-replace, in deletion order. */
    dependentDeletes: { urn: string; because: string }[];
}

function packageOf(type: string): string {
    return type.startsWith("pulumi:providers:") ? type : type.split(":")[0];
}

function isKubernetes(type: string): boolean {
    return packageOf(type) === "kubernetes";
}

function isReplace(diff: DiffResult): boolean {
    return diff.replaceKeys.length > 0 || Object.values(diff.detailedDiff ?? {}).some((k) => k.endsWith("-replace"));
}

/** Pulumi property paths (`a.b[0]`, `a["x.y"]`, `a.*`) as segments. */
function pathSegments(path: string): string[] {
    return [...path.matchAll(/\["((?:[^"\\]|\\.)*)"\]|\[(\d+|\*)\]|([^.[\]]+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** `resource.PropertyPath.Contains`: `outer` is a prefix of `inner`, `*` matching any segment. */
function pathContains(outer: string, inner: string): boolean {
    const o = pathSegments(outer),
        i = pathSegments(inner);
    return o.length <= i.length && o.every((s, n) => s === "*" || s === i[n]);
}

/**
 * `applyReplaceOnChanges`: only for a diff with changes; every detailed-diff path and changed key
 * under a `replaceOnChanges` path becomes a replace.
 */
export function applyReplaceOnChanges(diff: DiffResult, paths: string[] | undefined): DiffResult {
    if (diff.changes !== "some" || !paths?.length) return diff;
    const under = (p: string) => paths.some((r) => pathContains(r, p));
    const detailedDiff = Object.fromEntries(
        Object.entries(diff.detailedDiff ?? {}).map(([p, k]) => [
            p,
            under(p) && !k.endsWith("-replace") ? (`${k}-replace` as DiffKind) : k,
        ]),
    );
    const replaceKeys = [...new Set([...diff.replaceKeys, ...(diff.changedKeys ?? []).filter(under)])];
    return { ...diff, detailedDiff, replaceKeys };
}

/**
 * `diffResource`: a provider answering DiffUnknown gets the engine's own comparison of old and
 * new inputs (`oldInputs.Diff(new)`, `plugin.NewDetailedDiffFromObjectDiff`).
 */
export function engineInputDiff(oldInputs: PropertyMap, newInputs: PropertyMap): DiffResult {
    const keys = [...new Set([...Object.keys(oldInputs), ...Object.keys(newInputs)])];
    const changedKeys = keys.filter((k) => !deepEqual(oldInputs[k], newInputs[k])).sort();
    const detailedDiff: Record<string, DiffKind> = {};
    for (const k of changedKeys) detailedDiff[k] = !(k in oldInputs) ? "add" : !(k in newInputs) ? "delete" : "update";
    return { changes: changedKeys.length ? "some" : "none", replaceKeys: [], changedKeys, detailedDiff };
}

/** Dependencies of a resource, as `resource.State.GetAllDependencies` lists them (parent excluded). */
function allDependencies(r: ResourceState): string[] {
    const deps = [...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat()];
    return r.provider ? [...deps, r.provider] : deps;
}

/**
 * Plans one update incrementally: call `register` for each resource of the new program in
 * registration order (as the engine sees RegisterResource events), then `finish`.
 */
export class Planner {
    private readonly olds = new Map<string, ResourceState>();
    private readonly steps = new Map<string, PlannedStep>();
    private readonly registered = new Set<string>();
    private readonly replaced = new Set<string>();
    private readonly unknownOutputs = new Set<string>();
    private readonly pendingDeletes = new Map<string, string>();
    private readonly dependentDeletes: { urn: string; because: string }[] = [];
    private readonly problems: Problem[] = [];
    private readonly opts: Required<Pick<PlanOptions, "preview" | "now" | "propagateUnknowns">> & PlanOptions;

    constructor(
        private readonly oldState: ResourceState[],
        options: PlanOptions = {},
    ) {
        for (const r of oldState) this.olds.set(r.urn, r);
        const preview = options.preview ?? false;
        this.opts = { ...options, preview, now: options.now ?? new Date(), propagateUnknowns: options.propagateUnknowns ?? preview };
    }

    /** Plans the step of one resource of the new program (`generateSteps` → `continueStepsFromDiff`). */
    register(res: ResourceState): PlannedStep {
        this.registered.add(res.urn);
        const old = this.olds.get(res.urn);
        const inputs = this.effectiveInputs(res, old);
        const because = this.pendingDeletes.get(res.urn);
        let step: PlannedStep;
        if (!old) step = this.newStep(res.urn, "create", inputs);
        else if (because) step = { ...this.newStep(res.urn, "delete-before-replace", inputs), deletedFirstFor: because };
        else step = this.stepFromDiff(old, res, inputs);
        if (step.kind === "replace" || step.kind === "delete-before-replace") this.replaced.add(res.urn);
        step.outputsUnknown = this.opts.preview && this.outputsUnknown(res, step);
        if (step.outputsUnknown) this.unknownOutputs.add(res.urn);
        if (res.type.startsWith("tls:") && alwaysRenews(inputs)) {
            this.problem(
                res.urn,
                "certificate-always-renews",
                "earlyRenewalHours ≥ validityPeriodHours: " +
                    "ready_for_renewal is planned true, the certificate is replaced on every up (tls `ReadyForRenewal`).",
            );
        }
        this.steps.set(res.urn, step);
        return step;
    }

    /** Deletes of old resources the program no longer registers (`GenerateDeletes`), then the plan. */
    finish(): Plan {
        for (const old of this.oldState) {
            if (this.registered.has(old.urn) || this.steps.has(old.urn)) continue;
            const step = this.newStep(old.urn, "delete", old.inputs);
            step.deletedFirstFor = this.pendingDeletes.get(old.urn);
            step.retained = old.options?.retainOnDelete === true;
            this.flagRelinquish(old);
            if (old.options?.protect && !step.deletedFirstFor) {
                this.problem(old.urn, "protected-delete", "a protected resource cannot be deleted (`DeleteStep.Apply`).");
            }
            this.steps.set(old.urn, step);
        }
        return { steps: [...this.steps.values()], problems: this.problems, dependentDeletes: this.dependentDeletes };
    }

    private newStep(urn: string, kind: StepKind, inputs: PropertyMap): PlannedStep {
        return { urn, kind, replaceKeys: [], detailedDiff: {}, inputs, outputsUnknown: false };
    }

    private problem(urn: string, code: ProblemCode, message: string): void {
        this.problems.push({ urn, code, message });
    }

    private config(res: ResourceState): KubernetesConfig {
        return (res.provider && this.opts.providerConfigs?.[res.provider]) || this.opts.kubernetes || {};
    }

    /**
     * Inputs as the provider sees them: at preview, a property depending on a resource whose
     * outputs are unknown is unknown (SDK `runtime/rpc.ts` `serializeProperty`: an unknown Output
     * serializes as the unknown sentinel); then, with an old state, the `ignoreChanges` paths reset
     * to their old values (`generateSteps` → `processIgnoreChanges`, before Check); then the
     * provider's Check (pulumi-kubernetes `Check`).
     */
    private effectiveInputs(res: ResourceState, old: ResourceState | undefined): PropertyMap {
        let inputs = res.inputs;
        if (this.opts.preview && this.opts.propagateUnknowns) {
            inputs = Object.fromEntries(
                Object.entries(inputs).map(([k, v]): [string, Value] => [
                    k,
                    (res.propertyDependencies?.[k] ?? []).some((u) => this.unknownOutputs.has(u)) ? UNKNOWN : v,
                ]),
            );
        }
        if (old && res.options?.ignoreChanges?.length) inputs = processIgnoreChanges(inputs, old.inputs, res.options.ignoreChanges).inputs;
        return isKubernetes(res.type) ? checkKubernetes(inputs, this.config(res)) : inputs;
    }

    /**
     * Outputs unknown to dependents at preview. pulumi-kubernetes `Create`/`Update` return the
     * inputs as outputs when they contain unknowns, else a dry-run (known); the bridge plans the
     * computed attributes of a created/replaced resource as unknown (`provider_diff.go`).
     */
    private outputsUnknown(res: ResourceState, step: PlannedStep): boolean {
        if (step.kind === "same") return false;
        if (isKubernetes(res.type)) return containsUnknown(step.inputs);
        if (isBridged(res.type)) return step.kind !== "update";
        const custom = this.customProvider(res.type);
        if (custom) return custom.outputsUnknown?.(step.kind) ?? true;
        return false;
    }

    private customProvider(type: string): CustomProvider | undefined {
        return this.opts.providers?.[type] ?? this.opts.providers?.[packageOf(type)];
    }

    /** The provider's Diff (`diffResource`, with its DiffUnknown fallback). */
    private providerDiff(old: ResourceState, newInputs: PropertyMap): DiffResult {
        const ctx: DiffContext = { config: this.config(old), now: this.opts.now };
        const custom = this.customProvider(old.type);
        let diff: DiffResult;
        if (custom) diff = custom.diff(old, newInputs, ctx);
        else if (isKubernetes(old.type)) {
            const d = diffKubernetes(old.inputs, newInputs, ctx.config, isPatchResource(old.type, old.inputs));
            diff = {
                changes: d.changes,
                replaceKeys: d.replaces,
                detailedDiff: d.detailedDiff,
                deleteBeforeReplace: d.deleteBeforeReplace,
            };
        } else if (isBridged(old.type)) diff = diffBridged(old.type, old.inputs, old.outputs, newInputs, ctx.now);
        else if (old.custom === false) diff = { ...engineInputDiff(old.inputs, newInputs), changedKeys: [] };
        else diff = { changes: "unknown", replaceKeys: [] };
        return diff.changes === "unknown" ? engineInputDiff(old.inputs, newInputs) : diff;
    }

    /**
     * `stepGenerator.diff`: `--replace` targets replace (key `id`); a changed or replaced provider
     * replaces (key `provider`); else the provider's Diff, then the resource's `replaceOnChanges`
     * (`continueStepsFromDiff` → `applyReplaceOnChanges`). Simplified: `providerChanged` replaces
     * only when the new provider's DiffConfig says so; a replaced provider's does, a plain change of
     * provider URN is taken to.
     */
    private diff(old: ResourceState, res: ResourceState, inputs: PropertyMap): DiffResult {
        if (this.opts.targetReplaces?.includes(res.urn)) return { changes: "some", replaceKeys: ["id"] };
        const provider = res.provider ?? "";
        if ((old.provider ?? "") !== provider || (provider && this.replaced.has(provider))) {
            return { changes: "some", replaceKeys: ["provider"] };
        }
        return applyReplaceOnChanges(this.providerDiff(old, inputs), res.options?.replaceOnChanges);
    }

    /** `continueStepsFromDiff`: same, update, or a replacement (DBR from the option, else the provider). */
    private stepFromDiff(old: ResourceState, res: ResourceState, inputs: PropertyMap): PlannedStep {
        const diff = this.diff(old, res, inputs);
        const base = { ...this.newStep(res.urn, "same", inputs), replaceKeys: diff.replaceKeys, detailedDiff: diff.detailedDiff ?? {} };
        if (diff.changes !== "some") return base;
        if (!isReplace(diff)) return { ...base, kind: "update" };
        if (res.options?.protect && old.options?.protect) {
            this.problem(res.urn, "protected-replace", "unable to replace a protected resource (`continueStepsFromDiff`).");
        }
        const dbr = res.options?.deleteBeforeReplace ?? diff.deleteBeforeReplace ?? false;
        if (dbr) this.deleteDependents(old);
        this.flagReplacement(old, inputs, dbr);
        const retained = old.options?.retainOnDelete === true;
        return { ...base, kind: dbr ? "delete-before-replace" : "replace", ...(retained ? { retained } : {}) };
    }

    /**
     * Deleting a Patch resource that sends a required field relinquishes it; without `retainOnDelete`
     * the API server refuses when this manager was the field's only owner (`requiredFieldsSent`).
     */
    private flagRelinquish(old: ResourceState): void {
        if (!isKubernetes(old.type) || !isPatchResource(old.type, old.inputs) || old.options?.retainOnDelete) return;
        const fields = requiredFieldsSent(old.inputs);
        if (fields.length === 0) return;
        this.problem(
            old.urn,
            "patch-relinquishes-required-field",
            `deleting this Patch relinquishes ${fields.join(", ")}; as their only manager (e.g. after a forced change) ` +
                "the API server refuses (`provider.go` `Delete`, `IsDeleteRequiredFieldErr`): set retainOnDelete.",
        );
    }

    /** Traps of a replaced Kubernetes object (pulumi-kubernetes `await.Creation`, pulumi `DeleteStep.Apply`). */
    private flagReplacement(old: ResourceState, inputs: PropertyMap, dbr: boolean): void {
        if (!isKubernetes(old.type)) return;
        // A Patch's create is a server-side apply (an upsert): no AlreadyExists; its delete relinquishes.
        if (isPatchResource(old.type, old.inputs)) return this.flagRelinquish(old);
        const sameName =
            hasFixedName(inputs) &&
            nestedString(inputs, "name") === nestedString(old.inputs, "name") &&
            nestedString(inputs, "namespace") === nestedString(checkKubernetes(old.inputs, this.config(old)), "namespace");
        if (dbr) this.flagRetained(old, inputs);
        else if (sameName) {
            this.problem(
                old.urn,
                "create-before-delete-same-name",
                "create-before-delete of an object with the same " +
                    "name and namespace: the create fails with AlreadyExists (await `Creation`, since 4.29).",
            );
        } else if (this.opts.preview && nestedString(inputs, "name") === "") {
            this.problem(
                old.urn,
                "replace-undecided-at-preview",
                "the preview replaces create-before-delete because " +
                    "the name (or all of metadata) is unknown; `up` decides again with known values (usually DBR).",
            );
        }
    }

    /**
     * A DBR of a retained named object only forgets it; the re-create then fails with AlreadyExists
     * (a plain Create), or — with `upsertExistingObjects` — is a server-side apply of the new
     * inputs onto the retained object under a **new** field manager (pulumi-kubernetes names one per
     * create), which conflicts with the old manager's fields whose value changed unless the apply
     * is forced (`await/await.go` `Creation` → `patchForce`: not forced outside preview without
     * `pulumi.com/patchForce` or `enablePatchForce`). Seen with the real engine
     * (tests/engine/day2.test.ts: "Server-Side Apply field conflict detected"). `inputs`: what the
     * create applies (for a dependent deleted first, its old inputs).
     */
    private flagRetained(old: ResourceState, inputs: PropertyMap = old.inputs): void {
        if (!old.options?.retainOnDelete || !isKubernetes(old.type) || !hasFixedName(old.inputs)) return;
        if (isPatchResource(old.type, old.inputs)) return;
        if (this.config(old).upsertExistingObjects) {
            if (forcesConflicts(inputs, this.config(old))) return;
            return this.problem(
                old.urn,
                "retained-recreate-conflict",
                "retainOnDelete + delete-before-replace with upsertExistingObjects: the re-create applies onto the " +
                    "retained object under a new field manager and conflicts with the old one (await `Creation`, " +
                    "`patchForce`): set the pulumi.com/patchForce annotation.",
            );
        }
        this.problem(
            old.urn,
            "retained-recreate",
            "retainOnDelete + delete-before-replace: the delete is a no-op " +
                "(`DeleteStep.Apply`), the create fails with AlreadyExists (await `Creation`): the stack is stuck.",
        );
    }

    /**
     * `continueStepsFromDiff` (DBR branch): the dependents `calculateDependentReplacements` finds are
     * deleted first, in reverse order; a protected one aborts the update.
     */
    private deleteDependents(root: ResourceState): void {
        const toReplace = this.calculateDependentReplacements(root);
        for (const dep of [...toReplace].reverse()) {
            if (this.pendingDeletes.has(dep.urn)) continue;
            if (dep.options?.protect) {
                this.problem(
                    dep.urn,
                    "protected-dependent",
                    `unable to replace this protected resource as part of ` + `replacing ${root.urn} (\`continueStepsFromDiff\`).`,
                );
                continue;
            }
            this.pendingDeletes.set(dep.urn, root.urn);
            this.dependentDeletes.push({ urn: dep.urn, because: root.urn });
            this.flagRetained(dep);
        }
    }

    /**
     * `calculateDependentReplacements`: walk the old snapshot's transitive dependents of `root`
     * (`DependingOn`, skipping resources already registered in this run) and keep those whose
     * provider is in the replace set or whose Diff — old inputs, with every property that depends
     * on the replace set made UNKNOWN — replaces (after their `replaceOnChanges`).
     */
    calculateDependentReplacements(root: ResourceState): ResourceState[] {
        const replaceSet = new Set([root.urn]);
        const toReplace: ResourceState[] = [];
        for (const d of this.dependingOn(root)) {
            if (this.requiresReplacement(d, replaceSet)) {
                toReplace.push(d);
                replaceSet.add(d.urn);
            }
        }
        return toReplace;
    }

    /** `graph.DependencyGraph.DependingOn(root, ignore, includeChildren=false)` over the old snapshot order. */
    private dependingOn(root: ResourceState): ResourceState[] {
        const start = this.oldState.findIndex((r) => r.urn === root.urn);
        const set = new Set([root.urn]);
        const out: ResourceState[] = [];
        for (const cand of this.oldState.slice(start + 1)) {
            if (this.registered.has(cand.urn)) continue;
            if (allDependencies(cand).some((u) => set.has(u))) {
                out.push(cand);
                set.add(cand.urn);
            }
        }
        return out;
    }

    /** `requiresReplacement` inside `calculateDependentReplacements`. */
    private requiresReplacement(r: ResourceState, replaceSet: Set<string>): boolean {
        if (r.custom === false) return false;
        if (r.provider && replaceSet.has(r.provider)) return true;
        let hit = false;
        const inputsForDiff: PropertyMap = {};
        for (const [k, v] of Object.entries(r.inputs)) {
            const depends = (r.propertyDependencies?.[k] ?? []).some((u) => replaceSet.has(u));
            hit = hit || depends;
            inputsForDiff[k] = depends ? UNKNOWN : v;
        }
        if (!hit) return false;
        return isReplace(applyReplaceOnChanges(this.providerDiff(r, inputsForDiff), r.options?.replaceOnChanges));
    }
}

/** Plans a whole update: `news` in registration order against the old state. */
export function planUpdate(olds: ResourceState[], news: ResourceState[], options: PlanOptions = {}): Plan {
    const planner = new Planner(olds, options);
    for (const r of news) planner.register(r);
    return planner.finish();
}

/** The planned step of `urn` (throws when absent). */
export function stepOf(plan: Plan, urn: string): PlannedStep {
    const step = plan.steps.find((s) => s.urn === urn);
    if (!step) throw new Error(`no step for ${urn}`);
    return step;
}
