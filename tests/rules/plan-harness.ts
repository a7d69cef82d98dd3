/**
 * Feeds the component into the update-plan model: constructs it under the repo's mock runtime
 * (sim/runtime/mock-runtime.ts) for the "before" args (the old state) and again for the "after"
 * args, registering every resource with the model's Planner as the engine would receive it
 * (inputs with unknowns, property dependencies, options). The mocks stay installed once
 * (tests/support/setup.ts): preview is toggled with the SDK's `_setIsDryRun`
 * (`setPreview`), and registrations are watched through the mock runtime's `setRegistrationHook`.
 *
 * Preview: a resource the model plans as created/replaced by a bridged provider (random, tls) gets
 * its computed outputs answered as the unknown sentinel "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
 * which @pulumi/pulumi `runtime/rpc.ts` `deserializeProperty` turns into an unknown at preview;
 * Kubernetes objects are echoed by the mocks with their unknowns (pulumi-kubernetes' preview
 * Create/Update return the inputs). Up: a replaced random resource answers a different `result`.
 */
import * as pulumi from "@pulumi/pulumi";
import { InterStepBufferService, InterStepBufferServiceArgs } from "../../provider";
import { setPreview, setRegistrationHook } from "../../sim/runtime/mock-runtime";
import { settle } from "../../sim/runtime/outputs";
import { checkKubernetes } from "../../rules/kubernetes";
import { isBridged } from "../../rules/bridged";
import { KubernetesConfig, Plan, PlannedStep, Planner, PropertyMap, ResourceState, UNKNOWN, Value } from "../../rules/update-plan";

const settings = require("@pulumi/pulumi/runtime/settings");
const rpc = require("@pulumi/pulumi/runtime/rpc");

export interface Transition {
    name: string;
    before: InterStepBufferServiceArgs;
    after: InterStepBufferServiceArgs;
    options?: pulumi.ComponentResourceOptions;
    /** Resource names to `pulumi up --replace`. */
    replace?: string[];
    kubernetes?: KubernetesConfig;
    /** Clock of the "after" run (certificate renewal windows). */
    now?: Date;
}

export interface TransitionPlan {
    olds: ResourceState[];
    news: ResourceState[];
    plan: Plan;
}

/** A serialized input value as a model value: the unknown sentinel → UNKNOWN, secrets unwrapped. */
export function fromRaw(v: any): Value {
    if (v === rpc.unknownValue) return UNKNOWN;
    if (v && typeof v === "object" && v[rpc.specialSigKey] === rpc.specialSecretSig) return fromRaw(v.value);
    if (Array.isArray(v)) return v.map(fromRaw);
    if (v && typeof v === "object") {
        return Object.fromEntries(
            Object.entries(v)
                .filter(([, x]) => x !== undefined)
                .map(([k, x]) => [k, fromRaw(x)]),
        );
    }
    return v ?? null;
}

/** A RegisterResourceRequest as the model's resource (provider references reduced to URNs). */
function toResourceState(req: any, urn: string): ResourceState {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
        propertyDependencies[key] = deps.getUrnsList();
    });
    const provider = req.getProvider() ? String(req.getProvider()).replace(/::[^:]*$/, "") : undefined;
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent() || undefined,
        custom: req.getCustom(),
        provider,
        inputs: fromRaw(req.getObject()?.toJavaScript() ?? {}) as PropertyMap,
        propertyDependencies,
        dependencies: req.getDependenciesList(),
        options: {
            protect: req.getProtect(),
            retainOnDelete: req.getRetainondelete(),
            deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
            replaceOnChanges: req.getReplaceonchangesList(),
            ignoreChanges: req.getIgnorechangesList(),
        },
    };
}

type OnRegister = (res: ResourceState) => ((state: Record<string, any>) => Record<string, any>) | undefined;

/**
 * Watches every registration through the mock runtime's hook (the mocks stay installed once, by
 * tests/support/setup.ts); `onRegister` may rewrite the answer.
 */
function intercept(onRegister: OnRegister): void {
    const monitor = settings.getMonitor();
    setRegistrationHook((req) => onRegister(toResourceState(req, monitor.newUrn(req.getParent(), req.getType(), req.getName()))));
}

