/**
 * Issue 16, item 11: a JetStream scale-down is refused at preview and `up` unless acknowledged by
 * `jetstream.allowScaleDown`, and then only one replica at a time, with a warning naming the
 * peer-remove. The rule (provider/render/jetstream/scale-down.ts) is pure; the hooks
 * (provider/resources/hooks.ts) are called here as the engine calls them
 * (sim/runtime/resource-hooks.ts: over gRPC through the SDK's callbacks server, with the engine's
 * preview and ignoreErrors rules) with the StatefulSet inputs of two builds.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { build, Built, K8S } from "../../sim/runtime/build";
import { registeredHooks, registry, setPreview } from "../../sim/runtime/mock-runtime";
import { runBeforeUpdate } from "../../sim/runtime/resource-hooks";
import { scaleDownVerdict, statefulSetReplicas } from "../../provider/render/jetstream/scale-down";
import { scaleDownHookNames, uniqueHookName } from "../../provider/resources/hooks";

/** A bound hook name without the suffix that keeps names unique in the process. */
const unsuffixed = (n: string) => n.replace(/#\d+$/, "");

const base = { statefulSet: "isbsvc-sd-js", service: "isbsvc-sd-js-svc", namespace: "pipelines" };
const verdict = (oldReplicas: unknown, newReplicas: unknown, allowScaleDown = false) =>
    scaleDownVerdict({ ...base, oldReplicas, newReplicas, allowScaleDown });

describe("JetStream scale-down rule (pure)", () => {
    it("does nothing for scale-up, no change, or a replicas value that is not known", () => {
        for (const [from, to] of [
            [3, 5],
            [1, 3],
            [5, 5],
            [undefined, 3],
            [5, undefined],
            ["5", 3],
            [5, 4.5],
            [pulumi.output(5), 3],
        ]) {
            for (const allow of [false, true]) assert.deepEqual(verdict(from, to, allow), { action: "none", message: "" }, `${from}→${to}`);
        }
    });

    it("refuses a one-replica scale-down without allowScaleDown, naming the server, the peer-remove and the README", () => {
        const v = verdict(5, 4);
        assert.equal(v.action, "refuse");
        assert.match(v.message, /^jetstream\.replicas 5 → 4 deletes server isbsvc-sd-js-4: /);
        assert.match(v.message, /Set jetstream\.allowScaleDown: true/);
        assert.ok(
            v.message.includes(
                `nats request '$JS.API.SERVER.REMOVE' '{"peer":"isbsvc-sd-js-4"}' --user sys --password <sys password ` +
                    "from auth.conf of the server Secret> --server nats://isbsvc-sd-js-svc.pipelines.svc:4222",
            ),
            v.message,
        );
        assert.match(v.message, /"Scaling JetStream down"/);
    });

    it("warns (does not refuse) a one-replica scale-down with allowScaleDown", () => {
        const v = verdict(4, 3, true);
        assert.equal(v.action, "warn");
        assert.match(v.message, /^jetstream\.replicas 4 → 3 \(allowed by jetstream\.allowScaleDown\) deletes server isbsvc-sd-js-3/);
        assert.match(v.message, /\{"peer":"isbsvc-sd-js-3"\}/);
    });

    it("refuses more than one replica at a time and a cluster to standalone, even with allowScaleDown", () => {
        for (const allow of [false, true]) {
            const v = verdict(5, 3, allow);
            assert.equal(v.action, "refuse");
            assert.match(v.message, /one replica at a time \(5 → 4 first\)/);
            assert.equal(v.message.includes("allows one replica per update only"), allow);
            const s = verdict(3, 1, allow);
            assert.equal(s.action, "refuse");
            assert.match(s.message, /cannot be scaled to a standalone server in place/);
        }
    });

    it("reads spec.replicas and writes <namespace> when the namespace is not a string", () => {
        assert.equal(statefulSetReplicas({ spec: { replicas: 4 } }), 4);
        for (const v of [undefined, null, 3, {}, { spec: null }, { spec: 3 }]) assert.equal(statefulSetReplicas(v), undefined);
        const v = scaleDownVerdict({ ...base, namespace: undefined, oldReplicas: 4, newReplicas: 3, allowScaleDown: false });
        assert.match(v.message, /nats:\/\/isbsvc-sd-js-svc\.<namespace>\.svc:4222/);
    });
});

describe("JetStream scale-down hooks on the StatefulSet (engine calls under the mocks)", () => {
    const names = scaleDownHookNames("sd");
    const js = (replicas: number, allowScaleDown?: boolean) => ({
        namespace: "pipelines",
        jetstream: { version: "2.10.29", replicas, ...(allowScaleDown !== undefined && { allowScaleDown }) },
    });
    /** The engine's beforeUpdate call for the StatefulSet going from `before` to `after`. */
    const update = (before: Built, after: Built, dryRun: boolean) => runBeforeUpdate(before, after, K8S.statefulSet, dryRun);

    it("binds a refusing and a warning hook, both run at preview, to the JetStream StatefulSet only", async () => {
        const b = await build("sd", js(3) as any);
        const bound = b.child(K8S.statefulSet).options.hooks.beforeUpdate;
        assert.deepEqual(Object.keys(b.child(K8S.statefulSet).options.hooks), ["beforeUpdate"]);
        assert.deepEqual(bound.map(unsuffixed), [names.refuse, names.warn]);
        assert.deepEqual(
            bound.map((n) => {
                const h = registeredHooks.get(n)!;
                return [h.onDryRun, h.ignoreErrors];
            }),
            [
                [true, false],
                [true, true],
            ],
        );
        for (const c of b.children.filter((c) => c.type !== K8S.statefulSet)) assert.deepEqual(c.options.hooks, {}, c.name);
        const redis = await build("sdr", { namespace: "pipelines", redis: { native: { version: "7.0.15" } } } as any);
        assert.ok(!redis.child(K8S.statefulSet).options.hooks.beforeUpdate?.some((n) => /scale-down/.test(n)));
    });

    for (const dryRun of [true, false]) {
        const phase = dryRun ? "preview" : "up";
        it(`${phase}: 5 → 3 fails the update with the refusal; 3 → 5 passes silently`, async () => {
            const [five, three] = [await build("sd", js(5) as any), await build("sd", js(3) as any)];
            const down = await update(five, three, dryRun);
            assert.deepEqual(down.called.map(unsuffixed), [names.refuse]);
            assert.match(
                down.error ?? "",
                new RegExp(`^before hook "${names.refuse}(#\\d+)?" failed: jetstream\\.replicas 5 → 3: scale down one`),
            );
            const up = await update(three, five, dryRun);
            assert.deepEqual([up.warnings, up.error, up.called.map(unsuffixed)], [[], undefined, [names.refuse, names.warn]]);
        });

        it(`${phase}: 4 → 3 is refused without allowScaleDown and a warning with it`, async () => {
            const four = await build("sd", js(4) as any);
            const refused = await update(four, await build("sd", js(3) as any), dryRun);
            assert.match(refused.error ?? "", /jetstream\.replicas 4 → 3 deletes server isbsvc-sd-js-3: .*allowScaleDown: true/);
            const allowed = await update(four, await build("sd", js(3, true) as any), dryRun);
            assert.equal(allowed.error, undefined);
            assert.equal(allowed.warnings.length, 1);
            assert.match(
                allowed.warnings[0],
                new RegExp(`^BeforeUpdate hook "${names.warn}(#\\d+)?" failed: jetstream\\.replicas 4 → 3 \\(allowed`),
            );
            assert.match(allowed.warnings[0], /nats:\/\/isbsvc-sd-js-svc\.pipelines\.svc:4222/);
        });
    }

    it("rejects a non-boolean allowScaleDown naming the field", async () => {
        await assert.rejects(build("sdx", js(3, "yes" as any) as any), /"jetstream\.allowScaleDown" must be a boolean/);
    });

    it("without engine support for hooks (CLI < 3.182): no hooks, and the preview says which checks are off", async () => {
        const store = require("@pulumi/pulumi/runtime/state").getStore();
        const warnings: string[] = [];
        const original = pulumi.log.warn;
        (pulumi.log as any).warn = (msg: string) => {
            warnings.push(msg);
            return Promise.resolve();
        };
        store.supportsResourceHooks = false;
        setPreview(true);
        try {
            const b = await build("sdn", js(3) as any);
            assert.deepEqual(b.child(K8S.statefulSet).options.hooks, {});
            const r = await build("sdnr", { namespace: "pipelines", redis: { native: { version: "7.0.15" } } } as any);
            assert.deepEqual(r.child(K8S.statefulSet).options.hooks, {});
        } finally {
            store.supportsResourceHooks = true;
            setPreview(false);
            (pulumi.log as any).warn = original;
        }
        const off = warnings.filter((w) => w.startsWith("this Pulumi CLI has no resource hooks"));
        assert.equal(off.length, 2, warnings.join("\n"));
        assert.match(off[0], /a jetstream\.replicas decrease is not checked/);
        assert.match(off[1], /a redis\.native\.tls change is not checked/);
    });

    it("keeps hook names unique in the process (the engine refuses a second registration of a name)", async () => {
        assert.deepEqual(
            ["u", "u", "v", "u"].map((n) => uniqueHookName(`test:${n}`)),
            ["test:u", "test:u#2", "test:v", "test:u#3"],
        );
        const parents = ["a", "b"].map((p) => new pulumi.ComponentResource("test:index:Env", p));
        for (const parent of parents) await build("twin", js(3) as any, { parent });
        // (The mock URNs name only the parent's type, so both components share one: read the registry.)
        const [x, y] = registry()
            .filter((r) => r.type === K8S.statefulSet && r.name === "twin-js")
            .slice(-2)
            .map((r) => r.options.hooks.beforeUpdate);
        assert.deepEqual(x.map(unsuffixed), y.map(unsuffixed));
        assert.equal(new Set([...x, ...y]).size, 4, `${x} ${y}`);
    });
});
