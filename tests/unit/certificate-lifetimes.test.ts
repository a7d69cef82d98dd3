/**
 * Certificate lifetimes (issue 13, item 6): the `tlsNotAfter` output and the preview warnings.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    certificateWarning,
    earliestNotAfter,
    EXPIRY_WARNING_DAYS,
    formatRfc3339,
    parseRfc3339,
} from "../../provider/outputs/certificate-expiry";
import { InterStepBufferService, InterStepBufferServiceArgs } from "../../provider";
import { build, Built, GEN } from "../../sim/runtime/build";
import { setPreview, setRegistrationHook } from "../../sim/runtime/mock-runtime";
import { settle } from "../../sim/runtime/outputs";

const rpc = require("@pulumi/pulumi/runtime/rpc");

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("certificate lifetimes (pure)", () => {
    it("parses Go's RFC 3339 (nanoseconds, offsets) and formats UTC to the second", () => {
        assert.equal(parseRfc3339("2027-12-02T10:39:07Z"), Date.UTC(2027, 11, 2, 10, 39, 7));
        assert.equal(parseRfc3339("2027-12-02T10:39:07.123456789Z"), Date.UTC(2027, 11, 2, 10, 39, 7, 123));
        assert.equal(parseRfc3339("2027-12-02T11:39:07.5+01:00"), Date.UTC(2027, 11, 2, 10, 39, 7, 500));
        assert.equal(parseRfc3339("2027-12-02T05:09:07-05:30"), Date.UTC(2027, 11, 2, 10, 39, 7));
        for (const bad of [
            "",
            "2027-12-02",
            "2027-12-02 10:39:07Z",
            "2027-13-02T10:39:07Z",
            "2027-02-30T10:39:07Z",
            "2027-12-02T10:39:07",
        ]) {
            assert.equal(parseRfc3339(bad), undefined, bad);
        }
        assert.equal(formatRfc3339(Date.UTC(2027, 11, 2, 10, 39, 7, 999)), "2027-12-02T10:39:07Z");
    });

    it("tlsNotAfter is the earliest expiry whatever the offsets, empty without certificates, an error on garbage", () => {
        assert.equal(earliestNotAfter([]), "");
        assert.equal(
            earliestNotAfter(["2036-11-30T10:00:00Z", "2027-12-02T11:39:07.9+01:00", "2027-12-02T10:40:00Z"]),
            "2027-12-02T10:39:07Z",
        );
        assert.throws(() => earliestNotAfter(["2027-12-02T10:39:07Z", "soon"]), /not an RFC 3339 timestamp: "soon"/);
    });

    it("warns: expired, inside the early-renewal window (by time or readyForRenewal), within 30 days; not otherwise", () => {
        const now = Date.UTC(2027, 0, 1);
        const at = (ms: number) => formatRfc3339(now + ms);
        const w = (end: number, ready = false, early = 24) =>
            certificateWarning({ resourceName: "d-server-cert", validityEndTime: at(end), readyForRenewal: ready }, early, now);
        assert.match(w(-HOUR)!, /d-server-cert expired at .*schedule `pulumi up`/);
        assert.match(w(10 * HOUR)!, /inside its early-renewal window: `pulumi up` renews it/);
        assert.match(w(300 * DAY, true)!, /inside its early-renewal window/);
        assert.match(w(10 * DAY)!, /expires at .* \(in 10\.0 days\)\. Certificates renew only when `pulumi up` runs .*\(24 h\)/);
        assert.match(w(EXPIRY_WARNING_DAYS * DAY)!, /in 30\.0 days/);
        assert.equal(w(EXPIRY_WARNING_DAYS * DAY + 1000), undefined);
        assert.equal(w(365 * DAY), undefined);
        // Default early renewal (720 h = 30 days): the window and the 30-day mark coincide.
        assert.match(w(29 * DAY, false, 720)!, /inside its early-renewal window/);
        assert.match(
            certificateWarning({ resourceName: "x", validityEndTime: "tomorrow", readyForRenewal: false }, 24, now)!,
            /not RFC 3339/,
        );
    });
});

/** The validityEndTime of a certificate child (state the fake tls provider answered). */
const endOf = (b: Built, type: string, name: string) => b.child(type, name).state.validityEndTime as string;

