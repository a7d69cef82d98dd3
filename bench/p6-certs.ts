/**
 * P6 (certificate rotation, JetStream): new server certificates rolled in under load through the
 * reload path. A 3-node R3 TLS cluster (persistence on) runs the P6 load (`p6-load.ts`: a producer
 * with acks and a consumer, nats.js default reconnect settings, CA from the `caCertPem` output).
 * The renewal is the component's: a second build in which the fake tls provider issues new leaf
 * certificates (`<n>-server-cert`, `<n>-route-cert` replaced, as a renewal inside
 * `earlyRenewalHours` replaces them) while the CA and the keys stay (`sim/pods/rolling.ts`
 * `buildRevisions`). The pod template does not change (checked), so nothing rolls: kubelet
 * refreshes the projected files of each pod (`JetStreamPods.rewriteFiles`, an atomic `..data`
 * swap) and the reloader sends SIGHUP to the pid in nats-server's pid file
 * (`JetStreamPods.reload`, as the live tests do: the bed runs no reloader container).
 *
 * Two orders, interleaved per round: `together` (every pod's files refreshed, then every pod
 * signalled) and `one-by-one` (kubelet refreshes pods at different moments: one pod's files, its
 * signal, until it serves the new certificate, 2 s, then the next). A rotation ends when every pod
 * serves the new certificate (verified against the CA for the URL host).
 */
import * as crypto from "node:crypto";
import { Built, K8S, secretData } from "../sim/runtime/build";
import { findStatefulSet } from "../sim/pods/pod-files";
import { connectWithOutputs, JetStreamPods, serverCertificate } from "../sim/pods/jetstream-pods";
import { newId } from "../sim/pods/netns";
import { buildRevisions } from "../sim/pods/rolling";
import { sleep, waitFor } from "../sim/pods/wait";
import { fmt, Goal, median, table } from "./stats";
import { NATS_VERSION } from "./nats";
import { eventCount, lostAcks, NATS_JS_RECONNECT_DEFAULTS, runInterleaved, stallsPerDisturbance, startJsLoad } from "./p6-load";

export type P6CertMode = "together" | "one-by-one";
const MODES: P6CertMode[] = ["together", "one-by-one"];
const NAME = "c6";

/** One rotation. */
export interface P6CertRun {
    mode: P6CertMode;
    /** From the first file refresh until every pod serves the new certificate. */
    rotateMs: number;
    acked: number;
    lost: number;
    publishErrors: number;
    /** Status events of both connections (producer + consumer). */
    reconnects: number;
    disconnects: number;
    /** Longest time without an ack from the first refresh until 2 s after the last pod served the new certificate. */
    stallMs: number;
    /** Files whose content the refresh changed (any pod). */
    changed: string[];
    error?: string;
}

export interface P6CertResults {
    runs: P6CertRun[];
    roundsDone: number;
}

const ARGS = { namespace: "bench", jetstream: { version: NATS_VERSION, tls: true, persistence: { volumeSize: "1Gi" } } };

function serial(pem: string): string {
    return new crypto.X509Certificate(pem).serialNumber.toUpperCase();
}

/** Before and after the renewal; throws when the renewal is not what it should be (same CA, new leaf, no roll). */
async function renewal(): Promise<{ before: Built; after: Built }> {
    const r = await buildRevisions(NAME, ARGS, ARGS, { replace: [`${NAME}-server-cert`, `${NAME}-route-cert`] });
    if (r.before.outputs.caCertPem !== r.after.outputs.caCertPem) throw new Error("the renewal changed the CA");
    const template = (b: Built) => JSON.stringify(findStatefulSet(b.children).inputs.spec.template);
    if (template(r.before) !== template(r.after)) throw new Error("the renewal changes the pod template (it would roll the pods)");
    return r;
}

/** The serial of the certificate the pod serves to a client that trusts `ca` and dials the URL host. */
async function servedSerial(cluster: JetStreamPods, pod: string, outputs: Built["outputs"]): Promise<string> {
    const host = new URL(outputs.url).hostname;
    return (await serverCertificate(cluster.address(pod), 4222, host, outputs.caCertPem)).serialNumber.toUpperCase();
}

/** The serial of the server certificate in the build's server Secret. */
function issuedSerial(b: Built): string {
    const secret = b.ofType(K8S.secret).find((s) => s.inputs.metadata.name.endsWith("-js-server"));
    if (!secret) throw new Error("no server Secret");
    return serial(secretData(secret).cert);
}

/** Refreshes the pods' files from `after` and signals them, in `mode`; resolves when every pod serves the renewed certificate. */
async function rotate(cluster: JetStreamPods, after: Built, mode: P6CertMode, old: Map<string, string>): Promise<string[]> {
    const changed = new Set<string>();
    const want = issuedSerial(after);
    if ([...old.values()].includes(want)) throw new Error("the renewal issued no new server certificate");
    const renewed = async (p: string) =>
        waitFor(`${p} to serve the renewed certificate`, async () => (await servedSerial(cluster, p, after.outputs)) === want, {
            timeoutMs: 30_000,
            intervalMs: 100,
        });
    const refresh = (pods: string[]) =>
        Object.values(cluster.rewriteFiles(after.children, { pods })).forEach((f) => f.forEach((x) => changed.add(x)));
    if (mode === "together") {
        refresh(cluster.podNames());
        cluster.podNames().forEach((p) => cluster.reload(p));
        for (const p of cluster.podNames()) await renewed(p);
    } else {
        for (const [k, p] of cluster.podNames().entries()) {
            if (k > 0) await sleep(2000);
            refresh([p]);
            cluster.reload(p);
            await renewed(p);
        }
    }
    return [...changed].sort();
}

