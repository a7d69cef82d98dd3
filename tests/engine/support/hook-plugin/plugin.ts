/**
 * A minimal component provider (`hookprobe:index:Probe`) for tests/engine/hook-mechanism.test.ts: its
 * `Construct` registers a child component `hookprobe:index:Child` whose input `size` follows the
 * component's, with two `beforeUpdate` hooks registered from this plugin process, both run at
 * preview: one refusing a smaller `size`, one (`ignoreErrors`) always failing, which the engine
 * prints as a warning. The same mechanism as provider/resources/hooks.ts, without Kubernetes.
 */
import * as pulumi from "@pulumi/pulumi";
import * as provider from "@pulumi/pulumi/provider";

class Probe extends pulumi.ComponentResource {
    constructor(name: string, size: number, opts?: pulumi.ComponentResourceOptions) {
        super("hookprobe:index:Probe", name, {}, opts);
        const refuse = new pulumi.ResourceHook(
            `hookprobe:${name}:refuse`,
            (a) => {
                const [from, to] = [a.oldInputs?.size, a.newInputs?.size];
                if (to < from) throw new Error(`size ${from} → ${to} refused`);
            },
            { onDryRun: true },
        );
        const warn = new pulumi.ResourceHook(
            `hookprobe:${name}:warn`,
            (a) => {
                throw new Error(`size ${a.oldInputs?.size} → ${a.newInputs?.size} noted`);
            },
            { onDryRun: true, ignoreErrors: true },
        );
        new pulumi.ComponentResource(
            "hookprobe:index:Child",
            `${name}-child`,
            { size },
            { parent: this, hooks: { beforeUpdate: [refuse, warn] } },
        );
        this.registerOutputs({});
    }
}

void provider.main(
    {
        version: "0.0.1",
        async construct(name, _type, inputs, options) {
            const probe = new Probe(name, inputs.size as number, options);
            return { urn: probe.urn, state: {} };
        },
    },
    process.argv.slice(2),
);
