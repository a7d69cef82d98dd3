/**
 * What a JetStream pod reads only at start, as a checksum for the pod template: the part of
 * nats-js.conf nats-server cannot reload. The reloader (watching nats-js.conf, auth.conf and the
 * certificate files) applies everything else with a reload signal, so a change there must not roll
 * the pods.
 *
 * Reloadable options, from nats-server `server/reload.go` `(*Server).diffOptions` at v2.9.25 and
 * v2.10.29 (the same list for the options we render; any option not in its switch fails the reload
 * with "config reload not supported for …"): `trace`, `debug`, `logtime`, `tls` (tlsconfig),
 * `authorization` / accounts (auth.conf), `cluster` (except host and port: `validateClusterOpts`),
 * `routes` (both in routes.conf, which is not part of the checksum), `max_connections` (maxconn), `max_control_line`, `max_payload`, `ping_interval`,
 * `ping_max` (maxpingsout), `write_deadline`. Not reloadable among ours: `server_name`, `port`,
 * `http`, `pid_file` is reloadable but fixed, `max_pending`, `max_subscriptions`,
 * `lame_duck_duration`, `lame_duck_grace_period`, `sync_interval`, the JetStream block (`store_dir`;
 * `max_memory_store` / `max_file_store`: "config reload not supported for jetstream max memory and
 * store"; `key`: read from env `JS_KEY` at start, see resources/jetstream.ts), and adding or removing the cluster block.
 */
import { ResolvedJetStreamService } from "../../args/resolve";
import { contentHash } from "../checksum";
import { renderNatsConf } from "./nats-conf";

/** Settings nats-server applies on a reload signal (`diffOptions`), by their nats-js.conf key. */
export const RELOADABLE_SETTINGS = [
    "max_payload",
    "max_connections",
    "max_control_line",
    "write_deadline",
    "ping_interval",
    "ping_max",
    "debug",
    "trace",
    "logtime",
] as const;

/**
 * nats-js.conf without the lines nats-server reloads live (reloadable settings). The route URLs and
 * the route credential are in routes.conf (server Secret), all reloadable, and never part of the
 * checksum: the StatefulSet depends on no generated value.
 */
export function restartRelevantConf(svc: ResolvedJetStreamService): string {
    const reloadable = new RegExp(`^\\s*(${RELOADABLE_SETTINGS.join("|")}):`);
    return renderNatsConf(svc)
        .split("\n")
        .filter((line) => !reloadable.test(line))
        .join("\n");
}

/** The JetStream pod checksum: a hash of the restart-relevant config. */
export function jetStreamRestartChecksum(svc: ResolvedJetStreamService): string {
    return contentHash({ conf: restartRelevantConf(svc) });
}
