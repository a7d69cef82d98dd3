/**
 * The pure parts of the P6 benchmarks (`bench/p6-load.ts`, `bench/run.ts` options): how a stall is
 * computed from ack times, and that every P6 part can be selected. No time is measured here.
 */
import { strict as assert } from "assert";
import { stallsPerDisturbance } from "../../bench/p6-load";
import { parseArgs } from "../../bench/run";

describe("bench P6 helpers", () => {
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
