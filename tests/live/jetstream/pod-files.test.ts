/**
 * The pod materialiser (sim/pods/pod-files.ts) on a hand-written, Redis-shaped StatefulSet: it must
 * be driven by the container and volume definitions alone (the same code will run Redis pods),
 * reproduce Kubernetes' env semantics and kubelet's file layout, and manage host mount points
 * without ever removing something it did not create. Fast: no processes, no namespaces.
 *
 *   npx mocha --config tests/live/.mocharc.json tests/live/jetstream/pod-files.test.ts
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    acquireMountPoints,
    ChildResource,
    describePods,
    expandK8sVars,
    materialisePods,
    MOUNT_POINT_STATE_DIR,
    podLaunch,
    readVolumeFiles,
    refreshPodFiles,
    releaseMountPoints,
    resetEphemeralVolumes,
} from "../../../sim/pods/pod-files";

function k8s(kind: string, inputs: Record<string, any>): ChildResource {
    const group = kind === "StatefulSet" ? "apps/v1" : "core/v1";
    return { type: `kubernetes:${group}:${kind}`, name: inputs.metadata.name, inputs: { kind, ...inputs } };
}

const b64 = (s: string): string => Buffer.from(s).toString("base64");

function redisLike(conf = "port 6379\n"): ChildResource[] {
    return [
        k8s("StatefulSet", {
            metadata: { name: "redis", namespace: "ns1" },
            spec: {
                replicas: 2,
                serviceName: "redis-headless",
                template: {
                    metadata: { labels: { app: "redis" } },
                    spec: {
                        containers: [
                            {
                                name: "redis",
                                command: ["redis-server", "/conf/redis.conf"],
                                args: ["--port", "$(PORT)", "$$(PORT)"],
                                resources: { limits: { memory: "512Mi", cpu: "500m" } },
                                envFrom: [{ configMapRef: { name: "redis-env" }, prefix: "CFG_" }],
                                env: [
                                    { name: "PORT", value: "6379" },
                                    { name: "A", value: "$(PORT)-$(UNKNOWN)-$(B)" },
                                    { name: "B", value: "b" },
                                    { name: "MEM_MI", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
                                    { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
                                    { name: "NO_LIMIT", valueFrom: { resourceFieldRef: { resource: "limits.ephemeral-storage" } } },
                                    { name: "PASS", valueFrom: { secretKeyRef: { name: "redis-secret", key: "password" } } },
                                    { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
                                ],
                                volumeMounts: [
                                    { name: "conf", mountPath: "/conf" },
                                    { name: "secret", mountPath: "/secret" },
                                    { name: "data", mountPath: "/data" },
                                    { name: "tmp", mountPath: "/scratch" },
                                ],
                            },
                            { name: "sentinel", command: ["redis-sentinel"] },
                        ],
                        volumes: [
                            { name: "conf", configMap: { name: "redis-conf" } },
                            {
                                name: "secret",
                                secret: { secretName: "redis-secret", items: [{ key: "password", path: "auth/pass", mode: 0o400 }] },
                            },
                            { name: "tmp", emptyDir: {} },
                        ],
                    },
                },
                volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: "1Gi" } } } }],
            },
        }),
        k8s("Service", { metadata: { name: "redis", namespace: "ns1" }, spec: { selector: { app: "redis" } } }),
        k8s("Service", { metadata: { name: "other", namespace: "ns1" }, spec: { selector: { app: "other" } } }),
        k8s("ConfigMap", { metadata: { name: "redis-conf", namespace: "ns1" }, data: { "redis.conf": conf, "extra.conf": "x\n" } }),
        k8s("ConfigMap", { metadata: { name: "redis-env", namespace: "ns1" }, data: { LEVEL: "debug" } }),
        k8s("Secret", { metadata: { name: "redis-secret", namespace: "ns1" }, data: { password: b64("s3cret") } }),
    ];
}

describe("local pod materialiser (pod-files.ts)", () => {
    let root: string;

    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "isbsvc-podfiles-"));
    });

    afterEach(() => {
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("expands $(VAR) like Kubernetes", () => {
        const vars = { A: "1", B: "two" };
        assert.equal(expandK8sVars("$(A)-$(B)", vars), "1-two");
        assert.equal(expandK8sVars("$$(A)", vars), "$(A)");
        assert.equal(expandK8sVars("$(C)", vars), "$(C)");
        assert.equal(expandK8sVars("$A $( $(A", vars), "$A $( $(A");
        assert.equal(expandK8sVars("cost: $$5", vars), "cost: $5");
    });

    it("describes every replica from the StatefulSet: names, DNS names, env, command, mounts", () => {
        const pods = describePods(redisLike(), { root, container: "redis" });
        assert.deepEqual(
            pods.map((p) => p.name),
            ["redis-0", "redis-1"],
        );
        assert.deepEqual(pods[1].hostnames, [
            "redis-1.redis-headless",
            "redis-1.redis-headless.ns1",
            "redis-1.redis-headless.ns1.svc",
            "redis-1.redis-headless.ns1.svc.cluster.local",
        ]);
        for (const svc of ["redis-headless", "redis", "redis.ns1", "redis.ns1.svc", "redis.ns1.svc.cluster.local"]) {
            assert.ok(pods[0].hostnames.includes(svc), svc);
        }
        assert.ok(!pods[0].hostnames.some((h) => h.startsWith("other")), "a service selecting other pods is not ours");
        const env = pods[1].env;
        assert.equal(env.HOSTNAME, "redis-1");
        assert.equal(env.A, "6379-$(UNKNOWN)-$(B)", "only variables defined earlier expand");
        assert.equal(env.MEM_MI, "512");
        assert.equal(env.CPU, "1", "cpu rounds up to whole cores");
        assert.ok(!("NO_LIMIT" in env), "a limit that is not set is left out");
        assert.equal(env.PASS, "s3cret");
        assert.equal(env.APP, "redis");
        assert.equal(env.CFG_LEVEL, "debug");
        assert.deepEqual(pods[1].command, ["redis-server", "/conf/redis.conf", "--port", "6379", "$(PORT)"]);
        assert.deepEqual(
            pods[1].mounts.map((m) => [m.podPath, m.kind, m.readOnly, path.relative(root, m.hostDir)]),
            [
                ["/conf", "configMap", true, "redis-1/conf"],
                ["/secret", "secret", true, "redis-1/secret"],
                ["/data", "persistentVolumeClaim", false, "redis-1/data"],
                ["/scratch", "emptyDir", false, "redis-1/scratch"],
            ],
        );
        assert.equal(pods[1].filesDir, path.join(root, "redis-1/conf"));
    });

    it("writes file volumes in kubelet's layout and refreshes them atomically", () => {
        const [pod] = materialisePods(redisLike(), { root, container: "redis" });
        const conf = path.join(pod.podRoot, "conf");
        const first = fs.readlinkSync(path.join(conf, "..data"));
        assert.match(first, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/);
        assert.equal(fs.readlinkSync(path.join(conf, "redis.conf")), "..data/redis.conf");
        assert.equal(fs.readFileSync(path.join(conf, "redis.conf"), "utf8"), "port 6379\n");
        const pass = path.join(pod.podRoot, "secret/auth/pass");
        assert.equal(fs.readFileSync(pass, "utf8"), "s3cret");
        assert.equal(fs.statSync(pass).mode & 0o777, 0o400);
        assert.equal(fs.readlinkSync(path.join(pod.podRoot, "secret/auth")), "..data/auth");
        assert.ok(fs.statSync(path.join(pod.podRoot, "data")).isDirectory());

        const changed = refreshPodFiles(pod, redisLike("port 6380\n"));
        assert.deepEqual(changed, ["conf/redis.conf"]);
        assert.equal(fs.readFileSync(path.join(conf, "redis.conf"), "utf8"), "port 6380\n");
        assert.notEqual(fs.readlinkSync(path.join(conf, "..data")), first);
        assert.ok(!fs.existsSync(path.join(conf, first)), "the old payload is removed");

        const none = refreshPodFiles(pod, redisLike("port 6381\n"), { only: ["extra.conf"] });
        assert.deepEqual(none, []);
        assert.equal(readVolumeFiles(conf)["redis.conf"].toString(), "port 6380\n", "files outside `only` keep their content");
    });

    it("recreating a pod empties emptyDir volumes and keeps claims", () => {
        const [pod] = materialisePods(redisLike(), { root, container: "redis" });
        fs.writeFileSync(path.join(pod.podRoot, "data/dump.rdb"), "data");
        fs.writeFileSync(path.join(pod.podRoot, "scratch/tmp"), "tmp");
        resetEphemeralVolumes(pod);
        assert.ok(fs.existsSync(path.join(pod.podRoot, "data/dump.rdb")));
        assert.deepEqual(fs.readdirSync(path.join(pod.podRoot, "scratch")), []);
    });

    it("refuses a pod that Kubernetes would not start", () => {
        const children = redisLike().filter((c) => c.inputs.kind !== "Secret");
        assert.throws(() => describePods(children, { root, container: "redis" }), /redis-secret key password is missing/);
        assert.throws(() => describePods(redisLike(), { root, container: "nope" }), /container nope not found/);
    });

    it("launches with every volume bind-mounted at its path and only the image executable mapped", () => {
        const [pod] = describePods(redisLike(), { root, container: "redis" });
        const launch = podLaunch(pod, { "redis-server": "/usr/bin/redis-server" }, ["HOME", "PASS"]);
        const [flag, script, argv0, ...argv] = launch.args;
        assert.equal(flag, "-c");
        assert.equal(argv0, "sh");
        assert.deepEqual(argv, ["/usr/bin/redis-server", "/conf/redis.conf", "--port", "6379", "$(PORT)"]);
        assert.match(script, new RegExp(`mount --bind '${pod.podRoot}/conf' '/conf'\\nmount -o remount,bind,ro '/conf'`));
        assert.match(script, /mount --bind '[^']+\/data' '\/data'\n(?!mount -o remount)/);
        assert.match(
            script,
            /exec setpriv --reuid=0 --regid=0 --clear-groups --inh-caps=-all --bounding-set=-all,\+chown,\+dac_override,[^ ]+ -- env -u 'HOME' "\$@"$/,
            "inherited variables are dropped, container ones kept; no securityContext: uid 0 with the runtime's default capabilities",
        );
        assert.doesNotMatch(script, /remount,bind,ro \//, "the root stays writable without readOnlyRootFilesystem");
        assert.deepEqual(
            launch.mountPoints.map((m) => m.path),
            ["/conf", "/secret", "/data", "/scratch"],
        );
        const abs = podLaunch({ ...pod, command: ["/redis-server"] }, { "/redis-server": "/usr/bin/redis-server" }, []);
        assert.deepEqual(abs.mountPoints.at(-1), { path: "/redis-server", kind: "file" });
        assert.match(abs.args[1], /mount --bind '\/usr\/bin\/redis-server' '\/redis-server'/);
        assert.throws(() => podLaunch(pod, {}, []), /no installed binary mapped/);
    });

    it("gives the volume files the kubelet's owners and modes, and launches as the container's user", () => {
        const children = redisLike();
        const spec = children[0].inputs.spec.template.spec;
        spec.securityContext = { runAsUser: 1000, runAsGroup: 1001, fsGroup: 2000, supplementalGroups: [3000] };
        spec.containers[0].securityContext = {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            readOnlyRootFilesystem: true,
        };
        const [pod] = materialisePods(children, { root, container: "redis" });
        const stat = (p: string) => {
            const st = fs.statSync(path.join(pod.podRoot, p));
            return `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`;
        };
        // Secret item mode 0400 → 0440 (roMask) with group fsGroup; ConfigMap default 0644 → 0644.
        assert.equal(stat("secret/auth/pass"), "0:2000 440");
        assert.equal(stat("conf/redis.conf"), "0:2000 644");
        assert.equal(stat("conf"), "0:2000 2777", "the volume root: emptyDir 0777, setgid and the group bits");
        assert.equal(stat("conf/..data/"), "0:2000 2755", "the payload directory: 0755, setgid, group");
        assert.equal(stat("scratch"), "0:2000 2777", "emptyDir: 0777, setgid, group");
        assert.equal(stat("data"), "0:2000 2775", "a fresh claim: 0755 | rwMask | setgid");
        fs.writeFileSync(path.join(pod.podRoot, "data/dump.rdb"), "x", { mode: 0o600 });
        resetEphemeralVolumes(pod);
        assert.equal(stat("data/dump.rdb"), "0:2000 660", "a recreated pod's kubelet sets the claim's files up again");
        const script = podLaunch(pod, { "redis-server": "/usr/bin/redis-server" }, []).args[1];
        assert.match(script, /mount -o remount,bind,ro \/\n/);
        assert.match(
            script,
            /exec setpriv --reuid=1000 --regid=1001 --groups=2000,3000 --inh-caps=-all --bounding-set=-all --no-new-privs -- env/,
        );
        const [plain] = materialisePods(redisLike(), { root: path.join(root, "plain"), container: "redis" });
        assert.equal(
            fs.statSync(path.join(plain.podRoot, "secret/auth/pass")).mode & 0o7777,
            0o400,
            "without fsGroup the mode stays as written",
        );
        assert.equal(fs.statSync(path.join(plain.podRoot, "secret/auth/pass")).gid, 0);
    });

    it("creates missing mount points, never removes pre-existing ones or ones another process uses", () => {
        fs.mkdirSync(path.join(root, "pre"));
        const points = [
            { path: path.join(root, "pre/a/b"), kind: "dir" as const },
            { path: path.join(root, "new/c"), kind: "dir" as const },
            { path: path.join(root, "bin/exe"), kind: "file" as const },
        ];
        acquireMountPoints(points);
        acquireMountPoints(points.slice(0, 1)); // held twice
        assert.ok(points.every((p) => fs.existsSync(p.path)));
        assert.equal(fs.statSync(points[2].path).size, 0);

        releaseMountPoints(points);
        assert.ok(fs.existsSync(points[0].path), "still held once");
        assert.ok(!fs.existsSync(path.join(root, "new")) && !fs.existsSync(path.join(root, "bin")), "created parents removed too");

        const other = path.join(MOUNT_POINT_STATE_DIR, "users", "1"); // pid 1 is alive: another test process
        fs.writeFileSync(other, JSON.stringify([points[0].path]));
        try {
            releaseMountPoints(points.slice(0, 1));
            assert.ok(fs.existsSync(points[0].path), "another process still uses it");
        } finally {
            fs.rmSync(other, { force: true });
        }
        releaseMountPoints([]);
        assert.ok(!fs.existsSync(path.join(root, "pre/a")), "removed once nobody uses it");
        assert.ok(fs.existsSync(path.join(root, "pre")), "what existed before stays");
    });
});
