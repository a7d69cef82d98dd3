/**
 * P1, program cost: each measurement is a fresh `node` process running `bench/p1-program.ts`
 * (component or baseline, N services of one kind), so JIT warm-up, heap growth and garbage of one
 * measurement never reach another. Component and baseline alternate, in rotating order.
 */
import { ChildProcess, execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fmt, fmtRatio, fmtRatioRange, fmtSummary, Goal, median, pairedRatios, ratio, summarize, table, verdict } from "./stats";

const P1_KINDS = ["js", "redis"] as const;
export const P1_SIZES = [1, 10, 50] as const;
/** Measurements per kind: N services in a cold process, and N = 1 after an untimed warm-up service. */
const POINTS: { key: string; n: number; warm: boolean }[] = [
    ...P1_SIZES.map((n) => ({ key: String(n), n, warm: false })),
    { key: "1 (warm)", n: 1, warm: true },
];
const KIND_LABEL: Record<string, string> = {
    js: "JetStream, 3 replicas, TLS + encryption (18 resources each)",
    redis: "native Redis, 3 replicas (8 resources each)",
};
const CHILD_TIMEOUT_MS = 60_000;

/** What one child process reports. */
export interface P1Sample {
    wallMs: number;
    cpuUserMs: number;
    cpuSystemMs: number;
    maxRssKb: number;
    rssBeforeKb: number;
    resources: number;
    /** Whole process, from spawn to exit (includes loading modules), measured by the parent. */
    processMs: number;
}

export interface P1Options {
    runs: number;
    deadline: number;
    log: (line: string) => void;
}

/** By kind, then by point key (`1`, `10`, `50`, `1 (warm)`). */
export type P1Results = Record<string, Record<string, { component: P1Sample[]; baseline: P1Sample[] }>>;

const ROOT = path.resolve(__dirname, "..");
/** Stands in for a measurement that failed twice (keeps runs aligned for the paired ratios; ignored by the medians). */
const FAILED: P1Sample = { wallMs: NaN, cpuUserMs: NaN, cpuSystemMs: NaN, maxRssKb: NaN, rssBeforeKb: NaN, resources: 0, processMs: NaN };
const running = new Set<ChildProcess>();

let tempDir: string | undefined;

/** SIGKILLs every measurement process still running and removes the temp dir (for exit handlers). */
export function killP1Children(): void {
    for (const c of running) c.kill("SIGKILL");
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
}

/** Runs `bench/p1-program.ts` with `args` in a fresh process. @returns its parsed JSON line (if any) and wall time. */
function runChild(args: string[]): Promise<{ json?: any; processMs: number }> {
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
        const child = execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join("bench", "p1-program.ts"), ...args],
            { cwd: ROOT, timeout: CHILD_TIMEOUT_MS, killSignal: "SIGKILL", maxBuffer: 4 * 1024 * 1024 },
            (err, stdout, stderr) => {
                running.delete(child);
                if (err) {
                    const e = err as NodeJS.ErrnoException & { signal?: string; killed?: boolean };
                    const how = e.signal ? `killed by ${e.signal}${e.killed ? " (time limit)" : ""}` : `exit code ${String(e.code)}`;
                    const tail = stderr.trim().split("\n").slice(-5).join("\n");
                    return reject(
                        new Error(
                            `p1-program ${args[0]} --kind ${args[2]} --n ${args[4]}: ${how} after ${Date.now() - t0} ms${tail ? `: ${tail}` : ""}`,
                        ),
                    );
                }
                const line = stdout.trim().split("\n").pop() ?? "";
                resolve({ json: line ? JSON.parse(line) : undefined, processMs: Date.now() - t0 });
            },
        );
        running.add(child);
    });
}

/**
 * One measurement in a fresh process; a failed one is retried once, then recorded in `errors` and
 * left out (the others still count). A measurement that failed once is recorded in `retried`.
 */
