/**
 * Small synchronous system helpers shared by the harness. They must work inside
 * `process.on('exit')`, so nothing here may be asynchronous.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";

/** Upper bound for every `ip` invocation. */
export const IP_TIMEOUT_MS = 10_000;

/** Result of {@link ipSync}. */
export interface SyncResult {
    ok: boolean;
    stdout: string;
    error?: string;
}

/** Runs `ip <args>` synchronously; never throws. */
export function ipSync(args: string[]): SyncResult {
    try {
        const stdout = execFileSync("ip", args, {
            stdio: ["ignore", "pipe", "pipe"],
            timeout: IP_TIMEOUT_MS,
            killSignal: "SIGKILL",
            encoding: "utf8",
        });
        return { ok: true, stdout };
    } catch (err) {
        const e = err as { stderr?: string; message?: string };
        return { ok: false, stdout: "", error: `ip ${args.join(" ")}: ${e.stderr?.trim() || e.message || String(err)}` };
    }
}

/** Runs `ip <args>` synchronously. @throws Error with the command and its stderr on failure. */
export function ipOrThrow(args: string[]): string {
    const r = ipSync(args);
    if (!r.ok) {
        throw new Error(r.error);
    }
    return r.stdout;
}

/** Runs `ip <args>` asynchronously. @throws Error with the command and its stderr on failure. */
export function ip(args: string[]): Promise<string> {
    return new Promise<string>((resolve, reject) => {
        execFile("ip", args, { timeout: IP_TIMEOUT_MS, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
            if (err) {
                reject(new Error(`ip ${args.join(" ")}: ${stderr.trim() || err.message}`));
            } else {
                resolve(stdout);
            }
        });
    });
}

/** Blocks the thread for `ms` milliseconds (usable in exit handlers). */
export function sleepSync(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * True while `pid` exists and is not a zombie. Zombies count as dead because an
 * exit handler blocks the event loop, so Node cannot reap its children there.
 */
export function isAlive(pid: number): boolean {
    let stat: string;
    try {
        stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
        return false;
    }
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
}

/** Sends a signal to a pid (or a process group when negative); ignores "no such process". */
export function signalQuietly(pid: number, sig: NodeJS.Signals): void {
    try {
        process.kill(pid, sig);
    } catch {
        // already gone
    }
}

/** Waits (blocking) until none of `pids` is alive or `ms` passed; returns the survivors. */
export function waitDeadSync(pids: number[], ms: number): number[] {
    const deadline = Date.now() + ms;
    let alive = pids.filter(isAlive);
    while (alive.length > 0 && Date.now() < deadline) {
        sleepSync(25);
        alive = alive.filter(isAlive);
    }
    return alive;
}

/** Pids of every process inside network namespace `ns` (empty when it does not exist). */
export function netnsPids(ns: string): number[] {
    const r = ipSync(["netns", "pids", ns]);
    return r.stdout
        .split(/\s+/)
        .filter((s) => /^\d+$/.test(s))
        .map(Number);
}

/**
 * Ends every process in network namespace `ns`: SIGTERM, then SIGKILL after `graceMs`.
 * @returns pids still alive afterwards (normally none).
 */
export function killNetnsProcessesSync(ns: string, graceMs: number): number[] {
    const pids = netnsPids(ns).filter((p) => p !== process.pid);
    if (pids.length === 0) {
        return [];
    }
    pids.forEach((p) => signalQuietly(p, "SIGTERM"));
    const survivors = waitDeadSync(pids, graceMs);
    survivors.forEach((p) => signalQuietly(p, "SIGKILL"));
    return waitDeadSync(survivors, 2000);
}

/** Removes a file or directory tree; ignores absence. */
export function removeQuietly(p: string): void {
    try {
        fs.rmSync(p, { recursive: true, force: true });
    } catch {
        // best effort
    }
}
