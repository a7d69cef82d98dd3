/**
 * Live proof that the bed runs the servers as Kubernetes would under our security context: each
 * process as the pod's uid/gid with the supplementary group fsGroup, no capabilities, no_new_privs
 * and a read-only root file system outside its volume mounts; the mounted files with the owners and
 * modes the kubelet gives them. And that a permissions mistake fails here, not in a cluster: a
 * config volume the server's uid cannot read (mode 0400, owned by root, no fsGroup) stops the pod.
 *
 * Needs root, iproute2, setpriv, nats-server, redis-server, redis-sentinel, redis-cli (FAILS, never skips).
 *   npx mocha --config tests/live/.mocharc.json tests/live/jetstream/non-root.test.ts
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { build } from "../../../sim/runtime/build";
import { JetStreamPods } from "../../../sim/pods/jetstream-pods";
import { RedisPods } from "../../../sim/pods/redis-pods";
import { ChildResource } from "../../../sim/pods/pod-files";
import { newId } from "../../../sim/pods/netns";

/** Fields of /proc/<pid>/status. */
function status(pid: number): Record<string, string> {
    return Object.fromEntries(
        fs
            .readFileSync(`/proc/${pid}/status`, "utf8")
            .split("\n")
            .filter((l) => l.includes(":"))
            .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
    );
}

/** Mount options of the mount at `mountPoint` as process `pid` sees it (/proc/<pid>/mountinfo, field 6). */
function mountOptions(pid: number, mountPoint: string): string[] {
    const lines = fs
        .readFileSync(`/proc/${pid}/mountinfo`, "utf8")
        .split("\n")
        .map((l) => l.split(" "))
        .filter((f) => f[4] === mountPoint);
    assert.ok(lines.length > 0, `no mount at ${mountPoint} for pid ${pid}`);
    return lines.at(-1)![5].split(",");
}

/** The process of `pid` runs as uid/gid with exactly `groups`, holds no capability and cannot gain privileges. */
function assertIdentity(pid: number, uid: number, gid: number, groups: number[]): void {
    const s = status(pid);
    assert.equal(s.Uid, `${uid}\t${uid}\t${uid}\t${uid}`, `real, effective, saved and fs uid of ${pid}`);
    assert.equal(s.Gid, `${gid}\t${gid}\t${gid}\t${gid}`);
    assert.equal(s.Groups, groups.join(" "));
    for (const set of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]) assert.equal(s[set], "0000000000000000", `${set} of ${pid}`);
    assert.equal(s.NoNewPrivs, "1");
}

/** A deep copy of `children` with `edit` applied to the StatefulSet's pod spec. */
function withPodSpec(children: ChildResource[], edit: (spec: any) => void): ChildResource[] {
    const copy = JSON.parse(JSON.stringify(children)) as ChildResource[];
    edit(copy.find((c) => c.inputs.kind === "StatefulSet")!.inputs.spec.template.spec);
    return copy;
}

describe("live: the servers run non-root as the pod's security context says", function () {
    this.timeout(300_000);

    describe("JetStream (uid 1000, fsGroup 1000)", () => {
        let children: ChildResource[];
        let pods: JetStreamPods | undefined;

        before(async () => {
            children = (await build("nr", { namespace: "pipelines", jetstream: { version: "2.10.29", replicas: 1, tls: true } })).children;
            pods = await JetStreamPods.start(children, { id: newId("nr") });
        });

        after(async () => {
            await pods?.destroy();
        });

        it("nats-server runs as 1000:1000 with group 1000, no capabilities, no_new_privs, a read-only root and writable data", () => {
            const pod = pods!.podNames()[0];
            const pid = pods!.process(pod)!.pid;
            assertIdentity(pid, 1000, 1000, [1000]);
            assert.ok(mountOptions(pid, "/").includes("ro"), "the root file system is read-only");
            assert.ok(mountOptions(pid, "/data/jetstream").includes("rw"));
            assert.ok(mountOptions(pid, "/etc/nats-config").includes("ro"));
            // What it wrote is its own: the store and the pid file on the emptyDirs.
            const pidFile = pods!.hostPath(pod, pods!.configSetting(pod, "pid_file"));
            assert.equal(fs.statSync(pidFile).uid, 1000);
            assert.equal(fs.statSync(pods!.storeDir(pod)).uid, 1000);
        });

        it("the mounted files carry the kubelet's owners and modes: Secret files root:1000 0440, never world-readable", () => {
            const pod = pods!.podNames()[0];
            for (const f of ["nats-js.conf", "auth.conf", "server-key.pem"]) {
                const st = fs.statSync(pods!.hostPath(pod, `/etc/nats-config/${f}`));
                assert.equal(`${st.uid}:${st.gid} ${(st.mode & 0o777).toString(8)}`, "0:1000 440", f);
            }
        });

        it("a permissions mistake fails the pod: config files 0400 owned by root and no fsGroup (nats-server cannot read them)", async () => {
            const broken = withPodSpec(children, (spec) => {
                delete spec.securityContext.fsGroup;
                spec.volumes.find((v: any) => v.name === "config-volume").projected.defaultMode = 0o400;
            });
            await assert.rejects(JetStreamPods.start(broken, { id: newId("nrb"), startTimeoutMs: 15_000 }), /permission denied/i);
        });

        it("control: mode 0400 with fsGroup works, because the kubelet adds the group read bit (0440)", async () => {
            const fine = withPodSpec(children, (spec) => {
                spec.volumes.find((v: any) => v.name === "config-volume").projected.defaultMode = 0o400;
            });
            const other = await JetStreamPods.start(fine, { id: newId("nrc"), startTimeoutMs: 60_000 });
            try {
                const pod = other.podNames()[0];
                assert.equal(fs.statSync(other.hostPath(pod, "/etc/nats-config/auth.conf")).mode & 0o777, 0o440);
            } finally {
                await other.destroy();
            }
        });
    });

    describe("native Redis (uid 999, fsGroup 999)", () => {
        let pods: RedisPods | undefined;

        before(async () => {
            const children = (await build("nrr", { namespace: "pipelines", redis: { native: { version: "7.0.15", tls: true } } })).children;
            pods = await RedisPods.start(children, { id: newId("nrr") });
        });

        after(async () => {
            await pods?.destroy();
        });

        it("redis-server and redis-sentinel run as 999:999 with group 999, no capabilities, a read-only root; Sentinel rewrites its config", async () => {
            const pod = pods!.podNames()[0];
            for (const c of ["redis", "sentinel"] as const) {
                const pid = pods!.process(pod, c)!.pid;
                assertIdentity(pid, 999, 999, [999]);
                assert.ok(mountOptions(pid, "/").includes("ro"), `${c}: the root file system is read-only`);
            }
            // Sentinel rewrites sentinel.conf (CONFIG REWRITE at start: its id) in its emptyDir, as uid 999.
            const r = await pods!.exec(pod, "sentinel", [
                "sh",
                "-c",
                'grep -c "^sentinel myid" /sentinel/sentinel.conf; stat -c "%u %a" /sentinel/sentinel.conf; touch /isbt-probe',
            ]);
            assert.match(r.stdout, /^1\n999 600\n/, r.stdout + r.stderr);
            assert.match(r.stderr, /Read-only file system/, "the probe command cannot write the root either");
        });
    });
});
