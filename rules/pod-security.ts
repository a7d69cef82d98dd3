/**
 * The Pod Security Standards as the PodSecurity admission checks them: every check of the
 * "baseline" and "restricted" levels, modelled from kubernetes/kubernetes
 * `staging/src/k8s.io/pod-security-admission/policy/` (latest policy version of each check, as read
 * in 2025; each check below names its file and function). A pod (or the pod template of a
 * workload) is admitted at a level when every check of that level and of the levels below allows it
 * (`registry.go`: restricted includes baseline).
 *
 * Reasons and details are upstream's strings (`ForbiddenReason`, `ForbiddenDetail`), built with
 * upstream's `pluralize` and `joinQuote` (`helpers.go`), so tests can compare them with upstream's
 * test cases. Containers are visited as `visitor.go` `visitContainers` does: init containers, then
 * containers, then ephemeral containers.
 */

type Obj = Record<string, any>;

export type Level = "baseline" | "restricted";

/** A check that forbids the pod. */
export interface Violation {
    /** Upstream check ID, e.g. `runAsNonRoot`. */
    check: string;
    level: Level;
    reason: string;
    detail: string;
}

function pluralize(singular: string, plural: string, n: number): string {
    return n === 1 ? singular : plural;
}

function joinQuote(items: string[]): string {
    return items.map((s) => JSON.stringify(s)).join(", ");
}

function sorted(items: Iterable<string>): string[] {
    return [...new Set(items)].sort();
}

function containersOf(spec: Obj): Obj[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])] as Obj[];
}

const sc = (c: Obj): Obj | undefined => c.securityContext ?? undefined;

/** `relaxPolicyForUserNamespacePod` (policy/helpers.go): a pod in a user namespace (`hostUsers: false`). */
function inUserNamespace(spec: Obj): boolean {
    return spec.hostUsers === false;
}

/** `check_runAsNonRoot.go` `runAsNonRoot_1_34`-style pod/container field rule: pod-level value, container overrides. */
function podOrContainers(
    spec: Obj,
    bad: (v: any) => boolean,
    get: (ctx: Obj | undefined) => any,
): { badSetters: string[]; explicitlyBad: string[]; implicitlyBad: string[]; podSet: boolean } {
    const badSetters: string[] = [];
    let podSet = false;
    const podValue = get(spec.securityContext);
    if (podValue !== undefined && podValue !== null) {
        if (bad(podValue)) badSetters.push("pod");
        else podSet = true;
    }
    const explicitlyBad: string[] = [];
    const implicitlyBad: string[] = [];
    for (const c of containersOf(spec)) {
        const v = get(sc(c));
        if (v !== undefined && v !== null) {
            if (bad(v)) explicitlyBad.push(c.name);
        } else if (!podSet) implicitlyBad.push(c.name);
    }
    return { badSetters, explicitlyBad, implicitlyBad, podSet };
}

type Check = { id: string; level: Level; run(meta: Obj, spec: Obj): { reason: string; detail: string } | undefined };

