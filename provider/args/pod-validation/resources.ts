/**
 * Container resource requirements, modelled on kubernetes/kubernetes
 * pkg/apis/core/validation/validation.go validateResourceRequirements (via
 * ValidateContainerResourceRequirements), validateContainerResourceName, validateResourceName,
 * ValidateResourceQuantityValue, validateResourceQuantityHugePageValue, and the helpers of
 * pkg/apis/core/helper/helpers.go (IsStandardContainerResourceName, IsStandardResourceName,
 * IsNativeResource, IsExtendedResourceName, IsOvercommitAllowed, IsIntegerResourceName,
 * IsHugePageResourceName, IsHugePageResourceValueDivisible).
 */
import { at } from "../errors";
import { Issues, show } from "./issues";
import { isQualifiedName, keyPath } from "./names";
import { ceilMilliValue, ceilValue, compare, isNegative, parseQuantity, Quantity } from "./quantity";

const HUGEPAGES = "hugepages-";

const STANDARD_CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);
const INTEGER_RESOURCES = new Set([
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
]);

const isHugePages = (name: string): boolean => name.startsWith(HUGEPAGES);
const isNative = (name: string): boolean => !name.includes("/") || name.includes("kubernetes.io/");
const isExtended = (name: string): boolean =>
    !isNative(name) && !name.startsWith("requests.") && isQualifiedName(`requests.${name}`).length === 0;
const overcommitAllowed = (name: string): boolean => isNative(name) && !isHugePages(name);
const isIntegerResource = (name: string): boolean => INTEGER_RESOURCES.has(name) || isExtended(name);

/** validateContainerResourceName (with validateResourceName). */
function resourceNameProblems(name: string): string[] {
    const errs = isQualifiedName(name);
    const single = !name.includes("/");
    // validateResourceName also requires a standard resource name for names without a "/"; the
    // container rule below is the stronger one (standardContainerResources is a subset).
    if (single) {
        if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
            errs.push(
                "must be a standard resource for containers (cpu, memory, ephemeral-storage, hugepages-<size>) or a fully qualified extended resource (e.g. example.com/gpu)",
            );
        }
    } else if (!isNative(name) && !isExtended(name)) {
        errs.push("doesn't follow extended resource name standard");
    }
    return errs;
}

/** IsHugePageResourceValueDivisible: the value (rounded up) is a multiple of the page size, a positive integer. */
function hugePagesDivisible(name: string, q: Quantity): boolean {
    const page = parseQuantity(name.slice(HUGEPAGES.length));
    if (page === undefined || isNegative(page) || page.digits === 0n) return false;
    const pageMilli = ceilMilliValue(page);
    const pageValue = ceilValue(page);
    const value = ceilValue(q);
    if (pageMilli === undefined || pageValue === undefined || value === undefined) return true;
    if (pageMilli % 1000n !== 0n) return false;
    return value % pageValue === 0n;
}

/** One list (limits or requests): names and quantities; returns the parsed quantities. */
function checkList(list: Record<string, unknown> | undefined, path: string, issues: Issues): Map<string, Quantity> {
    const out = new Map<string, Quantity>();
    for (const [name, raw] of Object.entries(list ?? {})) {
        const p = keyPath(path, name);
        for (const m of resourceNameProblems(name)) issues.add(p, `resource name ${show(name)}: ${m}`);
        const q = typeof raw === "string" || typeof raw === "number" ? parseQuantity(raw) : undefined;
        if (q === undefined) {
            issues.add(p, `must be a Kubernetes quantity such as "500m", "1Gi" or "2", got ${show(raw)}`);
            continue;
        }
        out.set(name, q);
        // ValidateResourceQuantityValue: ValidateNonnegativeQuantity, and integers for integer resources.
        if (isNegative(q)) issues.add(p, `must be greater than or equal to 0, got ${show(raw)}`);
        const milli = ceilMilliValue(q);
        if (isIntegerResource(name) && milli !== undefined && milli % 1000n !== 0n) issues.add(p, `must be an integer, got ${show(raw)}`);
        if (isHugePages(name) && !hugePagesDivisible(name, q)) {
            issues.add(p, `${show(raw)} is not a positive integer multiple of the page size of ${name}`);
        }
    }
    return out;
}

/**
 * validateResourceRequirements for a container's `resources` ({limits, requests}). `requestedByDefault`:
 * resources the rendered container always requests besides these (the component's default requests,
 * render/default-resources.ts), which count for "HugePages require cpu or memory".
 */
export function validateResources(
    resources: { limits?: Record<string, unknown>; requests?: Record<string, unknown> } | undefined,
    path: string,
    issues: Issues,
    requestedByDefault: readonly string[] = [],
): void {
    if (resources === undefined) return;
    const limPath = at(path, "limits");
    const reqPath = at(path, "requests");
    const limits = checkList(resources.limits, limPath, issues);
    const requests = checkList(resources.requests, reqPath, issues);
    for (const [name, req] of requests) {
        const lim = limits.get(name);
        const p = keyPath(reqPath, name);
        if (lim !== undefined) {
            const c = compare(req, lim);
            if (c !== 0 && !overcommitAllowed(name)) {
                issues.add(p, `must be equal to the ${name} limit (${show(resources.limits?.[name])}): ${name} cannot be overcommitted`);
            } else if (c > 0) {
                issues.add(
                    p,
                    `must be less than or equal to the ${name} limit of ${show(resources.limits?.[name])}, got ${show(resources.requests?.[name])}`,
                );
            }
        } else if (!overcommitAllowed(name)) {
            issues.add(keyPath(limPath, name), `is required: a limit must be set for ${name}, which cannot be overcommitted`);
        }
    }
    const names = [...limits.keys(), ...requests.keys(), ...requestedByDefault];
    if (names.some(isHugePages) && !names.some((n) => n === "cpu" || n === "memory")) {
        issues.add(path, "hugepages require a cpu or memory request or limit");
    }
}
