/** Constructs a component under the mocks and collects what it registered. */
import * as pulumi from "@pulumi/pulumi";
import {
    CONNECTION_FIELD_NAMES,
    ConnectionFieldName,
    ConnectionValues,
    InterStepBufferService,
    InterStepBufferServiceArgs,
} from "../../provider";
import { registry, Registered } from "./mock-runtime";
import { settle, valueOf } from "./outputs";

/** Resolved output fields of the component: the contract of provider/outputs/connection.ts. */
export type Resolved = ConnectionValues;

export const OUTPUT_FIELDS: ConnectionFieldName[] = CONNECTION_FIELD_NAMES;

export interface Built {
    isb: InterStepBufferService;
    component: Registered;
    /** Resources whose parent is the component. */
    children: Registered[];
    outputs: Resolved;
    /** The child of `type` named `name`, or the only child of `type`. */
    child(type: string, name?: string): Registered;
    /** Children of the given type. */
    ofType(type: string): Registered[];
}

/** Builds an ISB service named `name` and waits until all its outputs and children have settled. */
export async function build(name: string, args: InterStepBufferServiceArgs, opts?: pulumi.ComponentResourceOptions): Promise<Built> {
    const before = new Set(registry());
    const isb = new InterStepBufferService(name, args, opts);
    const outputs = {} as Record<ConnectionFieldName, unknown>;
    for (const f of OUTPUT_FIELDS) outputs[f] = await valueOf(isb[f] as pulumi.Output<unknown>);
    await settle();
    const fresh = registry().filter((r) => !before.has(r));
    const component = fresh.find((r) => r.type === "isbsvc:index:InterStepBufferService" && r.name === name);
    if (!component) throw new Error(`component ${name} was not registered`);
    const children = fresh.filter((r) => r.parent === component.urn);
    const ofType = (type: string) => children.filter((r) => r.type === type);
    const child = (type: string, childName?: string) => {
        const found = ofType(type).filter((r) => childName === undefined || r.name === childName);
        if (found.length !== 1) throw new Error(`expected one ${type} ${childName ?? ""}, found ${found.length}`);
        return found[0];
    };
    return { isb, component, children, outputs: outputs as Resolved, child, ofType };
}

/** Kubernetes type tokens. */
export const K8S = {
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    service: "kubernetes:core/v1:Service",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
} as const;

/** tls and random type tokens. */
export const GEN = {
    password: "random:index/randomPassword:RandomPassword",
    string: "random:index/randomString:RandomString",
    key: "tls:index/privateKey:PrivateKey",
    selfSigned: "tls:index/selfSignedCert:SelfSignedCert",
    csr: "tls:index/certRequest:CertRequest",
    signed: "tls:index/locallySignedCert:LocallySignedCert",
} as const;

/** Decodes a Secret's base64 `data`. */
export function secretData(secret: Registered): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(secret.inputs.data as Record<string, string>)) out[k] = Buffer.from(v, "base64").toString("utf8");
    return out;
}
