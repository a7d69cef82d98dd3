/**
 * Small statistics and table helpers of the benchmarks: medians with their spread, ratios of
 * medians with bootstrap intervals, and tables printed as Markdown (which also reads well on a
 * terminal).
 */

/** Summary of repeated measurements of one quantity. */
export interface Summary {
    /** Number of measurements. */
    n: number;
    median: number;
    min: number;
    max: number;
    /** First and third quartile (linear interpolation between order statistics). */
    q1: number;
    q3: number;
}

/** The `p`-quantile (0..1) of sorted values, interpolating linearly between order statistics. */
function quantileSorted(sorted: number[], p: number): number {
    if (sorted.length === 0) return NaN;
    const pos = (sorted.length - 1) * p;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median, min, max and quartiles of `values` (NaN fields when empty; non-finite values are ignored). */
export function summarize(values: number[]): Summary {
    const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    return {
        n: v.length,
        median: quantileSorted(v, 0.5),
        min: v.length ? v[0] : NaN,
        max: v.length ? v[v.length - 1] : NaN,
        q1: quantileSorted(v, 0.25),
        q3: quantileSorted(v, 0.75),
    };
}

/** A sparse array of per-run values as a dense one: runs without a value (skipped, failed) are NaN. */
export function dense(a: number[] | undefined): number[] {
    return Array.from({ length: a?.length ?? 0 }, (_, i) => (a![i] === undefined ? NaN : a![i]));
}

/** The median of `values`. */
export function median(values: number[]): number {
    return summarize(values).median;
}

/** `a / b`, NaN when either is not a positive finite number. */
export function ratio(a: number, b: number): number {
    return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}

/** Element-wise ratios of paired measurements (same round), skipping pairs with a missing side. */
export function pairedRatios(a: number[], b: number[]): number[] {
    const out: number[] = [];
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const r = ratio(a[i], b[i]);
        if (Number.isFinite(r)) out.push(r);
    }
    return out;
}

/** A small deterministic PRNG (mulberry32), so that bootstrap intervals are reproducible from the same data. */
function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/**
 * 95 % percentile-bootstrap interval of median(a) / median(b): both samples are resampled with
 * replacement `iterations` times. Says whether a ratio differs from 1 by more than the scatter.
 */
export function bootstrapRatioCI(a: number[], b: number[], iterations = 2000): [number, number] {
    const x = a.filter(Number.isFinite);
    const y = b.filter(Number.isFinite);
    if (x.length < 3 || y.length < 3) return [NaN, NaN];
    const rnd = prng(0x15b5);
    const pick = (v: number[]) => v.map(() => v[Math.floor(rnd() * v.length)]);
    const ratios: number[] = [];
    for (let i = 0; i < iterations; i++) ratios.push(median(pick(x)) / median(pick(y)));
    ratios.sort((p, q) => p - q);
    return [quantileSorted(ratios, 0.025), quantileSorted(ratios, 0.975)];
}

/** `95 % CI 0.91–1.12`. */
export function fmtCI(ci: [number, number]): string {
    return Number.isFinite(ci[0]) ? `95 % CI ${ci[0].toFixed(2)}–${ci[1].toFixed(2)}` : "";
}

// ------------------------------------------------------------------------------- formatting

/** A number with `digits` significant decimals, without trailing noise (`NaN` → `–`). */
export function fmt(x: number, digits = 2): string {
    if (!Number.isFinite(x)) return "–";
    const abs = Math.abs(x);
    if (abs >= 1000) return Math.round(x).toLocaleString("en-US");
    if (abs >= 100) return x.toFixed(Math.max(0, digits - 2));
    if (abs >= 10) return x.toFixed(Math.max(0, digits - 1));
    return x.toFixed(digits);
}

/** `median (min–max)` of a summary, scaled by `scale` and formatted with `digits`. */
export function fmtSummary(s: Summary, digits = 2, scale = 1): string {
    if (s.n === 0) return "–";
    if (s.n === 1) return fmt(s.median * scale, digits);
    return `${fmt(s.median * scale, digits)} (${fmt(s.min * scale, digits)}–${fmt(s.max * scale, digits)})`;
}

/** A ratio as `1.07×`. */
export function fmtRatio(r: number): string {
    return Number.isFinite(r) ? `${r.toFixed(2)}×` : "–";
}

/** A ratio with the range of the paired ratios: `1.07× (0.98–1.15)`. */
export function fmtRatioRange(r: number, paired: number[]): string {
    if (!Number.isFinite(r)) return "–";
    const s = summarize(paired);
    return s.n > 1 ? `${r.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})` : `${r.toFixed(2)}×`;
}

/** A Markdown table. */
export function table(headers: string[], rows: string[][]): string {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => (c ?? "").padEnd(widths[i])).join(" | ")} |`;
    return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** A goal of the benchmarks, as the report's goals table lists it. */
export interface Goal {
    name: string;
    /** Met, missed, or not measured (undefined). */
    ok: boolean | undefined;
    text: string;
}

/** Verdict of a goal: `met`, or `MISSED` with the reason left to the caller. */
export function verdict(ok: boolean | undefined): string {
    if (ok === undefined) return "n/a";
    return ok ? "met" : "MISSED";
}
