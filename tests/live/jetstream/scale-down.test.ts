/**
 * Live proof for JetStream scale-down (issue 16, item 11): a 5-pod cluster with R3 streams scaled
 * to 3 the way Kubernetes does it (the new routes.conf reaches the remaining pods and the reloader
 * signals them; the StatefulSet controller deletes the highest ordinals, preStop then SIGTERM).
 *
 * 1. Without a peer-remove the deleted servers stay JetStream meta peers (cluster size 5, two
 *    offline), so the meta group now needs 3 of the 3 remaining servers: one more pod down and no
 *    meta leader is left.
 * 2. The documented procedure (README "Changing a running service"): one replica at a time, each
 *    deleted server peer-removed through `$JS.API.SERVER.REMOVE` with the system account
 *    (nats-server `server/jetstream_api.go` `jsLeaderServerRemoveRequest`; the meta leader then
 *    moves the server's stream replicas to other servers, `jetstream_cluster.go`
 *    `processRemovePeer`). Every stream stays writable at every step, the meta group ends with 3
 *    peers and keeps a leader with one pod down, and nothing acknowledged is lost.
 *
 * Needs root, iproute2 and nats-server (FAILS, never skips, without them). Run:
 *   npx mocha --config tests/live/.mocharc.json tests/live/jetstream/scale-down.test.ts
 */
import { strict as assert } from "node:assert";
import { jetstream, jetstreamManager, JetStreamManager } from "@nats-io/jetstream";
import { build, Built, K8S, secretData } from "../../../sim/runtime/build";
import { sleep, waitFor } from "../../../sim/pods/wait";
import {
    connectWithOutputs,
    consumeAll,
    consumerConfigFromOutput,
    Jsz,
    JetStreamPods,
    NatsConnection,
    streamConfigFromOutput,
} from "../../../sim/pods/jetstream-pods";
import { newId } from "../../../sim/pods/netns";
import { ChildResource } from "../../../sim/pods/pod-files";

const VERSION = "2.9.15"; // a catalogue version the installed nats-server 2.9.10 runs
const NAME = "sd";
const args = (replicas: number) => ({ namespace: "live", jetstream: { version: VERSION, replicas } });
const POLL = { timeoutMs: 60_000, intervalMs: 500 };
const STREAMS = Array.from({ length: 8 }, (_, i) => `s${i}`);
const pod = (i: number) => `isbsvc-${NAME}-js-${i}`;

type MetaCluster = Omit<NonNullable<Jsz["meta_cluster"]>, "replicas"> & {
    replicas?: { name: string; current: boolean; offline?: boolean }[];
};

/** The system account's password, from auth.conf of the server Secret. */
function systemPassword(b: Built): string {
    const auth = serverSecretData(b).auth;
    return /user: "sys", password: "([A-Za-z0-9]+)"/.exec(auth)![1];
}

/** The route password of routes.conf in the server Secret. */
function routePassword(b: Built): string {
    return /password: "([A-Za-z0-9]+)"/.exec(serverSecretData(b).routes)![1];
}

function serverSecretData(b: Built): Record<string, string> {
    return secretData(b.ofType(K8S.secret).find((s) => s.inputs.metadata.name.endsWith("-js-server"))!);
}

/**
 * The children of `next` with the route password of `current`: Pulumi keeps the generated password
 * across a replicas change (only the route list changes), while each build here generates new ones.
 */
function keepRoutePassword(next: Built, current: Built): ChildResource[] {
    const [from, to] = [routePassword(next), routePassword(current)];
    return next.children.map((c) =>
        c.type === K8S.secret && c.inputs.metadata.name.endsWith("-js-server")
            ? {
                  ...c,
                  inputs: {
                      ...c.inputs,
                      data: {
                          ...c.inputs.data,
                          routes: Buffer.from(serverSecretData(next).routes.split(from).join(to)).toString("base64"),
                      },
                  },
              }
            : c,
    );
}

/** A bed of 5 pods with R3 streams, a client, and what it acknowledged. */
class Bed {
    nc!: NatsConnection;
    jsm!: JetStreamManager;
    readonly acked = new Map<string, string[]>(STREAMS.map((s) => [s, []]));
    private constructor(
        readonly built: Built,
        readonly cluster: JetStreamPods,
    ) {}

    static async start(id: string): Promise<Bed> {
        const built = await build(NAME, args(5));
        const bed = new Bed(built, await JetStreamPods.start(built.children, { id: newId(id), startTimeoutMs: 120_000 }));
        bed.nc = await connectWithOutputs(bed.cluster, built.outputs);
        bed.jsm = await jetstreamManager(bed.nc);
        for (const s of STREAMS) await bed.jsm.streams.add(streamConfigFromOutput(built.outputs.streamConfig, s, [`${s}.>`]));
        await bed.publishAll("before", 10);
        return bed;
    }

