/**
 * `npm run bench`: the benchmarks of the ISB service component, each figure a ratio against a
 * baseline measured in the same run, reported as medians of several runs with their spread.
 *
 *   npm run bench                              # everything; writes bench/results.md and bench/results.json
 *   npm run bench -- --only p1,p3 --runs 3     # a selection (written only with --out)
 *   npm run bench -- --out /tmp/bench.md       # write the report elsewhere
 *
 * Parts:
 *   p1  program cost under the Pulumi mock runtime: 1, 10 and 50 services vs a constant-input baseline
 *   p2  JetStream time to healthy: rendered 3-pod cluster vs a minimal hand-written cluster config
 *   p3  publish throughput (JetStream R3, 1 KiB, acked) and Redis SET/GET, rendered vs baselines; TLS and encryption cost
 *   p4  recovery after kill -9: JetStream stream leader; Redis master via Sentinel (our settings vs Sentinel's defaults)
 *   p5  encryption at rest: JetStream R3 publish throughput with each store cipher (chachapoly, aes) vs without
 *   p6  JetStream rolling change under load (ours vs the NATS Helm chart's settings and the minimal config), see p6.ts
 *   p6redis  Redis + Sentinel rolling restart under WAIT-acknowledged writes (ours vs no preStop hand-over), see p6-redis.ts
 *   p6certs  JetStream certificate rotation under load (refreshed Secret files + reload signal), see p6-certs.ts
 *
 * p2-p6 need root (network namespaces), nats-server, redis-server, redis-sentinel and redis-benchmark.
 * Everything is bounded in time; every pod, process, namespace and temp file is removed at the end,
 * also on Ctrl-C. No timed assertions live in the tests: goals are reported here, never asserted there.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { installMocks } from "../sim/runtime/mock-runtime";
import { newId } from "../sim/pods/netns";
import { requireBinary, requireRoot } from "../sim/pods/requirements";
import { killP1Children, P1_SIZES, reportP1, runP1, P1Results } from "./p1";
import { NATS_VERSION, NatsResults, reportP2, reportP3, reportP4, reportP5, runNats } from "./nats";
import { DEFAULT_JETSTREAM_CIPHER } from "../provider/args/jetstream";
import { P6Results, reportP6, runP6 } from "./p6";
import { P6RedisResults, reportP6Redis, runP6Redis } from "./p6-redis";
import { P6CertResults, reportP6Certs, runP6Certs } from "./p6-certs";
import { RedisResults, reportRedisP3, reportRedisP4, runRedis } from "./redis";
import { fmt, fmtRatio, Goal, median, table } from "./stats";

type Part = "p1" | "p2" | "p3" | "p4" | "p5" | "p6" | "p6redis" | "p6certs";
const PARTS: Part[] = ["p1", "p2", "p3", "p4", "p5", "p6", "p6redis", "p6certs"];
const USAGE = "usage: npm run bench -- [--only p1,p2,p3,p4,p5,p6,p6redis,p6certs] [--runs N] [--out FILE]";

/** Command-line options. */
export interface BenchArgs {
    only: Part[];
    /** Overrides the number of runs (rounds) of every part. */
    runs?: number;
    out?: string;
    /** True when every part runs (then the report goes to bench/results.md by default). */
    full: boolean;
}

export function parseArgs(argv: string[]): BenchArgs {
    const a: BenchArgs = { only: [...PARTS], full: true };
    for (let i = 0; i < argv.length; i++) {
        const v = argv[i + 1];
        switch (argv[i]) {
            case "--only": {
                if (!v) throw new Error(`--only needs a value\n${USAGE}`);
                const parts = v
                    .split(",")
                    .map((p) => p.trim().toLowerCase())
                    .filter(Boolean);
                const bad = parts.filter((p) => !PARTS.includes(p as Part));
                if (bad.length || parts.length === 0)
                    throw new Error(`unknown part(s) ${bad.join(", ")}; parts are ${PARTS.join(", ")}\n${USAGE}`);
                a.only = PARTS.filter((p) => parts.includes(p));
                a.full = a.only.length === PARTS.length;
                i++;
                break;
            }
            case "--runs":
                if (!v || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 50) throw new Error(`--runs needs an integer 1..50\n${USAGE}`);
                a.runs = Number(v);
                i++;
                break;
            case "--out":
                if (!v) throw new Error(`--out needs a file\n${USAGE}`);
                a.out = v;
                i++;
                break;
            case "-h":
            case "--help":
                throw new Error(USAGE);
            default:
                throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
        }
    }
    return a;
}

