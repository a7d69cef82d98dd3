/**
 * The pass-through validation corpus (tests/support/pod-validation-corpus.ts: invalid inputs our
 * validator refuses, valid inputs it accepts) against a real kube-apiserver 1.34.4: for every entry,
 * the StatefulSet the component would render (provider/args/resolve.ts
 * `resolveSpecKeepingPodIssues`: resolved without stopping at the pod-template rules) is dry-run
 * created (`dryRun=All`), and so is the Pod the StatefulSet controller would make from it (its
 * template plus one volume per claim template, as tests/engine/support/cluster.ts `podAdmission`).
 * The API server refuses when either is refused (the StatefulSet's validation checks only its
 * template's labels and annotations, the Pod's its whole spec); our validator refuses when
 * `resolveSpec` throws a SpecError. Both must agree on every entry.
 *
 * The namespace has no PodSecurity labels (validation, not policy, is compared here), and the
 * objects valid inputs refer to (ServiceAccount, PriorityClass, RuntimeClass) are created first, so
 * that admission plugins (ServiceAccount, Priority, RuntimeClass) do not refuse a valid input for a
 * missing object. Any answer other than 201 counts as a refusal (422 validation, 400 decoding, 403
 * admission: an object of an invalid name cannot exist).
 */
import * as assert from "node:assert/strict";
import { Cluster, waitFor } from "./support/cluster";
import { INVALID, VALID } from "../support/pod-validation-corpus";
import { resolveSpec, resolveSpecKeepingPodIssues } from "../../provider/args/resolve";
import { SpecError } from "../../provider/args/errors";
import { renderJetStreamStatefulSet } from "../../provider/render/jetstream/objects";
import { renderRedisStatefulSet } from "../../provider/render/redis/objects";
import type { K8sObject } from "../../provider/render/k8s-types";

const NS = "pv-corpus";

interface Verdict {
    title: string;
    corpus: "invalid" | "valid";
    ours: string | undefined;
    api: string | undefined;
    /** HTTP statuses of the StatefulSet and Pod dry runs. */
    statuses?: string;
}

function render(args: any): K8sObject {
    const { svc } = resolveSpecKeepingPodIssues("default", args);
    if (svc.type === "jetstream") return renderJetStreamStatefulSet(svc, NS);
    if (svc.type === "redis-native") return renderRedisStatefulSet(svc, NS);
    throw new Error(`no StatefulSet for ${svc.type}`);
}

/** Our verdict: the SpecError's problems, or undefined when the spec is accepted. */
function ours(args: any): string | undefined {
    try {
        resolveSpec("default", args);
        return undefined;
    } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        return e.issues.map((i) => `${i.field}: ${i.problem}`).join(" | ");
    }
}

/** The Pod the StatefulSet controller would create for ordinal 0 (`newStatefulSetPod`, `updateStorage`). */
function podOf(sts: any): any {
    const claims = (sts.spec.volumeClaimTemplates ?? []).map((t: any) => ({
        name: t.metadata.name,
        persistentVolumeClaim: { claimName: `${t.metadata.name}-${sts.metadata.name}-0` },
    }));
    const spec = { ...sts.spec.template.spec, volumes: [...(sts.spec.template.spec.volumes ?? []), ...claims] };
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { ...sts.spec.template.metadata, name: `${sts.metadata.name}-0`, namespace: NS },
        spec,
    };
}

/** Creates what valid pods may refer to; a name the API server refuses is simply not created. */
async function prerequisites(cluster: Cluster, pods: any[]): Promise<void> {
    const want = (field: string) => [...new Set(pods.map((p) => p.spec[field]).filter((v) => typeof v === "string" && v !== ""))];
    for (const name of want("serviceAccountName"))
        await cluster.request("POST", `/api/v1/namespaces/${NS}/serviceaccounts`, {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name },
        });
    for (const name of want("priorityClassName").filter((n) => !n.startsWith("system-")))
        await cluster.request("POST", "/apis/scheduling.k8s.io/v1/priorityclasses", {
            apiVersion: "scheduling.k8s.io/v1",
            kind: "PriorityClass",
            metadata: { name },
            value: 1000,
        });
    for (const name of want("runtimeClassName"))
        await cluster.request("POST", "/apis/node.k8s.io/v1/runtimeclasses", {
            apiVersion: "node.k8s.io/v1",
            kind: "RuntimeClass",
            metadata: { name },
            handler: "runsc",
        });
}

