/**
 * The PodSecurity model (rules/pod-security.ts) against cases read off upstream's tests
 * (`staging/src/k8s.io/pod-security-admission/policy/check_*_test.go`), then applied to every
 * rendered object of every example and test spec: all pass "restricted".
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { build } from "../../sim/runtime/build";
import { checkObject, checkPod, CHECK_IDS, Violation } from "../../rules/pod-security";
import { exampleProgramObjects, exampleSpecs, TEST_SPECS } from "../support/spec-corpus";

type Case = { name: string; spec: any; meta?: any; check: string; reason?: string; detail?: string; allowed?: boolean };

const pod = (containers: any[], podFields: any = {}) => ({ ...podFields, containers });

/** Cases read off upstream's tests (file named in each group), reason and detail as upstream expects them. */
const UPSTREAM: Case[] = [
    // check_runAsNonRoot_test.go TestRunAsNonRoot
    {
        name: "no explicit runAsNonRoot",
        check: "runAsNonRoot",
        spec: pod([{ name: "a" }]),
        reason: "runAsNonRoot != true",
        detail: 'pod or container "a" must set securityContext.runAsNonRoot=true',
    },
    {
        name: "pod runAsNonRoot=false",
        check: "runAsNonRoot",
        spec: pod([{ name: "a" }], { securityContext: { runAsNonRoot: false } }),
        reason: "runAsNonRoot != true",
        detail: "pod must not set securityContext.runAsNonRoot=false",
    },
    {
        name: "containers runAsNonRoot=false",
        check: "runAsNonRoot",
        spec: pod(
            [
                { name: "a" },
                { name: "b", securityContext: {} },
                { name: "c", securityContext: { runAsNonRoot: false } },
                { name: "d", securityContext: { runAsNonRoot: false } },
                { name: "e", securityContext: { runAsNonRoot: true } },
                { name: "f", securityContext: { runAsNonRoot: true } },
            ],
            { securityContext: { runAsNonRoot: true } },
        ),
        reason: "runAsNonRoot != true",
        detail: 'containers "c", "d" must not set securityContext.runAsNonRoot=false',
    },
    {
        name: "pod nil, container fallthrough",
        check: "runAsNonRoot",
        spec: pod([
            { name: "a" },
            { name: "b", securityContext: {} },
            { name: "d", securityContext: { runAsNonRoot: true } },
            { name: "e", securityContext: { runAsNonRoot: true } },
        ]),
        reason: "runAsNonRoot != true",
        detail: 'pod or containers "a", "b" must set securityContext.runAsNonRoot=true',
    },
    { name: "host users false allowed", check: "runAsNonRoot", spec: { hostUsers: false }, allowed: true },
    // check_seccompProfile_restricted_test.go TestSeccompProfileRestricted
    {
        name: "no explicit seccomp",
        check: "seccompProfile_restricted",
        spec: pod([{ name: "a" }]),
        reason: "seccompProfile",
        detail: 'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
    },
    {
        name: "pod seccomp invalid",
        check: "seccompProfile_restricted",
        spec: pod([{ name: "a" }], { securityContext: { seccompProfile: { type: "Unconfined" } } }),
        reason: "seccompProfile",
        detail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"',
    },
    {
        name: "containers seccomp invalid",
        check: "seccompProfile_restricted",
        spec: pod(
            [
                { name: "a" },
                { name: "b", securityContext: {} },
                { name: "c", securityContext: { seccompProfile: { type: "Unconfined" } } },
                { name: "d", securityContext: { seccompProfile: { type: "Unconfined" } } },
                { name: "e", securityContext: { seccompProfile: { type: "RuntimeDefault" } } },
                { name: "f", securityContext: { seccompProfile: { type: "RuntimeDefault" } } },
            ],
            { securityContext: { seccompProfile: { type: "RuntimeDefault" } } },
        ),
        reason: "seccompProfile",
        detail: 'containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
    },
    {
        name: "seccomp pod nil, container fallthrough",
        check: "seccompProfile_restricted",
        spec: pod([
            { name: "a" },
            { name: "b", securityContext: {} },
            { name: "d", securityContext: { seccompProfile: { type: "RuntimeDefault" } } },
            { name: "e", securityContext: { seccompProfile: { type: "RuntimeDefault" } } },
        ]),
        reason: "seccompProfile",
        detail: 'pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
    },
    // check_capabilities_restricted_test.go TestCapabilitiesRestricted
    {
        name: "multiple containers",
        check: "capabilities_restricted",
        spec: pod([
            { name: "a", securityContext: { capabilities: { add: ["FOO", "BAR"] } } },
            { name: "b", securityContext: { capabilities: { add: ["BAR", "BAZ"] } } },
            { name: "c", securityContext: { capabilities: { add: ["NET_BIND_SERVICE", "CHOWN"], drop: ["ALL", "FOO"] } } },
        ]),
        reason: "unrestricted capabilities",
        detail: 'containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add',
    },
];