/** Defaults chosen so that the whole run stays under ~15 minutes on 2 cores. */
const DEFAULTS = {
    p1Runs: 5,
    natsRounds: 5,
    p2StartsPerRound: 16,
    p3RunsPerRound: 2,
    p3Messages: 20_000,
    p3Window: 64,
    p4KillsPerRound: 1,
    redisP3Runs: 5,
    redisRequests: 100_000,
    redisP4Runs: 3,
    p6Rounds: 2,
    p6RedisRounds: 2,
    p6CertRounds: 2,
};
/** Budgets (minutes from the start) after which a part starts no further round. */
const BUDGET_MIN = { p1: 3.5, nats: 9.5, redisP3: 11, redisP4: 13, p6: 18, p6redis: 24, p6certs: 27 };
/** Hard stop: the whole run is aborted (and cleaned up) after this. */
const HARD_LIMIT_MIN = 32;

function versionOf(cmd: string, args: string[]): string {
    try {
        return execFileSync(requireBinary(cmd), args, { encoding: "utf8", timeout: 10_000 }).trim().split("\n")[0];
    } catch (err) {
        return `unavailable (${(err as Error).message.split("\n")[0]})`;
    }
}

/** The machine the run happened on. */
function machine(): Record<string, string> {
    const cpus = os.cpus();
    return {
        date: new Date().toISOString(),
        nproc: String(os.availableParallelism?.() ?? cpus.length),
        "CPU model": cpus[0]?.model ?? "unknown",
        memory: `${fmt(os.totalmem() / 2 ** 30, 1)} GiB`,
        kernel: `${os.type()} ${os.release()}`,
        os: (() => {
            try {
                return /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync("/etc/os-release", "utf8"))?.[1] ?? "?";
            } catch {
                return "?";
            }
        })(),
        node: process.version,
        "nats-server": versionOf("nats-server", ["--version"]),
        "redis-server": versionOf("redis-server", ["--version"]),
        "redis-sentinel": versionOf("redis-sentinel", ["--version"]),
        "redis-benchmark": versionOf("redis-benchmark", ["--version"]),
        "load average at start": os
            .loadavg()
            .map((x) => x.toFixed(2))
            .join(" "),
    };
}

/** Everything measured, for the report and results.json. */
interface Collected {
    p1?: { results: P1Results; runsDone: number; errors: string[]; retried: string[] };
    nats?: NatsResults;
    redis?: RedisResults;
    p6?: P6Results;
    p6redis?: P6RedisResults;
    p6certs?: P6CertResults;
    errors: string[];
}

function log(line: string): void {
    process.stdout.write(`${line}\n`);
}

/** What one invocation measures, with how many runs and until when. */
interface Plan {
    /** The number of runs of a part: `--runs`, else the part's default `d`. */
    runs(d: number): number;
    /** The wall-clock time (Date.now) `min` minutes after the start. */
    at(min: number): number;
    has(p: Part): boolean;
}

/** Runs `fn`; a failure is recorded as an error of `part` (the other parts still run). */
async function recording(part: string, out: Collected, fn: () => Promise<void>): Promise<void> {
    try {
        await fn();
    } catch (err) {
        out.errors.push(`${part}: ${(err as Error).message}`);
        log(`${part} FAILED: ${(err as Error).message}`);
    }
}

function measureP1(plan: Plan, out: Collected): Promise<void> {
    log(`\nP1 program cost (${plan.runs(DEFAULTS.p1Runs)} runs, N = ${P1_SIZES.join(", ")}, a fresh process per measurement)`);
    return recording("P1", out, async () => {
        out.p1 = await runP1({ runs: plan.runs(DEFAULTS.p1Runs), deadline: plan.at(BUDGET_MIN.p1), log });
        out.errors.push(...out.p1.errors.map((e) => `P1 measurement left out after two failures: ${e}`));
        log(`\n${reportP1(out.p1.results).md}`);
    });
}

function measureNats(plan: Plan, out: Collected): Promise<void> {
    const { runs, at, has } = plan;
    log(
        `\nJetStream ${[has("p2") && "P2", has("p3") && "P3", has("p4") && "P4", has("p5") && "P5"].filter(Boolean).join("/")} (${runs(DEFAULTS.natsRounds)} rounds; a fresh cluster per configuration and round)`,
    );
    return recording("JetStream", out, async () => {
        out.nats = await runNats(
            {
                rounds: runs(DEFAULTS.natsRounds),
                p2: has("p2"),
                p3: has("p3"),
                p4: has("p4"),
                p5: has("p5"),
                startsPerRound: DEFAULTS.p2StartsPerRound,
                p3RunsPerRound: DEFAULTS.p3RunsPerRound,
                messages: DEFAULTS.p3Messages,
                window: DEFAULTS.p3Window,
                killsPerRound: DEFAULTS.p4KillsPerRound,
                deadline: at(BUDGET_MIN.nats),
                log,
            },
            newId("bn"),
        );
        if (has("p2")) log(`\n${reportP2(out.nats).md}`);
        if (has("p3")) log(`\n${reportP3(out.nats).md}`);
        if (has("p4")) log(`\n${reportP4(out.nats).md}`);
        if (has("p5")) log(`\n${reportP5(out.nats).md}`);
    });
}

