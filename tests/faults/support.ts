/**
 * Shared helpers of the fault-injection suite (`npm run test:faults`): the one-line summaries every
 * scenario prints, and time bounds. (Harness ids: `newId` of `sim/pods/netns.ts`.)
 */

/** Milliseconds as seconds with one decimal, for summaries. */
export function secs(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
}

/** Prints one indented line to stdout (mocha's reporter keeps stdout). */
export function note(line: string): void {
    process.stdout.write(`      ${line}\n`);
}

/** Prints the summary line of a scenario: `[faults] <scenario>: k=v, k=v, ...`. */
export function summary(scenario: string, fields: Record<string, string | number | boolean>): void {
    const parts = Object.entries(fields).map(([k, v]) => `${k}=${v}`);
    process.stdout.write(`      [faults] ${scenario}: ${parts.join(", ")}\n`);
}

/** Throws when the scenario has run longer than its budget (each scenario is bounded in time as well as in count). */
export function assertWithinBudget(startedAt: number, budgetMs: number, what: string): void {
    const spent = Date.now() - startedAt;
    if (spent > budgetMs) throw new Error(`${what}: over its time budget (${secs(spent)} > ${secs(budgetMs)})`);
}
