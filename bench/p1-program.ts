/**
 * One P1 measurement, in a fresh process (spawned by `bench/p1.ts`, never imported):
 *
 *   node -r ts-node/register/transpile-only bench/p1-program.ts snapshot  --kind js|redis --file F
 *   node -r ts-node/register/transpile-only bench/p1-program.ts component --kind js|redis --n N
 *   node -r ts-node/register/transpile-only bench/p1-program.ts baseline  --kind js|redis --n N --file F
 *   ... [--warm]   first build one component and one constant service, untimed (both modes)
 *
 * Both measured modes run under the same Pulumi mock runtime as the unit tests
 * (`sim/runtime/mock-runtime.ts`, whose fake `tls` and `random` providers generate real keys,
 * certificates and passwords) and load the same modules before the clock starts.
 *
 * - `component`: constructs N InterStepBufferService components (`s0` .. `s<N-1>`) and waits
 *   until all 13 outputs of every one have resolved and every registration has settled.
 * - `baseline`: registers exactly the same resources — per service a component resource of the
 *   same type token, and children of the same types, names and SDK classes — with constant
 *   inputs: the inputs one component registered, captured by `snapshot` in another process. So
 *   the baseline sends the same bytes to the same mocks, and the fake providers generate the same
 *   number of keys (3 ECDSA P-256 keys per JetStream service here), sign the same CSRs and
 *   certificates and draw the same passwords; what it does not do is our work: validating the
 *   spec, rendering configs and manifests, and wiring Outputs between the children.
 *   Its 13 outputs are constant Outputs, awaited the same way.
 * - `snapshot`: builds one service of the kind and writes its children's raw inputs and its
 *   outputs to F (not measured).
 *
 * Prints one JSON line: `{ wallMs, cpuUserMs, cpuSystemMs, maxRssKb, rssBeforeKb, resources }`.
 */
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { InterStepBufferService, InterStepBufferServiceArgs } from "../provider";
import { installMocks, isSerializedSecret, registry } from "../sim/runtime/mock-runtime";
import { OUTPUT_FIELDS } from "../sim/runtime/build";
import { settle } from "../sim/runtime/outputs";

/** The two kinds of service measured. */
export const SPECS: Record<string, InterStepBufferServiceArgs> = {
    js: { namespace: "bench", jetstream: { version: "2.10.29", replicas: 3, tls: true, encryption: true } },
    redis: { namespace: "bench", redis: { native: { version: "7.0.15", replicas: 3 } } },
};

/** What `snapshot` writes. */
interface Snapshot {
    children: { type: string; name: string; raw: Record<string, unknown> }[];
    outputs: Record<string, unknown>;
    secretOutputs: string[];
}

/** The SDK class of each child type (the component uses these classes). */
const CLASSES: Record<string, new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource> = {
    "kubernetes:core/v1:Secret": k8s.core.v1.Secret,
    "kubernetes:core/v1:ConfigMap": k8s.core.v1.ConfigMap,
    "kubernetes:core/v1:Service": k8s.core.v1.Service,
    "kubernetes:apps/v1:StatefulSet": k8s.apps.v1.StatefulSet,
    "kubernetes:policy/v1:PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": k8s.networking.v1.NetworkPolicy,
    "kubernetes:core/v1:PersistentVolumeClaimPatch": k8s.core.v1.PersistentVolumeClaimPatch,
    "tls:index/privateKey:PrivateKey": tls.PrivateKey,
    "tls:index/selfSignedCert:SelfSignedCert": tls.SelfSignedCert,
    "tls:index/certRequest:CertRequest": tls.CertRequest,
    "tls:index/locallySignedCert:LocallySignedCert": tls.LocallySignedCert,
    "random:index/randomPassword:RandomPassword": random.RandomPassword,
    "random:index/randomString:RandomString": random.RandomString,
};

const RESOLVE_TIMEOUT_MS = 120_000;

/** Resolves an Output, failing after a bound instead of hanging. */
function resolved(o: pulumi.Input<any>): Promise<unknown> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("output did not resolve")), RESOLVE_TIMEOUT_MS);
        pulumi.output(o).apply((v: unknown) => {
            clearTimeout(timer);
            resolve(v);
            return v;
        });
    });
}

