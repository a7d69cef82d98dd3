/**
 * The `ignoreChanges` resource option as the Pulumi engine applies it. Pure: no Pulumi imports.
 *
 * Upstream (pulumi/pulumi v3.248.0):
 * - `pkg/resource/deploy/step_generator.go` `generateSteps`: for a resource that has an old state,
 *   `processIgnoreChanges(inputs, old.Inputs, goal.IgnoreChanges)` runs **before** the provider's
 *   Check and Diff, so the provider never sees an ignored change, and the state records the
 *   reset inputs (the ignored value stays the one of the first create, however often it changes).
 *   A path that cannot be reset is reported as info ("cannot ignore changes in added or removed
 *   elements of the path") and the new value goes through.
 * - `sdk/go/common/resource/properties_path.go` `PropertyPath.Reset` / `reset`: walks old and new
 *   together; at the leaf, an object key is overwritten with the old value (deleted when old lacks
 *   it), an array index only when both arrays have it. On the way down, a key present in old but
 *   not in new, a type mismatch, or an index missing from either array is a path failure (new left
 *   as it is); a key in neither is fine; `*` walks every key or element.
 * No secrets here (the model's values carry none).
 */
import { PropertyMap, Value, clone, isObject } from "./values";

/** Segments of a property path: `a.b[0]`, `a["x.y"]`, `a[*]`, `a.*` (numbers are array indices). */
export function parsePropertyPath(path: string): (string | number)[] {
    return [...path.matchAll(/\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|\[(\*)\]|([^.[\]]+)/g)].map((m) =>
        m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? m[4]),
    );
}

/** `PropertyPath.reset` on values (`oldV` read only, `newV` mutated in place); false on a path failure. */
function reset(p: (string | number)[], oldV: Value | undefined, newV: Value | undefined): boolean {
    const [key, ...rest] = p;
    if (typeof key === "number") {
        const oa = Array.isArray(oldV) ? oldV : undefined;
        const na = Array.isArray(newV) ? newV : undefined;
        if (rest.length === 0) {
            if (!oa && !na) return true;
            if (!oa || !na) return false;
            if (key >= oa.length && key >= na.length) return true;
            if (key >= oa.length || key >= na.length) return false;
            na[key] = clone(oa[key]);
            return true;
        }
        if (!oa || !na) return !oa && !na;
        if (key >= oa.length || key >= na.length) return false;
        return reset(rest, oa[key], na[key]);
    }
    if (key === "*") {
        if (rest.length === 0) {
            if (isObject(newV)) {
                if (isObject(oldV)) {
                    for (const k of Object.keys(oldV)) newV[k] = clone(oldV[k]);
                    for (const k of Object.keys(newV)) if (!(k in oldV)) delete newV[k];
                }
                return true;
            }
            if (Array.isArray(newV)) {
                if (Array.isArray(oldV)) {
                    for (let i = 0; i < oldV.length && i < newV.length; i++) newV[i] = clone(oldV[i]);
                    if (oldV.length !== newV.length) return false;
                }
                return true;
            }
            return false;
        }
        if (isObject(oldV) && isObject(newV)) {
            for (const k of Object.keys(oldV)) {
                if (!(k in newV)) return false;
                if (!reset(rest, oldV[k], newV[k])) return false;
            }
            return true;
        }
        if (Array.isArray(oldV) && Array.isArray(newV)) {
            for (let i = 0; i < oldV.length && i < newV.length; i++) if (!reset(rest, oldV[i], newV[i])) return false;
            return oldV.length === newV.length;
        }
        return false;
    }
    if (rest.length === 0) {
        const has = isObject(oldV) && key in oldV;
        if (has) {
            if (!isObject(newV)) return false;
            newV[key] = clone((oldV as { [k: string]: Value })[key]);
        } else if (isObject(newV)) {
            delete newV[key];
        }
        return true;
    }
    if (!isObject(oldV) || !isObject(newV)) return !isObject(oldV) && !isObject(newV);
    const hasOld = key in oldV,
        hasNew = key in newV;
    if (hasOld && !hasNew) return false;
    if (!hasOld && !hasNew) return true;
    return reset(rest, oldV[key], newV[key]);
}

export interface IgnoreChangesResult {
    inputs: PropertyMap;
    /** Paths that could not be reset (the engine logs them; their new values go through). */
    invalidPaths: string[];
}

/** `processIgnoreChanges`: `inputs` with every ignored path reset to its value in `oldInputs`. */
export function processIgnoreChanges(
    inputs: PropertyMap,
    oldInputs: PropertyMap,
    ignoreChanges: string[] | undefined,
): IgnoreChangesResult {
    const out = clone(inputs);
    const invalidPaths: string[] = [];
    for (const path of ignoreChanges ?? []) {
        if (!reset(parsePropertyPath(path), oldInputs, out)) invalidPaths.push(path);
    }
    return { inputs: out, invalidPaths };
}
