/**
 * The JetStream scale-down guard: two resource hooks on the StatefulSet that apply
 * render/jetstream/scale-down.ts to its old and new inputs, at preview and at `up`.
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
 * - Hook names are unique per deployment (resource_hooks.go `RegisterResourceHook`), hence the
 *   component's name in them. Engines before 3.182.0 have no hooks: `registerResourceHook` would
 *   throw, so the guard is left out and the preview says so.
 */
import * as pulumi from "@pulumi/pulumi";
import { scaleDownVerdict, statefulSetNamespace, statefulSetReplicas, ScaleDownAction } from "../render/jetstream/scale-down";

// Internal: whether the engine serves resource hooks (set by runtime/settings.ts `awaitFeatureSupport`).

const state = require("@pulumi/pulumi/runtime/state");

export interface ScaleDownGuard {
    statefulSet: string;
    service: string;
    allowScaleDown: boolean;
}

/** Hook names of the guard of component `name`. */
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

/**
 * The `hooks` option of the StatefulSet of component `name`: a refusing hook (fails preview and
 * `up`) and a warning one (`ignoreErrors`: the engine prints its error as a warning), both run at
 * preview. Undefined, with a warning on `component`, when the engine has no resource hooks.
 */
export function scaleDownHooks(name: string, guard: ScaleDownGuard, component: pulumi.Resource): pulumi.ResourceHookBinding | undefined {
    if (!state.getStore().supportsResourceHooks) {
        if (pulumi.runtime.isDryRun()) {
            void pulumi.log.warn(
                "jetstream.replicas: this Pulumi CLI has no resource hooks (added in 3.182.0), so a scale-down is not " +
                    'checked at preview; scale down one replica at a time (README "Scaling JetStream down")',
                component,
            );
        }
        return undefined;
    }
    const names = scaleDownHookNames(name);
    return {
        beforeUpdate: [
            new pulumi.ResourceHook(names.refuse, scaleDownHookCallback(guard, "refuse"), { onDryRun: true }),
            new pulumi.ResourceHook(names.warn, scaleDownHookCallback(guard, "warn"), { onDryRun: true, ignoreErrors: true }),
        ],
    };
}
