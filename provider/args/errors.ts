/**
 * Validation errors of the InterStepBufferService spec.
 *
 * Every error names the offending field with its full path (for example
 * `jetstream.persistence.volumeSize`), so that `pulumi preview` fails before anything is
 * created and tells the user exactly what to fix.
 *
 * A SpecError is a Pulumi InputPropertiesError (@pulumi/pulumi errors.ts): when the component runs
 * in its provider plugin, the SDK's construct handler (provider/server.ts
 * buildInvalidPropertiesError) sends each problem to the engine as a property path and reason,
 * which the CLI prints one per line. One SpecError may carry several problems (`issues`): the
 * pass-through pod-template rules (args/pod-validation) are all reported together.
 */
import { InputPropertiesError } from "@pulumi/pulumi";

/** One problem: the dotted field path and what is wrong with it. */
export interface SpecIssue {
    field: string;
    problem: string;
}

const PREFIX = "invalid InterStepBufferService spec";

function describeIssues(issues: readonly SpecIssue[]): string {
    if (issues.length === 1) return `${PREFIX}: "${issues[0].field}" ${issues[0].problem}`;
    return `${PREFIX}: ${issues.length} problems:\n` + issues.map((i) => `  - "${i.field}" ${i.problem}`).join("\n");
}

export class SpecError extends InputPropertiesError {
    /** Dotted path of the (first) offending field, e.g. `jetstream.replicas`. */
    public readonly field: string;
    /** Every problem, in the order found. */
    public readonly issues: readonly SpecIssue[];

    constructor(field: string, problem: string);
    constructor(issues: readonly SpecIssue[]);
    constructor(fieldOrIssues: string | readonly SpecIssue[], problem?: string) {
        const issues = typeof fieldOrIssues === "string" ? [{ field: fieldOrIssues, problem: problem ?? "" }] : fieldOrIssues;
        if (issues.length === 0) throw new Error("a SpecError needs at least one problem");
        super({ message: describeIssues(issues), errors: issues.map((i) => ({ propertyPath: i.field, reason: i.problem })) });
        this.name = "SpecError";
        this.field = issues[0].field;
        this.issues = issues;
    }
}

/** Throws a {@link SpecError} for `field` with the given problem text. */
export function fail(field: string, problem: string): never {
    throw new SpecError(field, problem);
}

/** Joins a parent path and a child key into a dotted field path. */
export function at(path: string, key: string | number): string {
    if (typeof key === "number") {
        return `${path}[${key}]`;
    }
    return path ? `${path}.${key}` : key;
}
