/**
 * Issue 10: a native Redis `tls` toggle does not complete as a rolling restart
 * (tests/live/redis/tls-toggle.test.ts), so the preview and the `up` warn exactly when `tls`
 * changes: a hook on the StatefulSet (provider/resources/hooks.ts) applies
 * provider/render/redis/tls-toggle.ts to its old and new inputs. The hook is called here as the
 * engine calls it (sim/runtime/resource-hooks.ts) with the StatefulSet inputs of two builds.
 */
import { strict as assert } from "assert";
import { build, Built, K8S } from "../../sim/runtime/build";
import { registeredHooks } from "../../sim/runtime/mock-runtime";
import { runBeforeUpdate } from "../../sim/runtime/resource-hooks";
import { mountsSecret, redisTlsToggleWarning } from "../../provider/render/redis/tls-toggle";
import { redisTlsHookName } from "../../provider/resources/hooks";

/** A bound hook name without the suffix that keeps names unique in the process. */
const base = (n: string) => n.replace(/#\d+$/, "");

const native = (o: Record<string, unknown>) => ({ namespace: "pipelines", redis: { native: { version: "7.0.15", ...o } } }) as any;

describe("Redis tls toggle warning (pure)", () => {
    const sts = (secrets: string[], labels: Record<string, string> = { a: "b", c: "d" }) => ({
        metadata: { namespace: "pipelines" },
        spec: {
            selector: { matchLabels: labels },
            template: { spec: { volumes: secrets.map((s) => ({ name: s, secret: { secretName: s } })) } },
        },
    });

    it("reads whether the pod template mounts the TLS Secret; unknown when there are no volumes", () => {
        assert.equal(mountsSecret(sts(["x-tls"]), "x-tls"), true);
        assert.equal(mountsSecret(sts(["other"]), "x-tls"), false);
        for (const v of [undefined, null, {}, { spec: { template: { spec: {} } } }]) assert.equal(mountsSecret(v, "x-tls"), undefined);
    });

    it("warns on a change in either direction with the procedure and the selector; says what is lost without persistence", () => {
        const on = redisTlsToggleWarning({ oldInputs: sts([]), newInputs: sts(["x-tls"]), tlsSecret: "x-tls", persistent: true });
        assert.match(on, /^redis\.native\.tls false → true: this does not complete as a rolling restart/);
        assert.match(on, /kubectl delete pod -n pipelines -l a=b,c=d/);
        assert.match(on, /no WAIT-acknowledged write is lost/);
        const off = redisTlsToggleWarning({ oldInputs: sts(["x-tls"]), newInputs: sts([]), tlsSecret: "x-tls", persistent: false });
        assert.match(off, /^redis\.native\.tls true → false/);
        assert.match(off, /Without persistence every key is lost/);
    });

    it("says nothing when tls does not change or cannot be read", () => {
        for (const [o, n] of [
            [sts([]), sts([])],
            [sts(["x-tls"]), sts(["x-tls"])],
            [undefined, sts(["x-tls"])],
            [sts([]), {}],
        ]) {
            assert.equal(redisTlsToggleWarning({ oldInputs: o, newInputs: n, tlsSecret: "x-tls", persistent: true }), "");
        }
    });
});

describe("Redis tls toggle hook on the StatefulSet (engine calls under the mocks)", () => {
    /** The engine's beforeUpdate call for the StatefulSet going from `before` to `after`. */
    const update = (before: Built, after: Built, dryRun: boolean) => runBeforeUpdate(before, after, K8S.statefulSet, dryRun);

    it("binds one warning hook (ignoreErrors, run at preview) to the Redis StatefulSet", async () => {
        const b = await build("rt", native({}));
        const bound = b.child(K8S.statefulSet).options.hooks.beforeUpdate;
        assert.deepEqual(Object.keys(b.child(K8S.statefulSet).options.hooks), ["beforeUpdate"]);
        assert.deepEqual(bound.map(base), [redisTlsHookName("rt")]);
        const h = registeredHooks.get(bound[0])!;
        assert.deepEqual([h.onDryRun, h.ignoreErrors], [true, true]);
    });

    for (const dryRun of [true, false]) {
        it(`${dryRun ? "preview" : "up"}: warns for tls off → on and on → off (never fails the update); silent for other changes`, async () => {
            const persistence = { volumeSize: "1Gi" };
            const off = await build("rt", native({ persistence }));
            const on = await build("rt", native({ persistence, tls: true }));
            for (const [a, b, dir] of [
                [off, on, "false → true"],
                [on, off, "true → false"],
            ] as const) {
                const r = await update(a, b, dryRun);
                assert.equal(r.error, undefined);
                assert.equal(r.warnings.length, 1);
                assert.ok(
                    new RegExp(`^BeforeUpdate hook "${redisTlsHookName("rt")}(#\\d+)?" failed: redis\\.native\\.tls ${dir}:`).test(
                        r.warnings[0],
                    ),
                    r.warnings[0],
                );
                assert.match(r.warnings[0], /kubectl delete pod -n pipelines -l .*numaflow\.numaproj\.io\/isbsvc-name=rt/);
            }
            for (const other of [native({ persistence, replicas: 5 }), native({ persistence, settings: { redis: "maxmemory 256mb" } })]) {
                const r = await update(off, await build("rt", other), dryRun);
                assert.deepEqual([r.warnings, r.error, r.called.map(base)], [[], undefined, [redisTlsHookName("rt")]]);
            }
        });
    }
});
