/**
 * Where things live inside a JetStream pod: ports, mount paths and file names. The config files
 * reference these paths, and the StatefulSet mounts the files there.
 */

export const JS_PORTS = { client: 4222, cluster: 6222, monitor: 8222, metrics: 7777 } as const;

/** Directory of the projected config volume (ConfigMap + Secret items). */
export const CONFIG_DIR = "/etc/nats-config";
/** Main config file name, projected from ConfigMap key {@link CONFIG_MAP_KEY}. */
export const CONFIG_FILE = "nats-js.conf";
export const CONFIG_MAP_KEY = "nats-js";
/** Directory of the pid file shared with the reloader. */
export const PID_DIR = "/var/run/nats";
export const PID_FILE = `${PID_DIR}/nats.pid`;
/** Mount point of the data volume. */
export const DATA_DIR = "/data/jetstream";

/**
 * Store directory. Encrypted and plain stores live in different directories: turning encryption
 * on or off starts every pod on a store of the new kind (replicated streams are caught up from
 * the other servers during the rolling restart) instead of handing a server files it cannot read.
 */
export function storeDir(encryption: boolean): string {
    return `${DATA_DIR}/${encryption ? "encrypted-store" : "store"}`;
}

/** Keys of the server Secret and the file each is projected to (null: not a file). */
export const SERVER_SECRET_FILES = {
    auth: "auth.conf",
    /** Route credential and route URLs (clustered services), included in the cluster block. */
    routes: "routes.conf",
    "ca-cert": "ca-cert.pem",
    cert: "server-cert.pem",
    "private-key": "server-key.pem",
    "cluster-ca-cert": "cluster-ca-cert.pem",
    "cluster-cert": "cluster-server-cert.pem",
    "cluster-private-key": "cluster-server-key.pem",
} as const;

/** Server Secret key holding the encryption key (exposed to nats-server as env `JS_KEY`). */
export const ENCRYPTION_KEY = "encryption";

/** Keys of the client-auth Secret that pipeline pods read. */
export const CLIENT_AUTH_KEYS = { user: "client-auth-user", password: "client-auth-password", ca: "ca.crt" } as const;

/** Absolute path of a projected server Secret file. */
export function configPath(file: string): string {
    return `${CONFIG_DIR}/${file}`;
}

/**
 * Environment variables the component sets that carry a key or the server's wiring: a container
 * template's `env` may not name them (it would break the server while the outputs still advertise it).
 */
export const JS_MANAGED_ENV = ["POD_NAME", "SERVER_NAME", "POD_NAMESPACE", "CLUSTER_ADVERTISE", "JS_KEY"] as const;
/** Tuning defaults the component sets that a container template's `env` entry of the same name replaces. */
export const JS_TUNABLE_ENV = ["GOMEMLIMIT"] as const;
