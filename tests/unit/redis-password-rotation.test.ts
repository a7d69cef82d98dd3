/**
 * `redis.native.passwordRotation` (issue 10, item 6): validation, the password slots, the auth
 * Secret, the pod env and the restart checksum of each phase. The live proof that each phase rolls
 * without a stall is tests/live/redis/rotation.test.ts.
 */
import { strict as assert } from "assert";
import { InterStepBufferService, InterStepBufferServiceArgs, SpecError } from "../../provider";
import { build, Built, GEN, K8S, secretData } from "../../sim/runtime/build";
import { registry } from "../../sim/runtime/mock-runtime";
import { buildRevisions } from "../../sim/pods/rolling";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const NATIVE = { version: "7.0.15" };
const withRotation = (rotation: unknown): InterStepBufferServiceArgs =>
    ({ namespace: "p", redis: { native: { ...NATIVE, passwordRotation: rotation } } }) as InterStepBufferServiceArgs;

const passwordNames = (b: Built) =>
    b
        .ofType(GEN.password)
        .map((r) => r.name)
        .sort();
const containerEnv = (b: Built, container: string): string[] =>
    b
        .child(K8S.statefulSet)
        .inputs.spec.template.spec.containers.find((c: any) => c.name === container)
        .env.map((e: any) => `${e.name}=${e.valueFrom?.secretKeyRef ? `secret:${e.valueFrom.secretKeyRef.key}` : "…"}`);
const checksum = (b: Built): string => b.child(K8S.statefulSet).inputs.spec.template.metadata.annotations["isbsvc/restart-checksum"];
const slotValue = (b: Built, name: string): string => b.child(GEN.password, name).state.result;

