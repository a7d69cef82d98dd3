/**
 * Property values as the Pulumi engine and its providers see them, with an explicit marker for
 * unknown (computed) values, plus the JSON merge patch and JSONPath matching that
 * pulumi-kubernetes' Diff is built on. Pure: no Pulumi imports.
 *
 * Upstream behaviour modelled here (read at the tags named in /work/notes/day2-rules.md):
 * - pulumi/pulumi v3.248.0 `sdk/go/common/resource/properties.go` (`Computed`, `PropertyValue`).
 * - evanphx/json-patch v5.9.11+incompatible `CreateMergePatch` (RFC 7386), used by
 *   pulumi-kubernetes `provider/pkg/provider/provider.go` `inputPatch`.
 * - kubernetes/client-go `util/jsonpath/jsonpath.go` `evalField`, `evalArray`, used by
 *   pulumi-kubernetes `provider/pkg/openapi/match.go` `PatchPropertiesChanged`.
 */

/** An unknown value: a preview-time Output that is not resolved yet (`resource.Computed`). */
export const UNKNOWN: unique symbol = Symbol.for("isbsvc.rules.unknown");
export type Unknown = typeof UNKNOWN;

export type Value = null | boolean | number | string | Unknown | Value[] | { [key: string]: Value };
export type PropertyMap = { [key: string]: Value };

export function isUnknown(v: unknown): v is Unknown {
    return v === UNKNOWN;
}

export function isObject(v: unknown): v is { [key: string]: Value } {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function containsUnknown(v: Value | undefined): boolean {
    if (isUnknown(v)) return true;
    if (Array.isArray(v)) return v.some(containsUnknown);
    if (isObject(v)) return Object.values(v).some(containsUnknown);
    return false;
}

/** Structural equality; an unknown equals only another unknown. */
export function deepEqual(a: Value | undefined, b: Value | undefined): boolean {
    if (a === b) return true;
    if (Array.isArray(a) && Array.isArray(b)) {
        return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
    }
    if (isObject(a) && isObject(b)) {
        const ka = Object.keys(a),
            kb = Object.keys(b);
        return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
    }
    return false;
}

export function clone<T extends Value | undefined>(v: T): T {
    if (Array.isArray(v)) return v.map((x) => clone(x)) as T;
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
    return v;
}

/**
 * JSON encoding of a value as pulumi-kubernetes' Diff marshals it: an unknown is the Go struct
 * `resource.Computed{Element: PropertyValue{V: ""}}` put through `encoding/json` (no MarshalJSON
 * on either type), i.e. the object `{"Element":{"V":""}}` — never `null`.
 * Upstream: pulumi-kubernetes `provider.go` `propMapToUnstructured` + `inputPatch`
 * (`Unstructured.MarshalJSON`); apimachinery v0.36.2 `pkg/util/json/json.go` `NewEncoder`;
 * pulumi `sdk/go/common/resource/plugin/rpc.go` `UnmarshalPropertyValue` (unknown string → "").
 */
export function encodeForPatch(v: Value): Value {
    if (isUnknown(v)) return { Element: { V: "" } };
    if (Array.isArray(v)) return v.map(encodeForPatch);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeForPatch(x)]));
    return v;
}

/**
 * RFC 7386 merge patch from `a` to `b` (both encoded): keys only in `a` become null, changed
 * objects recurse (kept only when non-empty), any other change takes `b`'s value.
 * Upstream: evanphx/json-patch `CreateMergePatch` → `getDiff`.
 */
export function createMergePatch(a: { [key: string]: Value }, b: { [key: string]: Value }): { [key: string]: Value } {
    const patch: { [key: string]: Value } = {};
    for (const key of Object.keys(b)) {
        const av = a[key],
            bv = b[key];
        if (!(key in a)) patch[key] = bv;
        else if (isObject(av) && isObject(bv)) {
            const sub = createMergePatch(av, bv);
            if (Object.keys(sub).length > 0) patch[key] = sub;
        } else if (!deepEqual(av, bv)) patch[key] = bv;
    }
    for (const key of Object.keys(a)) if (!(key in b)) patch[key] = null;
    return patch;
}

type Segment = { field: string } | "all";

/** Parses the force-new paths pulumi-kubernetes uses: `.a.b[*].c`. */
export function parseJsonPath(path: string): Segment[] {
    const out: Segment[] = [];
    for (const m of path.matchAll(/\.([^.[\]]+)|\[\*\]/g)) out.push(m[1] !== undefined ? { field: m[1] } : "all");
    return out;
}

/**
 * Whether JSONPath `path` "matches" `data` as pulumi-kubernetes counts it: any outcome but a
 * "not found" error is a match. client-go's `evalField` skips nil values and fails with
 * "<x> is not found" when nothing is left; an empty input yields an empty result without error;
 * `evalArray` on a non-array fails with "is not array or slice" (not "not found": a match).
 * Upstream: `provider/pkg/openapi/match.go` `PatchPropertiesChanged`; client-go
 * `util/jsonpath/jsonpath.go` `evalField`, `evalArray`.
 */
export function jsonPathMatches(data: Value, path: string): boolean {
    let current: Value[] = [data];
    for (const seg of parseJsonPath(path)) {
        if (current.length === 0) return true;
        const next: Value[] = [];
        for (const v of current) {
            if (v === null) continue;
            if (seg === "all") {
                if (!Array.isArray(v)) return true;
                next.push(...v);
            } else if (isObject(v) && Object.prototype.hasOwnProperty.call(v, seg.field)) {
                next.push(v[seg.field]);
            }
        }
        if (seg !== "all" && next.length === 0) return false;
        current = next;
    }
    return true;
}
