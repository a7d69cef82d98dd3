/**
 * Permissions of the files Secrets are mounted as: each Secret volume's exact mode, never
 * world-readable, and readable by the uid/gid each mounting container runs as. The model is the
 * kubelet's (provider/render/volume-access.ts): Secret files are owned by root, with group
 * `fsGroup` and the group read bit added when the pod sets one (else root:root as written);
 * containers drop every capability, so root reads through the owner bits like anyone else.
 */
import { strict as assert } from "assert";
import { build, K8S } from "../../sim/runtime/build";
import { afterSetVolumeOwnership, mayAccess, processIdentity } from "../../provider/render/volume-access";

interface SecretFile {
    volume: string;
    secret: string;
    path: string;
    mode: number;
}

/** Every file a Secret projects into a volume of `pod`, with its effective mode. */
function secretFiles(pod: any): SecretFile[] {
    const out: SecretFile[] = [];
    for (const v of pod.volumes) {
        if (v.secret) {
            for (const item of v.secret.items) {
                out.push({
                    volume: v.name,
                    secret: v.secret.secretName,
                    path: item.path,
                    mode: item.mode ?? v.secret.defaultMode ?? 0o644,
                });
            }
        }
        for (const source of v.projected?.sources ?? []) {
            if (!source.secret) continue;
            for (const item of source.secret.items) {
                out.push({
                    volume: v.name,
                    secret: source.secret.name,
                    path: item.path,
                    mode: item.mode ?? v.projected.defaultMode ?? 0o644,
                });
            }
        }
    }
    return out;
}

/** Whether the container's process can read `f` once the kubelet set the volume up (provider/render/volume-access.ts). */
function canRead(pod: any, container: any, f: SecretFile): boolean {
    const fsGroup = pod.securityContext?.fsGroup;
    return mayAccess(processIdentity(pod, container), afterSetVolumeOwnership({ uid: 0, gid: 0, mode: f.mode }, false, fsGroup, true), "r");
}

function checkReaders(pod: any, files: SecretFile[]): void {
    for (const c of pod.containers) {
        const who = processIdentity(pod, c);
        for (const m of c.volumeMounts ?? []) {
            for (const f of files.filter((f) => f.volume === m.name)) {
                assert.ok(
                    canRead(pod, c, f),
                    `${c.name} (uid ${who.uid}, gid ${who.gid}, groups ${who.groups}) cannot read ${m.mountPath}/${f.path} (mode ${f.mode.toString(8)})`,
                );
            }
        }
    }
}

