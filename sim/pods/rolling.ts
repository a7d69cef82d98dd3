/**
 * Rolls a bed of pods to a new revision of its StatefulSet as the StatefulSet controller's
 * `RollingUpdate` strategy does (kubernetes `pkg/controller/statefulset/stateful_set_control.go`
 * `updateStatefulSet`: with every pod Running and Ready, the pod with the **highest ordinal** whose
 * revision is not the update revision is deleted; the controller re-creates it from the new
 * template and moves to the next lower ordinal only when the new pod is Running and Ready).
 *
 * A deletion is graceful as kubelet performs it (preStop hook, then SIGTERM, SIGKILL when the
 * grace period is over); the re-created pod gets the new template (`PodSet.reviseTemplate`: the
 * new command, env and files), new emptyDirs and the same persistent volume; Ready is what the
 * pod's rendered probes say (startup once, then readiness).
 *
 * `RedisPods` already has graceful deletion and probe-driven creation; {@link jetStreamRollable}
 * adapts `JetStreamPods` (preStop = the lame-duck hook, probes = the rendered httpGet probes).
 */
import * as pulumi from "@pulumi/pulumi";
import { InterStepBufferServiceArgs } from "../../provider";
import { build, Built } from "../runtime/build";
import { setRegistrationHook } from "../runtime/mock-runtime";
import { ChildResource, containerPort, resetEphemeralVolumes } from "./pod-files";
import { JetStreamPods } from "./jetstream-pods";
import { httpGetJson, waitFor } from "./wait";

/** A bed the roll can drive. */
export interface Rollable {
    podNames(): string[];
    /** Graceful deletion (preStop, SIGTERM, SIGKILL after the grace period). */
    deletePod(name: string): Promise<unknown>;
    /** Gives the (stopped) pod the new template's containers and files. */
    reviseTemplate(name: string, children: ChildResource[]): void;
    /** Creates the pod again and resolves when it is Ready (bounded; rejects otherwise). */
    createPod(name: string): Promise<void>;
}

/** What happened to one pod. */
export interface RolledPod {
    name: string;
    /** When its deletion started / its containers had stopped / it was Ready again (ms since the epoch). */
    deletedAt: number;
    stoppedAt: number;
    readyAt: number;
}

/** Options of {@link rollingUpdate}. */
export interface RollOptions {
    /** Called after a pod was deleted, before it is re-created (fault injection, assertions). */
    afterDelete?(name: string): Promise<void> | void;
    /** Called when a re-created pod is Ready. */
    afterReady?(name: string): Promise<void> | void;
}

/** Rolls every pod of `bed` to the revision `children`, highest ordinal first. @returns the pods in roll order. */
export async function rollingUpdate(bed: Rollable, children: ChildResource[], opts: RollOptions = {}): Promise<RolledPod[]> {
    const order = [...bed.podNames()].reverse();
    const rolled: RolledPod[] = [];
    for (const name of order) {
        const deletedAt = Date.now();
        await bed.deletePod(name);
        const stoppedAt = Date.now();
        await opts.afterDelete?.(name);
        bed.reviseTemplate(name, children);
        await bed.createPod(name);
        rolled.push({ name, deletedAt, stoppedAt, readyAt: Date.now() });
        await opts.afterReady?.(name);
    }
    return rolled;
}

/**
 * Deletes the pods `names` at once (`kubectl delete pod <names...>`: every deletion graceful) and
 * re-creates them from the revision `children` as the controller does: all together for a
 * `Parallel` StatefulSet, one after the other, each once the previous is Ready, with `ordered`
 * (`OrderedReady`, lowest ordinal first). Resolves when every pod is Ready (bounded by the bed's createPod).
 */
export async function recreateTogether(
    bed: Rollable,
    names: string[],
    children: ChildResource[],
    o: { ordered?: boolean } = {},
): Promise<void> {
    await Promise.all(names.map((n) => bed.deletePod(n)));
    names.forEach((n) => bed.reviseTemplate(n, children));
    if (!o.ordered) {
        await Promise.all(names.map((n) => bed.createPod(n)));
        return;
    }
    const order = bed.podNames().filter((n) => names.includes(n));
    for (const n of order) await bed.createPod(n);
}

const PROBE_POLL_MS = 500;

