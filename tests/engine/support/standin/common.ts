/**
 * Shared parts of the stand-in `tls` and `random` provider plugins (see README.md beside this file):
 * secret/unknown handling of the raw gRPC property maps and the replace-on-any-input-change diff.
 */
import { isDeepStrictEqual } from "node:util";
import type * as provider from "@pulumi/pulumi/provider";

/** Signature of a secret value in a property map (pulumi sdk/go/common/resource/properties.go `SecretSig`). */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The unknown value sent at preview (pulumi sdk/go/common/resource/plugin/rpc.go `UnknownStringValue`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Removes secret wrappers: the provider framework's Configure accepts secrets, so they arrive wrapped. */
export function unwrap(v: unknown): any {
    if (Array.isArray(v)) return v.map(unwrap);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SIG_KEY] === SECRET_SIG) return unwrap(o.value);
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
    }
    return v;
}

/**
 * Every input change replaces the resource, never delete-before-replace: what the Terraform-bridged
 * `tls` and `random` providers do for these resources (all their inputs are ForceNew).
 */
export function replaceOnAnyChange(inputKeys: string[]) {
    return async (_id: string, _urn: string, olds: any, news: any): Promise<provider.DiffResult> => {
        const o = unwrap(olds),
            n = unwrap(news);
        const replaces = inputKeys.filter((k) => !isDeepStrictEqual(o[k] ?? null, n[k] ?? null));
        return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
    };
}

/** The resource type of a URN: `urn:pulumi:stack::project::parent$type::name` -> `type`. */
export function typeOf(urn: string): string {
    const qualified = urn.split("::")[2];
    return qualified.split("$").pop()!;
}