describe("Secret volume permissions", () => {
    it("JetStream: the projected server Secret files are 0440, group-readable by uid 1000 (fsGroup 1000) in main and reloader", async () => {
        const b = await build("perm-js", { namespace: "pipelines", jetstream: { version: "2.10.29", tls: true, encryption: true } });
        const pod = b.child(K8S.statefulSet).inputs.spec.template.spec;
        assert.deepEqual(pod.securityContext, {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
        });
        const volume = pod.volumes.find((v: any) => v.name === "config-volume");
        assert.equal(volume.projected.defaultMode, 0o440);
        const files = secretFiles(pod);
        assert.deepEqual(
            files.map((f) => `${f.secret}:${f.path}:${f.mode.toString(8)}`),
            [
                "auth.conf",
                "routes.conf",
                "ca-cert.pem",
                "server-cert.pem",
                "server-key.pem",
                "cluster-ca-cert.pem",
                "cluster-server-cert.pem",
                "cluster-server-key.pem",
            ].map((p) => `isbsvc-perm-js-js-server:${p}:440`),
        );
        const mounting = pod.containers
            .filter((c: any) => c.volumeMounts?.some((m: any) => m.name === "config-volume"))
            .map((c: any) => c.name);
        assert.deepEqual(mounting, ["main", "reloader"]);
        for (const c of pod.containers) assert.deepEqual([processIdentity(pod, c).uid, processIdentity(pod, c).groups], [1000, [1000]]);
        checkReaders(pod, files);
    });

    it("native Redis: the TLS Secret files are 0440, group-readable by the redis user (uid 999, fsGroup 999)", async () => {
        const b = await build("perm-rds", { namespace: "pipelines", redis: { native: { version: "7.0.15", tls: true } } });
        const pod = b.child(K8S.statefulSet).inputs.spec.template.spec;
        assert.deepEqual(pod.securityContext, {
            runAsNonRoot: true,
            runAsUser: 999,
            runAsGroup: 999,
            fsGroup: 999,
            seccompProfile: { type: "RuntimeDefault" },
        });
        const volume = pod.volumes.find((v: any) => v.name === "tls");
        assert.equal(volume.secret.defaultMode, 0o440);
        const files = secretFiles(pod);
        assert.deepEqual(
            files.map((f) => `${f.secret}:${f.path}:${f.mode.toString(8)}`),
            ["ca.crt", "tls.crt", "tls.key"].map((p) => `isbsvc-perm-rds-redis-tls:${p}:440`),
        );
        assert.deepEqual(
            pod.containers.filter((c: any) => c.volumeMounts?.some((m: any) => m.name === "tls")).map((c: any) => c.name),
            ["redis", "sentinel", "metrics"],
        );
        for (const c of pod.containers) assert.deepEqual([processIdentity(pod, c).uid, processIdentity(pod, c).groups], [999, [999]]);
        checkReaders(pod, files);
    });

    it("no Secret file is world-readable, and no Secret is mounted without TLS but the JetStream auth file", async () => {
        for (const [name, args] of Object.entries({
            "perm-a": { namespace: "p", jetstream: { version: "2.12.7", replicas: 1 } },
            "perm-b": { namespace: "p", redis: { native: { version: "6.2.6" } } },
            "perm-c": { namespace: "p", redis: { native: { version: "7.0.11", tls: true, persistence: {} } } },
        })) {
            const pod = (await build(name, args)).child(K8S.statefulSet).inputs.spec.template.spec;
            const files = secretFiles(pod);
            for (const f of files) assert.equal(f.mode & 0o007, 0, `${name}: ${f.path} is world-readable (${f.mode.toString(8)})`);
            checkReaders(pod, files);
            if (name === "perm-a")
                assert.deepEqual(
                    files.map((f) => f.path),
                    ["auth.conf"],
                );
            if (name === "perm-b") assert.deepEqual(files, []);
        }
    });

    it("the model refuses what the kubelet would refuse (the check itself can fail)", () => {
        const who = (uid: number, gid: number, groups: number[]) =>
            processIdentity(
                { securityContext: { runAsUser: uid, runAsGroup: gid, supplementalGroups: groups } },
                { securityContext: { capabilities: { drop: ["ALL"] } } },
            );
        const read = (mode: number, fsGroup: number | undefined, w: ReturnType<typeof who>) =>
            mayAccess(w, afterSetVolumeOwnership({ uid: 0, gid: 0, mode }, false, fsGroup, true), "r");
        assert.equal(read(0o400, undefined, who(999, 999, [])), false, "0400 root:root: the redis user cannot read it");
        assert.equal(read(0o400, 999, who(999, 999, [999])), true, "with fsGroup the kubelet ORs 0440 (roMask) and sets the group");
        assert.equal(read(0o440, undefined, who(999, 999, [])), false, "without fsGroup the file's group is root");
        assert.equal(read(0o440, undefined, who(0, 0, [])), true);
        assert.equal(read(0o040, undefined, who(0, 5, [])), false, "the owner bits alone decide for the owner (no CAP_DAC_OVERRIDE)");
        const root = processIdentity({}, {});
        assert.equal(mayAccess(root, { uid: 0, gid: 0, mode: 0 }, "r"), true, "root keeping CAP_DAC_OVERRIDE reads anything");
    });
});