/** Turns raw (serialized) inputs back into program inputs: secret markers become `pulumi.secret`. */
function rebuild(value: any): any {
    if (isSerializedSecret(value)) return pulumi.secret(rebuild(value.value));
    if (Array.isArray(value)) return value.map(rebuild);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebuild(v)]));
    return value;
}

/** The baseline's stand-in for one component: same type token, same children, constant inputs. */
class ConstantService extends pulumi.ComponentResource {
    readonly outputs: Record<string, pulumi.Output<unknown>>;

    constructor(name: string, snap: Snapshot) {
        super("isbsvc:index:InterStepBufferService", name, {}, {});
        for (const c of snap.children) {
            const cls = CLASSES[c.type];
            if (!cls) throw new Error(`no SDK class for ${c.type}`);
            new cls(c.name.replace(/^s0-/, `${name}-`), rebuild(c.raw), { parent: this });
        }
        this.outputs = Object.fromEntries(
            Object.entries(snap.outputs).map(([k, v]) => [k, snap.secretOutputs.includes(k) ? pulumi.secret(v) : pulumi.output(v)]),
        );
        this.registerOutputs(this.outputs);
    }
}

function arg(argv: string[], name: string): string | undefined {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
}

async function snapshot(kind: string, file: string): Promise<void> {
    const isb = new InterStepBufferService("s0", SPECS[kind]);
    const outputs: Record<string, unknown> = {};
    for (const f of OUTPUT_FIELDS) outputs[f] = await resolved(isb[f] as pulumi.Output<unknown>);
    await settle();
    const component = registry().find((r) => r.type === "isbsvc:index:InterStepBufferService");
    const all = registry().filter((r) => r !== component);
    const children = all.filter((r) => r.parent === component?.urn);
    if (children.length !== all.length) throw new Error("the component registered resources that are not its direct children");
    const snap: Snapshot = {
        children: children.map((c) => ({ type: c.type, name: c.name, raw: c.raw })),
        outputs,
        secretOutputs: ["password"],
    };
    fs.writeFileSync(file, JSON.stringify(snap));
}

async function measure(mode: string, kind: string, n: number, file: string | undefined, warm: boolean): Promise<void> {
    const snap = mode === "baseline" ? (JSON.parse(fs.readFileSync(file!, "utf8")) as Snapshot) : undefined;
    if (warm) {
        // Untimed: one component and one constant service first, so that code running for the first time in the
        // process (V8 compiles functions lazily, on their first call) is not part of the measurement, on both sides.
        const w = new InterStepBufferService("w0", SPECS[kind]);
        for (const f of OUTPUT_FIELDS) await resolved(w[f] as pulumi.Output<unknown>);
        const ws = new ConstantService("w1", JSON.parse(fs.readFileSync(file!, "utf8")) as Snapshot);
        for (const f of OUTPUT_FIELDS) await resolved(ws.outputs[f]);
        await settle();
    }
    const before = registry().length;
    const rssBeforeKb = Math.round(process.memoryUsage().rss / 1024);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
        if (snap) {
            const svc = new ConstantService(`s${i}`, snap);
            for (const f of OUTPUT_FIELDS) pending.push(resolved(svc.outputs[f]));
        } else {
            const isb = new InterStepBufferService(`s${i}`, SPECS[kind]);
            for (const f of OUTPUT_FIELDS) pending.push(resolved(isb[f] as pulumi.Output<unknown>));
        }
    }
    await Promise.all(pending);
    await settle();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const result = {
        wallMs,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        maxRssKb: process.resourceUsage().maxRSS,
        rssBeforeKb,
        resources: registry().length - before,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const mode = argv[0];
    const kind = arg(argv, "--kind") ?? "";
    if (!SPECS[kind]) throw new Error(`--kind must be one of ${Object.keys(SPECS).join(", ")}`);
    await installMocks();
    if (mode === "snapshot") return snapshot(kind, arg(argv, "--file")!);
    if (mode !== "component" && mode !== "baseline") throw new Error("mode must be snapshot, component or baseline");
    const n = Number(arg(argv, "--n"));
    if (!Number.isInteger(n) || n < 1) throw new Error("--n must be a positive integer");
    return measure(mode, kind, n, arg(argv, "--file"), argv.includes("--warm"));
}

main().then(
    () => process.exit(0),
    (err) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
    },
);