    /** Publishes `count` messages to every stream, each until acknowledged (bounded by `timeoutMs` per message). */
    async publishAll(tag: string, count: number, timeoutMs = 60_000): Promise<void> {
        const js = jetstream(this.nc);
        for (const s of STREAMS) {
            for (let i = 0; i < count; i++) {
                const id = `${s}-${tag}-${i}`;
                const deadline = Date.now() + timeoutMs;
                for (;;) {
                    try {
                        await js.publish(`${s}.x`, id, { msgID: id, timeout: 2000 });
                        this.acked.get(s)!.push(id);
                        break;
                    } catch (err) {
                        if (Date.now() > deadline) throw new Error(`${id} not acknowledged in ${timeoutMs} ms: ${String(err)}`);
                        await sleep(200);
                    }
                }
            }
        }
    }

    /** The meta group as pod `p` sees it. */
    async meta(p: string): Promise<MetaCluster> {
        return ((await this.cluster.jsz(p)).meta_cluster ?? {}) as MetaCluster;
    }

    /**
     * Scales the StatefulSet to `replicas` as Kubernetes does: kubelet refreshes routes.conf of the
     * remaining pods and the reloader signals them, then the controller deletes the pods above
     * (preStop, then SIGTERM).
     */
    async scaleTo(replicas: number): Promise<void> {
        const next = keepRoutePassword(await build(NAME, args(replicas)), this.built);
        const remaining = Array.from({ length: replicas }, (_, i) => pod(i));
        const deleted = this.cluster.runningPods().filter((p) => !remaining.includes(p));
        const written = this.cluster.rewriteFiles(next, { only: ["routes.conf"], pods: remaining });
        for (const p of remaining) assert.deepEqual(written[p], ["config-volume/routes.conf"]);
        assert.equal(this.cluster.routeUrls(remaining[0]).length, replicas);
        assert.ok(this.cluster.configFile(remaining[0], "routes.conf").includes(routePassword(this.built)), "same route password");
        remaining.forEach((p) => this.cluster.reload(p));
        for (const p of remaining)
            await waitFor(`${p} reloaded the routes`, async () => /Reloaded: cluster routes/.test(this.cluster.logs(p)), POLL);
        await Promise.all(
            deleted.map(async (p) => {
                await this.cluster.runHook(p, "preStop");
                await this.cluster.stopPod(p);
            }),
        );
    }

    /**
     * Sends `$JS.API.SERVER.REMOVE` for `server` as the system user. The body names the server in
     * the field `peer` (nats-server `JSApiMetaServerRemoveRequest`: `Server string json:"peer"`;
     * `peer_id` takes the raft peer id instead).
     */
    async peerRemove(server: string): Promise<void> {
        const sys = await connectWithOutputs(this.cluster, { ...this.built.outputs, user: "sys", password: systemPassword(this.built) });
        try {
            const reply = await waitFor(
                `the meta leader to peer-remove ${server}`,
                async () => {
                    const m = await sys.request("$JS.API.SERVER.REMOVE", JSON.stringify({ peer: server }), { timeout: 3000 });
                    const r = m.json<{ success?: boolean; error?: { description: string } }>();
                    if (!r.success) throw new Error(r.error?.description ?? JSON.stringify(r));
                    return r;
                },
                POLL,
            );
            assert.equal(reply.success, true);
        } finally {
            await sys.close();
        }
    }

    /** The request with the server in a field `server` (not `peer`) names no member: nothing is removed. */
    async assertRemoveRefusedByServerField(server: string): Promise<void> {
        const sys = await connectWithOutputs(this.cluster, { ...this.built.outputs, user: "sys", password: systemPassword(this.built) });
        try {
            const r = await waitFor(
                "an answer of the meta leader",
                async () => (await sys.request("$JS.API.SERVER.REMOVE", JSON.stringify({ server }), { timeout: 3000 })).json<any>(),
                POLL,
            );
            assert.equal(r.error?.description, "server is not a member of the cluster");
        } finally {
            await sys.close();
        }
    }

    /** Waits until every stream has 3 current replicas, all on `servers`. */
    async waitStreamsPlacedOn(servers: string[]): Promise<void> {
        for (const s of STREAMS) {
            await waitFor(
                `stream ${s} to have 3 current replicas on ${servers.join(", ")}`,
                async () => {
                    const c = (await this.jsm.streams.info(s)).cluster;
                    const peers = [c?.leader ?? "", ...(c?.replicas ?? []).map((r) => r.name)];
                    return (
                        peers.length === 3 &&
                        peers.every((p) => servers.includes(p)) &&
                        (c?.replicas ?? []).every((r) => r.current && !r.offline)
                    );
                },
                POLL,
            );
        }
    }

