/** Where things live inside a native Redis pod: ports, mount paths and file names. */

export const REDIS_PORTS = { redis: 6379, sentinel: 26379, metrics: 9121 } as const;

/** Read-only config files (ConfigMap `-redis-config`). */
export const REDIS_CONFIG_DIR = "/etc/isbsvc/redis";
/** Scripts (ConfigMap `-redis-scripts`). */
export const REDIS_SCRIPTS_DIR = "/etc/isbsvc/scripts";
/** TLS files (Secret `-redis-tls`). */
export const REDIS_TLS_DIR = "/etc/isbsvc/tls";
/** Writable runtime dir of the redis container: the composed config with the password (emptyDir). */
export const REDIS_RUN_DIR = "/run/isbsvc";
/** Sentinel's writable config dir (Sentinel rewrites its config; emptyDir, regenerated at each start). */
export const SENTINEL_DIR = "/sentinel";
/** Data dir (PVC or emptyDir). */
export const REDIS_DATA_DIR = "/data";

export const REDIS_CONFIG_FILES = [
    "redis.conf",
    "master.conf",
    "replica.conf",
    "managed.conf",
    "sentinel.conf",
    "sentinel-settings.conf",
] as const;
/** Keys of the TLS Secret, each projected to a file of the same name in {@link REDIS_TLS_DIR}. */
export const REDIS_TLS_KEYS = { ca: "ca.crt", cert: "tls.crt", key: "tls.key" } as const;
/** Absolute paths of the TLS files in the pod. */
export const REDIS_TLS_PATHS = {
    ca: `${REDIS_TLS_DIR}/${REDIS_TLS_KEYS.ca}`,
    cert: `${REDIS_TLS_DIR}/${REDIS_TLS_KEYS.cert}`,
    key: `${REDIS_TLS_DIR}/${REDIS_TLS_KEYS.key}`,
} as const;

/** Key of the password in the auth Secret (upstream's). */
export const REDIS_PASSWORD_KEY = "redis-password";
/**
 * Key of the second accepted password in the auth Secret, present only while
 * `passwordRotation.accept` is `both` (the inactive slot's password): the servers accept it too.
 */
export const REDIS_ALSO_ACCEPTED_PASSWORD_KEY = "redis-password-also-accepted";
/** The ACL user clients authenticate as. */
export const REDIS_USER = "default";
/** uid/gid of the `redis` user in the official images. */
export const REDIS_UID = 999;

/**
 * Environment variables the component sets on the Redis, Sentinel and exporter containers (the
 * password and the wiring): a container template's `env` may not name them.
 */
export const REDIS_MANAGED_ENV = [
    "POD_NAME",
    "REDIS_PASSWORD",
    "REDIS_PASSWORD_ALSO_ACCEPTED",
    "REDIS_ADDR",
    "REDIS_USER",
    "REDIS_EXPORTER_TLS_CA_CERT_FILE",
] as const;
