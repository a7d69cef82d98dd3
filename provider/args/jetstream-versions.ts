/**
 * The JetStream version catalogue: which images a `jetstream.version` runs, as the upstream
 * controller ConfigMap (`isbsvc.jetstream.versions`) lists them.
 */

/** Images and start command of one catalogue entry. */
export interface JetStreamVersion {
    /** The version string users write in `jetstream.version`. */
    version: string;
    /** nats-server image. */
    natsImage: string;
    /** Prometheus exporter image. */
    metricsExporterImage: string;
    /** Config reloader image. */
    configReloaderImage: string;
    /** nats-server executable in the image (`nats-server` on PATH for alpine images). */
    startCommand: string;
    /** nats-server release as [major, minor, patch], to render only keys that release understands. */
    server: [number, number, number];
}

const EXPORTER_OLD = "natsio/prometheus-nats-exporter:0.9.1";
const EXPORTER_NEW = "natsio/prometheus-nats-exporter:0.19.2";
const RELOADER_NEW = "natsio/nats-server-config-reloader:0.22.4";

/**
 * Every entry uses the current reloader: it watches several files (`-config` repeated), so renewed
 * certificates and auth.conf changes reach the server without a restart. Upstream pairs old
 * servers with reloader 0.7.0; the reloader only sends the server a reload signal, so any
 * server release works with it.
 */
function entry(version: string, exporter = EXPORTER_OLD, reloader = RELOADER_NEW): JetStreamVersion {
    const alpine = version.endsWith("-alpine");
    const [major, minor, patch] = version
        .replace(/-alpine$/, "")
        .split(".")
        .map(Number);
    return {
        version,
        natsImage: `nats:${version}`,
        metricsExporterImage: exporter,
        configReloaderImage: reloader,
        startCommand: alpine ? "nats-server" : "/nats-server",
        server: [major, minor, patch],
    };
}

/** Every supported version, oldest first. `latest` resolves to the newest entry. */
export const JETSTREAM_VERSIONS: readonly JetStreamVersion[] = [
    entry("2.8.1"),
    entry("2.8.1-alpine"),
    entry("2.8.3"),
    entry("2.8.3-alpine"),
    entry("2.9.0"),
    entry("2.9.0-alpine"),
    entry("2.9.6"),
    entry("2.9.8"),
    entry("2.9.15"),
    entry("2.10.3"),
    entry("2.10.11"),
    entry("2.10.17"),
    entry("2.10.29"),
    entry("2.12.7", EXPORTER_NEW, RELOADER_NEW),
];

/** The version `latest` stands for. */
export const LATEST_JETSTREAM_VERSION = "2.12.7";

/** Looks a version up; `latest` maps to {@link LATEST_JETSTREAM_VERSION}. */
export function findJetStreamVersion(version: string): JetStreamVersion | undefined {
    const wanted = version === "latest" ? LATEST_JETSTREAM_VERSION : version;
    return JETSTREAM_VERSIONS.find((v) => v.version === wanted);
}

/** True when the server release is at least major.minor. */
export function serverAtLeast(v: JetStreamVersion, major: number, minor: number): boolean {
    return v.server[0] > major || (v.server[0] === major && v.server[1] >= minor);
}
