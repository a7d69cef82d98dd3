/**
 * Renders `nats-js.conf`, the nats-server configuration of a JetStream ISB service. It holds no
 * secret: credentials live in `auth.conf` (a Secret) and the encryption key arrives as env
 * `JS_KEY`. Same input, byte-identical output.
 */
import { ResolvedJetStreamService } from "../../args/resolve";
import { SettingValue } from "../../args/jetstream-settings";
import { configPath, JS_PORTS, PID_FILE, SERVER_SECRET_FILES, storeDir } from "./layout";

/** A NATS config string literal. */
export function natsString(value: string): string {
    return JSON.stringify(value);
}

function natsValue(value: SettingValue): string {
    return typeof value === "string" ? natsString(value) : String(value);
}

function settingLines(svc: ResolvedJetStreamService, block: "server" | "jetstream", indent: string): string[] {
    const { settings } = svc.jetstream;
    return Object.keys(settings.values)
        .filter((k) => settings.blockOf(k) === block)
        .map((k) => `${indent}${k}: ${natsValue(settings.values[k])}`);
}

function tlsBlock(indent: string, cert: string, key: string, ca: string, verify: boolean): string[] {
    return [
        `${indent}tls {`,
        `${indent}  cert_file: ${natsString(configPath(cert))}`,
        `${indent}  key_file: ${natsString(configPath(key))}`,
        `${indent}  ca_file: ${natsString(configPath(ca))}`,
        ...(verify ? [`${indent}  verify: true`] : []),
        `${indent}  timeout: 5`,
        `${indent}}`,
    ];
}

function jetstreamBlock(svc: ResolvedJetStreamService): string[] {
    return [
        "jetstream {",
        ...(svc.jetstream.encryption ? ["  key: $JS_KEY"] : []),
        // ChaCha20-Poly1305 is nats-server's default (StoreCipher's zero value `ChaCha` in server/filestore.go,
        // and the only cipher of 2.8), so only AES is written: a config without the line stays byte-identical.
        ...(svc.jetstream.cipher === "aes" ? ["  cipher: aes"] : []),
        `  store_dir: ${natsString(storeDir(svc.jetstream.encryption))}`,
        ...settingLines(svc, "jetstream", "  "),
        "}",
    ];
}

/**
 * The cluster block. The route credential (`authorization`) and the route URLs, which carry it, come
 * from routes.conf in the server Secret (routes-conf.ts), so this file stays free of secrets.
 */
function clusterBlock(svc: ResolvedJetStreamService): string[] {
    const f = SERVER_SECRET_FILES;
    return [
        "cluster {",
        `  name: ${natsString(svc.name)}`,
        `  port: ${JS_PORTS.cluster}`,
        `  include ./${f.routes}`,
        "  cluster_advertise: $CLUSTER_ADVERTISE",
        "  connect_retries: 120",
        ...(svc.jetstream.tls ? tlsBlock("  ", f["cluster-cert"], f["cluster-private-key"], f["cluster-ca-cert"], true) : []),
        "}",
    ];
}

/** Renders nats-js.conf (the same in every namespace: the namespace-dependent route URLs are in routes.conf). */
export function renderNatsConf(svc: ResolvedJetStreamService): string {
    const f = SERVER_SECRET_FILES;
    const lines = [
        `# nats-server configuration of ISB service "${svc.name}", rendered by isbsvc. Edits are overwritten.`,
        `port: ${JS_PORTS.client}`,
        `pid_file: ${natsString(PID_FILE)}`,
        `http: ${JS_PORTS.monitor}`,
        "server_name: $POD_NAME",
        ...settingLines(svc, "server", ""),
        ...(svc.jetstream.tls ? tlsBlock("", f.cert, f["private-key"], f["ca-cert"], false) : []),
        ...jetstreamBlock(svc),
        ...(svc.jetstream.replicas > 1 ? clusterBlock(svc) : []),
        `include ./${f.auth}`,
    ];
    return lines.join("\n") + "\n";
}
