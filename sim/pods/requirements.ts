/**
 * Preconditions of live tests. Live tests must FAIL (never skip) when the
 * machine lacks what they need, so these helpers throw with install advice.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The command that installs every server binary the live tests use (Debian 12). */
export const INSTALL_ADVICE = "apt-get update && apt-get install -y nats-server redis-server redis-sentinel";

/** Directories searched after `$PATH`; sbin is often missing from a non-login PATH. */
const EXTRA_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

function isExecutableFile(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

/**
 * Looks up an executable in `$PATH` and the usual sbin/bin directories.
 * @returns the absolute path, or `undefined` when not found.
 */
export function findBinary(name: string): string | undefined {
    if (name.includes("/")) {
        const abs = path.resolve(name);
        return isExecutableFile(abs) ? abs : undefined;
    }
    const dirs = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== "");
    for (const dir of [...dirs, ...EXTRA_DIRS]) {
        const candidate = path.resolve(dir, name);
        if (isExecutableFile(candidate)) {
            return candidate;
        }
    }
    return undefined;
}

/**
 * Returns the absolute path of a required binary.
 * @throws Error with install advice when the binary is missing.
 */
export function requireBinary(name: string): string {
    const found = findBinary(name);
    if (found === undefined) {
        throw new Error(
            `live tests need the "${name}" binary, which was not found in PATH or ` +
                `${EXTRA_DIRS.join(", ")}. Install the servers with: ${INSTALL_ADVICE}`,
        );
    }
    return found;
}

/**
 * Asserts that the process can create network namespaces: it runs as root and
 * `ip netns` (iproute2) works.
 * @throws Error with advice otherwise.
 */
export function requireRoot(): void {
    const uid = typeof process.getuid === "function" ? process.getuid() : -1;
    if (uid !== 0) {
        throw new Error(
            `live tests create network namespaces and must run as root (uid is ${uid}); ` +
                "run them with sudo or in a root container with CAP_NET_ADMIN and CAP_SYS_ADMIN",
        );
    }
    const ip = findBinary("ip");
    if (ip === undefined) {
        throw new Error("live tests need iproute2 (`ip`): apt-get install -y iproute2");
    }
    try {
        execFileSync(ip, ["netns", "list"], { stdio: "pipe", timeout: 5000 });
    } catch (err) {
        throw new Error(`\`ip netns list\` failed; network namespaces are unavailable: ${String(err)}`);
    }
}
