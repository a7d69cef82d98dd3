/**
 * Security contexts, modelled on kubernetes/kubernetes pkg/apis/core/validation/validation.go:
 * validatePodSpecSecurityContext (fsGroup, runAsUser, runAsGroup, supplementalGroups, sysctls via
 * validateSysctls / IsValidSysctlName, fsGroupChangePolicy, seccompProfile, appArmorProfile,
 * supplementalGroupsPolicy, seLinuxChangePolicy) and ValidateSecurityContext for containers
 * (runAsUser, runAsGroup, procMount via ValidateProcMountType, seccompProfile via
 * validateSeccompProfileField, allowPrivilegeEscalation false with privileged or CAP_SYS_ADMIN,
 * appArmorProfile via ValidateAppArmorProfileField).
 *
 * Not modelled: `privileged: true` is refused only where the apiserver runs with
 * --allow-privileged=false (a cluster setting); windowsOptions (the pods run Linux images).
 */
import { at } from "../errors";
import { arrayAt, booleanAt, integerAt, Issues, objectAt, show, stringAt, stringsAt } from "./issues";
import { isValidID } from "./names";

type Data = Record<string, unknown>;

function checkID(obj: Data, key: string, path: string, issues: Issues): void {
    const v = integerAt(obj, key, path, issues, -(2 ** 63), 2 ** 63);
    if (v !== undefined) for (const m of isValidID(v)) issues.add(at(path, key), `${m}, got ${v}`);
}

function checkEnum(obj: Data, key: string, allowed: string[], path: string, issues: Issues): string | undefined {
    const v = stringAt(obj, key, path, issues);
    if (v !== undefined && !allowed.includes(v)) issues.add(at(path, key), `must be one of ${allowed.join(", ")}, got ${show(v)}`);
    return v;
}

/** validateLocalDescendingPath: relative, without '..' elements. */
function localDescendingPath(value: string, path: string, issues: Issues): void {
    if (value.startsWith("/")) issues.add(path, `must be a relative path, got ${show(value)}`);
    if (value.split(/[\\/]/).includes("..")) issues.add(path, `must not contain '..', got ${show(value)}`);
}

/** validateSeccompProfileField. */
function seccompProfile(sc: Data, path: string, issues: Issues): void {
    const sp = objectAt(sc, "seccompProfile", path, issues);
    if (sp === undefined) return;
    const p = at(path, "seccompProfile");
    const type = stringAt(sp, "type", p, issues) ?? "";
    const local = stringAt(sp, "localhostProfile", p, issues);
    if (type === "") issues.add(at(p, "type"), "is required when seccompProfile is set (RuntimeDefault, Localhost or Unconfined)");
    else if (!["Localhost", "RuntimeDefault", "Unconfined"].includes(type)) {
        issues.add(at(p, "type"), `must be one of Localhost, RuntimeDefault, Unconfined, got ${show(type)}`);
    }
    if (type === "Localhost") {
        if (local === undefined) issues.add(at(p, "localhostProfile"), "must be set when seccomp type is Localhost");
        else localDescendingPath(local, at(p, "localhostProfile"), issues);
    } else if (local !== undefined) {
        issues.add(at(p, "localhostProfile"), "can only be set when seccomp type is Localhost");
    }
}

/** ValidateAppArmorProfileField. */
function appArmorProfile(sc: Data, path: string, issues: Issues): void {
    const ap = objectAt(sc, "appArmorProfile", path, issues);
    if (ap === undefined) return;
    const p = at(path, "appArmorProfile");
    const type = stringAt(ap, "type", p, issues) ?? "";
    const local = stringAt(ap, "localhostProfile", p, issues);
    if (type === "Localhost") {
        if (local === undefined || local.trim() === "")
            issues.add(at(p, "localhostProfile"), "must be set when AppArmor type is Localhost");
        else if (local.trim() !== local) issues.add(at(p, "localhostProfile"), "must not be padded with whitespace");
        if (local !== undefined && local.length > 4095) issues.add(at(p, "localhostProfile"), "must be no more than 4095 characters");
    } else if (type === "RuntimeDefault" || type === "Unconfined") {
        if (local !== undefined) issues.add(at(p, "localhostProfile"), "can only be set when AppArmor type is Localhost");
    } else if (type === "") {
        issues.add(at(p, "type"), "is required when appArmorProfile is set (RuntimeDefault, Localhost or Unconfined)");
    } else {
        issues.add(at(p, "type"), `must be one of Localhost, RuntimeDefault, Unconfined, got ${show(type)}`);
    }
}