/** Cases built from the check functions' code (check_<id>.go), one allowed and one forbidden per check. */
const FROM_SOURCE: Case[] = [
    {
        name: "allowPrivilegeEscalation unset",
        check: "allowPrivilegeEscalation",
        spec: pod([{ name: "a" }, { name: "b", securityContext: { allowPrivilegeEscalation: false } }]),
        reason: "allowPrivilegeEscalation != false",
        detail: 'container "a" must set securityContext.allowPrivilegeEscalation=false',
    },
    {
        name: "runAsUser 0 at pod and container",
        check: "runAsUser",
        spec: pod(
            [
                { name: "a", securityContext: { runAsUser: 0 } },
                { name: "b", securityContext: { runAsUser: 1 } },
            ],
            { securityContext: { runAsUser: 0 } },
        ),
        reason: "runAsUser=0",
        detail: 'pod and container "a" must not set runAsUser=0',
    },
    {
        name: "restricted volume types",
        check: "restrictedVolumes",
        spec: {
            containers: [],
            volumes: [
                { name: "b", nfs: {} },
                { name: "a", hostPath: {} },
                { name: "ok", emptyDir: {} },
                { name: "p", projected: {} },
            ],
        },
        reason: "restricted volume types",
        detail: 'volumes ["a" "b"] have restricted types',
    },
    {
        name: "baseline capabilities beyond the default set",
        check: "capabilities_baseline",
        spec: pod([{ name: "a", securityContext: { capabilities: { add: ["NET_ADMIN", "CHOWN", "SYS_ADMIN"] } } }]),
        reason: "non-default capabilities",
        detail: 'container "a" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add',
    },
    {
        name: "forbidden sysctls",
        check: "sysctls",
        spec: { containers: [], securityContext: { sysctls: [{ name: "kernel.msgmax" }, { name: "net.ipv4.tcp_syncookies" }] } },
        reason: "forbidden sysctls",
        detail: "kernel.msgmax",
    },
    {
        name: "seLinux type and user",
        check: "seLinuxOptions",
        spec: pod([{ name: "a", securityContext: { seLinuxOptions: { type: "spc_t", user: "u" } } }]),
        reason: "seLinuxOptions",
        detail: 'container "a" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set',
    },
    {
        name: "probe host",
        check: "hostProbesAndHostLifecycle",
        spec: pod([{ name: "a", livenessProbe: { httpGet: { host: "10.0.0.1", port: 80 } } }]),
        reason: "probe or lifecycle host",
        detail: 'container "a" uses probe or lifecycle host "10.0.0.1"',
    },
    {
        name: "host network",
        check: "hostNamespaces",
        spec: { containers: [], hostNetwork: true, hostPID: true },
        reason: "host namespaces",
        detail: "hostNetwork=true, hostPID=true",
    },
    { name: "privileged", check: "privileged", spec: pod([{ name: "a", securityContext: { privileged: true } }]), reason: "privileged" },
    {
        name: "hostPath",
        check: "hostPathVolumes",
        spec: { containers: [], volumes: [{ name: "h", hostPath: { path: "/" } }] },
        reason: "hostPath volumes",
    },
    { name: "hostPort", check: "hostPorts", spec: pod([{ name: "a", ports: [{ containerPort: 80, hostPort: 80 }] }]), reason: "hostPort" },
    {
        name: "procMount Unmasked",
        check: "procMount_baseline",
        spec: pod([{ name: "a", securityContext: { procMount: "Unmasked" } }]),
        reason: "procMount",
    },
    {
        name: "procMount Unmasked in a user namespace",
        check: "procMount_baseline",
        spec: pod([{ name: "a", securityContext: { procMount: "Unmasked" } }], { hostUsers: false }),
        allowed: true,
    },
    {
        name: "seccomp Unconfined (baseline)",
        check: "seccompProfile_baseline",
        spec: pod([{ name: "a", securityContext: { seccompProfile: { type: "Unconfined" } } }]),
        reason: "seccompProfile",
    },
    {
        name: "AppArmor unconfined annotation",
        check: "appArmorProfile",
        spec: pod([{ name: "a" }]),
        meta: { annotations: { "container.apparmor.security.beta.kubernetes.io/a": "unconfined" } },
        reason: "forbidden AppArmor profile",
        detail: 'container.apparmor.security.beta.kubernetes.io/a="unconfined"',
    },
    {
        name: "Windows hostProcess",
        check: "windowsHostProcess",
        spec: pod([{ name: "a", securityContext: { windowsOptions: { hostProcess: true } } }]),
        reason: "hostProcess",
    },
];

