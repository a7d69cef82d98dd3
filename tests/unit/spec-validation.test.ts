/**
 * Bad input fails at construction, before any resource is registered, with a message that names
 * the offending field.
 */
import { strict as assert } from "assert";
import { InterStepBufferService, InterStepBufferServiceArgs, SpecError } from "../../provider";
import { registry } from "../../sim/runtime/mock-runtime";

const JS = { version: "2.10.29" };

interface Case {
    title: string;
    name?: string;
    args: any;
    field: string;
    message: RegExp;
}

const CASES: Case[] = [
    { title: "neither jetstream nor redis", args: {}, field: "jetstream", message: /exactly one/ },
    { title: "both jetstream and redis", args: { jetstream: JS, redis: { native: {} } }, field: "jetstream", message: /both set/ },
    { title: "no args at all", args: undefined, field: "args", message: /required/ },
    { title: "unknown top-level key", args: { jetstream: JS, jetStream: {} }, field: "jetStream", message: /not a known field/ },
    { title: "missing version", args: { jetstream: {} }, field: "jetstream.version", message: /required/ },
    { title: "version of the wrong type", args: { jetstream: { version: 2.1 } }, field: "jetstream.version", message: /must be a string/ },
    {
        title: "unknown version",
        args: { jetstream: { version: "9.9.9" } },
        field: "jetstream.version",
        message: /not a supported version.*2\.10\.29/,
    },
    { title: "replicas 2", args: { jetstream: { ...JS, replicas: 2 } }, field: "jetstream.replicas", message: /can't be 2/ },
    {
        title: "replicas 0",
        args: { jetstream: { ...JS, replicas: 0 } },
        field: "jetstream.replicas",
        message: /1 \(standalone\) or at least 3/,
    },
    { title: "negative replicas", args: { jetstream: { ...JS, replicas: -3 } }, field: "jetstream.replicas", message: /at least 3/ },
    { title: "fractional replicas", args: { jetstream: { ...JS, replicas: 3.5 } }, field: "jetstream.replicas", message: /integer/ },
    { title: "replicas as a string", args: { jetstream: { ...JS, replicas: "3" } }, field: "jetstream.replicas", message: /integer/ },
    {
        title: "volumeSize not a quantity",
        args: { jetstream: { ...JS, persistence: { volumeSize: "ten" } } },
        field: "jetstream.persistence.volumeSize",
        message: /quantity/,
    },
    {
        title: "volumeSize zero",
        args: { jetstream: { ...JS, persistence: { volumeSize: "0Gi" } } },
        field: "jetstream.persistence.volumeSize",
        message: /greater than zero/,
    },
    {
        title: "bad access mode",
        args: { jetstream: { ...JS, persistence: { accessMode: "ReadWriteSometimes" } } },
        field: "jetstream.persistence.accessMode",
        message: /one of ReadWriteOnce/,
    },
    {
        title: "read-only access mode",
        args: { jetstream: { ...JS, persistence: { accessMode: "ReadOnlyMany" } } },
        field: "jetstream.persistence.accessMode",
        message: /writable/,
    },
    {
        title: "bad storage class",
        args: { jetstream: { ...JS, persistence: { storageClassName: "Fast SSD" } } },
        field: "jetstream.persistence.storageClassName",
        message: /DNS-1123/,
    },
    {
        title: "unparsable settings YAML",
        args: { jetstream: { ...JS, settings: "max_payload: [1, 2" } },
        field: "jetstream.settings",
        message: /not valid YAML/,
    },
    {
        title: "settings YAML that is a list",
        args: { jetstream: { ...JS, settings: "- a\n- b" } },
        field: "jetstream.settings",
        message: /mapping/,
    },
    {
        title: "unknown settings key",
        args: { jetstream: { ...JS, settings: "max_conections: 10" } },
        field: "jetstream.settings.max_conections",
        message: /not a supported NATS setting/,
    },
    {
        title: "store_dir in settings",
        args: { jetstream: { ...JS, settings: { store_dir: "/tmp" } } },
        field: "jetstream.settings.store_dir",
        message: /managed by the component/,
    },
    {
        title: "max_payload over 64 MiB",
        args: { jetstream: { ...JS, settings: "max_payload: 128MB" } },
        field: "jetstream.settings.max_payload",
        message: /between 1 and 67108864/,
    },
    {
        title: "max_payload not a size",
        args: { jetstream: { ...JS, settings: { max_payload: "lots" } } },
        field: "jetstream.settings.max_payload",
        message: /size/,
    },
    {
        title: "max_file_store negative",
        args: { jetstream: { ...JS, settings: { max_file_store: -5 } } },
        field: "jetstream.settings.max_file_store",
        message: /-1 \(no limit\)/,
    },
    {
        title: "lame duck under 30s",
        args: { jetstream: { ...JS, settings: { lame_duck_duration: "5s" } } },
        field: "jetstream.settings.lame_duck_duration",
        message: /at least 30s/,
    },
    {
        title: "lame duck grace not below duration",
        args: { jetstream: { ...JS, settings: { lame_duck_duration: "30s", lame_duck_grace_period: "30s" } } },
        field: "jetstream.settings.lame_duck_grace_period",
        message: /shorter than lame_duck_duration/,
    },
    {
        title: "sync_interval on a 2.9 server",
        args: { jetstream: { version: "2.9.15", settings: { sync_interval: "1m" } } },
        field: "jetstream.settings.sync_interval",
        message: /2\.10 or newer/,
    },
    {
        title: "unparsable bufferConfig YAML",
        args: { jetstream: { ...JS, bufferConfig: "stream: {maxMsgs: " } },
        field: "jetstream.bufferConfig",
        message: /not valid YAML/,
    },
    {
        title: "unknown bufferConfig section",
        args: { jetstream: { ...JS, bufferConfig: "streams:\n  maxMsgs: 5" } },
        field: "jetstream.bufferConfig.streams",
        message: /not a known section/,
    },
    {
        title: "unknown bufferConfig field",
        args: { jetstream: { ...JS, bufferConfig: "stream:\n  maxMessages: 5" } },
        field: "jetstream.bufferConfig.stream.maxmessages",
        message: /not a known field/,
    },
    {
        title: "bufferConfig bad duration",
        args: { jetstream: { ...JS, bufferConfig: { stream: { maxAge: "three days" } } } },
        field: "jetstream.bufferConfig.stream.maxage",
        message: /duration/,
    },
    {
        title: "bufferConfig retention out of range",
        args: { jetstream: { ...JS, bufferConfig: { stream: { retention: 7 } } } },
        field: "jetstream.bufferConfig.stream.retention",
        message: /between 0 and 2/,
    },
    {
        title: "stream replicas above servers",
        args: { jetstream: { ...JS, bufferConfig: { stream: { replicas: 5 } } } },
        field: "jetstream.bufferConfig.stream.replicas",
        message: /only 3 servers/,
    },
    {
        title: "dedup window above max age",
        args: { jetstream: { ...JS, bufferConfig: { stream: { maxAge: "1m", duplicates: "2m" } } } },
        field: "jetstream.bufferConfig.stream.duplicates",
        message: /cannot be longer/,
    },
    { title: "tls not a boolean", args: { jetstream: { ...JS, tls: "yes" } }, field: "jetstream.tls", message: /boolean/ },
    {
        title: "encryption neither a boolean nor a cipher",
        args: { jetstream: { ...JS, encryption: 1 } },
        field: "jetstream.encryption",
        message: /must be true, false, "chachapoly" or "aes", got number 1/,
    },
    {
        title: "encryption with an unknown cipher",
        args: { jetstream: { ...JS, encryption: "chacha" } },
        field: "jetstream.encryption",
        message: /must be true, false, "chachapoly" or "aes"/,
    },
    {
        title: "encryption aes on nats-server 2.8",
        args: { jetstream: { ...JS, version: "2.8.3", encryption: "aes" } },
        field: "jetstream.encryption",
        message: /needs nats-server 2\.9 or later; version 2\.8\.3/,
    },
    {
        title: "startArgs with a number",
        args: { jetstream: { ...JS, startArgs: ["-D", 3] } },
        field: "jetstream.startArgs[1]",
        message: /string/,
    },
    {
        title: "bad imagePullPolicy",
        args: { jetstream: { ...JS, containerTemplate: { imagePullPolicy: "Sometimes" } } },
        field: "jetstream.containerTemplate.imagePullPolicy",
        message: /one of Always/,
    },
    {
        title: "bad resource quantity",
        args: { jetstream: { ...JS, containerTemplate: { resources: { limits: { memory: "1 GB" } } } } },
        field: "jetstream.containerTemplate.resources.limits.memory",
        message: /quantity/,
    },
    {
        title: "unknown container template key",
        args: { jetstream: { ...JS, reloaderContainerTemplate: { image: "x" } } },
        field: "jetstream.reloaderContainerTemplate.image",
        message: /not a known field/,
    },
    {
        title: "bad env name",
        args: { jetstream: { ...JS, containerTemplate: { env: [{ name: "A=B", value: "x" }] } } },
        field: "jetstream.containerTemplate.env[0].name",
        message: /environment variable name/,
    },
    {
        title: "probe with a negative period",
        args: { jetstream: { ...JS, containerTemplate: { livenessProbe: { periodSeconds: -1 } } } },
        field: "jetstream.containerTemplate.livenessProbe.periodSeconds",
        message: /greater than or equal to 0/,
    },
    {
        title: "label value not a string",
        args: { jetstream: { ...JS, metadata: { labels: { team: 5 } } } },
        field: "jetstream.metadata.labels.team",
        message: /string/,
    },
    {
        title: "bad dnsPolicy",
        args: { jetstream: { ...JS, dnsPolicy: "Google" } },
        field: "jetstream.dnsPolicy",
        message: /one of ClusterFirst/,
    },
    {
        title: "bad service account",
        args: { jetstream: { ...JS, serviceAccountName: "My_SA" } },
        field: "jetstream.serviceAccountName",
        message: /DNS-1123/,
    },
    {
        title: "unknown jetstream key",
        args: { jetstream: { ...JS, replica: 3 } },
        field: "jetstream.replica",
        message: /not a known field/,
    },
    { title: "bad namespace", args: { namespace: "Pipelines", jetstream: JS }, field: "namespace", message: /DNS-1123 label/ },
    {
        title: "bad cluster domain",
        args: { clusterDomain: "cluster_local", jetstream: JS },
        field: "clusterDomain",
        message: /DNS-1123 subdomain/,
    },
    { title: "uppercase name", name: "Default", args: { jetstream: JS }, field: "name", message: /DNS-1035/ },
    { title: "name starting with a digit", name: "1isb", args: { jetstream: JS }, field: "name", message: /DNS-1035/ },
    { title: "name too long for derived names", name: "a".repeat(43), args: { jetstream: JS }, field: "name", message: /at most 42/ },
    {
        title: "bad key algorithm",
        args: { jetstream: JS, certificates: { keyAlgorithm: "DSA" } },
        field: "certificates.keyAlgorithm",
        message: /ECDSA/,
    },
    {
        title: "early renewal beyond validity",
        args: { jetstream: JS, certificates: { validityHours: 100, earlyRenewalHours: 200 } },
        field: "certificates.earlyRenewalHours",
        message: /less than validityHours/,
    },
    {
        title: "PDB that protects nothing",
        args: { jetstream: JS, podDisruptionBudget: { maxUnavailable: 3 } },
        field: "podDisruptionBudget.maxUnavailable",
        message: /less than the number of replicas/,
    },
    { title: "bad anti-affinity", args: { jetstream: JS, antiAffinity: "sometimes" }, field: "antiAffinity", message: /soft/ },
    { title: "redis with neither native nor external", args: { redis: {} }, field: "redis.native", message: /exactly one/ },
    {
        title: "redis with both native and external",
        args: { redis: { native: { version: "7.0.15" }, external: { url: "r:6379" } } },
        field: "redis.native",
        message: /both set/,
    },
    { title: "redis native without version", args: { redis: { native: {} } }, field: "redis.native.version", message: /required/ },
    {
        title: "redis native unknown version",
        args: { redis: { native: { version: "5.0" } } },
        field: "redis.native.version",
        message: /7\.0\.15/,
    },
    {
        title: "redis replicas not an integer",
        args: { redis: { native: { version: "7.0.15", replicas: 3.2 } } },
        field: "redis.native.replicas",
        message: /integer/,
    },
    {
        title: "redis settings line that is not a directive",
        args: { redis: { native: { version: "7.0.15", settings: { redis: "maxmemory = 1gb" } } } },
        field: "redis.native.settings.redis",
        message: /line 1 is written "name = value"/,
    },
    {
        title: "redis settings line with a colon",
        args: { redis: { native: { version: "7.0.15", settings: { redis: "maxmemory: 1gb" } } } },
        field: "redis.native.settings.redis",
        message: /line 1 is not a redis.conf directive/,
    },
    {
        title: "redis settings managing the port",
        args: { redis: { native: { version: "7.0.15", settings: { replica: "appendonly yes\nport 7000" } } } },
        field: "redis.native.settings.replica",
        message: /line 2 sets "port"/,
    },
    {
        title: "sentinel setting naming another master",
        args: { redis: { native: { version: "7.0.15", settings: { sentinel: "sentinel down-after-milliseconds other 5000" } } } },
        field: "redis.native.settings.sentinel",
        message: /names the master set "other"/,
    },
    {
        title: "sentinel setting that is not a sentinel directive",
        args: { redis: { native: { version: "7.0.15", settings: { sentinel: "maxmemory 1gb" } } } },
        field: "redis.native.settings.sentinel",
        message: /not a Sentinel directive/,
    },
    {
        title: "sentinel monitor line",
        args: { redis: { native: { version: "7.0.15", settings: { sentinel: "sentinel monitor mymaster h 6379 2" } } } },
        field: "redis.native.settings.sentinel",
        message: /manages/,
    },
    {
        title: "redis init container template",
        args: { redis: { native: { version: "7.0.15", initContainerTemplate: {} } } },
        field: "redis.native.initContainerTemplate",
        message: /no init container/,
    },
    { title: "external without url", args: { redis: { external: {} } }, field: "redis.external.url", message: /required/ },
    {
        title: "external url with a bad scheme",
        args: { redis: { external: { url: "http://r:6379" } } },
        field: "redis.external.url",
        message: /scheme "http:\/\/"/,
    },
    {
        title: "external url without a port",
        args: { redis: { external: { url: "redis.example.com" } } },
        field: "redis.external.url",
        message: /needs a port/,
    },
    {
        title: "external url with a bad port",
        args: { redis: { external: { url: "r:70000" } } },
        field: "redis.external.url",
        message: /outside 1-65535/,
    },
    {
        title: "external url list with an empty entry",
        args: { redis: { external: { url: "a:6379,,b:6379" } } },
        field: "redis.external.url",
        message: /empty entry at position 2/,
    },
    {
        title: "external url with credentials",
        args: { redis: { external: { url: "redis://u:p@r:6379" } } },
        field: "redis.external.url",
        message: /credentials/,
    },
    {
        title: "external masterName without sentinelUrl",
        args: { redis: { external: { url: "r:6379", masterName: "m" } } },
        field: "redis.external.sentinelUrl",
        message: /required/,
    },
    {
        title: "external password twice",
        args: { redis: { external: { url: "r:6379", password: "x", passwordSecret: { name: "s", key: "k" } } } },
        field: "redis.external.password",
        message: /both set/,
    },
    {
        title: "external password of the wrong type",
        args: { redis: { external: { url: "r:6379", password: 42 } } },
        field: "redis.external.password",
        message: /string or a secret Output/,
    },
    {
        title: "name too long for redis",
        name: "a".repeat(38),
        args: { redis: { native: { version: "7.0.15" } } },
        field: "name",
        message: /at most 37/,
    },
];

describe("spec validation (bad input fails at construction)", () => {
    for (const c of CASES) {
        it(`rejects ${c.title}, naming ${c.field}`, () => {
            const before = registry().length;
            let error: unknown;
            try {
                new InterStepBufferService(c.name ?? "default", c.args as InterStepBufferServiceArgs);
            } catch (e) {
                error = e;
            }
            assert.ok(error instanceof SpecError, `expected a SpecError, got ${String(error)}`);
            assert.equal(error.field, c.field);
            assert.match(error.message, new RegExp(`"${c.field.replace(/[.[\]]/g, "\\$&")}"`));
            assert.match(error.message, c.message);
            assert.equal(registry().length, before, "no resource may be registered for invalid input");
        });
    }

    it("has a corpus of at least 40 distinct invalid specs", () => {
        assert.ok(CASES.length >= 40);
        assert.equal(new Set(CASES.map((c) => c.title)).size, CASES.length);
    });

    it("rejects an Output where a spec value must be plain", async () => {
        const pulumi = await import("@pulumi/pulumi");
        assert.throws(
            () => new InterStepBufferService("default", { jetstream: { version: pulumi.output("2.10.29") as any } }),
            /"jetstream.version" must be a plain value/,
        );
    });
});
