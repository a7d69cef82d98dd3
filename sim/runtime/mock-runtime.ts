/**
 * The Pulumi mock runtime of the unit tests. It is installed once (mocha `--require`), records
 * every resource the program registers — with its parent, provider, options and raw inputs
 * (including secret markers) — and answers tls and random resources with real keys,
 * certificates and passwords from the fake providers.
 */
import * as pulumi from "@pulumi/pulumi";
import { fakeProviderState } from "./fake-providers";

// Internal SDK modules: the mock monitor does not pass parents or secret markers to `newResource`.

const settings = require("@pulumi/pulumi/runtime/settings");

const rpc = require("@pulumi/pulumi/runtime/rpc");

const { containsUnknowns } = require("@pulumi/pulumi/output");

const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

/**
 * Called for every registration before the mocks answer: may return a function that rewrites the
 * answered state (raw, serialized). The update-plan harness (tests/rules/plan-harness.ts) uses it to
 * watch registrations and answer unknowns at preview, without re-installing the mocks.
 */
export type RegistrationHook = (req: any) => ((state: Record<string, any>) => Record<string, any>) | undefined;

let registrationHook: RegistrationHook | undefined;

/** Sets (or, with undefined, removes) the registration hook. */
export function setRegistrationHook(hook: RegistrationHook | undefined): void {
    registrationHook = hook;
}

/**
 * Switches between `pulumi preview` (unknowns stay unknown: `runtime/rpc.ts` `deserializeProperty`
 * reads the unknown sentinel as unknown only when `isDryRun()`) and `pulumi up`, through the SDK's
 * own setter (`runtime/settings.ts` `_setIsDryRun`), keeping the mocks installed once.
 */
export function setPreview(preview: boolean): void {
    settings._setIsDryRun(preview);
}

/** One registered resource as the engine would see it. */
export interface Registered {
    type: string;
    name: string;
    urn: string;
    parent: string;
    provider: string;
    custom: boolean;
    /** Inputs with secrets unwrapped (use `raw` to see which were secret). */
    inputs: Record<string, any>;
    /** Inputs as sent to the engine: secrets appear as `{ [sigKey]: secretSig, value }`. */
    raw: Record<string, any>;
    /** Output state the mock answered with. */
    state: Record<string, any>;
    options: {
        protect: boolean;
        retainOnDelete: boolean;
        /** Names of the resource hooks bound per kind (`beforeUpdate`, …), as sent to the engine. */
        hooks: Record<string, string[]>;
        aliases: any[];
        dependencies: string[];
        deleteBeforeReplace: boolean;
        ignoreChanges: string[];
        customTimeouts?: { create: string; update: string; pb_delete: string; read: string };
    };
}

const registered: Registered[] = [];
/** Outputs a mocked StackReference answers with, keyed by stack name. */
export const stackOutputs: Record<string, { outputs: Record<string, any>; secretOutputNames?: string[] }> = {};

/** Every resource registered since the last {@link resetRegistry}. */
export function registry(): Registered[] {
    return registered;
}

export function resetRegistry(): void {
    registered.length = 0;
}

/** True when `value` (a raw serialized input) is a secret. */
export function isSerializedSecret(value: any): boolean {
    return typeof value === "object" && value !== null && value[rpc.specialSigKey] === rpc.specialSecretSig;
}

