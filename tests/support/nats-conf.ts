/**
 * A parser for the subset of the nats-server configuration format the component renders, so tests
 * assert on the parsed structure instead of on substrings: `key: value`, `key = value` or
 * `key value`; `{ }` blocks, `[ ]` arrays (elements separated by white space or commas), quoted
 * strings, numbers, booleans, `$VARIABLE` references (kept as the string `$VARIABLE`), bare words,
 * `#` and `//` comments and `include <path>` (kept as the key `include`). A key given twice is an
 * error here (nats-server would let the last one win; the component never renders one twice).
 */
export type NatsValue = string | number | boolean | NatsValue[] | { [key: string]: NatsValue };

const TOKEN = /\s*(?:(?:#|\/\/)[^\n]*\n?\s*)*("(?:[^"\\]|\\.)*"|[{}[\]]|[:=,]|[^\s{}[\]:=,"#]+)/y;

/** Splits the text into tokens (strings keep their quotes). */
function tokenize(text: string): string[] {
    const tokens: string[] = [];
    let pos = 0;
    for (;;) {
        TOKEN.lastIndex = pos;
        const m = TOKEN.exec(text);
        if (m === null) break;
        tokens.push(m[1]);
        pos = TOKEN.lastIndex;
    }
    const rest = text
        .slice(pos)
        .replace(/(?:#|\/\/)[^\n]*/g, "")
        .trim();
    if (rest !== "") throw new Error(`cannot tokenize near ${JSON.stringify(rest.slice(0, 40))}`);
    return tokens;
}

class Parser {
    private i = 0;
    constructor(private readonly tokens: string[]) {}

    /** The whole file as one block. */
    file(): Record<string, NatsValue> {
        const out = this.entries("");
        if (this.i < this.tokens.length) throw new Error(`unexpected ${this.tokens[this.i]}`);
        return out;
    }

    /** Key/value pairs until `close` (or the end of the file when `close` is ""). */
    private entries(close: string): Record<string, NatsValue> {
        const out: Record<string, NatsValue> = {};
        while (this.i < this.tokens.length && this.tokens[this.i] !== close) {
            const key = this.tokens[this.i++];
            if (/^[{}[\]:=,]$/.test(key)) throw new Error(`expected a key, got ${key}`);
            if (this.tokens[this.i] === ":" || this.tokens[this.i] === "=") this.i++;
            if (Object.prototype.hasOwnProperty.call(out, key)) throw new Error(`key ${key} given twice`);
            out[unquote(key)] = this.value();
            if (this.tokens[this.i] === ",") this.i++;
        }
        if (close !== "") this.expect(close);
        return out;
    }

    private value(): NatsValue {
        const t = this.tokens[this.i++];
        if (t === "{") return this.entries("}");
        if (t === "[") return this.array();
        if (t === undefined || /^[}\]:=,]$/.test(t)) throw new Error(`expected a value, got ${t}`);
        return scalar(t);
    }

    private array(): NatsValue[] {
        const out: NatsValue[] = [];
        while (this.tokens[this.i] !== "]") {
            if (this.i >= this.tokens.length) throw new Error("unterminated array");
            out.push(this.value());
            if (this.tokens[this.i] === ",") this.i++;
        }
        this.i++;
        return out;
    }

    private expect(t: string): void {
        if (this.tokens[this.i++] !== t) throw new Error(`expected ${t}`);
    }
}

function unquote(t: string): string {
    return t.startsWith('"') ? (JSON.parse(t) as string) : t;
}

function scalar(t: string): NatsValue {
    if (t.startsWith('"')) return unquote(t);
    if (t === "true") return true;
    if (t === "false") return false;
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    return t;
}

/** Parses nats-server configuration text. @throws on anything outside the subset above. */
export function parseNatsConf(text: string): Record<string, any> {
    return new Parser(tokenize(text)).file();
}
