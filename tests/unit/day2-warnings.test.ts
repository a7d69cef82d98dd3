/**
 * Preview warnings of changes the component cannot apply by itself on a running service (issue 10):
 * a `tls` toggle on a JetStream cluster (the roll stalls, tests/live/jetstream/tls-toggle.test.ts).
 * The claim-template warning is tested in volume-growth.test.ts and the day-2 matrix.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { build } from "../../sim/runtime/build";
import { setPreview } from "../../sim/runtime/mock-runtime";

async function previewWarnings(name: string, args: any): Promise<string[]> {
    const warnings: string[] = [];
    const original = pulumi.log.warn;
    (pulumi.log as any).warn = (msg: string) => {
        warnings.push(msg);
        return Promise.resolve();
    };
    setPreview(true);
    try {
        await build(name, args);
    } finally {
        setPreview(false);
        (pulumi.log as any).warn = original;
    }
    return warnings;
}

const TLS_WARNING = /^jetstream\.tls: turning tls on or off on a running cluster does not complete as a rolling restart/;

describe("day-2 preview warnings", () => {
    it("a clustered JetStream preview warns about a tls toggle and gives the procedure (with and without tls)", async () => {
        for (const tls of [false, true]) {
            const w = await previewWarnings(`dw${tls ? 1 : 0}`, { namespace: "p", jetstream: { version: "2.10.29", tls } });
            const hit = w.filter((x) => TLS_WARNING.test(x));
            assert.equal(hit.length, 1, w.join("\n"));
            assert.match(hit[0], /delete all remaining old pods at once.*With persistence no acknowledged message is lost/s);
        }
    });

    it("no tls warning for a standalone server, native Redis, or outside a preview", async () => {
        for (const [name, args] of [
            ["dw2", { namespace: "p", jetstream: { version: "2.10.29", replicas: 1, tls: true } }],
            ["dw3", { namespace: "p", redis: { native: { version: "7.0.15", tls: true } } }],
        ] as const) {
            assert.deepEqual(
                (await previewWarnings(name, args)).filter((x) => TLS_WARNING.test(x)),
                [],
            );
        }
        const warnings: string[] = [];
        const original = pulumi.log.warn;
        (pulumi.log as any).warn = (msg: string) => {
            warnings.push(msg);
            return Promise.resolve();
        };
        try {
            await build("dw4", { namespace: "p", jetstream: { version: "2.10.29" } });
        } finally {
            (pulumi.log as any).warn = original;
        }
        assert.deepEqual(warnings, []);
    });
});