function newUrn(parent: string, type: string, name: string): string {
    const parentType = parent ? parent.split("::")[2].split("$").pop() + "$" : "";
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${parentType}${type}::${name}`;
}

/**
 * Outputs the real providers declare as `additionalSecretOutputs`; the engine (not the SDK) makes
 * them secret, so the mocks do it here to behave like a real deployment.
 */
const SECRET_OUTPUTS: Record<string, string[]> = {
    "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
    "random:index/randomBytes:RandomBytes": ["base64", "hex"],
    "tls:index/privateKey:PrivateKey": ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"],
    "tls:index/selfSignedCert:SelfSignedCert": ["privateKeyPem"],
    "tls:index/certRequest:CertRequest": ["privateKeyPem"],
    "tls:index/locallySignedCert:LocallySignedCert": ["caPrivateKeyPem"],
    "kubernetes:core/v1:Secret": ["data", "stringData"],
};

function markSecrets(type: string, state: Record<string, any>): Record<string, any> {
    const out = { ...state };
    for (const key of SECRET_OUTPUTS[type] ?? []) {
        if (out[key] !== undefined && !isSerializedSecret(out[key])) {
            out[key] = { [rpc.specialSigKey]: rpc.specialSecretSig, value: out[key] };
        }
    }
    return out;
}

/** Removes secret markers from a deserialized value, at any depth. */
export function unwrapSecrets(value: any): any {
    if (isSerializedSecret(value)) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

async function newResource(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
    if (args.type === "pulumi:pulumi:StackReference") {
        const ref = stackOutputs[args.inputs.name];
        if (!ref) throw new Error(`no mocked stack ${args.inputs.name}`);
        return { id: args.inputs.name, state: { name: args.inputs.name, ...ref } };
    }
    // At preview the engine sends no Create with unknown inputs to a provider: it plans the outputs
    // (the inputs, computed ones unknown). The fake providers cannot sign an unknown CSR, so do the same.
    if (settings.isDryRun() && containsUnknowns(args.inputs)) return { id: undefined, state: args.inputs };
    const inputs = unwrapSecrets(args.inputs);
    const state = (await fakeProviderState(args.type, inputs)) ?? args.inputs;
    return { id: args.custom ? `${args.name}-id` : undefined, state: markSecrets(args.type, state) };
}

/** The hook names of a `RegisterResourceRequest.ResourceHooksBinding`, per kind. */
function hookBinding(binding: any): Record<string, string[]> {
    if (!binding) return {};
    const kinds = ["BeforeCreate", "AfterCreate", "BeforeUpdate", "AfterUpdate", "BeforeDelete", "AfterDelete"];
    const out: Record<string, string[]> = {};
    for (const kind of kinds) {
        const names: string[] = binding[`get${kind}List`]();
        if (names.length > 0) out[kind[0].toLowerCase() + kind.slice(1)] = names;
    }
    return out;
}

/** A resource hook as the engine registered it: its options and where to call it back. */
export interface RegisteredHook {
    name: string;
    onDryRun: boolean;
    ignoreErrors: boolean;
    target: string;
    token: string;
}

/**
 * Hooks registered through the mock monitor, by name. The last registration of a name wins: the
 * tests construct the same component many times in one process, while the engine refuses a
 * duplicate name within one deployment (pkg/resource/deploy/resource_hooks.go `RegisterResourceHook`).
 */
export const registeredHooks = new Map<string, RegisteredHook>();

function wrapMonitor(): void {
    const monitor = settings.getMonitor();
    // The SDK registers a hook with the monitor after starting its callbacks server
    // (runtime/callbacks.ts `registerResourceHook`); the SDK's MockMonitor has no such method.
    monitor.registerResourceHook = (req: any, callback: any) => {
        const cb = req.getCallback();
        registeredHooks.set(req.getName(), {
            name: req.getName(),
            onDryRun: req.getOnDryRun(),
            ignoreErrors: req.getIgnoreErrors(),
            target: cb.getTarget(),
            token: cb.getToken(),
        });
        callback(null, {});
    };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        const entry: Registered = {
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent(),
            provider: req.getProvider(),
            custom: req.getCustom(),
            urn: newUrn(req.getParent(), req.getType(), req.getName()),
            inputs: {},
            raw: req.getObject()?.toJavaScript() ?? {},
            state: {},
            options: {
                protect: req.getProtect(),
                retainOnDelete: req.getRetainondelete(),
                aliases: req.getAliasesList().map((a: any) => a.toObject()),
                dependencies: req.getDependenciesList(),
                deleteBeforeReplace: req.getDeletebeforereplace(),
                ignoreChanges: req.getIgnorechangesList(),
                customTimeouts: req.getCustomtimeouts()?.toObject(),
                hooks: hookBinding(req.getHooks()),
            },
        };
        registered.push(entry);
        const rewrite = registrationHook?.(req);
        return original(req, (err: any, response: any) => {
            if (!err && rewrite) response.setObject(Struct.fromJavaScript(rewrite(response.getObject()?.toJavaScript() ?? {})));
            if (!err) {
                entry.inputs = unwrapSecrets(rpc.deserializeProperties(req.getObject()));
                entry.state = unwrapSecrets(rpc.deserializeProperties(response.getObject()));
            }
            callback(err, response);
        });
    };
}

/** Installs the mocks; `preview` makes unknown values stay unknown as in `pulumi preview`. */
export async function installMocks(preview = false): Promise<void> {
    await pulumi.runtime.setMocks(
        {
            newResource,
            call: (args) => {
                throw new Error(`unexpected invoke ${args.token}`);
            },
        },
        "isbsvc-test",
        "test",
        preview,
    );
    wrapMonitor();
}
