/**
 * A Redis client for live tests of changes to a running service: {@link Writer} writes with
 * `WAIT 1` acknowledgements through Sentinel while the pods roll, following the change between the
 * old and the new outputs; {@link everyPod} runs a command on a container of every pod.
 */
import Redis from "ioredis";
import { Built } from "../runtime/build";
import { nodeCommand, RedisPods, sentinelClient, SentinelOutputs } from "./redis-pods";
import { sleep } from "./wait";

/**
 * Writes key after key, each until `SET` succeeded and `WAIT 1` reported a replica, through a
 * Sentinel client built from the old outputs or the new ones: after three failed attempts in a
 * row it reconnects with the other password (a client that follows the rotation).
 */
export class Writer {
    readonly acked: string[] = [];
    failedAttempts = 0;
    switches = 0;
    maxGapMs = 0;
    lastError = "";
    variant = 0;
    /** The variant that got the last acknowledgement. */
    lastVariant = -1;
    private client?: Redis;
    private stopped = false;
    private done?: Promise<void>;

    constructor(
        private readonly pods: RedisPods,
        private readonly outputs: Built["outputs"][],
    ) {}

    start(): void {
        this.done = this.run();
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.done;
        this.client?.disconnect();
    }

    /** Reconnects with the outputs `variant` (a pipeline restarted with the new credentials). */
    async use(variant: number): Promise<void> {
        this.variant = variant;
        this.switchRequested = true;
    }
    private switchRequested = false;

    private async reconnect(): Promise<void> {
        this.client?.disconnect();
        this.client = sentinelClient(this.pods, this.outputs[this.variant] as SentinelOutputs);
        await this.client.connect().catch((e: unknown) => {
            this.lastError = String(e);
        });
    }

    private async run(): Promise<void> {
        let last = Date.now();
        for (let i = 0; !this.stopped; i++) {
            const key = `k-${i}`;
            let failures = 0;
            for (;;) {
                if (this.stopped) return;
                try {
                    if (!this.client || this.switchRequested) {
                        this.switchRequested = false;
                        await this.reconnect();
                    }
                    await this.client!.set(key, `v-${i}`);
                    if (Number(await this.client!.wait(1, 2000)) < 1) throw new Error("WAIT 1 returned 0");
                    const now = Date.now();
                    this.maxGapMs = Math.max(this.maxGapMs, now - last);
                    last = now;
                    this.acked.push(key);
                    this.lastVariant = this.variant;
                    break;
                } catch (err) {
                    this.failedAttempts++;
                    this.lastError = String(err);
                    if (++failures % 3 === 0) {
                        this.variant = (this.variant + 1) % this.outputs.length;
                        this.switches++;
                        await this.reconnect();
                    }
                    await sleep(200);
                }
            }
            await sleep(20);
        }
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
