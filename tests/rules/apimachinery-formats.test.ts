/**
 * The name, IP and quantity formats of provider/args/pod-validation against the real thing:
 * tests/rules/apimachinery/main.go, built with Go against k8s.io/apimachinery v0.34.4 (the version
 * kube-apiserver 1.34 uses), answers for each input what resource.ParseQuantity (after the JSON
 * decoder's TrimSpace), Quantity.Cmp and the validation package's IsQualifiedName,
 * IsValidLabelValue, IsDNS1123Subdomain, IsDNS1123Label, IsConfigMapKey, IsRelaxedEnvVarName and
 * IsValidIP say; the TypeScript models must agree on every one. Needs Go and the Go module proxy
 * (as `npm run test:go`); fails when Go is missing.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { compare, parseQuantity } from "../../provider/args/pod-validation/quantity";
import {
    isConfigMapKey,
    isDNS1123Label,
    isDNS1123Subdomain,
    isLabelValue,
    isQualifiedName,
    isRelaxedEnvVarName,
    isValidIP,
} from "../../provider/args/pod-validation/names";

const QUANTITIES = [
    ...["", "0", "1", "+1", "-1", "1.", ".5", ".", "+", "-", "Mi", "1Mi", "1mi", "1M", "1m", "1n", "1u", "1k", "1K", "1Ki", "1ki"],
    ...["1e3", "1E3", "1e", "1E", "1e+3", "1e-3", "1.5Gi", "1.5.3", "1 Gi", " 1", "1GB", "1Gi5", "1e3Mi", "0x10", "1_000", "1ee3"],
    ...["1e3e", "12345678901234567890", "1.000000001", "1e400", "1Ei", "9Ei", "2Ti", "0.0001m", "100u", "1e-9", "e3", "1.e3"],
    ...["1.Mi", "-0", "00012", "1E-2", "5P", "1Pi", "1Ti2", "500m", "250m", "1536Mi", "2", "ten", "1e21", "1e+21"],
];
const PAIRS: [string, string][] = [
    ["1.5Gi", "1536Mi"],
    ["1e3", "1k"],
    ["0.5", "500m"],
    ["1001m", "1"],
    ["1Ki", "1k"],
    ["-1", "0"],
    ["100n", "1u"],
    ["1e400", "1e399"],
    ["1E", "1000P"],
    ["1Ei", "1E"],
    ["0.1", "100m"],
    ["1.000000001", "1"],
    ["1e-9", "1n"],
    ["2Gi", "2147483648"],
    ["3Mi", "2Mi"],
];
const NAMES = [
    ...["", "a", "A", "a b", "-a", "a-", "a.b", "a_b", "_a", "a/b", "a/b/c", "/a", "a/", "Example.com/x", "example.com/X_y.z"],
    ...["x".repeat(63), "x".repeat(64), `${"a".repeat(250)}.com/x`, `${"a".repeat(254)}/x`, "app.kubernetes.io/name", "1FOO"],
    ...["A=B", "a\tb", "ünï", "..", ".", "..a", "a..b", "a.-b", "key.name", "MY_ENV", "x y", "a".repeat(254), "A.b", "bad key"],
    ...[
        "High_Priority",
        "system-cluster-critical",
        "gVisor",
        "reg_cred",
        "kernel/shm_rmid_forced",
        "controller.kubernetes.io/pod-deletion-cost",
    ],
];
const IPS = [
    ...["1.2.3.4", "01.2.3.4", "1.2.3", "256.1.1.1", "::1", "2001:db8::1", "2001:DB8::1", "2001:0db8::1", "::ffff:1.2.3.4"],
    ...["::ffff:0102:0304", "fe80::1%eth0", "64:ff9b::1.2.3.4", "64:ff9b::102:304", "0:0:0:0:0:0:0:1", "1::", "1:0:0:1::"],
    ...["1::1:0:0:1", "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", "", " 1.2.3.4", "::", "0.0.0.0", "300.1.1.1", "010.1.1.1"],
];

interface GoAnswers {
    quantities: Record<string, boolean>;
    cmp: number[];
    names: Record<string, boolean[]>;
    ips: Record<string, boolean>;
}

function goAnswers(): GoAnswers {
    const dir = path.join(__dirname, "apimachinery");
    const bin = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "apimachinery-")), "check");
    execFileSync("nice", ["-n", "19", "go", "build", "-p", "1", "-mod=readonly", "-o", bin, "."], {
        cwd: dir,
        stdio: ["ignore", "inherit", "inherit"],
    });
    const input = JSON.stringify({ quantities: QUANTITIES, pairs: PAIRS, names: NAMES, ips: IPS });
    return JSON.parse(execFileSync(bin, { input }).toString()) as GoAnswers;
}

describe("rules: Kubernetes formats (k8s.io/apimachinery v0.34.4)", () => {
    let go: GoAnswers;
    before(function () {
        this.timeout(900_000);
        go = goAnswers();
    });

    it("parses quantities as resource.ParseQuantity does", () => {
        const wrong = QUANTITIES.filter((q) => (parseQuantity(q) !== undefined) !== go.quantities[q]);
        assert.deepEqual(wrong, []);
    });

    it("compares quantities as Quantity.Cmp does", () => {
        assert.deepEqual(
            PAIRS.map(([a, b]) => compare(parseQuantity(a)!, parseQuantity(b)!)),
            go.cmp,
        );
    });

    it("checks names and values as the validation package does", () => {
        const fns = [isQualifiedName, isLabelValue, isDNS1123Subdomain, isDNS1123Label, isConfigMapKey, isRelaxedEnvVarName];
        const wrong = NAMES.flatMap((n) =>
            fns.filter((f, i) => (f(n).length === 0) !== go.names[n][i]).map((f) => `${f.name}(${JSON.stringify(n).slice(0, 40)})`),
        );
        assert.deepEqual(wrong, []);
    });

    it("checks IP addresses as validation.IsValidIP does", () => {
        const wrong = IPS.filter((ip) => (isValidIP(ip).length === 0) !== go.ips[ip]);
        assert.deepEqual(wrong, []);
    });
});
