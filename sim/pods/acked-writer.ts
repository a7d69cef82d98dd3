/**
 * What the live tests' writers of a change share (the Redis {@link ./redis-writer Writer}, the
 * JetStream producer of tests/live/jetstream/tls-toggle.test.ts): write after write, each retried
 * until acknowledged; after three failed attempts in a row switch to the other outputs (a client
 * that follows the change between the old and the new outputs); record the acknowledgements, the
 * longest gap between two of them, and which outputs got the last one.
 */
import { sleep } from "./wait";

export abstract class AckedWriter<A> {
    readonly acked: A[] = [];
    failedAttempts = 0;
    maxGapMs = 0;
    lastError = "";
    /** The outputs (index) writes go through now. */
    variant = 0;
    /** The variant that got the last acknowledgement. */
    lastVariant = -1;
    private stopped = false;
    private done?: Promise<void>;

    constructor(private readonly variants: number) {}

    start(): void {
        this.done = this.run();
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.done;
        await this.close();
    }

    /** One attempt at write `i` through {@link variant}; resolves with what was acknowledged, rejects otherwise. */
    protected abstract attempt(i: number): Promise<A>;
    /** Connects again through {@link variant} (after it changed). */
    protected abstract reconnect(): Promise<void>;
    /** Closes the client. */
    protected abstract close(): Promise<void>;

    private async run(): Promise<void> {
        let last = Date.now();
        for (let i = 0; !this.stopped; i++) {
            let failures = 0;
            for (;;) {
                if (this.stopped) return;
                try {
                    const ack = await this.attempt(i);
                    const now = Date.now();
                    this.maxGapMs = Math.max(this.maxGapMs, now - last);
                    last = now;
                    this.acked.push(ack);
                    this.lastVariant = this.variant;
                    break;
                } catch (err) {
                    this.failedAttempts++;
                    this.lastError = String(err);
                    if (++failures % 3 === 0) {
                        this.variant = (this.variant + 1) % this.variants;
                        await this.reconnect();
                    }
                    await sleep(200);
                }
            }
            await sleep(20);
        }
    }
}