function measureRedisP3(plan: Plan, redis: RedisResults, out: Collected): Promise<void> {
    return recording("Redis P3", out, async () => {
        const r = await runRedis(
            {
                p3: true,
                p4: false,
                p3Runs: plan.runs(DEFAULTS.redisP3Runs),
                p4Runs: 0,
                requests: DEFAULTS.redisRequests,
                deadline: plan.at(BUDGET_MIN.redisP3),
                log,
            },
            { p3: newId("br"), ours: "", upstream: "" },
        );
        redis.p3 = r.p3;
        log(`\n${reportRedisP3(r.p3!)}`);
    });
}

function measureRedisP4(plan: Plan, redis: RedisResults, out: Collected): Promise<void> {
    return recording("Redis P4", out, async () => {
        const r = await runRedis(
            {
                p3: false,
                p4: true,
                p3Runs: 0,
                p4Runs: plan.runs(DEFAULTS.redisP4Runs),
                requests: 0,
                deadline: plan.at(BUDGET_MIN.redisP4),
                log,
            },
            { p3: "", ours: newId("bo"), upstream: newId("bu") },
        );
        redis.p4 = r.p4;
        log(`\n${reportRedisP4(r.p4!).md}`);
    });
}

function measureP6Redis(plan: Plan, out: Collected): Promise<void> {
    const rounds = plan.runs(DEFAULTS.p6RedisRounds);
    log(`\nP6 Redis + Sentinel rolling restart under WAIT-acknowledged writes (${rounds} rounds)`);
    return recording("P6 Redis", out, async () => {
        out.p6redis = await runP6Redis({ rounds, deadline: plan.at(BUDGET_MIN.p6redis), log });
        log(`\n${reportP6Redis(out.p6redis).md}`);
    });
}

function measureP6Certs(plan: Plan, out: Collected): Promise<void> {
    const rounds = plan.runs(DEFAULTS.p6CertRounds);
    log(`\nP6 JetStream certificate rotation under load (${rounds} rounds)`);
    return recording("P6 certificates", out, async () => {
        out.p6certs = await runP6Certs({ rounds, deadline: plan.at(BUDGET_MIN.p6certs), log });
        log(`\n${reportP6Certs(out.p6certs).md}`);
    });
}

async function measure(args: BenchArgs, started: number): Promise<Collected> {
    const plan: Plan = {
        runs: (d) => args.runs ?? d,
        at: (min) => started + min * 60_000,
        has: (p) => args.only.includes(p),
    };
    const { has } = plan;
    const out: Collected = { errors: [] };
    const nats = PARTS.some((p) => p !== "p1" && has(p));
    if (nats) {
        requireRoot();
        ["nats-server", "redis-server", "redis-sentinel", "redis-cli", "redis-benchmark"].forEach((b) => requireBinary(b));
    }
    await installMocks();
    if (has("p1")) await measureP1(plan, out);
    if (has("p2") || has("p3") || has("p4") || has("p5")) await measureNats(plan, out);
    if (has("p3") || has("p4")) {
        out.redis = {};
        if (has("p3")) await measureRedisP3(plan, out.redis, out);
        if (has("p4")) await measureRedisP4(plan, out.redis, out);
    }
    if (has("p6")) {
        log(`\nP6 JetStream rolling change under load (${plan.runs(DEFAULTS.p6Rounds)} rounds)`);
        await recording("P6", out, async () => {
            out.p6 = await runP6({ rounds: plan.runs(DEFAULTS.p6Rounds), deadline: plan.at(BUDGET_MIN.p6), log });
            log(`\n${reportP6(out.p6).md}`);
        });
    }
    if (has("p6redis")) await measureP6Redis(plan, out);
    if (has("p6certs")) await measureP6Certs(plan, out);
    return out;
}

// ------------------------------------------------------------------------------------ report

/** P1: where a ratio above 1.5 comes from, when it does. */
function p1Note(results: P1Results): string {
    const notes: string[] = [];
    for (const [kind, byN] of Object.entries(results)) {
        const w = (key: string, mode: "component" | "baseline") => median(byN[key][mode].map((x) => x.wallMs));
        const over = P1_SIZES.filter((n) => w(String(n), "component") / w(String(n), "baseline") > 1.5);
        if (over.length === 0) continue;
        const fixed = w("1", "component") - w("1", "baseline");
        const warmRatio = w("1 (warm)", "component") / w("1 (warm)", "baseline");
        notes.push(
            `${kind}: the ratio exceeds 1.5× at N = ${over.join(", ")}` +
                (over.every((n) => n === 1)
                    ? ` only, where the component's extra cost is ${fmt(fixed, 0)} ms in absolute terms. That is code running for the first ` +
                      "time in the process (spec validation, rendering, YAML, Output wiring; V8 compiles functions on their first call), " +
                      "which one service cannot amortise and the constant baseline does not have: after one untimed service in the same " +
                      `process (row "1 (warm)") the ratio is ${fmtRatio(warmRatio)}.`
                    : "."),
        );
    }
    return notes.length ? `\n\n${notes.map((x) => `- ${x}`).join("\n")}` : "";
}