/** Options of {@link jetStreamRollable}. */
export interface JetStreamRollOptions {
    /** Bound on a re-created pod becoming Ready; default 180 s. */
    readyTimeoutMs?: number;
    /** The pod's `terminationGracePeriodSeconds` in ms (see `findStatefulSet`); default 30 s. */
    terminationGraceMs?: number;
}

/**
 * `JetStreamPods` as a {@link Rollable}: deletion runs the container's preStop (lame duck), then
 * SIGTERM within `terminationGracePeriodSeconds`; creation starts the server (emptyDirs empty, PVC
 * kept) and waits until its startup probe passed once and its readiness probe passes (the rendered
 * httpGet probes, polled, on the pod's monitoring port).
 */
export function jetStreamRollable(pods: JetStreamPods, o: JetStreamRollOptions = {}): Rollable {
    const readyTimeoutMs = o.readyTimeoutMs ?? 180_000;
    const httpProbe = async (name: string, probe: Record<string, any> | undefined): Promise<boolean> => {
        const get = probe?.httpGet;
        if (!get) return true;
        const desc = pods.describe(name);
        const port = typeof get.port === "number" ? get.port : containerPort(desc, String(get.port));
        const timeoutMs = (probe?.timeoutSeconds ?? 1) * 1000 + 1000;
        try {
            await httpGetJson(`http://${pods.address(name)}:${port}${get.path ?? "/"}`, timeoutMs);
            return true;
        } catch {
            return false;
        }
    };
    return {
        podNames: () => pods.podNames(),
        reviseTemplate: (name, children) => pods.reviseTemplate(name, children),
        async deletePod(name) {
            const grace = o.terminationGraceMs ?? 30_000;
            const started = Date.now();
            if (pods.describe(name).container.lifecycle?.preStop) await pods.runHook(name, "preStop");
            await pods.stopPod(name, Math.max(1, grace - (Date.now() - started)));
        },
        async createPod(name) {
            resetEphemeralVolumes(pods.describe(name));
            pods.startPod(name);
            const c = pods.describe(name).container;
            const deadline = Date.now() + readyTimeoutMs;
            for (const probe of [c.startupProbe, c.readinessProbe]) {
                await waitFor(
                    `${name} to pass its ${probe === c.startupProbe ? "startup" : "readiness"} probe`,
                    async () => {
                        if (!pods.running(name)) throw new Error(`${name} is not running`);
                        return httpProbe(name, probe);
                    },
                    { timeoutMs: Math.max(1, deadline - Date.now()), intervalMs: PROBE_POLL_MS },
                );
            }
        },
    };
}

/** Options of {@link buildRevisions}. */
export interface RevisionOptions {
    /** Resource names replaced in the second build (`pulumi up --replace`), e.g. `<n>-redis-password`. */
    replace?: string[];
    opts?: pulumi.ComponentResourceOptions;
}

/**
 * Builds the component twice, as the stack before and after a `pulumi up` that changes its args:
 * a `random`/`tls` resource of the second build keeps the outputs of the first when it has the same
 * name and the same inputs and is not in `replace` (the engine's `SameStep` keeps the old outputs);
 * everything else gets fresh values (new resources, changed inputs, `--replace`).
 */
export async function buildRevisions(
    name: string,
    before: InterStepBufferServiceArgs,
    after: InterStepBufferServiceArgs,
    o: RevisionOptions = {},
): Promise<{ before: Built; after: Built }> {
    const generated = (req: any) => /^(random|tls):/.test(req.getType());
    const inputsOf = (req: any) => JSON.stringify(req.getObject()?.toJavaScript() ?? {});
    const kept = new Map<string, { inputs: string; state: Record<string, any> }>();
    try {
        setRegistrationHook((req) => {
            if (!generated(req)) return undefined;
            const inputs = inputsOf(req);
            return (state) => {
                kept.set(req.getName(), { inputs, state });
                return state;
            };
        });
        const first = await build(name, before, o.opts);
        setRegistrationHook((req) => {
            const old = generated(req) ? kept.get(req.getName()) : undefined;
            if (!old || old.inputs !== inputsOf(req) || o.replace?.includes(req.getName())) return undefined;
            return () => old.state;
        });
        const second = await build(name, after, o.opts);
        return { before: first, after: second };
    } finally {
        setRegistrationHook(undefined);
    }
}
