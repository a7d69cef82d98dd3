/**
 * The local control plane of scripts/engine/control-plane.sh (etcd, kube-apiserver,
 * kube-controller-manager on 127.0.0.1) and a small REST client for the tests' checks.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../../..");
const SCRIPT = path.join(ROOT, "scripts/engine/control-plane.sh");

export interface KubeResponse {
    status: number;
    body: any;
}

export class Cluster {
    readonly api: string;
    readonly token: string;
    readonly caPem: string;
    readonly kubeconfig: string;

    private constructor(readonly dir: string) {
        const env = Object.fromEntries(
            fs
                .readFileSync(path.join(dir, "env"), "utf8")
                .trim()
                .split("\n")
                .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
        );
        this.api = env.KUBE_API;
        this.token = env.KUBE_TOKEN;
        this.caPem = fs.readFileSync(env.KUBE_CA, "utf8");
        this.kubeconfig = fs.readFileSync(env.KUBECONFIG, "utf8");
    }

    /** Starts the control plane in a fresh temporary folder (waits for /readyz). */
    static start(): Cluster {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "isbsvc-engine-cp-"));
        execFileSync("bash", [SCRIPT, "up", dir], { stdio: ["ignore", "inherit", "inherit"], timeout: 180_000 });
        return new Cluster(dir);
    }

    /** Stops every process of the control plane (by PID) and removes its folder. */
    stop(): void {
        execFileSync("bash", [SCRIPT, "down", this.dir], { stdio: "inherit", timeout: 60_000 });
    }

    /**
     * Stack config of the default Kubernetes provider for this cluster (the component requires it with
     * `retainOnDelete`): the kubeconfig, upsertExistingObjects, and optionally a default namespace.
     */
    providerConfig(namespace?: string): Record<string, { value: string; secret?: boolean }> {
        return {
            "kubernetes:kubeconfig": { value: this.kubeconfig, secret: true },
            "kubernetes:upsertExistingObjects": { value: "true" },
            ...(namespace && { "kubernetes:namespace": { value: namespace } }),
        };
    }

    log(name: "kube-apiserver" | "kube-controller-manager" | "etcd"): string {
        return fs.readFileSync(path.join(this.dir, "logs", `${name}.log`), "utf8");
    }

    request(method: string, urlPath: string, body?: unknown, contentType = "application/json"): Promise<KubeResponse> {
        const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        return new Promise((resolve, reject) => {
            const req = https.request(
                this.api + urlPath,
                {
                    method,
                    ca: this.caPem,
                    headers: {
                        Authorization: `Bearer ${this.token}`,
                        Accept: "application/json",
                        ...(data && { "Content-Type": contentType, "Content-Length": data.length }),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let parsed: any = text;
                        try {
                            parsed = JSON.parse(text);
                        } catch {
                            /* keep text */
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed });
                    });
                },
            );
            req.on("error", reject);
            req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${urlPath}: timeout`)));
            if (data) req.write(data);
            req.end();
        });
    }

    async get(urlPath: string): Promise<any> {
        const r = await this.request("GET", urlPath);
        if (r.status !== 200) throw new Error(`GET ${urlPath}: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
    }

    /** Creates a namespace labelled for PodSecurity `restricted` (enforce, warn, audit). */
    async createRestrictedNamespace(name: string): Promise<void> {
        const labels = Object.fromEntries(
            ["enforce", "warn", "audit"].flatMap((m) => [
                [`pod-security.kubernetes.io/${m}`, "restricted"],
                [`pod-security.kubernetes.io/${m}-version`, "latest"],
            ]),
        );
        const r = await this.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
        if (r.status !== 201) throw new Error(`create namespace ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    }

    /** Every object of the kinds the component creates (and the controller-made Pods and PVCs) in `ns`. */
    async objects(ns: string): Promise<Array<{ kind: string; name: string; obj: any }>> {
        const lists: Array<[string, string]> = [
            ["Secret", `/api/v1/namespaces/${ns}/secrets`],
            ["ConfigMap", `/api/v1/namespaces/${ns}/configmaps`],
            ["Service", `/api/v1/namespaces/${ns}/services`],
            ["StatefulSet", `/apis/apps/v1/namespaces/${ns}/statefulsets`],
            ["PodDisruptionBudget", `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`],
            ["NetworkPolicy", `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`],
            ["Pod", `/api/v1/namespaces/${ns}/pods`],
            ["PersistentVolumeClaim", `/api/v1/namespaces/${ns}/persistentvolumeclaims`],
        ];
        const out: Array<{ kind: string; name: string; obj: any }> = [];
        for (const [kind, p] of lists) {
            for (const obj of (await this.get(p)).items) {
                // kube-root-ca.crt is published into every namespace by the root CA publisher controller
                if (kind === "ConfigMap" && obj.metadata.name === "kube-root-ca.crt") continue;
                out.push({ kind, name: obj.metadata.name, obj });
            }
        }
        return out;
    }

    /**
     * Admission verdict for the Pods of a StatefulSet, without waiting for its controller: a
     * server-side dry-run create (`dryRun=All`) of a Pod from the StatefulSet's template in `ns`.
     * Returns undefined when admitted, else the API server's message.
     */
    async podAdmission(ns: string, statefulSet: string): Promise<string | undefined> {
        const sts = await this.get(`/apis/apps/v1/namespaces/${ns}/statefulsets/${statefulSet}`);
        // As the StatefulSet controller does, add a volume per claim template (upstream
        // pkg/controller/statefulset/stateful_set_utils.go `updateStorage`).
        const claims = (sts.spec.volumeClaimTemplates ?? []).map((t: any) => ({
            name: t.metadata.name,
            persistentVolumeClaim: { claimName: `${t.metadata.name}-${statefulSet}-0` },
        }));
        const spec = { ...sts.spec.template.spec, volumes: [...(sts.spec.template.spec.volumes ?? []), ...claims] };
        const pod = { apiVersion: "v1", kind: "Pod", metadata: { ...sts.spec.template.metadata, name: `${statefulSet}-dry-run` }, spec };
        const r = await this.request("POST", `/api/v1/namespaces/${ns}/pods?dryRun=All`, pod);
        return r.status === 201 ? undefined : `${r.status}: ${r.body?.message ?? JSON.stringify(r.body)}`;
    }

    /** Events in `ns` (e.g. the StatefulSet controller's FailedCreate with the PodSecurity message). */
    async events(ns: string): Promise<string[]> {
        return (await this.get(`/api/v1/namespaces/${ns}/events`)).items.map(
            (e: any) => `${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}: ${e.message}`,
        );
    }
}

/** Polls `fn` until it returns a value other than undefined, or fails after `ms`. */
export async function waitFor<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
    const end = Date.now() + ms;
    let last: unknown;
    for (;;) {
        try {
            const v = await fn();
            if (v !== undefined) return v;
        } catch (e) {
            last = e;
        }
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
        await new Promise((r) => setTimeout(r, 500));
    }
}
