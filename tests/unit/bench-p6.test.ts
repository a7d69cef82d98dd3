/**
 * The pure parts of the P6 benchmarks (`bench/p6-load.ts`, `bench/run.ts` options): how a stall is
 * computed from ack times, and that every P6 part can be selected. No time is measured here.
 */
import { strict as assert } from "assert";
import { runInterleaved, stallsPerDisturbance } from "../../bench/p6-load";
import { parseArgs } from "../../bench/run";

describe("bench P6 helpers", () => {
    it("runs the variants interleaved (each round one later), records a failure as its first line, stops at the deadline", async () => {
        const order: string[] = [];
        const log: string[] = [];
        const once = async (v: string) => {
            order.push(v);
            if (v === "b" && order.length === 2) throw new Error("boom\ndetails");
            return `${v}-ok`;
        };
        const res = await runInterleaved(
            ["a", "b", "c"],
            { rounds: 2, deadline: Date.now() + 60_000, log: (l) => log.push(l) },
            once,
            (v, m) => `${v}:${m}`,
        );
        assert.deepEqual(order, ["a", "b", "c", "b", "c", "a"]);
        assert.deepEqual(res, { results: ["a-ok", "b:boom", "c-ok", "b-ok", "c-ok", "a-ok"], roundsDone: 2 });
        assert.ok(log.includes("    b FAILED: boom"));
        const late = await runInterleaved(["a"], { rounds: 3, deadline: Date.now() - 1, log: () => undefined }, once, (v) => v);
        assert.deepEqual(late, { results: [], roundsDone: 0 });
    });

    it("a stall is the longest gap between acks that starts from the last ack before a disturbance until 2 s after it", () => {
        /** Acks every 100 ms in [0, 10000], none strictly between `from` and `to`. */
        const acks = (from: number, to: number) => Array.from({ length: 101 }, (_, k) => k * 100).filter((t) => t <= from || t >= to);
        // the pod away 250..1400, no ack 200 → 1500
        assert.deepEqual(stallsPerDisturbance([{ deletedAt: 250, readyAt: 1400 }], acks(200, 1500)), [1300]);
        // a gap starting in the 2 s after the pod is back counts in full, also beyond the window
        assert.deepEqual(stallsPerDisturbance([{ deletedAt: 250, readyAt: 1400 }], acks(3300, 5000)), [1700]);
        // one starting later does not
        assert.deepEqual(stallsPerDisturbance([{ deletedAt: 1000, readyAt: 1200 }], acks(3300, 5000)), [100]);
        // the window ends where the next pod's deletion starts: a gap from then on is the next pod's
        assert.deepEqual(
            stallsPerDisturbance(
                [
                    { deletedAt: 250, readyAt: 400 },
                    { deletedAt: 1000, readyAt: 1100 },
                ],
                acks(1000, 2500),
            ),
            [100, 1500],
        );
        // without any ack, the whole window (the disturbance and the 2 s after it)
        assert.deepEqual(stallsPerDisturbance([{ deletedAt: 10, readyAt: 20 }], []), [2010]);
    });

    it("selects the P6 parts by name and rejects unknown ones", () => {
        assert.deepEqual(parseArgs(["--only", "p6certs,p6redis,p6"]).only, ["p6", "p6redis", "p6certs"]);
        assert.throws(() => parseArgs(["--only", "p6x"]), /unknown part\(s\) p6x/);
    });
});