const SYSCTL_NAME = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;

/** validatePodSpecSecurityContext (the pod's hostNetwork/hostIPC are never set: no host sysctl rule applies). */
export function validatePodSecurityContext(sc: Data, path: string, issues: Issues): void {
    checkID(sc, "fsGroup", path, issues);
    checkID(sc, "runAsUser", path, issues);
    checkID(sc, "runAsGroup", path, issues);
    (arrayAt(sc, "supplementalGroups", path, issues) ?? []).forEach((g, i) => {
        const p = at(at(path, "supplementalGroups"), i);
        if (typeof g !== "number" || !Number.isInteger(g)) issues.add(p, "must be an integer");
        else for (const m of isValidID(g)) issues.add(p, `${m}, got ${g}`);
    });
    const seen = new Set<string>();
    (arrayAt(sc, "sysctls", path, issues) ?? []).forEach((s, i) => {
        const p = at(at(path, "sysctls"), i);
        if (s === null || typeof s !== "object" || Array.isArray(s)) return issues.add(p, "must be an object with name and value");
        const name = stringAt(s as Data, "name", p, issues) ?? "";
        stringAt(s as Data, "value", p, issues);
        if (name === "") issues.add(at(p, "name"), "is required");
        else if (name.length > 253 || !SYSCTL_NAME.test(name))
            issues.add(at(p, "name"), `must be a sysctl name of at most 253 characters, got ${show(name)}`);
        else if (seen.has(name)) issues.add(at(p, "name"), `names ${show(name)} a second time`);
        seen.add(name);
    });
    checkEnum(sc, "fsGroupChangePolicy", ["OnRootMismatch", "Always"], path, issues);
    seccompProfile(sc, path, issues);
    appArmorProfile(sc, path, issues);
    checkEnum(sc, "supplementalGroupsPolicy", ["Merge", "Strict"], path, issues);
    checkEnum(sc, "seLinuxChangePolicy", ["Recursive", "MountOption"], path, issues);
    booleanAt(sc, "runAsNonRoot", path, issues);
}

/** ValidateSecurityContext for a container of a pod that shares the host's user namespace (hostUsers unset). */
export function validateContainerSecurityContext(sc: Data, path: string, issues: Issues): void {
    checkID(sc, "runAsUser", path, issues);
    checkID(sc, "runAsGroup", path, issues);
    const procMount = checkEnum(sc, "procMount", ["Default", "Unmasked"], path, issues);
    if (procMount === "Unmasked")
        issues.add(at(path, "procMount"), "Unmasked needs the pod's hostUsers to be false, which the component does not set");
    seccompProfile(sc, path, issues);
    const privileged = booleanAt(sc, "privileged", path, issues);
    const escalation = booleanAt(sc, "allowPrivilegeEscalation", path, issues);
    booleanAt(sc, "readOnlyRootFilesystem", path, issues);
    booleanAt(sc, "runAsNonRoot", path, issues);
    const caps = objectAt(sc, "capabilities", path, issues);
    const add = caps ? (stringsAt(caps, "add", at(path, "capabilities"), issues) ?? []) : [];
    if (caps) stringsAt(caps, "drop", at(path, "capabilities"), issues);
    if (escalation === false) {
        if (privileged === true)
            issues.add(
                at(path, "allowPrivilegeEscalation"),
                "is false (the component's default unless set) while `privileged` is true; set allowPrivilegeEscalation: true with privileged",
            );
        if (add.includes("CAP_SYS_ADMIN"))
            issues.add(
                at(path, "allowPrivilegeEscalation"),
                "is false (the component's default unless set) while `capabilities.add` holds CAP_SYS_ADMIN; set allowPrivilegeEscalation: true",
            );
    }
    appArmorProfile(sc, path, issues);
}