const CHECKS: Check[] = [
    // ------------------------------------------------------------------------------- baseline
    {
        // check_windowsHostProcess.go windowsHostProcess_1_0
        id: "windowsHostProcess",
        level: "baseline",
        run(_m, spec) {
            const containers = containersOf(spec)
                .filter((c) => sc(c)?.windowsOptions?.hostProcess === true)
                .map((c) => c.name);
            const pod = spec.securityContext?.windowsOptions?.hostProcess === true;
            if (!pod && containers.length === 0) return undefined;
            const who = [
                ...(pod ? ["pod"] : []),
                ...(containers.length ? [`${pluralize("container", "containers", containers.length)} ${joinQuote(containers)}`] : []),
            ];
            return { reason: "hostProcess", detail: `${who.join(" and ")} must not set securityContext.windowsOptions.hostProcess=true` };
        },
    },
    {
        // check_hostNamespaces.go hostNamespaces_1_0
        id: "hostNamespaces",
        level: "baseline",
        run(_m, spec) {
            const set = ["hostNetwork", "hostPID", "hostIPC"].filter((f) => spec[f] === true).map((f) => `${f}=true`);
            return set.length ? { reason: "host namespaces", detail: set.join(", ") } : undefined;
        },
    },
    {
        // check_privileged.go privileged_1_0
        id: "privileged",
        level: "baseline",
        run(_m, spec) {
            const bad = containersOf(spec)
                .filter((c) => sc(c)?.privileged === true)
                .map((c) => c.name);
            return bad.length
                ? {
                      reason: "privileged",
                      detail: `${pluralize("container", "containers", bad.length)} ${joinQuote(bad)} must not set securityContext.privileged=true`,
                  }
                : undefined;
        },
    },
    {
        // check_capabilities_baseline.go capabilitiesBaseline_1_0
        id: "capabilities_baseline",
        level: "baseline",
        run(_m, spec) {
            const allowed = new Set([
                "AUDIT_WRITE",
                "CHOWN",
                "DAC_OVERRIDE",
                "FOWNER",
                "FSETID",
                "KILL",
                "MKNOD",
                "NET_BIND_SERVICE",
                "SETFCAP",
                "SETGID",
                "SETPCAP",
                "SETUID",
                "SYS_CHROOT",
            ]);
            const bad: string[] = [];
            const caps: string[] = [];
            for (const c of containersOf(spec)) {
                const add: string[] = (sc(c)?.capabilities?.add ?? []).map(String);
                const extra = add.filter((x) => !allowed.has(x));
                if (extra.length) {
                    bad.push(c.name);
                    caps.push(...extra);
                }
            }
            return bad.length
                ? {
                      reason: "non-default capabilities",
                      detail: `${pluralize("container", "containers", bad.length)} ${joinQuote(bad)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`,
                  }
                : undefined;
        },
    },
    {
        // check_hostPathVolumes.go hostPathVolumes_1_0
        id: "hostPathVolumes",
        level: "baseline",
        run(_m, spec) {
            const bad = ((spec.volumes ?? []) as Obj[]).filter((v) => v.hostPath).map((v) => v.name as string);
            return bad.length
                ? { reason: "hostPath volumes", detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)}` }
                : undefined;
        },
    },
    {
        // check_hostPorts.go hostPorts_1_0
        id: "hostPorts",
        level: "baseline",
        run(_m, spec) {
            const bad: string[] = [];
            const ports: string[] = [];
            for (const c of containersOf(spec)) {
                const hp = ((c.ports ?? []) as Obj[]).map((p) => p.hostPort).filter((p) => typeof p === "number" && p !== 0);
                if (hp.length) {
                    bad.push(c.name);
                    ports.push(...hp.map(String));
                }
            }
            return bad.length
                ? {
                      reason: "hostPort",
                      detail: `${pluralize("container", "containers", bad.length)} ${joinQuote(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("hostPort", "hostPorts", ports.length)} ${ports.join(", ")}`,
                  }
                : undefined;
        },
    },
    {
        // check_appArmorProfile.go appArmorProfileV1Dot30: annotations, and the appArmorProfile fields (type Unconfined forbidden)
        id: "appArmorProfile",
        level: "baseline",
        run(meta, spec) {
            const bad: string[] = [];
            for (const [k, v] of Object.entries((meta.annotations ?? {}) as Record<string, string>)) {
                if (
                    k.startsWith("container.apparmor.security.beta.kubernetes.io/") &&
                    !(v === "" || v === "runtime/default" || v.startsWith("localhost/"))
                ) {
                    bad.push(`${k}=${JSON.stringify(v)}`);
                }
            }
            const unconfined = (p: Obj | undefined) => p?.type === "Unconfined";
            if (unconfined(spec.securityContext?.appArmorProfile))
                bad.push(`pod must not set securityContext.appArmorProfile.type to "Unconfined"`);
            for (const c of containersOf(spec)) {
                if (unconfined(sc(c)?.appArmorProfile))
                    bad.push(`container ${JSON.stringify(c.name)} must not set securityContext.appArmorProfile.type to "Unconfined"`);
            }
            return bad.length
                ? {
                      reason: pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", bad.length),
                      detail: bad.sort().join(", "),
                  }
                : undefined;
        },
    },
    {
        // check_seLinuxOptions.go seLinuxOptions1_31 (container_engine_t allowed from 1.31)
        id: "seLinuxOptions",
        level: "baseline",
        run(_m, spec) {
            const types = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
            const badTypes: string[] = [];
            let setUser = false;
            let setRole = false;
            const valid = (o: Obj): boolean => {
                let ok = true;
                if (!types.has(o.type ?? "")) {
                    ok = false;
                    badTypes.push(o.type);
                }
                if (o.user) {
                    ok = false;
                    setUser = true;
                }
                if (o.role) {
                    ok = false;
                    setRole = true;
                }
                return ok;
            };
            const setters: string[] = [];
            if (spec.securityContext?.seLinuxOptions && !valid(spec.securityContext.seLinuxOptions)) setters.push("pod");
            const bad = containersOf(spec)
                .filter((c) => sc(c)?.seLinuxOptions && !valid(sc(c)!.seLinuxOptions))
                .map((c) => c.name);
            if (bad.length) setters.push(`${pluralize("container", "containers", bad.length)} ${joinQuote(bad)}`);
            if (!setters.length) return undefined;
            const data: string[] = [];
            if (badTypes.length) data.push(`${pluralize("type", "types", sorted(badTypes).length)} ${joinQuote(sorted(badTypes))}`);
            if (setUser) data.push("user may not be set");
            if (setRole) data.push("role may not be set");
            return {
                reason: "seLinuxOptions",
                detail: `${setters.join(" and ")} set forbidden securityContext.seLinuxOptions: ${data.join("; ")}`,
            };
        },
    },
    {
        // check_procMount_baseline.go procMount_1_35_baseline (→ procMount_1_35_restricted unless hostUsers: false)
        id: "procMount_baseline",
        level: "baseline",
        run(_m, spec) {
            if (inUserNamespace(spec)) return undefined;
            const bad = containersOf(spec).filter((c) => {
                const pm = sc(c)?.procMount;
                return pm !== undefined && pm !== null && pm !== "Default";
            });
            if (!bad.length) return undefined;
            const types = sorted(bad.map((c) => String(sc(c)!.procMount)));
            return {
                reason: "procMount",
                detail: `${pluralize("container", "containers", bad.length)} ${joinQuote(bad.map((c) => c.name))} must not set securityContext.procMount to ${joinQuote(types)}`,
            };
        },
    },
    {
        // check_seccompProfile_baseline.go seccompProfileBaseline_1_19: type Unconfined is forbidden
        id: "seccompProfile_baseline",
        level: "baseline",
        run(_m, spec) {
            const setters: string[] = [];
            if (spec.securityContext?.seccompProfile?.type === "Unconfined") setters.push("pod");
            const bad = containersOf(spec)
                .filter((c) => sc(c)?.seccompProfile?.type === "Unconfined")
                .map((c) => c.name);
            if (bad.length) setters.push(`${pluralize("container", "containers", bad.length)} ${joinQuote(bad)}`);
            return setters.length
                ? {
                      reason: "seccompProfile",
                      detail: `${setters.join(" and ")} must not set securityContext.seccompProfile.type to "Unconfined"`,
                  }
                : undefined;
        },
    },
    {
        // check_sysctls.go sysctlsV1Dot32 (the 1.0 set plus ip_local_reserved_ports 1.27, tcp_keepalive_*/tcp_fin_timeout 1.29, tcp_rmem/tcp_wmem 1.32)
        id: "sysctls",
        level: "baseline",
        run(_m, spec) {
            const allowed = new Set([
                "kernel.shm_rmid_forced",
                "net.ipv4.ip_local_port_range",
                "net.ipv4.tcp_syncookies",
                "net.ipv4.ping_group_range",
                "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time",
                "net.ipv4.tcp_fin_timeout",
                "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes",
                "net.ipv4.tcp_rmem",
                "net.ipv4.tcp_wmem",
            ]);
            const bad = ((spec.securityContext?.sysctls ?? []) as Obj[]).map((s) => String(s.name)).filter((n) => !allowed.has(n));
            return bad.length ? { reason: "forbidden sysctls", detail: bad.join(", ") } : undefined;
        },
    },
    {
        // check_hostProbesAndhostLifecycle.go hostProbesAndHostLifecycleV1Dot34
        id: "hostProbesAndHostLifecycle",
        level: "baseline",
        run(_m, spec) {
            const bad = new Set<string>();
            const hosts = new Set<string>();
            const handlerHosts = (h: Obj | undefined): string[] =>
                [h?.httpGet?.host, h?.tcpSocket?.host].filter((x): x is string => typeof x === "string" && x !== "");
            for (const c of containersOf(spec)) {
                const found = [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop].flatMap(
                    handlerHosts,
                );
                if (found.length) {
                    bad.add(c.name);
                    found.forEach((h) => hosts.add(h));
                }
            }
            if (!bad.size) return undefined;
            return {
                reason: "probe or lifecycle host",
                detail: `${pluralize("container", "containers", bad.size)} ${joinQuote(sorted(bad))} ${pluralize("uses", "use", bad.size)} ${pluralize("probe or lifecycle host", "probe or lifecycle hosts", hosts.size)} ${joinQuote(sorted(hosts))}`,
            };
        },
    },
    // ----------------------------------------------------------------------------- restricted
    {
        // check_restrictedVolumes.go restrictedVolumes_1_0
        id: "restrictedVolumes",
        level: "restricted",
        run(_m, spec) {
            const ok = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
            const bad = sorted(
                ((spec.volumes ?? []) as Obj[])
                    .filter((v) => !ok.some((k) => v[k] !== undefined && v[k] !== null))
                    .map((v) => String(v.name)),
            );
            // Go's %q of a []string: ["a" "b"]
            return bad.length
                ? {
                      reason: "restricted volume types",
                      detail: `volumes [${bad.map((b) => JSON.stringify(b)).join(" ")}] have restricted types`,
                  }
                : undefined;
        },
    },
    {
        // check_allowPrivilegeEscalation.go allowPrivilegeEscalation_1_8
        id: "allowPrivilegeEscalation",
        level: "restricted",
        run(_m, spec) {
            const bad = containersOf(spec)
                .filter((c) => sc(c)?.allowPrivilegeEscalation !== false)
                .map((c) => c.name);
            return bad.length
                ? {
                      reason: "allowPrivilegeEscalation != false",
                      detail: `${pluralize("container", "containers", bad.length)} ${joinQuote(bad)} must set securityContext.allowPrivilegeEscalation=false`,
                  }
                : undefined;
        },
    },
    {
        // check_runAsNonRoot.go runAsNonRoot_1_34 (relaxed for hostUsers: false)
        id: "runAsNonRoot",
        level: "restricted",
        run(_m, spec) {
            if (inUserNamespace(spec)) return undefined;
            const r = podOrContainers(
                spec,
                (v) => v !== true,
                (ctx) => ctx?.runAsNonRoot,
            );
            const setters = [...r.badSetters];
            if (r.explicitlyBad.length)
                setters.push(`${pluralize("container", "containers", r.explicitlyBad.length)} ${joinQuote(r.explicitlyBad)}`);
            if (setters.length)
                return {
                    reason: "runAsNonRoot != true",
                    detail: `${setters.join(" and ")} must not set securityContext.runAsNonRoot=false`,
                };
            if (r.implicitlyBad.length) {
                return {
                    reason: "runAsNonRoot != true",
                    detail: `pod or ${pluralize("container", "containers", r.implicitlyBad.length)} ${joinQuote(r.implicitlyBad)} must set securityContext.runAsNonRoot=true`,
                };
            }
            return undefined;
        },
    },
    {
        // check_runAsUser.go runAsUser_1_23 (relaxed for hostUsers: false in later versions)
        id: "runAsUser",
        level: "restricted",
        run(_m, spec) {
            if (inUserNamespace(spec)) return undefined;
            const setters: string[] = [];
            if (spec.securityContext?.runAsUser === 0) setters.push("pod");
            const bad = containersOf(spec)
                .filter((c) => sc(c)?.runAsUser === 0)
                .map((c) => c.name);
            if (bad.length) setters.push(`${pluralize("container", "containers", bad.length)} ${joinQuote(bad)}`);
            return setters.length ? { reason: "runAsUser=0", detail: `${setters.join(" and ")} must not set runAsUser=0` } : undefined;
        },
    },
    {
        // check_seccompProfile_restricted.go seccompProfileRestricted_1_19
        id: "seccompProfile_restricted",
        level: "restricted",
        run(_m, spec) {
            const validType = (v: Obj) => v?.type === "RuntimeDefault" || v?.type === "Localhost";
            const r = podOrContainers(
                spec,
                (v) => !validType(v),
                (ctx) => ctx?.seccompProfile,
            );
            const badValues = sorted(
                [spec.securityContext?.seccompProfile, ...containersOf(spec).map((c) => sc(c)?.seccompProfile)]
                    .filter((p) => p && !validType(p))
                    .map((p) => String(p.type)),
            );
            const setters = [...r.badSetters];
            if (r.explicitlyBad.length)
                setters.push(`${pluralize("container", "containers", r.explicitlyBad.length)} ${joinQuote(r.explicitlyBad)}`);
            if (setters.length) {
                return {
                    reason: "seccompProfile",
                    detail: `${setters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(badValues)}`,
                };
            }
            if (r.implicitlyBad.length) {
                return {
                    reason: "seccompProfile",
                    detail: `pod or ${pluralize("container", "containers", r.implicitlyBad.length)} ${joinQuote(r.implicitlyBad)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
                };
            }
            return undefined;
        },
    },
    {
        // check_capabilities_restricted.go capabilitiesRestricted_1_22
        id: "capabilities_restricted",
        level: "restricted",
        run(_m, spec) {
            const missingDrop: string[] = [];
            const adding: string[] = [];
            const forbidden: string[] = [];
            for (const c of containersOf(spec)) {
                const caps = sc(c)?.capabilities;
                if (!caps) {
                    missingDrop.push(c.name);
                    continue;
                }
                if (!((caps.drop ?? []) as string[]).includes("ALL")) missingDrop.push(c.name);
                const extra = ((caps.add ?? []) as string[]).filter((x) => x !== "NET_BIND_SERVICE");
                if (extra.length) {
                    adding.push(c.name);
                    forbidden.push(...extra);
                }
            }
            const details: string[] = [];
            if (missingDrop.length)
                details.push(
                    `${pluralize("container", "containers", missingDrop.length)} ${joinQuote(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`,
                );
            if (adding.length) {
                details.push(
                    `${pluralize("container", "containers", adding.length)} ${joinQuote(adding)} must not include ${joinQuote(sorted(forbidden))} in securityContext.capabilities.add`,
                );
            }
            return details.length ? { reason: "unrestricted capabilities", detail: details.join("; ") } : undefined;
        },
    },
];