describe("tlsNotAfter (component output)", () => {
    it("JetStream cluster with TLS: the earliest of the CA, server and route certificates", async () => {
        const b = await build("nafter", {
            namespace: "pipelines",
            certificates: { validityHours: 100, earlyRenewalHours: 10 },
            jetstream: { version: "2.10.29", tls: true },
        });
        const ends = [
            endOf(b, GEN.selfSigned, "nafter-ca"),
            endOf(b, GEN.signed, "nafter-server-cert"),
            endOf(b, GEN.signed, "nafter-route-cert"),
        ];
        assert.equal(b.outputs.tlsNotAfter, earliestNotAfter(ends));
        assert.match(b.outputs.tlsNotAfter, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        const left = parseRfc3339(b.outputs.tlsNotAfter)! - Date.now();
        assert.ok(left > 99 * HOUR && left <= 100 * HOUR, "the 100-hour leaves expire first, not the 10-year CA");
    });

    it("native Redis with TLS: the earliest of the CA and the Redis certificate", async () => {
        const b = await build("nafter-r", {
            namespace: "pipelines",
            certificates: { caValidityHours: 200, validityHours: 150 },
            redis: { native: { version: "7.0.15", tls: true } },
        });
        assert.equal(
            b.outputs.tlsNotAfter,
            earliestNotAfter([endOf(b, GEN.selfSigned, "nafter-r-ca"), endOf(b, GEN.signed, "nafter-r-redis-cert")]),
        );
    });

    it("is empty without TLS and for external Redis", async () => {
        for (const [name, args] of [
            ["nafter-plain", { namespace: "pipelines", jetstream: { version: "2.10.29" } }],
            ["nafter-rplain", { namespace: "pipelines", redis: { native: { version: "7.0.15" } } }],
            ["nafter-ext", { namespace: "pipelines", redis: { external: { url: "rediss://r.example:6380" } } }],
        ] as const) {
            const b = await build(name, args);
            assert.equal(b.outputs.tlsNotAfter, "", name);
        }
    });
});

/** Builds under preview (or not), capturing pulumi.log.warn calls with their resource. */
async function withWarnings(preview: boolean, fn: () => Promise<void>): Promise<{ msg: string; resource: unknown }[]> {
    const warnings: { msg: string; resource: unknown }[] = [];
    const original = pulumi.log.warn;
    (pulumi.log as any).warn = (msg: string, resource?: unknown) => {
        warnings.push({ msg, resource });
        return Promise.resolve();
    };
    setPreview(preview);
    try {
        await fn();
    } finally {
        setPreview(false);
        setRegistrationHook(undefined);
        (pulumi.log as any).warn = original;
    }
    return warnings;
}

const SHORT: InterStepBufferServiceArgs = {
    namespace: "pipelines",
    certificates: { validityHours: 100, earlyRenewalHours: 10 },
    jetstream: { version: "2.10.29", tls: true },
};

describe("certificate warnings at preview", () => {
    it("warns on the component about each certificate expiring within 30 days (not the 10-year CA)", async () => {
        let built: Built | undefined;
        const warnings = await withWarnings(true, async () => {
            built = await build("cwarn", SHORT);
        });
        const certWarnings = warnings.filter((w) => /^certificate /.test(w.msg));
        assert.deepEqual(certWarnings.map((w) => w.msg.split(" ")[1]).sort(), ["cwarn-route-cert", "cwarn-server-cert"]);
        for (const w of certWarnings) {
            assert.equal(w.resource, built!.isb, "logged on the component");
            assert.match(w.msg, /expires at .*\(in 4\.\d days\)\. Certificates renew only when `pulumi up` runs/);
        }
    });

    it("says nothing during `pulumi up`, nor at preview for long-lived certificates", async () => {
        const up = await withWarnings(false, async () => {
            await build("cwarn-up", SHORT);
        });
        assert.deepEqual(
            up.filter((w) => /^certificate /.test(w.msg)),
            [],
        );
        const long = await withWarnings(true, async () => {
            await build("cwarn-long", { namespace: "pipelines", jetstream: { version: "2.10.29", tls: true } });
        });
        assert.deepEqual(
            long.filter((w) => /^certificate /.test(w.msg)),
            [],
        );
    });

    it("a certificate created or renewed by this update (unknown lifetime at preview) is skipped, tlsNotAfter unknown", async () => {
        let isb: InterStepBufferService | undefined;
        const warnings = await withWarnings(true, async () => {
            // As the engine answers a replaced bridged resource at preview: computed outputs unknown.
            setRegistrationHook((req) =>
                req.getType() === GEN.signed || req.getType() === GEN.selfSigned
                    ? (s) => ({ ...s, validityEndTime: rpc.unknownValue, readyForRenewal: rpc.unknownValue })
                    : undefined,
            );
            isb = new InterStepBufferService("cwarn-unknown", SHORT);
            await settle();
        });
        assert.deepEqual(
            warnings.filter((w) => /^certificate /.test(w.msg)),
            [],
        );
        assert.equal(await (isb!.tlsNotAfter as any).isKnown, false);
        assert.equal(await (isb!.credentialsRevision as any).isKnown, true, "the revision does not depend on leaf certificates");
    });
});
