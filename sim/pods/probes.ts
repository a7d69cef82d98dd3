/**
 * The kubelet's container probes, run against the bed's pods on the kubelet's schedule: every
 * container's rendered `startupProbe`, `readinessProbe` and `livenessProbe` (exec, httpGet,
 * tcpSocket), with `initialDelaySeconds`, `periodSeconds`, `timeoutSeconds`, `successThreshold`
 * and `failureThreshold`; readiness and liveness only once the startup probe passed; a container
 * that fails its liveness (or startup) probe `failureThreshold` times in a row is restarted as the
 * kubelet kills a container (preStop hook, SIGTERM, SIGKILL when the grace period is over) and
 * started again, counting restarts. The pod is Ready while every container it runs is ready.
 *
 * Read from kubernetes/kubernetes (master, 2026):
 * - pkg/kubelet/prober/worker.go `worker.run`: one worker per container and probe kind probes once
 *   at once and then on a `periodSeconds` ticker; `doProbe`: a new container ID resets the result
 *   to the kind's initial value (readiness Failure, liveness Success, startup Unknown) and lifts
 *   the hold; a container that does not run is not probed (readiness becomes Failure); no probe
 *   before `initialDelaySeconds` since the container started; startup probes stop once the
 *   container started, the other kinds wait for it; a result changes the state only after
 *   `successThreshold`/`failureThreshold` equal results in a row; a liveness or startup Failure
 *   puts the worker on hold (and resets the run) until a new container exists.
 * - pkg/kubelet/prober/prober_manager.go `UpdatePodStatus`: started = running and (no startup
 *   probe, or its result Success); ready = started and (no readiness probe, or its result
 *   Success); a started container without a readiness result triggers an immediate readiness run.
 * - pkg/kubelet/prober/prober.go `runProbe` and pkg/probe/{exec,http,tcp}: exec passes on exit 0
 *   and fails on another code or on `timeoutSeconds` (ExecProbeTimeout); httpGet passes on a status
 *   200-399 within the timeout, from the node to the pod IP (a named port is looked up in the
 *   container's ports); tcpSocket passes when a connection opens within the timeout.
 * - pkg/apis/core/v1/defaults.go `SetDefaults_Probe`: timeoutSeconds 1, periodSeconds 10,
 *   successThreshold 1, failureThreshold 3.
 * - pkg/kubelet/kuberuntime/kuberuntime_manager.go `computePodActions`: a liveness or startup
 *   Failure kills the container and starts it again (restartPolicy Always);
 *   kuberuntime_container.go `killContainer`: the grace period is the probe's
 *   `terminationGracePeriodSeconds` or the pod's (`setTerminationGracePeriod`), the preStop hook
 *   runs within it and uses it up, at least 2 s (`minimumGracePeriodInSeconds`) remain for SIGTERM,
 *   then SIGKILL.
 *
 * Not modelled: the random first-tick delay of a freshly started kubelet (`worker.run`), the
 * CrashLoopBackOff delay before a restarted container starts again, the restart of a container
 * that exits by itself (the tests restart those), and probe-level `terminationGracePeriodSeconds`
 * on readiness probes (the API rejects it).
 */
import * as http from "node:http";
import { PodProcess } from "./pod";
import { tcpConnect } from "./wait";

/** Probe kinds of a container, as the pod spec names them (`<kind>Probe`). */
export type ProbeKind = "startup" | "readiness" | "liveness";
/** Every kind, in the order the kubelet's `AddPod` starts their workers. */
export const PROBE_KINDS: readonly ProbeKind[] = ["startup", "readiness", "liveness"];

/** A probe's timing with the API defaults applied (`SetDefaults_Probe`), in milliseconds and counts. */
export interface ProbeTiming {
    initialDelayMs: number;
    periodMs: number;
    timeoutMs: number;
    successThreshold: number;
    failureThreshold: number;
}

/** The timing of a rendered probe, with the API defaults for what it leaves out. */
export function probeTiming(spec: Record<string, any>): ProbeTiming {
    return {
        initialDelayMs: (spec.initialDelaySeconds ?? 0) * 1000,
        periodMs: (spec.periodSeconds ?? 10) * 1000,
        timeoutMs: (spec.timeoutSeconds ?? 1) * 1000,
        successThreshold: spec.successThreshold ?? 1,
        failureThreshold: spec.failureThreshold ?? 3,
    };
}

/**
 * The consecutive-result rule of one worker (worker.go `doProbe`, its end): counts equal results
 * in a row and reports the result to record once the run reaches the threshold of its kind.
 */
export class ResultRun {
    private last: boolean | undefined;
    private run = 0;

    constructor(private readonly timing: Pick<ProbeTiming, "successThreshold" | "failureThreshold">) {}

