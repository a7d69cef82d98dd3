/**
 * Name and value formats of the Kubernetes API, modelled on kubernetes/apimachinery:
 * - pkg/api/validate/content/kube.go: IsLabelKey (= IsQualifiedName), IsLabelValue;
 * - pkg/util/validation/validation.go: IsDNS1123Label, IsDNS1123Subdomain(WithUnderscore),
 *   IsRelaxedEnvVarName, IsConfigMapKey, IsValidPortNum, IsValidPortName, IsValidUserID/GroupID,
 *   IsHTTPHeaderName;
 * - pkg/util/validation/ip.go: IsValidIP (parseIP with strict validation, canonical form);
 * - pkg/apis/meta/v1/validation/validation.go: ValidateLabels, ValidateLabelName;
 * - pkg/api/validation/objectmeta.go: ValidateAnnotations (qualified names, lower-cased; total
 *   size of keys and values at most TotalAnnotationSizeLimitB = 256 KiB);
 * - pkg/api/validation/generic.go: NameIsDNSSubdomain / NameIsDNSLabel (prefix: trailing '-' masked).
 * Each function returns the problems (empty when valid), like the Go functions' []string.
 */
import { isIP } from "net";
import { at } from "../errors";
import { Issues, show } from "./issues";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_SUBDOMAIN_UNDERSCORE = /^_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*$/;
const LABEL_KEY_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Map-key field path, dotted like every other path of the spec (`metadata.labels.team`); a key may
 * itself hold dots or slashes (`metadata.labels.app.kubernetes.io/name`).
 */
export function keyPath(path: string, key: string): string {
    return at(path, key);
}

export function isDNS1123Label(value: string): string[] {
    const errs: string[] = [];
    if (value.length > 63) errs.push("must be no more than 63 characters");
    if (!DNS1123_LABEL.test(value)) {
        errs.push("must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)");
    }
    return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
    const errs: string[] = [];
    if (value.length > 253) errs.push("must be no more than 253 characters");
    if (!DNS1123_SUBDOMAIN.test(value)) {
        errs.push(
            "must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit)",
        );
    }
    return errs;
}

export function isDNS1123SubdomainWithUnderscore(value: string): string[] {
    const errs: string[] = [];
    if (value.length > 253) errs.push("must be no more than 253 characters");
    if (!DNS1123_SUBDOMAIN_UNDERSCORE.test(value)) {
        errs.push("must be a DNS-1123 subdomain (underscores allowed at the start of a part)");
    }
    return errs;
}

/** apimachinery generic.go NameIsDNSSubdomain: `prefix` masks one trailing '-' (generateName prefixes). */
export function nameIsDNSSubdomain(name: string, prefix = false): string[] {
    return isDNS1123Subdomain(prefix && name.endsWith("-") ? name.slice(0, -1) + "a" : name);
}

/** content/kube.go IsLabelKey: optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export function isQualifiedName(value: string): string[] {
    const errs: string[] = [];
    const parts = value.split("/");
    let name: string;
    if (parts.length === 1) {
        name = parts[0];
    } else if (parts.length === 2) {
        const prefix = parts[0];
        name = parts[1];
        if (prefix.length === 0) errs.push("prefix part must be non-empty");
        else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
    } else {
        return [
            "must be a qualified name: a name of alphanumeric characters, '-', '_' or '.' with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        ];
    }
    if (name.length === 0) errs.push("name part must be non-empty");
    else if (name.length > 63) errs.push("name part must be no more than 63 characters");
    if (!LABEL_KEY_NAME.test(name)) {
        errs.push(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        );
    }
    return errs;
}

export function isLabelValue(value: string): string[] {
    const errs: string[] = [];
    if (value.length > 63) errs.push("must be no more than 63 characters");
    if (!LABEL_VALUE.test(value)) {
        errs.push(
            "must be empty or consist of alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character",
        );
    }
    return errs;
}

/**
 * IsRelaxedEnvVarName: printable ASCII other than '='. The apiserver uses it since the
 * RelaxedEnvironmentVariableValidation gate (GA in 1.34, the version tests/engine runs); the strict
 * IsEnvVarName of older servers is a subset, so nothing a 1.34 server accepts is refused here.
 */
export function isRelaxedEnvVarName(value: string): string[] {
    if (value.length === 0) return ["environment variable name must be non-empty"];
    for (const ch of value) {
        const c = ch.codePointAt(0) as number;
        if (c < 0x20 || c > 0x7e || ch === "=") {
            return ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
        }
    }
    return [];
}

export function isConfigMapKey(value: string): string[] {
    const errs: string[] = [];
    if (value.length > 253) errs.push("must be no more than 253 characters");
    if (!CONFIG_MAP_KEY.test(value)) errs.push("must consist of alphanumeric characters, '-', '_' or '.'");
    if (value === ".") errs.push("must not be '.'");
    else if (value === "..") errs.push("must not be '..'");
    else if (value.startsWith("..")) errs.push("must not start with '..'");
    return errs;
}

export function isValidPortNum(port: number): string[] {
    return port >= 1 && port <= 65535 ? [] : ["must be between 1 and 65535, inclusive"];
}