async function measureOnce(
    childArgs: string[],
    run: number,
    log: (line: string) => void,
    failed: { errors: string[]; retried: string[] },
): Promise<{ json?: any; processMs: number } | undefined> {
    let c: { json?: any; processMs: number } | undefined;
    const failures: string[] = [];
    for (let attempt = 1; attempt <= 2 && !c; attempt++) {
        try {
            c = await runChild(childArgs);
        } catch (err) {
            failures.push((err as Error).message);
            log(`  ${(err as Error).message}`);
        }
    }
    if (failures.length) (c ? failed.retried : failed.errors).push(`run ${run + 1}: ${failures.join("; then ")}`);
    return c;
}

/** Run `r` of every point of every kind, component and baseline in alternating order. @returns the log line. */
async function runRound(
    r: number,
    dir: string,
    results: P1Results,
    opts: P1Options,
    failed: { errors: string[]; retried: string[] },
): Promise<string> {
    const line: string[] = [];
    for (const kind of P1_KINDS) {
        for (const [i, p] of POINTS.entries()) {
            const modes = (r + i) % 2 === 0 ? (["component", "baseline"] as const) : (["baseline", "component"] as const);
            const got: Record<string, number> = {};
            for (const mode of modes) {
                const file = path.join(dir, `${kind}.json`);
                const childArgs = [mode, "--kind", kind, "--n", String(p.n), "--file", file, ...(p.warm ? ["--warm"] : [])];
                const c = await measureOnce(childArgs, r, opts.log, failed);
                results[kind][p.key][mode].push(c?.json ? { ...c.json, processMs: c.processMs } : FAILED);
                got[mode] = c?.json?.wallMs ?? NaN;
            }
            line.push(`${kind}×${p.key} ${fmt(got.component, 0)}/${fmt(got.baseline, 0)} ms`);
        }
    }
    return line.join(", ");
}

export async function runP1(opts: P1Options): Promise<{ results: P1Results; runsDone: number; errors: string[]; retried: string[] }> {
    /** Measurements that failed twice (left out) and that failed once (the retry counted). */
    const failed = { errors: [] as string[], retried: [] as string[] };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "isbsvc-bench-p1-"));
    tempDir = dir;
    const results: P1Results = {};
    let runsDone = 0;
    try {
        for (const kind of P1_KINDS) {
            await runChild(["snapshot", "--kind", kind, "--file", path.join(dir, `${kind}.json`)]);
            results[kind] = {};
            for (const p of POINTS) results[kind][p.key] = { component: [], baseline: [] };
        }
        for (let r = 0; r < opts.runs; r++) {
            if (Date.now() > opts.deadline) {
                opts.log(`  (time budget reached: stopping after ${r} runs)`);
                break;
            }
            const line = await runRound(r, dir, results, opts, failed);
            runsDone++;
            opts.log(`  run ${r + 1}/${opts.runs} (component/baseline wall): ${line}`);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        tempDir = undefined;
    }
    return { results, runsDone, ...failed };
}

// ------------------------------------------------------------------------------------ report

const cpu = (s: P1Sample) => s.cpuUserMs + s.cpuSystemMs;

type ByPoint = P1Results[string];

/** Component, baseline and paired ratio of one figure `f` of the samples, as three table cells. */
function p1Cells(c: P1Sample[], b: P1Sample[], f: (s: P1Sample) => number, digits: number, scale = 1): string[] {
    const cv = c.map(f);
    const bv = b.map(f);
    const r = ratio(median(cv), median(bv));
    return [fmtSummary(summarize(cv), digits, scale), fmtSummary(summarize(bv), digits, scale), fmtRatioRange(r, pairedRatios(cv, bv))];
}

