/**
 * Bounded polling and small network probes for live tests.
 */
import * as http from "node:http";
import * as net from "node:net";

/** Options of {@link waitFor}. */
export interface WaitOptions {
    /** Overall deadline in milliseconds. */
    timeoutMs: number;
    /** Pause between attempts in milliseconds. */
    intervalMs: number;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeError(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/** Runs `fn` but gives up (rejects) after `ms`, so one hung attempt cannot block the deadline. */
function withDeadline<T>(fn: () => Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`attempt did not settle within ${ms}ms`)), ms);
        fn().then(
            (v) => {
                clearTimeout(timer);
                resolve(v);
            },
            (e: unknown) => {
                clearTimeout(timer);
                reject(e);
            },
        );
    });
}

/**
 * Polls `fn` until it returns a value other than `undefined` or `false`.
 * Errors thrown by `fn` count as "not yet" and are remembered.
 * @param what - what is awaited; named in the timeout error.
 * @throws Error naming `what` and the last error or result when `timeoutMs` passes.
 */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, opts: WaitOptions): Promise<T> {
    const deadline = Date.now() + opts.timeoutMs;
    let last = "no attempt completed";
    for (let attempt = 1; ; attempt++) {
        const remaining = Math.max(1, deadline - Date.now());
        try {
            const value = await withDeadline(fn, remaining);
            if (value !== undefined && value !== false) {
                return value;
            }
            last = `attempt ${attempt} returned ${String(value)}`;
        } catch (err) {
            last = `attempt ${attempt} failed: ${describeError(err)}`;
        }
        if (Date.now() + opts.intervalMs > deadline) {
            throw new Error(`timed out after ${opts.timeoutMs}ms waiting for ${what}; last: ${last}`);
        }
        await sleep(opts.intervalMs);
    }
}

/**
 * HTTP GET returning the parsed JSON body. Uses no proxy and no keep-alive.
 * @throws Error on a non-2xx status (with the body), bad JSON, or after `timeoutMs`.
 */
export function httpGetJson<T = unknown>(url: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const req = http.get(url, { agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("error", reject);
            res.on("end", () => {
                clearTimeout(timer);
                const body = Buffer.concat(chunks).toString("utf8");
                const status = res.statusCode ?? 0;
                if (status < 200 || status > 299) {
                    reject(new Error(`GET ${url} returned ${status}: ${body.slice(0, 500)}`));
                    return;
                }
                try {
                    resolve(JSON.parse(body) as T);
                } catch (err) {
                    reject(new Error(`GET ${url} returned invalid JSON (${describeError(err)}): ${body.slice(0, 200)}`));
                }
            });
        });
        const timer = setTimeout(() => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs}ms`)), timeoutMs);
        req.on("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
    });
}

/**
 * Opens a TCP connection and closes it again.
 * @throws Error when the connection fails or does not open within `timeoutMs`.
 */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host, port });
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`TCP connect to ${host}:${port} timed out after ${timeoutMs}ms`));
        }, timeoutMs);
        socket.once("connect", () => {
            clearTimeout(timer);
            socket.destroy();
            resolve();
        });
        socket.once("error", (err) => {
            clearTimeout(timer);
            socket.destroy();
            reject(err);
        });
    });
}