async function rotateOnce(mode: P6CertMode, log: (l: string) => void): Promise<P6CertRun> {
    const { before, after } = await renewal();
    const cluster = await JetStreamPods.start(before.children, { id: newId("b6c") });
    try {
        const load = await startJsLoad(
            () => connectWithOutputs(cluster, before.outputs, { extra: NATS_JS_RECONNECT_DEFAULTS }),
            before.outputs.streamConfig,
        );
        try {
            const old = new Map<string, string>();
            for (const p of cluster.podNames()) old.set(p, await servedSerial(cluster, p, before.outputs));
            await sleep(1000);
            const t0 = Date.now();
            const changed = await rotate(cluster, after, mode, old);
            const t1 = Date.now();
            await cluster.waitHealthy(30_000);
            await sleep(3000);
            await load.stop();
            const [stallMs] = stallsPerDisturbance(
                [{ deletedAt: t0, readyAt: t1 }],
                load.acks.map((a) => a.at),
            );
            const run: P6CertRun = {
                mode,
                rotateMs: t1 - t0,
                acked: load.acks.length,
                lost: await lostAcks(load),
                publishErrors: load.publishErrors(),
                reconnects: eventCount(load, "reconnect"),
                disconnects: eventCount(load, "disconnect"),
                stallMs,
                changed,
            };
            log(
                `    ${mode.padEnd(10)} rotated in ${fmt(run.rotateMs / 1000)} s, acked ${run.acked}, lost ${run.lost}, publish errors ${run.publishErrors}, ` +
                    `reconnects ${run.reconnects}, disconnects ${run.disconnects}, longest stall ${fmt(stallMs / 1000)} s; changed ${changed.join(", ")}`,
            );
            return run;
        } finally {
            await load.stop();
            await load.close();
        }
    } finally {
        await cluster.destroy();
    }
}

/** Rotates in each order `rounds` times, interleaved. */
export async function runP6Certs(o: { rounds: number; deadline: number; log: (l: string) => void }): Promise<P6CertResults> {
    const nan = { rotateMs: NaN, lost: NaN, publishErrors: NaN, reconnects: NaN, disconnects: NaN, stallMs: NaN };
    const { results, roundsDone } = await runInterleaved(
        MODES,
        o,
        (m) => rotateOnce(m, o.log),
        (m, error): P6CertRun => ({ mode: m, acked: 0, changed: [], ...nan, error }),
    );
    return { runs: results, roundsDone };
}

/** Markdown and goals of P6 (certificate rotation). */
export function reportP6Certs(res: P6CertResults): { md: string; goals: Goal[] } {
    const ok = res.runs.filter((r) => !r.error);
    const rows = MODES.map((m) => {
        const rs = ok.filter((r) => r.mode === m);
        return [
            m,
            rs.length ? `${fmt(median(rs.map((r) => r.rotateMs)) / 1000)}` : "–",
            String(rs.reduce((n, r) => n + r.acked, 0)),
            String(rs.reduce((n, r) => n + r.lost, 0)),
            rs.map((r) => r.publishErrors).join(", "),
            rs.map((r) => `${r.reconnects}/${r.disconnects}`).join(", "),
            rs.map((r) => fmt(r.stallMs / 1000)).join(", "),
            String(rs.length) + (res.runs.some((r) => r.mode === m && r.error) ? " (+ failed)" : ""),
        ];
    });
    const md = table(
        [
            "order",
            "first refresh → every pod serves the new certificate, s (median)",
            "acked",
            "acked lost",
            "publish errors per rotation",
            "client reconnects / disconnects per rotation (producer + consumer)",
            "longest stall per rotation, s",
            "rotations",
        ],
        rows,
    );
    const measured = ok.length > 0;
    const sum = (f: (r: P6CertRun) => number) => ok.reduce((n, r) => n + f(r), 0);
    const maxStall = measured ? Math.max(...ok.map((r) => r.stallMs)) : NaN;
    const files = [...new Set(ok.flatMap((r) => r.changed))].sort();
    return {
        md: `${md}\n\nFiles the refresh changed: ${files.map((f) => `\`${f}\``).join(", ") || "–"}.`,
        goals: [
            {
                name: "P6 certificate rotation under load, JetStream: failed publishes",
                ok: measured ? sum((r) => r.publishErrors) === 0 && sum((r) => r.lost) === 0 : undefined,
                text: `${sum((r) => r.publishErrors)} over ${ok.length} rotations, ${sum((r) => r.lost)} acknowledged lost (goal 0)`,
            },
            {
                name: "P6 certificate rotation under load, JetStream: client reconnects",
                ok: measured ? sum((r) => r.reconnects) === 0 : undefined,
                text: `${sum((r) => r.reconnects)} reconnects, ${sum((r) => r.disconnects)} disconnects (goal 0); longest stall ${fmt(maxStall / 1000)} s`,
            },
        ],
    };
}
