/**
 * Generated values (passwords, keys, certificates) of a built component, so tests can mask them
 * for determinism checks and hunt for them in places secrets must never be.
 */
import { Built } from "./build";

/** State fields of tls/random resources that hold generated material, and whether it is secret. */
const GENERATED_FIELDS: Record<string, Record<string, boolean>> = {
    "random:index/randomPassword:RandomPassword": { result: true },
    "random:index/randomString:RandomString": { result: false },
    "tls:index/privateKey:PrivateKey": { privateKeyPem: true, privateKeyPemPkcs8: true, publicKeyPem: false, publicKeyOpenssh: false },
    "tls:index/selfSignedCert:SelfSignedCert": { certPem: false },
    "tls:index/certRequest:CertRequest": { certRequestPem: false },
    "tls:index/locallySignedCert:LocallySignedCert": { certPem: false },
};

export interface GeneratedValue {
    label: string;
    value: string;
    secret: boolean;
}

/** Every generated value of the component's children, longest first (so masking never splits one). */
export function generatedValues(b: Built): GeneratedValue[] {
    const out: GeneratedValue[] = [];
    for (const c of b.children) {
        for (const [field, secret] of Object.entries(GENERATED_FIELDS[c.type] ?? {})) {
            const value = c.state[field];
            if (typeof value === "string" && value.length > 0) out.push({ label: `${c.name}.${field}`, value, secret });
        }
    }
    return out.sort((a, b) => b.value.length - a.value.length);
}

/** Replaces generated values in every string of `value` with `<label>` placeholders. */
export function maskGenerated<T>(value: T, values: GeneratedValue[]): T {
    if (typeof value === "string") {
        let out: string = value;
        for (const v of values) out = out.split(v.value).join(`<${v.label}>`);
        return out as T;
    }
    if (Array.isArray(value)) return value.map((v) => maskGenerated(v, values)) as T;
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskGenerated(v, values)])) as T;
    }
    return value;
}

/** Secret `data` decoded, so generated values inside base64 can be found and masked. */
export function decodedInputs(type: string, inputs: Record<string, any>): Record<string, any> {
    if (type !== "kubernetes:core/v1:Secret" || !inputs.data) return inputs;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(inputs.data as Record<string, string>)) data[k] = Buffer.from(v, "base64").toString("utf8");
    return { ...inputs, data };
}
