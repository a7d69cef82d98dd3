/**
 * The pure parts of the P6 benchmarks (`bench/p6-load.ts`, `bench/run.ts` options): how a stall is
 * computed from ack times, and that every P6 part can be selected. No time is measured here.
 */
import { strict as assert } from "assert";
import { stallsPerDisturbance } from "../../bench/p6-load";
import { parseArgs } from "../../bench/run";

describe("bench P6 helpers", () => {
    it("a stall is the longest gap between acks from the last ack before a disturbance to the first after it", () => {
        const acks = [0, 100, 200, 1500, 1600, 5000, 5100, 9000];
        // pod 1 away 250..1400: gap 200 → 1500; pod 2 away 4000..4500: gap 1600 → 5000 (the first ack after it ended)
        assert.deepEqual(
            stallsPerDisturbance(
                [
                    { deletedAt: 250, readyAt: 1400 },
                    { deletedAt: 4000, readyAt: 4500 },
                ],
                acks,
            ),
            [1300, 3400],
        );
        // the gap before the disturbance counts from the last ack before it; 5100 → 9000 lies after the window
        assert.deepEqual(stallsPerDisturbance([{ deletedAt: 4990, readyAt: 5050 }], acks), [3400]);
        // gaps up to 2 s after the pod is back count (a client may still move): 200 → 1500
        assert.deepEqual(stallsPerDisturbance([{ deletedAt: 120, readyAt: 130 }], acks), [1300]);
        // the 2 s after a pod is back stop where the next pod's deletion starts: 200 → 1500 is the next pod's
        assert.deepEqual(
            stallsPerDisturbance(
                [
                    { deletedAt: 120, readyAt: 130 },
                    { deletedAt: 250, readyAt: 1400 },
                ],
                acks,
            ),
            [100, 1300],
        );
        // without any ack, the disturbance itself
        assert.deepEqual(stallsPerDisturbance([{ deletedAt: 10, readyAt: 20 }], []), [10]);
    });

    it("selects the P6 parts by name and rejects unknown ones", () => {
        assert.deepEqual(parseArgs(["--only", "p6certs,p6redis,p6"]).only, ["p6", "p6redis", "p6certs"]);
        assert.throws(() => parseArgs(["--only", "p6x"]), /unknown part\(s\) p6x/);
    });
});