    /** Adds one probe result. @returns the result to record, or undefined while below threshold. */
    add(success: boolean): boolean | undefined {
        if (this.last === success) this.run++;
        else {
            this.last = success;
            this.run = 1;
        }
        return this.run < (success ? this.timing.successThreshold : this.timing.failureThreshold) ? undefined : success;
    }

    /** Forgets the run (after a liveness/startup failure puts the worker on hold). */
    reset(): void {
        this.run = 0;
    }
}

/** How to run one attempt of a probe handler against a container. */
export interface ProbeTarget {
    /** The pod IP (httpGet and tcpSocket default host). */
    address: string;
    /** The container spec (its `ports` name the named ports). */
    container: Record<string, any>;
    /** Runs `argv` in the container (its mounts, user and environment), killed after `timeoutMs`. */
    exec(argv: string[], timeoutMs: number): Promise<{ code: number | null }>;
}

/** A named or numeric probe port resolved against the container's ports (prober.go `probeUtil.ResolveContainerPort`). */
function resolvePort(port: string | number, container: Record<string, any>): number {
    if (typeof port === "number") return port;
    if (/^\d+$/.test(port)) return Number(port);
    const p = (container.ports ?? []).find((x: Record<string, any>) => x.name === port);
    if (!p) throw new Error(`container ${container.name} has no port named ${port}`);
    return p.containerPort;
}

/** HTTP GET status within `timeoutMs` (pkg/probe/http `DoHTTPProbe`: 200-399 passes). */
function httpStatus(url: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = http.get(url, { agent: false, headers: { "User-Agent": "kube-probe/1.35", Accept: "*/*" } }, (res) => {
            res.resume();
            res.on("end", () => {
                clearTimeout(timer);
                resolve(res.statusCode ?? 0);
            });
        });
        const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs}ms`)), timeoutMs);
        req.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
    });
}

/**
 * Runs one attempt of a rendered probe handler as the kubelet's prober does.
 * @returns true when it passes. @throws when the handler is of a kind the bed does not run.
 */
export async function runProbeHandler(spec: Record<string, any>, target: ProbeTarget): Promise<boolean> {
    const { timeoutMs } = probeTiming(spec);
    if (spec.exec) {
        return (await target.exec((spec.exec.command as unknown[]).map(String), timeoutMs)).code === 0;
    }
    if (spec.httpGet) {
        const g = spec.httpGet;
        const scheme = String(g.scheme ?? "HTTP").toLowerCase();
        if (scheme !== "http") throw new Error(`httpGet scheme ${g.scheme} is not run by the bed`);
        const host = g.host ?? target.address;
        const url = `http://${host}:${resolvePort(g.port, target.container)}${g.path ?? "/"}`;
        const status = await httpStatus(url, timeoutMs).catch(() => 0);
        return status >= 200 && status < 400;
    }
    if (spec.tcpSocket) {
        const s = spec.tcpSocket;
        return tcpConnect(s.host ?? target.address, resolvePort(s.port, target.container), timeoutMs).then(
            () => true,
            () => false,
        );
    }
    throw new Error(`probe ${Object.keys(spec).join(",")} has no exec, httpGet or tcpSocket handler`);
}

/** What a {@link ContainerProbes} needs of the bed for one container. */
export interface ProbedContainer {
    /** `<pod>/<container>`, for messages. */
    label: string;
    /** The container spec (its probes, ports, lifecycle). */
    spec: Record<string, any>;
    /** The container's current process (its identity is the container ID), undefined before the first start. */
    current(): PodProcess | undefined;
    /** Runs one attempt of a probe handler against the container. */
    attempt(handler: Record<string, any>): Promise<boolean>;
    /**
     * Kills the container after a liveness or startup failure as `killContainer` does it; `graceMs`
     * is the grace period of `setTerminationGracePeriod`.
     * @returns what the kill did (the preStop hook's result, how the old process ended).
     */
    kill(kind: ProbeKind, graceMs: number): Promise<KillReport>;
    /** Starts the container again (the same pod, files and volumes). */
    start(): void;
}

/** What killing a container did (see {@link ProbedContainer.kill}). */
export interface KillReport {
    /** The preStop hook's exit code and output (undefined: the container has none). */
    preStop?: { code: number | null; output: string };
    /** The old process's exit code, or null when a signal ended it. */
    exitCode: number | null;
    /** The signal that ended the old process (SIGKILL: the grace period ran out). */
    signal: NodeJS.Signals | null;
}

/** One restart of a container after a liveness or startup failure. */
export interface RestartRecord extends KillReport {
    kind: ProbeKind;
    /** The killed process and the one started instead (undefined when the bed started none). */
    oldPid: number;
    newPid?: number;
    graceMs: number;
}

