/**
 * Child program for harness.test.ts: sets up a network with one pod running
 * `sleep`, prints `READY <pid>`, then ends the way argv[3] says, so the parent
 * can check that nothing is left behind:
 * - `exit`: returns without destroying (the `exit` handler must clean up);
 * - `throw`: throws an uncaught error (the `exit` handler must clean up);
 * - `wait`: stays alive until signalled (the signal handlers must clean up,
 *   or, after SIGKILL, `PodNetwork.cleanupStale` in the parent).
 */
import { PodNetwork } from "../../../sim/pods/netns";

async function main(): Promise<void> {
    const [id, mode] = process.argv.slice(2);
    const network = await PodNetwork.create({ id });
    const pod = await network.addPod("victim-0", ["victim-0.victim-svc.test.svc"]);
    const proc = pod.spawn("sleep", "sleep", ["300"]);
    process.stdout.write(`READY ${proc.pid}\n`);
    if (mode === "throw") {
        setTimeout(() => {
            throw new Error("deliberate uncaught error");
        }, 10);
    } else if (mode === "wait") {
        // Stays alive for the signal; the bounded fallback exit also runs the exit handler.
        setTimeout(() => process.exit(3), 60_000);
    }
}

main().catch((err: unknown) => {
    process.stderr.write(`fixture failed: ${String(err)}\n`);
    process.exitCode = 2;
});
