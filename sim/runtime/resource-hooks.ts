/**
 * The engine's side of resource hooks, for hooks registered under the mock runtime: calls them
 * back over gRPC through the SDK's callbacks server, as the engine does, and applies the engine's
 * rules for previews and errors. Read in pulumi/pulumi v3.248.0:
 * - pkg/resource/deploy/source_eval.go `wrapResourceHookCallback`: a `ResourceHookRequest` (urn,
 *   id, name, type, old/new inputs and outputs as protobuf Structs) sent as `CallbackInvokeRequest`
 *   with the hook's token to its target; a non-empty `ResourceHookResponse.error` is the hook's error;
 * - pkg/resource/deploy/deployment.go `RunHooks`: at preview a hook without `OnDryRun` is skipped;
 *   a failing hook with `IgnoreErrors` becomes a warning `<type> hook "<name>" failed: <error>` and
 *   the next hook runs; otherwise `before hook "<name>" failed: <error>` ends the step.
 */
import type { Built } from "./build";
import { registeredHooks } from "./mock-runtime";

const grpc = require("@grpc/grpc-js");

const callrpc = require("@pulumi/pulumi/proto/callback_grpc_pb");

const callproto = require("@pulumi/pulumi/proto/callback_pb");

const resproto = require("@pulumi/pulumi/proto/resource_pb");

const rpc = require("@pulumi/pulumi/runtime/rpc");

const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

export interface HookCall {
    urn: string;
    name: string;
    type: string;
    oldInputs?: Record<string, unknown>;
    newInputs?: Record<string, unknown>;
    oldOutputs?: Record<string, unknown>;
    newOutputs?: Record<string, unknown>;
}

export interface HookRun {
    /** The step's error, as the engine returns it (undefined: the step goes on). */
    error?: string;
    /** Warnings the engine logs on the resource. */
    warnings: string[];
    /** Names of the hooks called (skipped ones at preview are not). */
    called: string[];
}

async function struct(values: Record<string, unknown> | undefined): Promise<any> {
    if (values === undefined) return undefined;
    return Struct.fromJavaScript(await rpc.serializeProperties("hook", values, { keepOutputValues: false }));
}

/** Calls hook `name` back through its target; resolves to its error message ("" when none). */
async function invoke(name: string, call: HookCall): Promise<string> {
    const hook = registeredHooks.get(name);
    if (!hook) throw new Error(`hook "${name}" was not registered`);
    const req = new resproto.ResourceHookRequest();
    req.setUrn(call.urn);
    req.setId(`${call.name}-id`);
    req.setName(call.name);
    req.setType(call.type);
    req.setNewInputs(await struct(call.newInputs));
    req.setOldInputs(await struct(call.oldInputs));
    req.setNewOutputs(await struct(call.newOutputs));
    req.setOldOutputs(await struct(call.oldOutputs));
    const invokeReq = new callproto.CallbackInvokeRequest();
    invokeReq.setToken(hook.token);
    invokeReq.setRequest(req.serializeBinary());
    const client = new callrpc.CallbacksClient(hook.target, grpc.credentials.createInsecure());
    try {
        const resp: any = await new Promise((resolve, reject) =>
            client.invoke(invokeReq, (err: any, r: any) => (err ? reject(err) : resolve(r))),
        );
        return resproto.ResourceHookResponse.deserializeBinary(resp.getResponse()).getError();
    } finally {
        client.close();
    }
}

/** Runs `names` (one kind, e.g. the `beforeUpdate` hooks of a resource) as `RunHooks` does. */
export async function runHooks(names: string[], hookType: string, call: HookCall, dryRun: boolean): Promise<HookRun> {
    const run: HookRun = { warnings: [], called: [] };
    for (const name of names) {
        const hook = registeredHooks.get(name);
        if (!hook) return { ...run, error: `hook "${name}" was not registered` };
        if (dryRun && !hook.onDryRun) continue;
        run.called.push(name);
        const error = await invoke(name, call);
        if (error === "") continue;
        if (hook.ignoreErrors) {
            run.warnings.push(`${hookType} hook "${name}" failed: ${error}`);
            continue;
        }
        return { ...run, error: `${hookType.startsWith("Before") ? "before" : "after"} hook "${name}" failed: ${error}` };
    }
    return run;
}

/**
 * The engine's `beforeUpdate` call for a child going from its registration in `before` to the one in
 * `after` (old inputs and outputs from `before`, new inputs from `after`), with the hooks `after` bound.
 */
export function runBeforeUpdate(before: Built, after: Built, type: string, dryRun: boolean): Promise<HookRun> {
    const [o, n] = [before.child(type), after.child(type)];
    return runHooks(
        n.options.hooks.beforeUpdate,
        "BeforeUpdate",
        { urn: n.urn, name: n.name, type: n.type, oldInputs: o.inputs, newInputs: n.inputs, oldOutputs: o.state },
        dryRun,
    );
}