/** One entry of a container's probe history (for tests and failure messages). */
export interface ProbeEvent {
    at: number;
    kind: ProbeKind;
    /** The attempt's result, the recorded state, or the restart it caused. */
    what: "pass" | "fail" | "recorded-success" | "recorded-failure" | "restart";
    pid: number;
}

/** One probe worker (worker.go): probes on its ticker, records results for the container. */
class Worker {
    private readonly timing: ProbeTiming;
    private readonly run: ResultRun;
    private containerPid: number | undefined;
    private onHold = false;
    private timer: NodeJS.Timeout | undefined;
    private busy = false;
    private again = false;
    private stopped = false;
    /** The recorded result (undefined = Unknown), valid for the container {@link resultFor} names. */
    private result: boolean | undefined;

    constructor(
        readonly kind: ProbeKind,
        private readonly spec: Record<string, any>,
        private readonly owner: ContainerProbes,
    ) {
        this.timing = probeTiming(spec);
        this.run = new ResultRun(this.timing);
    }

    /**
     * The recorded result for the container `pid` (the results manager is keyed by container ID:
     * a container this worker has not probed yet has no result).
     */
    resultFor(pid: number): boolean | undefined {
        return this.containerPid === pid ? this.result : undefined;
    }

    /** Probes once now, then every `periodSeconds` (a tick while a probe runs is dropped, as a Go ticker drops it). */
    start(): void {
        const startedAt = Date.now();
        const tick = (): void => {
            if (this.stopped) return;
            this.trigger();
            const elapsed = Date.now() - startedAt;
            this.timer = setTimeout(tick, this.timing.periodMs - (elapsed % this.timing.periodMs));
        };
        tick();
    }

    /** A manual run (prober_manager.go `manualTriggerCh`); coalesced with one in flight. */
    trigger(): void {
        if (this.stopped) return;
        if (this.busy) {
            this.again = true;
            return;
        }
        this.busy = true;
        void this.doProbe()
            .catch(() => undefined)
            .finally(() => {
                this.busy = false;
                if (this.again) {
                    this.again = false;
                    this.trigger();
                }
            });
    }

    stop(): void {
        this.stopped = true;
        clearTimeout(this.timer);
    }

    /** worker.go `doProbe`. */
    private async doProbe(): Promise<void> {
        const proc = this.owner.target.current();
        if (!proc) return;
        if (this.containerPid !== proc.pid) {
            this.containerPid = proc.pid;
            this.result = this.kind === "readiness" ? false : this.kind === "liveness" ? true : undefined;
            this.onHold = false;
            this.owner.changed();
        }
        if (this.onHold) return;
        if (!proc.running) {
            if (this.kind === "readiness" && this.result !== false) {
                this.result = false;
                this.owner.changed();
            }
            return;
        }
        if (Date.now() - proc.startedAt < this.timing.initialDelayMs) return;
        const started = this.owner.started;
        if (started ? this.kind === "startup" : this.kind !== "startup") return;
        const ok = await this.owner.target.attempt(this.spec);
        if (this.stopped || this.owner.target.current() !== proc) return;
        this.owner.log(this.kind, ok ? "pass" : "fail", proc.pid);
        const recorded = this.run.add(ok);
        if (recorded === undefined) return;
        if (this.result !== recorded) this.owner.log(this.kind, recorded ? "recorded-success" : "recorded-failure", proc.pid);
        this.result = recorded;
        this.owner.changed();
        if ((this.kind === "liveness" || this.kind === "startup") && !recorded) {
            this.onHold = true;
            this.run.reset();
            this.owner.restartFor(this.kind, this.spec, proc);
        }
    }
}

/** The probe workers of one container, its started/ready state and its restarts. */
export class ContainerProbes {
    private readonly workers = new Map<ProbeKind, Worker>();
    private readonly history: ProbeEvent[] = [];
    private lastStarted = false;
    private lastReady = false;
    private restarting: Promise<void> | undefined;
    private stopped = false;
    private readonly restartLog: RestartRecord[] = [];

    constructor(
        readonly target: ProbedContainer,
        /** The pod's `terminationGracePeriodSeconds` in ms (default 30 s). */
        private readonly podGraceMs: number,
        /** Called when {@link ready} changes. */
        private readonly onChange: () => void,
    ) {
        for (const kind of PROBE_KINDS) {
            const spec = target.spec[`${kind}Probe`];
            if (spec) this.workers.set(kind, new Worker(kind, spec, this));
        }
    }

    /** Starts the workers (prober_manager.go `AddPod`). */
    start(): void {
        this.workers.forEach((w) => w.start());
    }

    /** Stops the workers (`RemovePod`). */
    stop(): void {
        this.stopped = true;
        this.workers.forEach((w) => w.stop());
    }

