/**
 * Specs the rule tests run over: the examples' specs (the TypeScript producer programs run under
 * the mocks, the YAML program's properties, the local runner's spec files) and a matrix of test
 * specs covering every flavour and option that changes the rendered pods (TLS, encryption,
 * persistence, replicas, container templates, pod template fields, user security contexts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { InterStepBufferServiceArgs } from "../../provider";
import { registry } from "../../sim/runtime/mock-runtime";
import { settle } from "../../sim/runtime/outputs";

const ROOT = path.join(__dirname, "..", "..");
const NS = "pipelines";
const TEMPLATE = {
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
    env: [{ name: "EXTRA", value: "1" }],
    imagePullPolicy: "Always",
    livenessProbe: { periodSeconds: 20 },
};

/** Test specs by title. */
export const TEST_SPECS: Record<string, InterStepBufferServiceArgs> = {
    "jetstream default": { namespace: NS, jetstream: { version: "2.10.29" } },
    "jetstream standalone": { namespace: NS, jetstream: { version: "2.12.7", replicas: 1 } },
    "jetstream tls, encryption, persistence": {
        namespace: NS,
        jetstream: { version: "2.10.29", tls: true, encryption: true, persistence: { volumeSize: "10Gi", storageClassName: "fast" } },
    },
    "jetstream 5 replicas, 2.9": { namespace: NS, jetstream: { version: "2.9.15", replicas: 5, tls: true } },
    "jetstream with container templates and pod template fields": {
        namespace: NS,
        jetstream: {
            version: "2.10.29",
            containerTemplate: { ...TEMPLATE, env: [{ name: "GOMEMLIMIT", value: "900MiB" }] },
            reloaderContainerTemplate: TEMPLATE,
            metricsContainerTemplate: TEMPLATE,
            metadata: { labels: { team: "a" }, annotations: { note: "x" } },
            tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule" }],
            priorityClassName: "high",
            imagePullSecrets: [{ name: "regcred" }],
            affinity: { nodeAffinity: {} },
            serviceAccountName: "isb",
        },
    },
    "jetstream, user pod security context (other uid, supplemental groups)": {
        namespace: NS,
        jetstream: {
            version: "2.10.29",
            persistence: {},
            securityContext: { runAsUser: 2000, runAsGroup: 2000, supplementalGroups: [3000] },
        },
    },
    "jetstream, container templates adding NET_BIND_SERVICE and a Localhost seccomp profile": {
        namespace: NS,
        jetstream: {
            version: "2.10.29",
            containerTemplate: {
                securityContext: {
                    capabilities: { add: ["NET_BIND_SERVICE"] },
                    seccompProfile: { type: "Localhost", localhostProfile: "nats.json" },
                },
            },
        },
    },
    "redis native default": { namespace: NS, redis: { native: { version: "7.0.15" } } },
    "redis native tls, persistence": {
        namespace: NS,
        redis: { native: { version: "7.0.15", tls: true, persistence: { volumeSize: "5Gi" } } },
    },
    "redis native 6.2, 5 replicas, container templates": {
        namespace: NS,
        redis: {
            native: {
                version: "6.2.6",
                replicas: 5,
                redisContainerTemplate: TEMPLATE,
                sentinelContainerTemplate: TEMPLATE,
                metricsContainerTemplate: { ...TEMPLATE, env: [{ name: "REDIS_EXPORTER_DEBUG", value: "1" }] },
            },
        },
    },
    "redis native, user pod security context": {
        namespace: NS,
        redis: { native: { version: "7.0.15", tls: true, securityContext: { runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 } } },
    },
    "redis external": { namespace: NS, redis: { external: { url: "rediss://redis.example.internal:6380", user: "isb", password: "pw" } } },
    "redis external with Sentinel": {
        namespace: NS,
        redis: { external: { url: "redis.example.internal:6379", sentinelUrl: "s.example.internal:26379", masterName: "m" } },
    },
};

/** Specs of the example programs that are data: the YAML program and the local runner's spec files. */
export function exampleSpecs(): Record<string, { name: string; args: InterStepBufferServiceArgs }> {
    const out: Record<string, { name: string; args: InterStepBufferServiceArgs }> = {};
    const program = yaml.load(fs.readFileSync(path.join(ROOT, "examples", "yaml", "Pulumi.yaml"), "utf8")) as any;
    for (const [name, r] of Object.entries<any>(program.resources)) {
        if (r.type === "isbsvc:InterStepBufferService") out[`examples/yaml ${name}`] = { name, args: r.properties };
    }
    const dir = path.join(ROOT, "local", "specs");
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".yaml"))) {
        const spec = yaml.load(fs.readFileSync(path.join(dir, f), "utf8")) as any;
        out[`local/specs/${f}`] = { name: spec.name, args: spec.args };
    }
    return out;
}

/** The TypeScript producer examples (run under the mocks). */
export const EXAMPLE_PROGRAMS = ["jetstream", "redis-native", "redis-external"];

/**
 * Runs the TypeScript producer examples under the mocks and returns the Kubernetes objects each
 * registered (by example), as the inputs sent to the provider.
 */
export async function exampleProgramObjects(): Promise<Record<string, Record<string, any>[]>> {
    const out: Record<string, Record<string, any>[]> = {};
    for (const ex of EXAMPLE_PROGRAMS) {
        const before = new Set(registry());
        await import(path.join(ROOT, "examples", ex, "index"));
        await settle();
        out[`examples/${ex}`] = registry()
            .filter((r) => !before.has(r) && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers"))
            .map((r) => r.inputs);
    }
    return out;
}
