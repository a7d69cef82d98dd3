/**
 * Stand-in `random` provider plugin (pulumi-resource-random) for the engine tests: RandomPassword and
 * RandomString with the inputs the component uses (length, special, upper, lower, numeric, min*).
 * The real provider (github.com/pulumi/pulumi-random/provider/v4) cannot be built here: the module
 * proxy refuses it (see scripts/engine/README.md).
 */
import { randomInt, randomUUID } from "node:crypto";
import * as provider from "@pulumi/pulumi/provider";
import { replaceOnAnyChange, typeOf, unwrap } from "./common";

const INPUTS = [
    "length",
    "special",
    "upper",
    "lower",
    "numeric",
    "number",
    "minUpper",
    "minLower",
    "minNumeric",
    "minSpecial",
    "overrideSpecial",
    "keepers",
];
const CLASSES = {
    upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    lower: "abcdefghijklmnopqrstuvwxyz",
    numeric: "0123456789",
    special: "!@#$%&*()-_=+[]{}<>:?",
};

export function generate(a: any): string {
    const length = Number(a.length);
    const on = (k: "upper" | "lower" | "numeric" | "special") => a[k] !== false;
    const sets = (["upper", "lower", "numeric", "special"] as const)
        .filter(on)
        .map((k) => (k === "special" && a.overrideSpecial ? a.overrideSpecial : CLASSES[k]) as string);
    const pick = (s: string) => s[randomInt(s.length)];
    const chars: string[] = [];
    const mins: Array<[string, number]> = [
        ["upper", a.minUpper],
        ["lower", a.minLower],
        ["numeric", a.minNumeric],
        ["special", a.minSpecial],
    ];
    for (const [k, n] of mins) {
        if (on(k as any)) for (let i = 0; i < (n ?? 0); i++) chars.push(pick(CLASSES[k as keyof typeof CLASSES]));
    }
    const all = sets.join("");
    while (chars.length < length) chars.push(pick(all));
    for (let i = chars.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [chars[i], chars[j]] = [chars[j], chars[i]];
    }
    return chars.join("");
}

const prov: provider.Provider = {
    version: "4.21.2",
    diff: replaceOnAnyChange(INPUTS),
    async create(urn, inputs) {
        const a = unwrap(inputs);
        const type = typeOf(urn);
        if (type !== "random:index/randomPassword:RandomPassword" && type !== "random:index/randomString:RandomString") {
            throw new Error(`stand-in random provider: unsupported type ${type}`);
        }
        return { id: type.endsWith("RandomPassword") ? "none" : randomUUID(), outs: { ...a, result: generate(a) } };
    },
};

if (require.main === module) void provider.main(prov, process.argv.slice(2));
