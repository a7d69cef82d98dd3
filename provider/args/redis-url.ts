/**
 * Validation of Redis and Sentinel addresses as the platform's clients read them.
 *
 * An address may carry a secret by mistake (`user:pass@host:6379`, `?password=...`), so no
 * message ever echoes an entry: errors name the field and the entry's position, and the
 * structural problem. Credentials are refused wherever they appear, with or without a scheme.
 */
import { at, fail } from "./errors";
import { hasBlankOrControl } from "./values";

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;

/** Longest address list accepted. */
const MAX_URL_LENGTH = 4096;

/** One address: `host:port`, optionally with a `redis://` or `rediss://` scheme. */
export interface RedisAddress {
    scheme?: "redis" | "rediss";
    host: string;
    port: number;
    /** The entry as given, trimmed (scheme and database number kept). */
    text: string;
}

function parseAddress(entry: string, path: string): RedisAddress {
    if (entry.includes("@")) fail(path, "must not carry credentials (user:password@); use user and password");
    if (/[?#]/.test(entry)) fail(path, "must not carry a query or fragment (such as ?password=); use user and password");
    if (hasBlankOrControl(entry)) fail(path, "must not contain blanks or control characters inside an address");
    let rest = entry;
    let scheme: RedisAddress["scheme"];
    const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]{0,30}):\/\//.exec(rest);
    if (schemeMatch) {
        const given = schemeMatch[1].toLowerCase();
        if (given !== "redis" && given !== "rediss") fail(path, `uses the scheme "${given}://"; use host:port, redis:// or rediss://`);
        scheme = given;
        rest = rest.slice(schemeMatch[0].length);
        const db = /\/(\d{0,2})$/.exec(rest);
        if (db) rest = rest.slice(0, db.index);
    }
    if (rest.includes("/")) fail(path, "must be host:port (a path other than a database number is not an address)");
    const colon = rest.lastIndexOf(":");
    if (colon < 0 || !/^\d{1,5}$/.test(rest.slice(colon + 1))) fail(path, "needs a port (host:port)");
    const host = rest.slice(0, colon);
    const port = Number(rest.slice(colon + 1));
    if (!HOST.test(host)) fail(path, "has an invalid host (a DNS name, an IPv4 address or a bracketed IPv6 address)");
    if (port < 1 || port > 65535) fail(path, "has a port outside 1-65535");
    return { scheme, host, port, text: entry };
}

/** Parses a comma-separated address list; empty entries are errors. */
export function parseAddressList(value: string, path: string): RedisAddress[] {
    if (value.length > MAX_URL_LENGTH) fail(path, `is longer than ${MAX_URL_LENGTH} characters`);
    const entries = value.split(",").map((e) => e.trim());
    entries.forEach((e, i) => {
        if (e === "") fail(path, `has an empty entry at position ${i + 1} of the comma-separated list`);
    });
    return entries.map((e, i) => parseAddress(e, entries.length > 1 ? at(path, i) : path));
}

/** The normalised list as clients should read it: entries trimmed, joined by commas. */
export function formatAddressList(addresses: RedisAddress[]): string {
    return addresses.map((a) => a.text).join(",");
}
