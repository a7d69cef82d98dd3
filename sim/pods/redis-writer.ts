/**
 * A Redis client for live tests of changes to a running service: {@link Writer} writes with
 * `WAIT 1` acknowledgements through Sentinel while the pods roll, following the change between the
 * old and the new outputs; {@link everyPod} runs a command on a container of every pod;
 * {@link waitSetHealthy} and {@link lostWrites} check the set after the change.
 */
import Redis from "ioredis";
import { Built } from "../runtime/build";
import { nodeCommand, RedisPods, roleOf, sentinelClient, sentinelView, SentinelOutputs } from "./redis-pods";
import { AckedWriter } from "./acked-writer";
import { waitFor } from "./wait";

/**
 * Writes key after key, each until `SET` succeeded and `WAIT 1` reported a replica, through a
 * Sentinel client built from the old outputs or the new ones: after three failed attempts in a
 * row it reconnects with the other password (a client that follows the rotation; `acked-writer.ts`).
 */
export class Writer extends AckedWriter<string> {
    private client?: Redis;
    private switchRequested = false;

    constructor(
        private readonly pods: RedisPods,
        private readonly outputs: Built["outputs"][],
    ) {
        super(outputs.length);
    }

    /** Reconnects with the outputs `variant` (a pipeline restarted with the new credentials). */
    async use(variant: number): Promise<void> {
        this.variant = variant;
        this.switchRequested = true;
    }

    protected async reconnect(): Promise<void> {
        this.client?.disconnect();
        this.client = sentinelClient(this.pods, this.outputs[this.variant] as SentinelOutputs);
        await this.client.connect().catch((e: unknown) => {
            this.lastError = String(e);
        });
    }

    protected async close(): Promise<void> {
        this.client?.disconnect();
    }

    protected async attempt(i: number): Promise<string> {
        if (!this.client || this.switchRequested) {
            this.switchRequested = false;
            await this.reconnect();
        }
        const key = `k-${i}`;
        await this.client!.set(key, `v-${i}`);
        if (Number(await this.client!.wait(1, 2000)) < 1) throw new Error("WAIT 1 returned 0");
        return key;
    }
}

/** Runs `args` on a container of every pod with the password of `o`: the replies or errors, by pod. */
export async function everyPod(pods: RedisPods, container: "redis" | "sentinel", o: SentinelOutputs, args: string[]): Promise<string[]> {
    return Promise.all(
        pods.podNames().map((p) =>
            nodeCommand(pods, p, container, o, args).then(
                (r) => `${p}: ${JSON.stringify(r)}`,
                (e: unknown) => `${p}: error ${String(e)}`,
            ),
        ),
    );
}

/**
 * Waits until the master that `o`'s Sentinels name has every other pod as a connected replica and
 * every Sentinel agrees on it and knows every replica and every other Sentinel. @returns the master pod.
 */
export async function waitSetHealthy(pods: RedisPods, o: SentinelOutputs, timeoutMs = 90_000): Promise<string> {
    const names = pods.podNames();
    let master = "";
    await waitFor(
        "every replica in sync and every Sentinel agreeing",
        async () => {
            const view = await sentinelView(pods, names[0], o);
            master = pods.podOf(view.master.replace(/:\d+$/, ""));
            const r = await roleOf(pods, master, o);
            if (r.role !== "master" || r.replicas!.length !== names.length - 1) return false;
            for (const p of names) {
                const v = await sentinelView(pods, p, o);
                if (v.master !== `${pods.fqdn(master)}:6379`) return false;
                if (Object.values(v.replicas).filter((f) => f === "slave").length !== names.length - 1) return false;
                if (Object.keys(v.sentinels).length !== names.length - 1) return false;
            }
            for (const p of names.filter((x) => x !== master)) if ((await roleOf(pods, p, o)).state !== "connected") return false;
            return true;
        },
        { timeoutMs, intervalMs: 500 },
    );
    return master;
}

/** The keys among `acked` (written by {@link Writer}: key `k-<i>`, value `v-<i>`) that a client of `o` does not read back. */
export async function lostWrites(pods: RedisPods, o: SentinelOutputs, acked: readonly string[]): Promise<string[]> {
    const reader = sentinelClient(pods, o);
    await reader.connect();
    try {
        const values = await reader.mget(...acked);
        return acked.filter((k, i) => values[i] !== `v-${k.slice(2)}`);
    } finally {
        reader.disconnect();
    }
}