/** IDs of the checks of each level (restricted also runs every baseline check). */
export const CHECK_IDS: Record<Level, string[]> = {
    baseline: CHECKS.filter((c) => c.level === "baseline").map((c) => c.id),
    restricted: CHECKS.map((c) => c.id),
};

/** Every check of `level` (and the levels below) that forbids a pod with `meta` and `spec`. */
export function checkPod(meta: Obj, spec: Obj, level: Level = "restricted"): Violation[] {
    const out: Violation[] = [];
    for (const c of CHECKS) {
        if (level === "baseline" && c.level !== "baseline") continue;
        const r = c.run(meta ?? {}, spec ?? {});
        if (r) out.push({ check: c.id, level: c.level, ...r });
    }
    return out;
}

/** Kinds whose object holds a pod template at `spec.template` (the PodSecurity admission checks them too, `admission.go` `PodSpecExtractor`). */
const TEMPLATE_KINDS = ["StatefulSet", "Deployment", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"];

/**
 * Violations of every pod (template) an object holds: a Pod, a workload's `spec.template`, a
 * CronJob's `spec.jobTemplate.spec.template`; none for other kinds.
 */
export function checkObject(obj: Obj, level: Level = "restricted"): Violation[] {
    if (obj.kind === "Pod") return checkPod(obj.metadata ?? {}, obj.spec ?? {}, level);
    if (TEMPLATE_KINDS.includes(obj.kind)) return checkPod(obj.spec?.template?.metadata ?? {}, obj.spec?.template?.spec ?? {}, level);
    if (obj.kind === "CronJob") {
        const t = obj.spec?.jobTemplate?.spec?.template ?? {};
        return checkPod(t.metadata ?? {}, t.spec ?? {}, level);
    }
    return [];
}
