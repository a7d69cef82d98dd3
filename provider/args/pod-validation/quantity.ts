/**
 * Kubernetes resource quantities, modelled on kubernetes/apimachinery pkg/api/resource:
 * quantity.go parseQuantityString / ParseQuantity (sign, digits, optional fraction, suffix) and
 * suffix.go newSuffixer / suffixHandler.interpret (decimal n u m "" k M G T P E, binary
 * Ki Mi Gi Ti Pi Ei, and decimal exponents e<int> / E<int>). Values are kept exact (BigInt) so
 * that Cmp, Value (rounded up) and MilliValue (rounded up) match the Go type.
 */

/** An exact quantity: sign × digits × 10^pow10 × 2^pow2. */
export interface Quantity {
    negative: boolean;
    digits: bigint;
    pow10: number;
    pow2: number;
}

const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** Parses a quantity as the apiserver's decoder does (a JSON number is read from its text). */
export function parseQuantity(raw: string | number): Quantity | undefined {
    const text = typeof raw === "number" ? String(raw) : raw.trim();
    if (text.length === 0 || (typeof raw === "number" && !Number.isFinite(raw))) return undefined;
    const m = SHAPE.exec(text);
    if (!m) return undefined;
    const [, sign, whole, fraction = "", suffix] = m;
    let pow10 = 0;
    let pow2 = 0;
    if (Object.prototype.hasOwnProperty.call(DECIMAL, suffix)) pow10 = DECIMAL[suffix];
    else if (Object.prototype.hasOwnProperty.call(BINARY, suffix)) pow2 = BINARY[suffix];
    else if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E") && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
        pow10 = Number(suffix.slice(1));
        if (!Number.isSafeInteger(pow10)) return undefined;
    } else return undefined;
    const digitText = (whole + fraction).replace(/^0+/, "") || "0";
    return { negative: sign === "-", digits: BigInt(digitText), pow10: pow10 - fraction.length, pow2 };
}

const EXACT_LIMIT = 2000;

function isZero(q: Quantity): boolean {
    return q.digits === 0n;
}

/** Numerator and denominator when the exponent is small enough to compute exactly. */
function fraction(q: Quantity): { num: bigint; den: bigint } | undefined {
    if (Math.abs(q.pow10) > EXACT_LIMIT) return undefined;
    const scale = 10n ** BigInt(Math.abs(q.pow10));
    let num = q.digits * 2n ** BigInt(q.pow2) * (q.pow10 >= 0 ? scale : 1n);
    if (q.negative) num = -num;
    return { num, den: q.pow10 < 0 ? scale : 1n };
}

function log10(q: Quantity): number {
    const d = q.digits.toString();
    return Math.log10(Number(`0.${d.slice(0, 15)}`)) + d.length + q.pow10 + q.pow2 * Math.log10(2);
}

/** Quantity.Cmp: -1, 0 or 1. */
export function compare(a: Quantity, b: Quantity): number {
    const sa = isZero(a) ? 0 : a.negative ? -1 : 1;
    const sb = isZero(b) ? 0 : b.negative ? -1 : 1;
    if (sa !== sb || sa === 0) return Math.sign(sa - sb);
    const fa = fraction(a);
    const fb = fraction(b);
    if (fa && fb) {
        const l = fa.num * fb.den;
        const r = fb.num * fa.den;
        return l < r ? -1 : l > r ? 1 : 0;
    }
    const diff = log10(a) - log10(b);
    return sa * Math.sign(diff);
}

export function isNegative(q: Quantity): boolean {
    return q.negative && !isZero(q);
}

function ceilDiv(num: bigint, den: bigint): bigint {
    const q = num / den;
    return q * den < num ? q + 1n : q;
}

/** Quantity.Value(): rounded up to an integer (undefined when too large to compute). */
export function ceilValue(q: Quantity): bigint | undefined {
    const f = fraction(q);
    return f === undefined ? undefined : ceilDiv(f.num, f.den);
}

/** Quantity.MilliValue(): value × 1000 rounded up. */
export function ceilMilliValue(q: Quantity): bigint | undefined {
    const f = fraction(q);
    return f === undefined ? undefined : ceilDiv(f.num * 1000n, f.den);
}

/** Canonical-value equality with a literal such as "1Mi" (the divisor checks compare values). */
export function equalsLiteral(q: Quantity, literal: string): boolean {
    const l = parseQuantity(literal);
    return l !== undefined && compare(q, l) === 0;
}