describe("native Redis passwordRotation", () => {
    const invalid: Array<[unknown, string, RegExp]> = [
        ["a", "redis.native.passwordRotation", /must be an object/],
        [{ active: "c" }, "redis.native.passwordRotation.active", /must be "a" or "b", got "c"/],
        [{ accept: "all" }, "redis.native.passwordRotation.accept", /must be "both" or "active", got "all"/],
        [{ active: 1 }, "redis.native.passwordRotation.active", /must be a string/],
        [{ previous: "a" }, "redis.native.passwordRotation.previous", /./],
    ];
    for (const [rotation, field, message] of invalid) {
        it(`rejects ${JSON.stringify(rotation)} at ${field}, registering nothing`, () => {
            const before = registry().length;
            let error: unknown;
            try {
                new InterStepBufferService("bad", withRotation(rotation));
            } catch (e) {
                error = e;
            }
            assert.ok(error instanceof SpecError, `expected a SpecError, got ${String(error)}`);
            assert.equal(error.field, field);
            assert.match(error.message, message);
            assert.equal(registry().length, before);
        });
    }

    describe("phases", () => {
        let none: Built, defaults: Built, p1: Built, p2: Built, p3: Built, bOnly: Built;
        before(async () => {
            none = await build("rot", { namespace: "p", redis: { native: NATIVE } });
            defaults = await build("rot", withRotation({}));
            p1 = await build("rot", withRotation({ active: "a", accept: "both" }));
            p2 = await build("rot", withRotation({ active: "b", accept: "both" }));
            p3 = await build("rot", withRotation({ active: "b", accept: "active" }));
            bOnly = await build("rot", withRotation({ active: "b" }));
        });

        it("the default is today's single password: same resources, Secret keys, env and pod template", () => {
            for (const b of [none, defaults]) {
                assert.deepEqual(passwordNames(b), ["rot-redis-password"]);
                assert.deepEqual(Object.keys(secretData(b.child(K8S.secret, "rot-redis-auth"))), ["redis-password"]);
                assert.deepEqual(containerEnv(b, "redis"), ["POD_NAME=…", "REDIS_PASSWORD=secret:redis-password"]);
            }
            const template = (b: Built) => {
                const t = structuredClone(b.child(K8S.statefulSet).inputs.spec.template);
                delete t.metadata.annotations["isbsvc/restart-checksum"];
                return t;
            };
            assert.deepEqual(template(defaults), template(none));
        });

        it("accept both: both slots exist, the auth Secret's password is the active one, the other is accepted by redis and sentinel", () => {
            for (const [b, active, other] of [
                [p1, "rot-redis-password", "rot-redis-password-b"],
                [p2, "rot-redis-password-b", "rot-redis-password"],
            ] as const) {
                assert.deepEqual(passwordNames(b), ["rot-redis-password", "rot-redis-password-b"]);
                const data = secretData(b.child(K8S.secret, "rot-redis-auth"));
                assert.deepEqual(Object.keys(data).sort(), ["redis-password", "redis-password-also-accepted"]);
                assert.equal(data["redis-password"], b.outputs.password, "clients get the active password");
                assert.equal(data["redis-password"], slotValue(b, active));
                assert.equal(data["redis-password-also-accepted"], slotValue(b, other));
                for (const c of ["redis", "sentinel"]) {
                    assert.deepEqual(containerEnv(b, c), [
                        "POD_NAME=…",
                        "REDIS_PASSWORD=secret:redis-password",
                        "REDIS_PASSWORD_ALSO_ACCEPTED=secret:redis-password-also-accepted",
                    ]);
                }
                assert.ok(!containerEnv(b, "metrics").some((e) => e.startsWith("REDIS_PASSWORD_ALSO")), "the exporter uses the active one");
            }
        });

        it("accept active: only the active slot exists (slot b alone after a rotation)", () => {
            for (const b of [p3, bOnly]) {
                assert.deepEqual(passwordNames(b), ["rot-redis-password-b"]);
                const data = secretData(b.child(K8S.secret, "rot-redis-auth"));
                assert.deepEqual(Object.keys(data), ["redis-password"]);
                assert.equal(data["redis-password"], b.outputs.password);
                assert.deepEqual(containerEnv(b, "redis"), ["POD_NAME=…", "REDIS_PASSWORD=secret:redis-password"]);
            }
        });

        it("the start scripts: redis and Sentinel get an ACL default user with every accepted password, and authenticate to peers with the active one", () => {
            const data = p1.child(K8S.configMap, p1.ofType(K8S.configMap).find((c) => /scripts/.test(c.name))!.name).inputs.data;
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rot-"));
            try {
                for (const [f, text] of Object.entries(data as Record<string, string>)) fs.writeFileSync(path.join(dir, f), text);
                fs.writeFileSync(path.join(dir, "t.sh"), '. "${0%/*}/lib.sh"\nacl_user_line\n');
                const run = (env: Record<string, string>) =>
                    execFileSync("/bin/sh", [path.join(dir, "t.sh")], {
                        env: { PATH: process.env.PATH!, POD_NAME: "x-0", ...env },
                    }).toString();
                assert.equal(run({ REDIS_PASSWORD: "Pa1" }), 'user default on ">Pa1" ~* &* +@all\n');
                assert.equal(
                    run({ REDIS_PASSWORD: "Pa1", REDIS_PASSWORD_ALSO_ACCEPTED: "Pb2" }),
                    'user default on ">Pa1" ">Pb2" ~* &* +@all\n',
                );
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
            const node = data["start-node.sh"] as string;
            const sentinel = data["start-sentinel.sh"] as string;
            for (const text of [node, sentinel]) assert.doesNotMatch(text, /^\s*echo "requirepass/m, "no single-password requirepass");
            assert.equal(node.match(/^\s*acl_user_line$/gm)?.length, 2, "the beacon and redis-server");
            assert.match(node, /echo "masterauth \\"\$REDIS_PASSWORD\\""/);
            assert.match(sentinel, /^\s*acl_user_line$/m);
            assert.match(sentinel, /sentinel auth-pass \$MASTER_SET \\"\$REDIS_PASSWORD\\""/);
            assert.match(sentinel, /sentinel sentinel-pass \\"\$REDIS_PASSWORD\\""/);
        });
    });

    it("through successive updates each phase keeps the slots it shares with the previous one and changes the restart checksum (the pods roll)", async () => {
        const steps: InterStepBufferServiceArgs[] = [
            { namespace: "p", redis: { native: NATIVE } },
            withRotation({ active: "a", accept: "both" }),
            withRotation({ active: "b", accept: "both" }),
            withRotation({ active: "b", accept: "active" }),
        ];
        for (let i = 0; i + 1 < steps.length; i++) {
            const { before, after } = await buildRevisions("chain", steps[i], steps[i + 1]);
            assert.notEqual(checksum(before), checksum(after), `phase ${i + 1} rolls the pods`);
            for (const slot of passwordNames(before).filter((n) => passwordNames(after).includes(n))) {
                assert.equal(slotValue(after, slot), slotValue(before, slot), `phase ${i + 1} keeps ${slot}`);
            }
        }
        const { before, after } = await buildRevisions("chain", steps[0], steps[0]);
        assert.equal(checksum(before), checksum(after), "no rotation, no change: no roll");
    });
});