    /** UpdatePodStatus: running and (no startup probe, or it passed). */
    get started(): boolean {
        const proc = this.target.current();
        if (!proc?.running) return false;
        const w = this.workers.get("startup");
        return !w || w.resultFor(proc.pid) === true;
    }

    /** UpdatePodStatus: started and (no readiness probe, or it passes). */
    get ready(): boolean {
        const proc = this.target.current();
        if (!proc || !this.started) return false;
        const w = this.workers.get("readiness");
        return !w || w.resultFor(proc.pid) === true;
    }

    /** Every probe attempt, recorded result and restart so far. */
    events(): ProbeEvent[] {
        return [...this.history];
    }

    /** Restarts made after a liveness or startup failure (the container status's `restartCount` from probes). */
    get restartCount(): number {
        return this.restartLog.length;
    }

    /** Every restart so far, oldest first. */
    restarts(): RestartRecord[] {
        return [...this.restartLog];
    }

    /** A restart in progress, if any. */
    get restartInProgress(): Promise<void> | undefined {
        return this.restarting;
    }

    /** @internal */
    log(kind: ProbeKind, what: ProbeEvent["what"], pid: number): void {
        this.history.push({ at: Date.now(), kind, what, pid });
        if (this.history.length > 2000) this.history.splice(0, 1000);
    }

    /** @internal A worker recorded something: re-evaluate started/ready (and trigger readiness once started). */
    changed(): void {
        const started = this.started;
        // UpdatePodStatus: a started container without a readiness result gets a readiness run at once.
        if (started && !this.lastStarted && !this.ready) this.workers.get("readiness")?.trigger();
        this.lastStarted = started;
        const ready = this.ready;
        if (ready !== this.lastReady) {
            this.lastReady = ready;
            this.onChange();
        }
    }

    /** Re-reads the container's state (e.g. after the bed stopped or started it). */
    refresh(): void {
        this.changed();
    }

    /** @internal A liveness/startup failure: kill the container and start it again (computePodActions, killContainer). */
    restartFor(kind: ProbeKind, spec: Record<string, any>, proc: PodProcess): void {
        if (this.restarting) return;
        // setTerminationGracePeriod: the probe's own grace period for a liveness/startup kill, else the pod's.
        const graceMs =
            typeof spec.terminationGracePeriodSeconds === "number" ? spec.terminationGracePeriodSeconds * 1000 : this.podGraceMs;
        this.log(kind, "restart", proc.pid);
        this.restarting = (async () => {
            try {
                if (this.target.current() !== proc || !proc.running) return;
                const report = await this.target.kill(kind, graceMs);
                // Started again unless the pod went away meanwhile (RemovePod stopped the workers) or
                // the bed started the container itself.
                if (!this.stopped && !this.target.current()?.running) this.target.start();
                const next = this.target.current();
                this.restartLog.push({ kind, oldPid: proc.pid, newPid: next !== proc ? next?.pid : undefined, graceMs, ...report });
            } finally {
                this.restarting = undefined;
                this.changed();
            }
        })();
    }
}

/**
 * The probes of every container of one pod and the pod's Ready condition (every container the bed
 * runs is ready). Start it once the pod exists; stop it when the pod is torn down.
 */
export class PodProbes {
    private readonly containers: Map<string, ContainerProbes>;
    private lastReady = false;
    private stopped = false;

    constructor(
        targets: ProbedContainer[],
        podGraceMs: number,
        /** Called with the pod's new Ready condition when it changes. */
        private readonly onReadyChange: (ready: boolean) => void,
    ) {
        this.containers = new Map(
            targets.map((t) => [t.label.split("/").at(-1)!, new ContainerProbes(t, podGraceMs, () => this.update())]),
        );
    }

    start(): void {
        this.containers.forEach((c) => c.start());
    }

    /** Stops every worker; a stopped pod's probes report nothing more. */
    stop(): void {
        this.stopped = true;
        this.containers.forEach((c) => c.stop());
    }

    /** The probes of a container (by its bed name). @throws for an unknown container. */
    container(name: string): ContainerProbes {
        const c = this.containers.get(name);
        if (!c) throw new Error(`no probed container ${name}; containers are ${[...this.containers.keys()].join(", ")}`);
        return c;
    }

    /** Every container started (its startup probe passed, or it has none). */
    get started(): boolean {
        return [...this.containers.values()].every((c) => c.started);
    }

    /** Every container ready. */
    get ready(): boolean {
        return [...this.containers.values()].every((c) => c.ready);
    }

    /** Re-reads every container's state (after the bed started or stopped a process). */
    refresh(): void {
        this.containers.forEach((c) => c.refresh());
        this.update();
    }

    private update(): void {
        if (this.stopped) return;
        const ready = this.ready;
        if (ready !== this.lastReady) {
            this.lastReady = ready;
            this.onReadyChange(ready);
        }
    }
}