async function construct(t: Transition, args: InterStepBufferServiceArgs): Promise<void> {
    new InterStepBufferService(t.name, args, t.options);
    await settle();
}

/** Old state with the mocks' raw answers (the fake random/tls values differ on every construction). */
interface OldState {
    olds: ResourceState[];
    answers: Map<string, Record<string, any>>;
}

/** The old state: a real (non-preview) construction of `before`, Kubernetes inputs as Check stores them. */
async function oldState(t: Transition): Promise<OldState> {
    setPreview(false);
    const olds: ResourceState[] = [];
    const answers = new Map<string, Record<string, any>>();
    intercept((res) => {
        const state = res.type.startsWith("kubernetes:") ? { ...res, inputs: checkKubernetes(res.inputs, t.kubernetes) } : res;
        olds.push(state);
        return (answer) => {
            answers.set(res.urn, answer);
            state.outputs = fromRaw(answer) as PropertyMap;
            return answer;
        };
    });
    await construct(t, t.before);
    return { olds, answers };
}

/**
 * How the mocks answer a planned step of a random/tls resource: a same or update step keeps the old
 * outputs (`SameStep`); a create/replace has unknown computed outputs at preview and, at up, a new
 * random `result`.
 */
function answer(
    res: ResourceState,
    step: PlannedStep,
    preview: boolean,
    old?: Record<string, any>,
): ((s: Record<string, any>) => Record<string, any>) | undefined {
    if (!isBridged(res.type)) return undefined;
    if (step.kind === "same" || step.kind === "update") return old ? () => old : undefined;
    const computed = (k: string) => !(k in res.inputs);
    if (preview) {
        return (s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, computed(k) ? rpc.unknownValue : v]));
    }
    if (!res.type.startsWith("random:")) return undefined;
    const rotate = (v: any) => (typeof v === "string" && v.length > 1 ? v.slice(1) + v[0] : v);
    return (s) => ({ ...s, result: rotate(s.result) });
}

/** Plans the transition `before` → `after` as `pulumi preview` (default) or `pulumi up` would. */
export async function planTransition(t: Transition, mode: "preview" | "up" = "preview"): Promise<TransitionPlan> {
    try {
        return await plan(t, mode);
    } finally {
        // Leave the mocks as the other suites expect them: not a preview, no interception.
        setPreview(false);
        setRegistrationHook(undefined);
    }
}

async function plan(t: Transition, mode: "preview" | "up"): Promise<TransitionPlan> {
    const { olds, answers } = await oldState(t);
    const targetReplaces = (t.replace ?? []).map((n) => {
        const r = olds.find((o) => o.name === n);
        if (!r) throw new Error(`no resource named ${n}`);
        return r.urn;
    });
    const preview = mode === "preview";
    const planner = new Planner(olds, { preview, propagateUnknowns: false, targetReplaces, kubernetes: t.kubernetes, now: t.now });
    setPreview(preview);
    const news: ResourceState[] = [];
    intercept((res) => {
        news.push(res);
        return answer(res, planner.register(res), preview, answers.get(res.urn));
    });
    await construct(t, t.after);
    return { olds, news, plan: planner.finish() };
}

/** One line per step: kind, resource name, why. */
export function describePlan(tp: TransitionPlan): string {
    const names = new Map([...tp.olds, ...tp.news].map((r) => [r.urn, r.name]));
    const lines = tp.plan.steps.map((s) => {
        const why = [
            s.replaceKeys.length ? `keys ${s.replaceKeys.join(",")}` : "",
            s.deletedFirstFor ? `deleted first for ${names.get(s.deletedFirstFor)}` : "",
            Object.keys(s.detailedDiff).length
                ? `diff ${Object.entries(s.detailedDiff)
                      .slice(0, 4)
                      .map(([p, k]) => `${p}:${k}`)
                      .join(" ")}`
                : "",
        ]
            .filter(Boolean)
            .join("; ");
        return `  ${s.kind.padEnd(22)} ${String(names.get(s.urn)).padEnd(28)} ${why}`;
    });
    const problems = tp.plan.problems.map((p) => `  ! ${p.code} ${names.get(p.urn)}: ${p.message}`);
    return [...lines, ...(problems.length ? ["  problems:", ...problems] : [])].join("\n");
}