    /** Creates the durable consumer `durable` on every stream (retried while a leader is elected). */
    async addConsumers(durable: string): Promise<void> {
        for (const s of STREAMS) {
            await waitFor(
                `a consumer on ${s}`,
                async () => !!(await this.jsm.consumers.add(s, consumerConfigFromOutput(this.built.outputs.streamConfig, durable))),
                POLL,
            );
        }
    }

    /** Every acknowledged message of every stream is read once through the consumers `durable`. */
    async assertNothingLost(durable: string): Promise<void> {
        const js = jetstream(this.nc);
        for (const s of STREAMS) {
            const want = this.acked.get(s)!;
            const read = await consumeAll(js, s, durable, want.length, 60_000);
            const got = new Set(read.map((m) => m.data));
            assert.deepEqual(
                want.filter((id) => !got.has(id)),
                [],
                `${s}: acknowledged messages lost`,
            );
            assert.equal(read.length, want.length, `${s}: stored once`);
        }
    }

    async destroy(): Promise<void> {
        await this.nc?.close().catch(() => undefined);
        await this.cluster.destroy();
    }
}

describe("live JetStream scale-down 5 → 3 without peer-remove", function () {
    this.timeout(600_000);
    let bed: Bed;

    before(async () => {
        bed = await Bed.start("d");
    });
    afterEach(function () {
        if (this.currentTest?.state === "failed") bed?.cluster.dumpLogs();
    });
    after(async () => {
        await bed?.destroy();
    });

    it("keeps the deleted servers as offline meta peers: the group still counts 5", async () => {
        const password = routePassword(bed.built);
        await bed.scaleTo(3);
        // nats-server logs a removed route URL with the current route password (server/reload.go routesOption.Apply),
        // on each pod whose own solicited route to it was the one kept
        assert.ok(
            [0, 1, 2].map(pod).some((p) => bed.cluster.logs(p).includes(`Removed route nats://route:${password}@`)),
            "a pod logs the route password",
        );
        await sleep(10_000); // nothing removes them later either
        for (const p of [0, 1, 2].map(pod)) {
            const meta = await bed.meta(p);
            assert.equal(meta.cluster_size, 5, `${p} meta cluster size`);
        }
        const leader = (await bed.meta(pod(0))).leader!;
        const offline = ((await bed.meta(leader)).replicas ?? []).filter((r) => !r.current).map((r) => r.name);
        assert.deepEqual(offline.sort(), [pod(3), pod(4)], "the deleted servers are peers, not current");
    });

    it("so one more pod down leaves no meta leader (2 of 5), where 2 of 3 would do", async () => {
        await bed.cluster.stopPod(pod(2));
        for (const p of [0, 1].map(pod)) {
            await waitFor(
                `${p} to lose the meta leader`,
                async () => (await bed.meta(p)).leader === "" || (await bed.meta(p)).leader === undefined,
                POLL,
            );
        }
        await assert.rejects(
            bed.jsm.streams.add(streamConfigFromOutput(bed.built.outputs.streamConfig, "late", ["late.>"])),
            "a stream cannot be created without a meta leader",
        );
        bed.cluster.startPod(pod(2));
        await waitFor("a meta leader again", async () => !!(await bed.meta(pod(0))).leader, POLL);
    });
});

describe("live JetStream scale-down 5 → 3 by the documented procedure (one at a time, peer-remove)", function () {
    this.timeout(900_000);
    let bed: Bed;

    before(async () => {
        bed = await Bed.start("p");
    });
    afterEach(function () {
        if (this.currentTest?.state === "failed") bed?.cluster.dumpLogs();
    });
    after(async () => {
        await bed?.destroy();
    });

    for (const [from, to] of [
        [5, 4],
        [4, 3],
    ]) {
        it(`${from} → ${to}: every stream stays writable, the deleted server is peer-removed and its replicas move`, async () => {
            await bed.scaleTo(to);
            await bed.publishAll(`after-delete-${to}`, 3);
            await bed.assertRemoveRefusedByServerField(pod(to));
            await bed.peerRemove(pod(to));
            const servers = Array.from({ length: to }, (_, i) => pod(i));
            for (const p of servers) await waitFor(`${p}: meta group of ${to}`, async () => (await bed.meta(p)).cluster_size === to, POLL);
            await bed.waitStreamsPlacedOn(servers);
            await bed.publishAll(`after-remove-${to}`, 3);
        });
    }

    it("the meta group of 3 keeps a leader and the streams stay writable with one pod down; nothing acknowledged is lost", async () => {
        await bed.addConsumers("final"); // while all three run
        await bed.cluster.stopPod(pod(2));
        await waitFor("a meta leader among the two others", async () => !!(await bed.meta(pod(0))).leader, POLL);
        await bed.publishAll("one-down", 2);
        bed.cluster.startPod(pod(2));
        await bed.cluster.waitHealthy(120_000);
        await bed.waitStreamsPlacedOn([0, 1, 2].map(pod));
        await bed.assertNothingLost("final");
    });
});