/** The table of one kind; `worst` is the highest wall-time ratio of the cold points, and `worstAt` where it is. */
function p1Table(kind: string, byN: ByPoint): { md: string; worst: number; worstAt: string } {
    let worst = 0;
    let worstAt = "";
    const rows = POINTS.map(({ key, n, warm }) => {
        const c = byN[key].component;
        const b = byN[key].baseline;
        const r = ratio(median(c.map((s) => s.wallMs)), median(b.map((s) => s.wallMs)));
        if (!warm && Number.isFinite(r) && r > worst) {
            worst = r;
            worstAt = `${kind}, N = ${n}`;
        }
        return [
            key,
            ...p1Cells(c, b, (s) => s.wallMs, 0),
            ...p1Cells(c, b, cpu, 0),
            ...p1Cells(c, b, (s) => s.maxRssKb, 0, 1 / 1024),
            fmt(median(c.map((s) => s.wallMs)) / n, 1),
            fmt(median(b.map((s) => s.wallMs)) / n, 1),
        ];
    });
    const md =
        `**${KIND_LABEL[kind]}**\n\n` +
        table(
            [
                "N",
                "wall ms: component",
                "baseline",
                "ratio (paired)",
                "CPU ms: component",
                "baseline",
                "ratio (paired)",
                "peak RSS MiB: component",
                "baseline",
                "ratio (paired)",
                "wall ms / service: component",
                "baseline",
            ],
            rows,
        );
    return { md, worst, worstAt };
}

/** Growth of one kind: the marginal cost per added service between the sizes. */
function p1Growth(byN: ByPoint): { md: string; marginal: number; isLinear: boolean } {
    const m = (n: number) => median(byN[n].component.map((s) => s.wallMs));
    const mb = (n: number) => median(byN[n].baseline.map((s) => s.wallMs));
    const m1 = (m(10) - m(1)) / 9;
    const m2 = (m(50) - m(10)) / 40;
    const b1 = (mb(10) - mb(1)) / 9;
    const b2 = (mb(50) - mb(10)) / 40;
    const growth = ratio(m2, m1);
    const marginal = ratio(m2, b2);
    const isLinear = Number.isFinite(growth) && growth <= 1.5;
    const md =
        `Marginal wall time per added service: component ${fmt(m1, 1)} ms (N 1→10), ${fmt(m2, 1)} ms (N 10→50) — ` +
        `growth ${fmtRatio(growth)}; baseline ${fmt(b1, 1)} ms, ${fmt(b2, 1)} ms (${fmtRatio(ratio(b2, b1))}). ` +
        `${isLinear ? "Linear: the cost of a service does not rise with the number of services." : "NOT linear: later services cost more than earlier ones."} ` +
        `Marginal cost per service, component / baseline (N 10→50): ${fmtRatio(marginal)}.`;
    return { md, marginal, isLinear };
}

export function reportP1(results: P1Results): { md: string; goals: Goal[] } {
    const parts: string[] = [];
    let worst = 0;
    let worstAt = "";
    let linear = true;
    const marginalRatios: string[] = [];
    let worstMarginal = 0;
    for (const kind of P1_KINDS) {
        const byN = results[kind];
        if (!byN) continue;
        const t = p1Table(kind, byN);
        parts.push(t.md);
        if (t.worst > worst) {
            worst = t.worst;
            worstAt = t.worstAt;
        }
        const g = p1Growth(byN);
        worstMarginal = Math.max(worstMarginal, Number.isFinite(g.marginal) ? g.marginal : 0);
        marginalRatios.push(`${kind} ${fmtRatio(g.marginal)}`);
        linear &&= g.isLinear;
        parts.push(g.md);
    }
    const goals: Goal[] = [
        {
            name: "P1 program cost (wall time) vs baseline, worst of N = 1, 10, 50 and both kinds",
            ok: worst > 0 ? worst <= 1.5 : undefined,
            text: `${fmtRatio(worst)} at ${worstAt} (goal ≤ 1.50×)`,
        },
        {
            name: "P1 marginal wall time per added service (N 10→50) vs baseline",
            ok: worstMarginal > 0 ? worstMarginal <= 1.5 : undefined,
            text: `${marginalRatios.join(", ")} (goal ≤ 1.50×)`,
        },
        {
            name: "P1 growth with N linear (marginal cost N 10→50 ≤ 1.5× that of N 1→10)",
            ok: worst > 0 ? linear : undefined,
            text: worst > 0 ? verdict(linear) : "not measured",
        },
    ];
    return { md: parts.join("\n\n"), goals };
}