/** A pod every check allows. */
const RESTRICTED_POD = {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
    containers: [
        { name: "a", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } } },
    ],
    volumes: [{ name: "v", emptyDir: {} }],
};

function describeViolations(vs: Violation[]): string {
    return vs.map((v) => `${v.check}: ${v.reason}: ${v.detail}`).join("\n");
}

describe("PodSecurity admission model (rules/pod-security.ts)", () => {
    for (const c of [...UPSTREAM, ...FROM_SOURCE]) {
        it(`${c.check}: ${c.name}`, () => {
            const found = checkPod(c.meta ?? {}, c.spec).find((v) => v.check === c.check);
            if (c.allowed) {
                assert.equal(found, undefined);
                return;
            }
            assert.ok(found, `${c.check} allows it`);
            assert.equal(found.reason, c.reason);
            if (c.detail !== undefined) assert.equal(found.detail, c.detail);
        });
    }

    it("a pod meeting every rule passes restricted; restricted includes every baseline check", () => {
        assert.deepEqual(checkPod({}, RESTRICTED_POD), []);
        assert.ok(CHECK_IDS.baseline.every((id) => CHECK_IDS.restricted.includes(id)));
        assert.equal(CHECK_IDS.restricted.length, 18);
        const unconfined = { ...RESTRICTED_POD, securityContext: { ...RESTRICTED_POD.securityContext, runAsNonRoot: false } };
        assert.deepEqual(checkPod({}, unconfined, "baseline"), [], "runAsNonRoot is not a baseline check");
        assert.equal(checkPod({}, unconfined, "restricted").length, 1);
    });

    it("init and ephemeral containers are checked, and workloads through their pod template", () => {
        const spec = { ...RESTRICTED_POD, initContainers: [{ name: "init" }], ephemeralContainers: [{ name: "debug" }] };
        const v = checkObject({ kind: "StatefulSet", spec: { template: { spec } } }).find((x) => x.check === "allowPrivilegeEscalation");
        assert.equal(v?.detail, 'containers "init", "debug" must set securityContext.allowPrivilegeEscalation=false');
        assert.deepEqual(checkObject({ kind: "ConfigMap", data: {} }), []);
    });
});

describe("every rendered pod passes PodSecurity restricted", () => {
    const assertRestricted = (objects: Record<string, any>[], where: string): number => {
        let pods = 0;
        for (const o of objects) {
            const v = checkObject(o);
            assert.equal(describeViolations(v), "", `${where}: ${o.kind} ${o.metadata?.name}`);
            if (o.spec?.template?.spec) pods++;
        }
        return pods;
    };

    for (const [title, args] of Object.entries(TEST_SPECS)) {
        it(`test spec: ${title}`, async () => {
            const b = await build("psa", args);
            const objects = b.children.filter((c) => c.type.startsWith("kubernetes:")).map((c) => c.inputs);
            const pods = assertRestricted(objects, title);
            assert.equal(pods, "external" in ((args.redis as any) ?? {}) ? 0 : 1, "the StatefulSet was checked");
        });
    }

    for (const [title, { name, args }] of Object.entries(exampleSpecs())) {
        it(`example: ${title}`, async () => {
            const b = await build(name, args);
            assert.equal(
                assertRestricted(
                    b.children.filter((c) => c.type.startsWith("kubernetes:")).map((c) => c.inputs),
                    title,
                ),
                1,
            );
        });
    }

    it("examples: the TypeScript producer programs", async () => {
        pulumi.runtime.setConfig(`${pulumi.getProject()}:redisPassword`, "Example-Pw-1");
        const byExample = await exampleProgramObjects();
        const pods = Object.entries(byExample).map(([ex, objects]) => assertRestricted(objects, ex));
        assert.deepEqual(pods, [1, 1, 0], "jetstream and redis-native render one StatefulSet each, redis-external none");
    });
});
