/**
 * Resource hooks on the StatefulSets: the only place where the component sees the previous state of
 * what it changes. Both run at preview and at `up`:
 * - the JetStream scale-down guard: render/jetstream/scale-down.ts on the old and new inputs, a
 *   refusing and a warning hook;
 * - the native Redis `tls` toggle warning: render/redis/tls-toggle.ts.
 *
 * Why hooks work here (read in pulumi/pulumi v3.248.0, the CLI the engine tests build):
 * - The engine calls `beforeUpdate` hooks in `UpdateStep.Apply` (pkg/resource/deploy/step.go) with
 *   the old and new inputs and the old outputs, before the provider's Update, in previews too; it
 *   skips a hook at preview unless it was registered `OnDryRun` (deployment.go `RunHooks`). A hook
 *   error fails the step ("before hook … failed"), or is logged as a warning on the resource when the
 *   hook has `IgnoreErrors` (same function).
 * - A component provider can register hooks: `Construct` gets the address of the same resource
 *   monitor that serves the program (source_eval.go `RegisterResource`: `info := rm.constructInfo`),
 *   whose `RegisterResourceHook` stores the hook in the deployment's registry and dials back the
 *   callback target the plugin sent (`wrapResourceHookCallback`, `GetCallbacksClient`). In the plugin,
 *   @pulumi/pulumi's `provider/server.ts` `construct` configures the runtime with that monitor
 *   (`configureRuntime` → `awaitFeatureSupport` asks it for `resourceHooks`), and
 *   `runtime/settings.ts` `getCallbacks` starts a callbacks server in the plugin process on first use.
 *   The step runs before `RegisterResource` returns, i.e. while `construct` still waits for its RPCs.
 * - Hook names must be unique per deployment (resource_hooks.go `RegisterResourceHook` refuses a
 *   second one), hence the component's name in them, and a suffix when this process already used
 *   the name (two services of the same name under different parents; one program or plugin
 *   process serves one deployment). Engines before 3.182.0 have no hooks: `registerResourceHook`
 *   would throw, so the hooks are left out and the preview says so.
 */
import * as pulumi from "@pulumi/pulumi";
import { scaleDownVerdict, statefulSetNamespace, statefulSetReplicas, ScaleDownAction } from "../render/jetstream/scale-down";
import { redisTlsToggleWarning } from "../render/redis/tls-toggle";

// Internal: whether the engine serves resource hooks (set by runtime/settings.ts `awaitFeatureSupport`).

const state = require("@pulumi/pulumi/runtime/state");

export interface ScaleDownGuard {
    statefulSet: string;
    service: string;
    allowScaleDown: boolean;
}

const used = new Map<string, number>();

/** `base`, or `base#<n>` when this process registered `base` n - 1 times already. */
export function uniqueHookName(base: string): string {
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
}

/** Hook names (before {@link uniqueHookName}) of the guard of component `name`. */
export function scaleDownHookNames(name: string): { refuse: string; warn: string } {
    return { refuse: `isbsvc:${name}-js:scale-down-refuse`, warn: `isbsvc:${name}-js:scale-down-warn` };
}

/** A hook callback that throws the verdict's message when it calls for `action`. */
export function scaleDownHookCallback(guard: ScaleDownGuard, action: ScaleDownAction): pulumi.ResourceHookFunction {
    return (args: pulumi.ResourceHookArgs) => {
        const verdict = scaleDownVerdict({
            oldReplicas: statefulSetReplicas(args.oldInputs),
            newReplicas: statefulSetReplicas(args.newInputs),
            allowScaleDown: guard.allowScaleDown,
            statefulSet: guard.statefulSet,
            service: guard.service,
            namespace: statefulSetNamespace(args.newInputs),
        });
        if (verdict.action === action) throw new Error(verdict.message);
    };
}

/** Whether the engine serves resource hooks (CLI 3.182.0 or later). */
export function resourceHooksSupported(): boolean {
    return state.getStore().supportsResourceHooks === true;
}

/**
 * At preview, when the engine has no resource hooks: says which checks of `component` are off (a
 * hook registration would throw: @pulumi/pulumi runtime/resource.ts `registerResourceHook`).
 */
export function warnWithoutHooks(checks: string, component: pulumi.Resource): void {
    if (resourceHooksSupported() || !pulumi.runtime.isDryRun()) return;
    void pulumi.log.warn(
        `this Pulumi CLI has no resource hooks (added in 3.182.0), so ${checks} is not checked at preview or up; ` +
            'see the README, "Changing a running service"',
        component,
    );
}

/**
 * The `hooks` option of the JetStream StatefulSet of component `name`: a refusing hook (fails preview
 * and `up`) and a warning one (`ignoreErrors`: the engine prints its error as a warning), both run at
 * preview. Undefined when the engine has no resource hooks.
 */
export function scaleDownHooks(name: string, guard: ScaleDownGuard): pulumi.ResourceHookBinding | undefined {
    if (!resourceHooksSupported()) return undefined;
    const names = scaleDownHookNames(name);
    return {
        beforeUpdate: [
            new pulumi.ResourceHook(uniqueHookName(names.refuse), scaleDownHookCallback(guard, "refuse"), { onDryRun: true }),
            new pulumi.ResourceHook(uniqueHookName(names.warn), scaleDownHookCallback(guard, "warn"), {
                onDryRun: true,
                ignoreErrors: true,
            }),
        ],
    };
}

/** Hook name (before {@link uniqueHookName}) of the Redis `tls` toggle warning of component `name`. */
export function redisTlsHookName(name: string): string {
    return `isbsvc:${name}-redis:tls-toggle-warn`;
}

/**
 * The `hooks` option of the native Redis StatefulSet of component `name`: a warning hook
 * (`ignoreErrors`) when `tls` changes, run at preview. Undefined when the engine has no resource hooks.
 */
export function redisTlsHooks(name: string, tlsSecret: string, persistent: boolean): pulumi.ResourceHookBinding | undefined {
    if (!resourceHooksSupported()) return undefined;
    const warn = (args: pulumi.ResourceHookArgs) => {
        const message = redisTlsToggleWarning({ oldInputs: args.oldInputs, newInputs: args.newInputs, tlsSecret, persistent });
        if (message) throw new Error(message);
    };
    return {
        beforeUpdate: [new pulumi.ResourceHook(uniqueHookName(redisTlsHookName(name)), warn, { onDryRun: true, ignoreErrors: true })],
    };
}