/** P2: what the like-for-like ratio says when it misses. */
function p2Note(n: NatsResults): string {
    const m = (k: string, f: "healthyMs" | "upMs" | "healthzMs") => median(n.byCase[k]?.[f] ?? []);
    const base = m("minimal", "healthyMs");
    const plain = m("plain", "healthyMs");
    if (!(plain / base > 1.2)) return "";
    const hzBase = m("minimal", "healthzMs");
    const hzPlain = m("plain", "healthzMs");
    const same = Math.abs(hzPlain - hzBase) < 50;
    return (
        ` The 1.2× goal is **missed** in this run (${fmt(plain / 1000)} s vs ${fmt(base / 1000)} s). Until every /healthz is ok the ` +
        `two take ${fmt(hzPlain, 0)} vs ${fmt(hzBase, 0)} ms${same ? " (the same, within the poll interval)" : ""}; the remaining ` +
        `${fmt(plain - hzPlain, 0)} vs ${fmt(base - hzBase, 0)} ms are the meta-leader election.`
    );
}

/** Redis P4: time beyond `down-after-milliseconds`, per settings. */
function redisExtra(p4: NonNullable<RedisResults["p4"]>): string {
    const o = median(p4.ours.recoveryMs) - 10_000;
    const u = median(p4.upstream.recoveryMs) - 30_000;
    return `${fmt(o / 1000, 1)} s with ours, ${fmt(u / 1000, 1)} s with Sentinel's defaults`;
}

/** Redis P4: the slowest kill with our settings against the 15 s goal. */
function redisSlowest(p4: NonNullable<RedisResults["p4"]>): string {
    const v = p4.ours.recoveryMs.filter(Number.isFinite);
    if (v.length === 0) return "";
    const max = Math.max(...v);
    const extra =
        max - median(v) > 3000
            ? " That is about 4 s more than the others: consistent with a first Sentinel election that produced no leader and a retry " +
              "after 2 × failover-timeout (4 s with our 2000 ms; with Sentinel's default of 180000 ms a retry would come only after 6 minutes)."
            : "";
    return `The slowest kill with our settings took ${fmt(max / 1000)} s${max > 15_000 ? ", above the 15 s goal (the goal is judged on the median)" : ""}.${extra}`;
}

/** Explanations that depend on what was measured (a goal missed is said so, with the reason the data shows). */
function natsRecoveryNote(n: NatsResults): string {
    const all = (k: string) => (n.byCase[k]?.recoveryMs ?? []).filter(Number.isFinite);
    const base = median(all("minimal"));
    const rendered = ["plain", "tlsenc"].map((k) => median(all(k))).filter(Number.isFinite);
    if (rendered.length === 0) return "";
    const worst = Math.max(...rendered);
    const every = ["minimal", "plain", "tlsenc"].flatMap(all);
    const floor = Math.min(...every);
    const slow = every.filter((x) => x > 9_500);
    const lines = [
        "Why about 5 s: a follower of the stream's Raft group only campaigns after its election timeout, which nats-server draws " +
            "at random between 4 and 9 s (`minElectionTimeoutDefault`/`maxElectionTimeoutDefault` in `server/raft.go`; not " +
            "configurable), and the first of the two surviving followers to time out wins. After a kill -9 nothing hands " +
            "leadership over (a graceful stop does, through the rendered lame-duck preStop), so the recovery time is set by " +
            `nats-server, not by the configuration: no kill in this run recovered in less than ${fmt(floor / 1000)} s, and the ` +
            `minimal config behaves the same (median ${fmt(base / 1000)} s).`,
    ];
    const plain = median(all("plain"));
    const r = plain / base;
    lines.push(
        "The goal is therefore a ratio to the minimal config measured in the same run (round 1 judged the absolute 5 s, which " +
            "depends on where the random timeouts fall): " +
            (r <= 1
                ? `met, ${fmtRatio(r)} (${fmt(plain / 1000)} s vs ${fmt(base / 1000)} s).`
                : `**missed**, ${fmtRatio(r)} (${fmt(plain / 1000)} s vs ${fmt(base / 1000)} s); with one kill per round the medians ` +
                  "move by whole seconds with the random election timeout, so see the 95 % interval in the table before reading a " +
                  "difference into it.") +
            ` The worst median of the rendered rows is ${fmt(worst / 1000)} s.`,
    );
    if (slow.length) {
        lines.push(
            `${slow.length === 1 ? "One kill" : `${slow.length} kills`} took longer than one election timeout ` +
                `(${slow.map((x) => `${fmt(x / 1000)} s`).join(", ")}): consistent with a first election round that did not produce ` +
                "a leader (e.g. a split vote) and a second one after another timeout; see the list above for which server it was.",
        );
    }
    return lines.join(" ");
}

