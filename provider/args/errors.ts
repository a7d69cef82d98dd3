/**
 * Validation errors of the InterStepBufferService spec.
 *
 * Every error names the offending field with its full path (for example
 * `jetstream.persistence.volumeSize`), so that `pulumi preview` fails before anything is
 * created and tells the user exactly what to fix.
 */
export class SpecError extends Error {
    /** Dotted path of the offending field, e.g. `jetstream.replicas`. */
    public readonly field: string;

    constructor(field: string, problem: string) {
        super(`invalid InterStepBufferService spec: "${field}" ${problem}`);
        this.name = "SpecError";
        this.field = field;
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
