/** Helpers to read Outputs in tests without hanging on unknown or rejected values. */
import * as pulumi from "@pulumi/pulumi";

/** Resolves an Output's value, failing after `ms` instead of hanging (unknown values never resolve). */
export function valueOf<T>(output: pulumi.Input<T>, ms = 10_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("output did not resolve (unknown or rejected?)")), ms);
        pulumi.output(output).apply((v) => {
            clearTimeout(timer);
            resolve(v as T);
            return v;
        });
    });
}

/** Waits until every resource registration started so far has settled. */
export async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));

    await require("@pulumi/pulumi/runtime/settings").waitForRPCs?.();
}