function goalsTable(goals: Goal[]): string {
    return table(
        ["goal", "result", "verdict"],
        goals.map((g) => [g.name, g.text, g.ok === undefined ? "not measured" : g.ok ? "met" : "**MISSED**"]),
    );
}

/** A section of the report and the goals it judges. */
interface Section {
    md: string;
    goals: Goal[];
}

function p1Section(p1: NonNullable<Collected["p1"]>): Section {
    const r = reportP1(p1.results);
    return {
        goals: r.goals,
        md: `## P1 — program cost under the mock runtime

Each measurement is a fresh \`node -r ts-node/register/transpile-only bench/p1-program.ts\` process; the clock starts after
every module is loaded and the mocks are installed, and stops when all 13 outputs of every service have resolved and every
resource registration has settled (row "1 (warm)": one untimed component and one untimed constant service are built first
in the same process, to separate first-call costs from per-service costs). **Component**: N \`InterStepBufferService\`s (\`s0\`…). **Baseline**: the same resources
registered with constant inputs — per service a component resource of the same type token and children of the same SDK
classes, names and input payloads (captured from one component in a separate process), so the engine mocks receive the same
bytes. Both run under the unit tests' mock runtime with the same fake \`tls\`/\`random\` providers, so key generation is
**included on both sides and equal** (3 ECDSA P-256 keys, 2 CSRs, 1 self-signed and 2 signed certificates, 4 random values
per JetStream service; 1 password per Redis service). The baseline does not validate, render, or wire Outputs between
children — that difference is what the ratio measures. CPU is \`process.cpuUsage()\` (user + system, all threads), peak memory
\`process.resourceUsage().maxRSS\` of the whole process (modules included on both sides). ${p1.runsDone} runs; figures are
medians (min–max); ratios are ratios of medians, with the min–max of the per-run paired ratios.

${r.md}${p1Note(p1.results)}${p1.retried.length ? `\n\nMeasurements that failed once and were repeated (the repetition counts):\n\n${p1.retried.map((x) => `- ${x}`).join("\n")}` : ""}`,
    };
}

function p2Part(n: NatsResults): Section {
    const r = reportP2(n);
    return {
        goals: r.goals,
        md: `### P2 — time to healthy

From right before the three processes are spawned until every pod answers \`/healthz?js-enabled-only=true\` with ok and
all three name the same meta leader in \`/jsz\` (polled every 25 ms, so figures have ~25–30 ms resolution). ${n.opts.startsPerRound}
cold starts per round for the baseline, the like-for-like rendered config and TLS + encryption; 1 for the other two rows
(the start that precedes their P3 run). The rendered pods start through a \`sh\` wrapper that performs the bind mounts
(a few ms); the minimal servers through \`sh -c 'exec "$@"'\`. "All pods answer HTTP" is when every server first answered its
monitoring port (any status): the process start itself. "All /healthz ok" is when every server first reported JetStream
enabled — before a meta leader exists.

${r.md}

Most of the time to healthy is the election of the meta leader: a new Raft group campaigns after a random 100–800 ms
(\`minCampaignTimeoutDefault\`/\`maxCampaignTimeoutDefault\` in nats-server's \`server/raft.go\`), so single starts scatter
widely and only medians over many starts compare; the 95 % interval (percentile bootstrap of the ratio of medians) shows
how far the ratio may move from one run to the next.${p2Note(n)}`,
    };
}

function p3Part(n: NatsResults): Section {
    const r = reportP3(n);
    return {
        goals: r.goals,
        md: `### P3 — JetStream publish throughput

R3 file-storage stream created from the component's \`streamConfig\` output (the same stream settings for the minimal
config). The publisher (nats.js over TCP from the root namespace; credentials and, with TLS, CA verification from the
outputs) is connected to a **follower** of the stream, always, so every message takes the same path (client → follower →
route → leader → replicas, ack back the same way); whether a client happens to share a server with the leader otherwise
changes throughput by roughly 20 % at random. ${n.opts.p3RunsPerRound} runs per cluster of ${n.opts.messages.toLocaleString("en-US")}
messages of 1 KiB each, after 500 warm-up messages, **pipelined with at most ${n.opts.window} unacknowledged publishes** (each
\`js.publish\` waits for its PubAck; no message ids). The TLS and encryption rows are ratios against the rendered config
with both off. Three nats-servers and the client share 2 cores, so single runs scatter; compare medians.

${r.md}`,
    };
}

function p4Part(n: NatsResults): Section {
    const r = reportP4(n);
    return {
        goals: r.goals,
        md: `### P4 — JetStream recovery after kill -9 of the stream leader

R3 stream from \`streamConfig\`; one publisher sends 1 KiB messages one at a time, each waiting for its ack (250 ms ack
timeout, 20 ms pause after a failure; the client reconnects every 250 ms to any pod). After 1 s of steady publishing the
stream leader's nats-server is SIGKILLed; the figure is the time from the kill to the first ack of a publish sent after the
process had died. Then the pod is restarted with its data and the stream is caught up before the next kill.
${n.opts.killsPerRound} kill per configuration and round.

${r.md}

Each kill (the server killed; whether it was also the meta leader or the server the publisher was connected to):

${r.notes}

${natsRecoveryNote(n)}`,
    };
}