export function isValidPortName(port: string): string[] {
    const errs: string[] = [];
    if (port.length > 15) errs.push("must be no more than 15 characters");
    if (!/^[-a-z0-9]+$/.test(port)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    if (!/[a-z]/.test(port)) errs.push("must contain at least one letter (a-z)");
    if (port.includes("--")) errs.push("must not contain consecutive hyphens");
    if (port.startsWith("-") || port.endsWith("-")) errs.push("must not begin or end with a hyphen");
    return errs;
}

/** IsValidUserID / IsValidGroupID: 0 .. 2^31-1. */
export function isValidID(id: number): string[] {
    return id >= 0 && id <= 2 ** 31 - 1 ? [] : ["must be between 0 and 2147483647, inclusive"];
}

/** Canonical text of an IPv6 address (RFC 5952, as Go's net.IP.String): lower case, longest zero run as "::". */
function canonicalIPv6(value: string): string | undefined {
    let text = value;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
        const b = v4[1].split(".").map(Number);
        text = text.slice(0, -v4[1].length) + ((b[0] << 8) | b[1]).toString(16) + ":" + ((b[2] << 8) | b[3]).toString(16);
    }
    const halves = text.split("::");
    const head = halves[0] ? halves[0].split(":") : [];
    const tail = halves.length > 1 && halves[1] ? halves[1].split(":") : [];
    const groups = halves.length > 1 ? [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail] : head;
    if (groups.length !== 8) return undefined;
    const nums = groups.map((g) => parseInt(g, 16));
    // Go prints an IPv4-mapped address (::ffff:a.b.c.d) as dotted IPv4.
    if (nums.slice(0, 5).every((n) => n === 0) && nums[5] === 0xffff) return undefined;
    let bestStart = -1;
    let bestLen = 0;
    for (let i = 0; i < 8;) {
        if (nums[i] !== 0) {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && nums[j] === 0) j++;
        if (j - i > bestLen && j - i >= 2) {
            bestStart = i;
            bestLen = j - i;
        }
        i = j;
    }
    const hex = nums.map((n) => n.toString(16));
    if (bestStart < 0) return hex.join(":");
    return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/**
 * ip.go IsValidIP: an IPv4 or IPv6 address, without leading zeros in IPv4 parts, not an
 * IPv4-mapped IPv6 address, in canonical form.
 */
export function isValidIP(value: string): string[] {
    const kind = isIP(value);
    if (kind === 0) {
        // netutils.ParseIPSloppy also takes IPv4 parts with leading zeros; netip.ParseAddr does not.
        if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value) && value.split(".").every((p) => Number(p) <= 255)) {
            return ["must not have leading 0s"];
        }
        return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"];
    }
    if (kind === 4) return [];
    if (value.includes("%")) return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"];
    const canon = canonicalIPv6(value);
    if (canon === undefined) return ["must not be an IPv4-mapped IPv6 address"];
    return canon === value ? [] : [`must be in canonical form (${JSON.stringify(canon)})`];
}

/**
 * ip.go IsValidIPForLegacyField with `strictValidation` false, as kube-apiserver 1.34 runs it for
 * fields older than strict IP validation (core/validation `IsValidIPForLegacyField`: strict only
 * with the alpha feature gate StrictIPCIDRValidation, off by default): whatever
 * netutils.ParseIPSloppy parses — IPv4 parts with leading zeros (read as decimal), IPv4-mapped and
 * non-canonical IPv6 included; no zone. Found by tests/engine/pod-validation.test.ts: a 1.34.4 API
 * server accepts the nameservers "010.1.1.1" and "2001:DB8::1" that {@link isValidIP} refuses.
 */
export function isValidIPForLegacyField(value: string): string[] {
    const problems = isValidIP(value);
    if (problems.length === 0) return [];
    const ok = ["must not have leading 0s", "must not be an IPv4-mapped IPv6 address"];
    return problems.every((m) => ok.includes(m) || m.startsWith("must be in canonical form")) ? [] : problems;
}

/** meta/v1 ValidateLabelName. */
export function validateLabelName(name: string, path: string, issues: Issues): void {
    for (const m of isQualifiedName(name)) issues.add(path, `key ${show(name)}: ${m}`);
}

/** meta/v1 ValidateLabels: every key a qualified name, every value a label value. */
export function validateLabels(labels: Record<string, string>, path: string, issues: Issues): void {
    for (const [k, v] of Object.entries(labels)) {
        for (const m of isQualifiedName(k)) issues.add(keyPath(path, k), `key ${m}`);
        for (const m of isLabelValue(v)) issues.add(keyPath(path, k), `value ${show(v)} ${m}`);
    }
}

/** The total size of annotation keys and values the apiserver accepts (objectmeta.go TotalAnnotationSizeLimitB). */
export const TOTAL_ANNOTATION_SIZE = 256 * 1024;

/** objectmeta.go ValidateAnnotations: lower-cased keys are qualified names; keys + values at most 256 KiB (bytes). */
export function validateAnnotations(annotations: Record<string, string>, path: string, issues: Issues): void {
    let size = 0;
    for (const [k, v] of Object.entries(annotations)) {
        for (const m of isQualifiedName(k.toLowerCase())) issues.add(keyPath(path, k), `key ${m}`);
        size += Buffer.byteLength(k) + Buffer.byteLength(v);
    }
    if (size > TOTAL_ANNOTATION_SIZE) {
        issues.add(path, `total size of keys and values is ${size} bytes; the limit is ${TOTAL_ANNOTATION_SIZE} (256 KiB)`);
    }
}
