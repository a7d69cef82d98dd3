/** Validation of Redis and Sentinel addresses as the platform's clients read them. */
import { at, fail } from "./errors";

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;

/** One address: `host:port`, optionally with a `redis://` or `rediss://` scheme. */
export interface RedisAddress {
    scheme?: "redis" | "rediss";
    host: string;
    port: number;
}

function parseAddress(entry: string, path: string): RedisAddress {
    let rest = entry;
    let scheme: RedisAddress["scheme"];
    const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
    if (schemeMatch) {
        if (schemeMatch[1] !== "redis" && schemeMatch[1] !== "rediss") {
            fail(path, `uses the scheme "${schemeMatch[1]}://"; use host:port, redis:// or rediss://`);
        }
        scheme = schemeMatch[1];
        rest = rest.slice(schemeMatch[0].length);
        if (rest.includes("@")) fail(path, "must not carry credentials; use user and password");
        rest = rest.replace(/\/\d*$/, "");
    }
    const m = /^(.*):(\d+)$/.exec(rest);
    if (!m) fail(path, `entry ${JSON.stringify(entry)} needs a port (host:port)`);
    const port = Number(m[2]);
    if (!HOST.test(m[1])) fail(path, `entry ${JSON.stringify(entry)} has an invalid host`);
    if (port < 1 || port > 65535) fail(path, `entry ${JSON.stringify(entry)} has port ${port}, outside 1-65535`);
    return { scheme, host: m[1], port };
}

/** Parses a comma-separated address list; empty entries are errors. */
export function parseAddressList(value: string, path: string): RedisAddress[] {
    const entries = value.split(",").map((e) => e.trim());
    entries.forEach((e, i) => {
        if (e === "") fail(path, `has an empty entry at position ${i + 1} of the comma-separated list`);
    });
    return entries.map((e, i) => parseAddress(e, entries.length > 1 ? at(path, i) : path));
}