function p5Part(n: NatsResults): Section {
    const r = reportP5(n);
    const choice =
        r.best === undefined
            ? "Not both ciphers were measured in this run, so it says nothing about the default."
            : r.best === "tie"
              ? `The two ciphers are indistinguishable in this run (medians within 5 % of each other), so \`encryption: true\` keeps nats-server's default, \`${DEFAULT_JETSTREAM_CIPHER}\` (\`DEFAULT_JETSTREAM_CIPHER\` in provider/args/jetstream.ts).`
              : r.best === DEFAULT_JETSTREAM_CIPHER
                ? `The faster cipher in this run is \`${r.best}\`, which is the default \`encryption: true\` uses (\`DEFAULT_JETSTREAM_CIPHER\` in provider/args/jetstream.ts).`
                : `The faster cipher in this run is \`${r.best}\`, **not** the default \`${DEFAULT_JETSTREAM_CIPHER}\`: see the 95 % intervals before changing it.`;
    return {
        goals: r.goals,
        md: `### P5 — cost of encryption at rest, by cipher

The P3 measurement (R3 file stream, ${n.opts.messages.toLocaleString("en-US")} messages of 1 KiB, pipelined with at most
${n.opts.window} unacknowledged publishes, publisher on a stream follower, ${n.opts.p3RunsPerRound} runs per cluster) on the rendered
pods with TLS off and \`jetstream.encryption\` \`false\`, \`"chachapoly"\` (nats-server's default cipher: ChaCha20-Poly1305 for
the keys, ChaCha20 for the message blocks) and \`"aes"\` (\`cipher: aes\`: AES-GCM for the keys, AES-CTR for the blocks; nats-server
\`server/filestore.go\` \`genEncryptionKey\`/\`genBlockEncryptionKey\`). The three configurations run in rotating order in every round.

${r.md}

${choice}`,
    };
}

function natsSection(n: NatsResults): Section {
    const intro = `Fresh 3-pod cluster per configuration and round (empty stores), ${n.roundsDone} rounds, configurations in rotating
order. Rendered pods: the component (version ${NATS_VERSION}, default settings) materialised as in \`sim/pods/jetstream-pods.ts\`
(rendered files bind-mounted at the Kubernetes paths, container environment and command); the installed nats-server is used
whatever the image version. Minimal config: \`port\`, \`http\`, \`server_name\`, \`jetstream { store_dir }\`, \`cluster { name,
port, routes }\` with the same route host names — nothing else (no accounts, TLS, limits or lame-duck settings). Both run
in the same network namespaces, with the same addresses, host names and binary.`;
    const parts = [n.opts.p2 && p2Part(n), n.opts.p3 && p3Part(n), n.opts.p4 && p4Part(n), n.opts.p5 && p5Part(n)].filter(
        (p): p is Section => Boolean(p),
    );
    return {
        goals: parts.flatMap((p) => p.goals),
        md: `## JetStream (${[n.opts.p2 && "P2", n.opts.p3 && "P3", n.opts.p4 && "P4", n.opts.p5 && "P5"].filter(Boolean).join(", ")})\n\n${intro}\n\n${parts.map((p) => p.md).join("\n\n")}`,
    };
}

function redisP3Section(p3: NonNullable<RedisResults["p3"]>): Section {
    return {
        goals: [],
        md: `## P3 — Redis SET/GET throughput

\`redis-benchmark -t set,get -n ${p3.requests.toLocaleString("en-US")} -d 1024 -r 100000 -c 50\` (no pipelining) from the
root namespace, ${p3.runs} runs, targets in rotating order. **Rendered**: the master of the component's 3-pod set
(\`sim/pods/redis-pods.ts\`: rendered \`redis.conf\`, start scripts and runtime config as \`start-node.sh\` writes it, Sentinel
running), with its two replicas attached — our defaults have **AOF on** (\`appendonly yes\`, fsync everysec),
\`min-replicas-to-write 1\`, \`maxmemory 512mb\`, \`save ""\`, and require the password. **Baseline**: \`redis-server
--protected-mode no\` with nothing else (Redis' defaults: no AOF, RDB snapshots, no replicas, no password;
\`protected-mode no\` only so that it accepts clients from another namespace). The middle row adds only
\`appendonly yes\` to the baseline, to separate the cost of AOF from the cost of replication. Every target is its own pod on
the same bridge. SET ratios below 1 are the price of durability (AOF) and of replication to two replicas on the same
2 cores; there is no goal for Redis throughput.

${reportRedisP3(p3)}`,
    };
}

