/** Secret `data` encoding shared by every flavour. */

/** Base64-encodes every value, as the `data` field of a Secret wants. Keys are sorted (deterministic output). */
export function base64Data(data: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of Object.keys(data).sort()) out[key] = Buffer.from(data[key], "utf8").toString("base64");
    return out;
}
