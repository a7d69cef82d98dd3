/**
 * A "pod": one Linux network namespace with its own address and pod DNS names,
 * in which real server processes run via `ip netns exec`.
 */
import { ChildProcess, execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { isAlive, signalQuietly, waitDeadSync } from "./sys";

/** Options of {@link Pod.spawn}. */
export interface SpawnOptions {
    /** Extra environment, merged over the harness process's environment. */
    env?: Record<string, string>;
    /** Working directory of the process (e.g. a temp dir holding its config and data). */
    cwd?: string;
    /** Where stdout and stderr go (appended); default a fresh `<pod log dir>/<pod>.<name>[.<n>].log`. */
    logFile?: string;
}

/** Options of {@link Pod.exec}. */
export interface ExecOptions {
    /** The command is SIGKILLed after this long; default 15000. */
    timeoutMs?: number;
    /** Extra environment, merged over the harness process's environment. */
    env?: Record<string, string>;
}

/** Result of {@link Pod.exec}. */
export interface ExecResult {
    /** Exit code, or `null` when the command was killed (e.g. on timeout). */
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Bound on waiting for a process to disappear after SIGKILL. */
const KILL_WAIT_MS = 5000;

/** Races `p` against a timer; resolves `true` when `p` settled first. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        p.then(
            () => {
                clearTimeout(timer);
                resolve(true);
            },
            () => {
                clearTimeout(timer);
                resolve(true);
            },
        );
    });
}

/**
 * A process started inside a pod. Because `ip netns exec` execs the command
 * (it does not fork), {@link PodProcess.pid} is the server's own pid, and it
 * leads its own process group, so signals reach the server directly.
 */
export class PodProcess {
    /** The pid of the server process itself (also its process-group id). */
    readonly pid: number;
    /** Resolves with the exit code, or `null` when the process died from a signal. */
    readonly exited: Promise<number | null>;
    private done = false;
    private code: number | null = null;
    private sig: NodeJS.Signals | null = null;

    /** @internal Created by {@link Pod.spawn}. */
    constructor(
        /** Name given to {@link Pod.spawn}. */
        readonly name: string,
        child: ChildProcess,
        /** File receiving the process's stdout and stderr. */
        readonly logFile: string,
    ) {
        if (child.pid === undefined) {
            throw new Error(`could not start ${name}: no pid (see ${logFile})`);
        }
        this.pid = child.pid;
        this.exited = new Promise<number | null>((resolve) => {
            const finish = (code: number | null, sig: NodeJS.Signals | null): void => {
                if (!this.done) {
                    this.done = true;
                    this.code = code;
                    this.sig = sig;
                    resolve(code);
                }
            };
            child.once("exit", finish);
            child.once("error", () => finish(null, null));
        });
    }

    /** True until the process has exited. */
    get running(): boolean {
        return !this.done && isAlive(this.pid);
    }

    /** Exit code once exited (`null` while running or when killed by a signal). */
    get exitCode(): number | null {
        return this.code;
    }

    /** The signal that ended the process, if any. */
    get signalCode(): NodeJS.Signals | null {
        return this.sig;
    }

    /** Sends `sig` (e.g. `SIGHUP` to reload) to the server process. No-op after exit. */
    signal(sig: NodeJS.Signals): void {
        if (!this.done) {
            signalQuietly(this.pid, sig);
        }
    }

    /**
     * Sends `sig` and waits up to `graceMs` for the exit; then SIGKILLs the process group.
     * @returns the exit code (`null` when ended by a signal).
     */
    async stop(sig: NodeJS.Signals = "SIGTERM", graceMs = 5000): Promise<number | null> {
        this.signal(sig);
        if (await settlesWithin(this.exited, graceMs)) {
            return this.exited;
        }
        return this.kill();
    }

    /** SIGKILLs the process group and waits (bounded) for the exit. */
    async kill(): Promise<number | null> {
        if (!this.done) {
            signalQuietly(-this.pid, "SIGKILL");
            signalQuietly(this.pid, "SIGKILL");
        }
        if (!(await settlesWithin(this.exited, KILL_WAIT_MS))) {
            throw new Error(`${this.name} (pid ${this.pid}) did not exit ${KILL_WAIT_MS}ms after SIGKILL`);
        }
        return this.exited;
    }

    /** Synchronous stop for exit handlers: SIGTERM, up to `graceMs`, then SIGKILL the group. */
    killSync(graceMs: number): void {
        if (this.done) {
            return;
        }
        signalQuietly(this.pid, "SIGTERM");
        waitDeadSync([this.pid], graceMs);
        signalQuietly(-this.pid, "SIGKILL");
        signalQuietly(this.pid, "SIGKILL");
        waitDeadSync([this.pid], 2000);
    }

    /** Everything the process wrote to stdout and stderr so far. */
    logs(): string {
        try {
            return fs.readFileSync(this.logFile, "utf8");
        } catch {
            return "";
        }
    }
}

/** One network namespace acting as a Kubernetes pod. Created by `PodNetwork.addPod`. */
export class Pod {
    private readonly procs: PodProcess[] = [];
    private closed = false;

    /** @internal Created by `PodNetwork.addPod`. */
    constructor(
        /** The pod name, e.g. `isbsvc-default-js-0`. */
        readonly name: string,
        /** The network namespace, e.g. `isbt-t1a2-0`. */
        readonly ns: string,
        /** The pod's IPv4 address on the harness bridge. */
        readonly address: string,
        /** The DNS names other pods resolve to {@link Pod.address}. */
        readonly hostnames: readonly string[],
        /** Directory for default log files. */
        readonly logDir: string,
    ) {}

    /**
     * Starts `cmd args` inside the pod (`ip netns exec <ns> cmd ...`), detached in its
     * own process group, with stdout and stderr appended to a log file.
     */
    spawn(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): PodProcess {
        this.assertOpen();
        const logFile = opts.logFile ?? this.freshLogFile(name);
        const fd = fs.openSync(logFile, "a");
        let child: ChildProcess;
        try {
            child = spawn("ip", ["netns", "exec", this.ns, cmd, ...args], {
                cwd: opts.cwd,
                env: { ...process.env, ...opts.env },
                detached: true,
                stdio: ["ignore", fd, fd],
            });
        } finally {
            fs.closeSync(fd);
        }
        child.unref();
        const proc = new PodProcess(name, child, logFile);
        this.procs.push(proc);
        return proc;
    }

    /** Runs a short command inside the pod; resolves with its code and output (never rejects on a non-zero exit). */
    exec(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
        this.assertOpen();
        const timeout = opts.timeoutMs ?? 15_000;
        return new Promise<ExecResult>((resolve, reject) => {
            execFile(
                "ip",
                ["netns", "exec", this.ns, cmd, ...args],
                { timeout, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...opts.env } },
                (err, stdout, stderr) => {
                    const code = (err as { code?: unknown } | null)?.code;
                    if (err && typeof code === "string") {
                        reject(err);
                        return;
                    }
                    resolve({ code: err ? (typeof code === "number" ? code : null) : 0, stdout, stderr });
                },
            );
        });
    }

    /** Processes started with {@link Pod.spawn}, in start order. */
    processes(): PodProcess[] {
        return [...this.procs];
    }

    /** @internal Stops every process (SIGTERM, SIGKILL after `graceMs`) and refuses new ones. */
    async stopAll(graceMs: number): Promise<void> {
        this.closed = true;
        await Promise.all(this.procs.map((p) => p.stop("SIGTERM", graceMs)));
    }

    /** @internal Synchronous {@link Pod.stopAll} for exit handlers. */
    killAllSync(graceMs: number): void {
        this.closed = true;
        const live = this.procs.filter((p) => p.running);
        live.forEach((p) => p.signal("SIGTERM"));
        waitDeadSync(
            live.map((p) => p.pid),
            graceMs,
        );
        live.forEach((p) => p.killSync(0));
    }

    /** `<logDir>/<pod>.<name>.log`, or `.<n>.log` when that name was used before in this pod. */
    private freshLogFile(name: string): string {
        const base = path.join(this.logDir, `${this.name}.${name}`);
        let file = `${base}.log`;
        for (let n = 2; fs.existsSync(file); n++) {
            file = `${base}.${n}.log`;
        }
        return file;
    }

    private assertOpen(): void {
        if (this.closed) {
            throw new Error(`pod ${this.name} (${this.ns}) has been torn down`);
        }
    }
}