function message(body: any): string {
    const causes = (body?.details?.causes ?? []).map((c: any) => `${c.field}: ${c.message}`);
    return causes.length ? causes.join(" | ") : String(body?.message ?? JSON.stringify(body));
}

describe("engine: pass-through pod validation = the API server's (dry-run creates of the corpus)", function () {
    let cluster: Cluster;
    const verdicts: Verdict[] = [];

    before(async function () {
        cluster = Cluster.start();
        const r = await cluster.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        // The ServiceAccount admission plugin needs the namespace's `default` account (the controller makes it).
        await waitFor("the default ServiceAccount", 60_000, async () =>
            (await cluster.request("GET", `/api/v1/namespaces/${NS}/serviceaccounts/default`)).status === 200 ? true : undefined,
        );
    });

    after(function () {
        cluster?.stop();
    });

    it("renders every entry of the corpus and gets the API server's verdict on each", async function () {
        const entries = [
            ...INVALID.map((c) => ({ title: c.title, args: c.args, corpus: "invalid" as const })),
            ...Object.entries(VALID).map(([title, args]) => ({ title, args, corpus: "valid" as const })),
        ];
        const rendered = entries.map((e) => ({ ...e, sts: render(e.args) as any }));
        await prerequisites(
            cluster,
            rendered.map((e) => podOf(e.sts)),
        );
        for (const e of rendered) {
            const v: Verdict = { title: e.title, corpus: e.corpus, ours: ours(e.args), api: undefined };
            const sts = await cluster.request("POST", `/apis/apps/v1/namespaces/${NS}/statefulsets?dryRun=All`, e.sts);
            const pod = await cluster.request("POST", `/api/v1/namespaces/${NS}/pods?dryRun=All`, podOf(e.sts));
            // Any answer but 201 is a refusal: 422 validation, 400 a value that does not even decode
            // (a quantity, a field's type), 403 admission (e.g. no PriorityClass or ServiceAccount of a name
            // that cannot exist), 500 an admission plugin failing on it.
            const refusals = [
                ...(sts.status !== 201 ? [`StatefulSet ${sts.status}: ${message(sts.body)}`] : []),
                ...(pod.status !== 201 ? [`Pod ${pod.status}: ${message(pod.body)}`] : []),
            ];
            v.api = refusals.length ? refusals.join(" || ") : undefined;
            v.statuses = `${sts.status}/${pod.status}`;
            verdicts.push(v);
        }
        const count = (f: (v: Verdict) => boolean) => verdicts.filter(f).length;
        const byStatus = new Map<string, number>();
        for (const v of verdicts) byStatus.set(v.statuses!, (byStatus.get(v.statuses!) ?? 0) + 1);
        console.log(
            `      ${INVALID.length} invalid + ${Object.keys(VALID).length} valid entries: both refuse ${count((v) => !!v.ours && !!v.api)}, ` +
                `both accept ${count((v) => !v.ours && !v.api)}, only we refuse ${count((v) => !!v.ours && !v.api)}, ` +
                `only the API server refuses ${count((v) => !v.ours && !!v.api)}; StatefulSet/Pod statuses ` +
                [...byStatus].map(([k, n]) => `${k} ×${n}`).join(", "),
        );
        assert.equal(verdicts.length, entries.length);
    });

    it("the invalid entries: the API server refuses every one, as we do", function () {
        const disagree = verdicts
            .filter((v) => v.corpus === "invalid" && (!v.api || !v.ours))
            .map((v) => `${v.title}: ours ${v.ours}, API ${v.api}`);
        assert.equal(verdicts.length > 0, true, "the verdicts were collected");
        assert.deepEqual(disagree, [], `disagreements:\n${disagree.join("\n")}`);
    });

    it("the valid entries: the API server accepts every one, as we do", function () {
        const disagree = verdicts
            .filter((v) => v.corpus === "valid" && (v.api || v.ours))
            .map((v) => `${v.title}: ours ${v.ours}, API ${v.api}`);
        assert.equal(verdicts.length > 0, true, "the verdicts were collected");
        assert.deepEqual(disagree, [], `disagreements:\n${disagree.join("\n")}`);
    });
});