function redisP4Section(p4: NonNullable<RedisResults["p4"]>): Section {
    const r = reportRedisP4(p4);
    const kills = (tag: string, k: { notes: string[]; recoveryMs: number[] }) =>
        k.notes.map((x, i) => `${tag}: ${x}${Number.isFinite(k.recoveryMs[i]) ? `: ${fmt(k.recoveryMs[i] / 1000)} s` : ""}`);
    const notes = [
        ...kills("ours", p4.ours),
        ...kills("Sentinel defaults", p4.upstream),
        ...p4.ours.errors.map((x) => `ours: ${x}`),
        ...p4.upstream.errors.map((x) => `Sentinel defaults: ${x}`),
    ];
    return {
        goals: r.goals,
        md: `## P4 — Redis write recovery after kill -9 of the master

The component's 3-pod set (rendered start scripts, Sentinel in every pod, quorum 2). A Sentinel client built from the
outputs only (ioredis; Sentinel addresses from \`sentinelUrl\`, \`masterName\`, \`password\`) writes one SET at a time
(1 s command timeout, 20 ms pause after a failure; reconnects every 50 ms, Sentinel rounds every 100 ms; ioredis'
\`failoverDetector\` off — see below). After 1 s of steady writes the master's redis container is SIGKILLed (its Sentinel
keeps running; the container is restarted only after writes resumed, and then rejoins as a replica); the figure is the time
from the kill until the first SET sent after the process died succeeds (with \`min-replicas-to-write 1\`, that needs the new
master and one replica re-attached). **Baseline**: the same component with \`settings.sentinel\` set to only
\`sentinel parallel-syncs mymaster 1\`, so Sentinel's own defaults apply (\`down-after-milliseconds 30000\`,
\`failover-timeout 180000\`). Both sets run at the same time (they wait on Sentinel timers, not on the CPU).

${r.md}

${notes.map((x) => `- ${x}`).join("\n")}

Recovery is dominated by \`down-after-milliseconds\`: Sentinel only starts a failover once the master has been unreachable that
long; the election, the promotion and a replica re-attaching to the new master add the rest (median ${redisExtra(p4)}).
${redisSlowest(p4)} With ioredis' \`failoverDetector: true\` the client
ended for good in some runs ("Connection is closed"): the detector disconnects on \`+switch-master\` while the client is in the
middle of a reconnect, and ioredis 6.0.0 then gives up instead of reconnecting; the benchmark client therefore leaves it off.`,
    };
}

function p6Section(p6: P6Results): Section {
    const r = reportP6(p6);
    return {
        goals: r.goals,
        md: `## P6 — JetStream rolling change under load

A restart-needing change (\`max_pending\` 64MB → 65MB) rolled over a 3-pod R3 cluster with persistence by
\`sim/pods/rolling.ts\` (highest ordinal first, preStop and grace period honoured, next pod only when Ready), while one
producer publishes one message at a time with acks (nats.js default reconnect settings; a failed publish is counted and
retried with the same message id) and one consumer fetches and acks. A stall is the longest time without an ack from
the deletion of a pod until 2 s after it is Ready again. ${p6.roundsDone} rounds, configurations interleaved. See
\`bench/p6.ts\` for the Helm-chart variant, the minimal config (P2's hand-written config with Kubernetes' defaults: no
preStop, no probes, so a restarted pod is Ready at once; and the same with a \`/healthz\` readiness probe) and what the bed
does not model (probe periods).

${r.md}`,
    };
}

function p6RedisSection(p: P6RedisResults): Section {
    const r = reportP6Redis(p);
    return {
        goals: r.goals,
        md: `## P6 — Redis + Sentinel rolling restart under load

A change that rolls the pods (a \`settings.master\` line: new config ConfigMap, new pod template) rolled over the component's
3-pod set (persistence on) by \`sim/pods/rolling.ts\` (highest ordinal first, preStop and grace period honoured, next pod only
when Ready), while one writer writes through Sentinel discovery (ioredis asking the Sentinels behind \`sentinelUrl\` for
\`masterName\`; reconnects every 50 ms, Sentinel rounds every 100 ms): one key at a time, \`SET\` then \`WAIT 1 1000\`, counted
as acknowledged only when a replica confirmed it, a failed attempt retried with the same value. After the roll every
acknowledged key is read back from the master. A stall is the longest time without an acknowledged write from the deletion
of a pod until 2 s after it is Ready again. **Minimal**: the same pods without the redis preStop hand-over and with
Sentinel's own timers (see \`bench/p6-redis.ts\` for why the start scripts stay). ${p.roundsDone} rounds, interleaved.

${r.md}

${r.notes.map((x) => `- ${x}`).join("\n")}`,
    };
}

