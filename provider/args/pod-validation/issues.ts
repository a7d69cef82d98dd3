/**
 * Collected validation problems of the pass-through pod-template input. Every rule module of this
 * folder appends to one {@link Issues} list instead of throwing, so that all problems of a spec are
 * reported together (provider/args/errors.ts SpecError.of).
 *
 * The readers below take free-form data (affinity, tolerations, security contexts, ...) that
 * provider/args/values.ts plainData already bounded and copied: they only check JSON types, the way
 * the apiserver's decoder would refuse a wrong type.
 */
import { at } from "../errors";

/** One problem: the full field path of the user's input and what is wrong with it. */
export interface Issue {
    field: string;
    problem: string;
}

export class Issues {
    readonly list: Issue[] = [];

    add(field: string, problem: string): void {
        this.list.push({ field, problem });
    }
}

/** A value for an error message: quoted, and shortened so a huge input is never echoed whole. */
export function show(value: unknown): string {
    const text = typeof value === "string" ? value : String(value);
    return JSON.stringify(text.length > 70 ? text.slice(0, 70) + "…" : text);
}

type Data = Record<string, unknown>;

function present(v: unknown): boolean {
    return v !== undefined && v !== null;
}

/** `obj[key]` as a plain object; reports any other type. JSON null counts as absent. */
export function objectAt(obj: Data, key: string, path: string, issues: Issues): Data | undefined {
    const v = obj[key];
    if (!present(v)) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) {
        issues.add(at(path, key), "must be an object");
        return undefined;
    }
    return v as Data;
}

/** A list item as a plain object; reports any other type. */
export function asObject(v: unknown, path: string, issues: Issues): Data | undefined {
    if (!present(v)) {
        issues.add(path, "must be an object, got null");
        return undefined;
    }
    if (typeof v !== "object" || Array.isArray(v)) {
        issues.add(path, "must be an object");
        return undefined;
    }
    return v as Data;
}

export function arrayAt(obj: Data, key: string, path: string, issues: Issues): unknown[] | undefined {
    const v = obj[key];
    if (!present(v)) return undefined;
    if (!Array.isArray(v)) {
        issues.add(at(path, key), "must be a list");
        return undefined;
    }
    return v;
}

export function stringAt(obj: Data, key: string, path: string, issues: Issues): string | undefined {
    const v = obj[key];
    if (!present(v)) return undefined;
    if (typeof v !== "string") {
        issues.add(at(path, key), "must be a string");
        return undefined;
    }
    return v;
}

/** A list of strings; each wrong item is reported. */
export function stringsAt(obj: Data, key: string, path: string, issues: Issues): string[] | undefined {
    const list = arrayAt(obj, key, path, issues);
    if (list === undefined) return undefined;
    const out: string[] = [];
    list.forEach((v, i) => {
        if (typeof v === "string") out.push(v);
        else issues.add(at(at(path, key), i), "must be a string");
    });
    return out;
}

/** An integer within `[min, max]` (Go int32 / int64 fields); reports other types and values. */
export function integerAt(obj: Data, key: string, path: string, issues: Issues, min: number, max: number): number | undefined {
    const v = obj[key];
    if (!present(v)) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v)) {
        issues.add(at(path, key), "must be an integer");
        return undefined;
    }
    if (v < min || v > max) {
        issues.add(at(path, key), `must be between ${min} and ${max}, got ${v}`);
        return undefined;
    }
    return v;
}

export function booleanAt(obj: Data, key: string, path: string, issues: Issues): boolean | undefined {
    const v = obj[key];
    if (!present(v)) return undefined;
    if (typeof v !== "boolean") {
        issues.add(at(path, key), "must be a boolean");
        return undefined;
    }
    return v;
}

/** A map of string to string (labels, node selector, matchLabels). */
export function stringMapAt(obj: Data, key: string, path: string, issues: Issues): Record<string, string> | undefined {
    const m = objectAt(obj, key, path, issues);
    if (m === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(m)) {
        if (typeof v === "string") out[k] = v;
        else issues.add(at(at(path, key), k), "must be a string");
    }
    return out;
}

export const INT32_MAX = 2 ** 31 - 1;
export const INT32_MIN = -(2 ** 31);