function p6CertsSection(p: P6CertResults): Section {
    const r = reportP6Certs(p);
    return {
        goals: r.goals,
        md: `## P6 — JetStream certificate rotation under load

A 3-pod R3 TLS cluster (persistence on) under the P6 load (producer with acks, consumer; nats.js default reconnect
settings; CA from \`caCertPem\`). The component renews the leaf certificates (second build: \`<n>-server-cert\` and
\`<n>-route-cert\` replaced, CA and keys kept; the pod template is unchanged, so nothing rolls); the pods' projected files are
refreshed from it (kubelet's atomic swap) and each nats-server gets SIGHUP through its pid file, as the reloader does (the
bed runs no reloader container; \`JetStreamPods.reload\`, as the live tests signal). \`together\`: every pod refreshed, then
every pod signalled; \`one-by-one\`: one pod refreshed and signalled until it serves the new certificate, 2 s, the next. The
rotation ends when every pod serves the new certificate (verified against the CA); the stall is the longest time without an
ack from the first refresh until 2 s after that. ${p.roundsDone} rounds, interleaved.

${r.md}`,
    };
}

/** Title, how the report was made, the machine, and the goals of every section. */
function reportHead(args: BenchArgs, m: Record<string, string>, c: Collected, started: number, goals: Goal[]): string {
    const elapsed = (Date.now() - started) / 60_000;
    return `# Benchmarks

Generated by \`npm run bench${args.full ? "" : ` -- --only ${args.only.join(",")}`}${args.runs ? ` --runs ${args.runs}` : ""}\` (\`bench/run.ts\`) on ${m.date.slice(0, 10)} in ${fmt(elapsed, 1)} minutes. Raw data: \`${path.basename(args.out ?? "results.md").replace(/\.md$/, "")}.json\` next to this file.
Every figure is compared with a baseline measured in the same run on the same machine; figures are medians with
(min–max) over the runs. No test asserts a time: goals are checked here only.

## Machine

${table(
    ["", ""],
    Object.entries(m).concat([
        [
            "load average at end",
            os
                .loadavg()
                .map((x) => x.toFixed(2))
                .join(" "),
        ],
    ]),
)}

The machine may be shared with other work (see the load averages); the paired ratios (per run, same conditions) show how
much that moved the figures.

## Goals

${goalsTable(goals)}
${c.errors.length ? `\nErrors:\n\n${c.errors.map((e) => `- ${e.split("\n")[0]}`).join("\n")}\n` : ""}`;
}

export function render(args: BenchArgs, m: Record<string, string>, c: Collected, started: number): string {
    const sections = [
        c.p1 && p1Section(c.p1),
        c.nats && natsSection(c.nats),
        c.redis?.p3 && redisP3Section(c.redis.p3),
        c.redis?.p4 && redisP4Section(c.redis.p4),
        c.p6 && p6Section(c.p6),
        c.p6redis && p6RedisSection(c.p6redis),
        c.p6certs && p6CertsSection(c.p6certs),
    ].filter((x): x is Section => Boolean(x));
    return (
        [
            reportHead(
                args,
                m,
                c,
                started,
                sections.flatMap((x) => x.goals),
            ),
            ...sections.map((x) => x.md),
        ].join("\n\n") + "\n"
    );
}

export async function main(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    const started = Date.now();
    // On Ctrl-C or SIGTERM, exit through process.exit, so that every `exit` handler runs: the harness removes the
    // pods, processes and namespaces, pod-files releases the host mount points, and the P1 children are killed.
    // (Without a listener here the harness would re-raise the signal, and a process killed by a signal runs no exit handlers.)
    process.on("exit", killP1Children);
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.on(sig, () => {
            process.stderr.write(`\nbench: ${sig}: stopping and cleaning up\n`);
            process.exit(130);
        });
    }
    const hard = setTimeout(() => {
        process.stderr.write(`bench: hard time limit of ${HARD_LIMIT_MIN} minutes reached; aborting (everything is cleaned up on exit)\n`);
        process.exit(2);
    }, HARD_LIMIT_MIN * 60_000);
    hard.unref();
    const m = machine();
    log(`isbsvc benchmarks: ${args.only.join(", ")}${args.runs ? `, ${args.runs} runs` : ""}`);
    log(
        Object.entries(m)
            .map(([k, v]) => `  ${k}: ${v}`)
            .join("\n"),
    );
    const collected = await measure(args, started);
    const report = render(args, m, collected, started);
    const out = args.out ?? (args.full ? path.join(__dirname, "results.md") : undefined);
    log(`\n${report.slice(report.indexOf("## Goals"), report.indexOf("## ", report.indexOf("## Goals") + 3))}`);
    if (out) {
        fs.writeFileSync(out, report);
        const json = out.replace(/\.md$/, "") + ".json";
        fs.writeFileSync(json, JSON.stringify({ machine: m, args, ...collected }, null, 1) + "\n");
        log(`wrote ${out} and ${json}`);
    } else {
        log("(a selection: the report is not written; add --out FILE to write it)");
    }
    log(`done in ${fmt((Date.now() - started) / 60_000, 1)} minutes`);
    return collected.errors.length ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(1);
        },
    );
}
