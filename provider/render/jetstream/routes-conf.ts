/**
 * Renders `routes.conf`: the route credential and the route URLs of a clustered JetStream ISB
 * service, included inside the `cluster {}` block of nats-js.conf. It holds the route password, so
 * it lives only in the server Secret, never in the ConfigMap.
 *
 * Why the URLs are here and not in nats-js.conf: a server authenticates the routes it opens with
 * the user and password of the route URL and nothing else (nats-server `server/route.go`
 * `(*client).sendRouteConnect`, v2.9.10 to v2.12.7: `c.route.url.User`), and the config format has
 * no string interpolation (`conf/parse.go`: a `$VAR` is a whole value, and is not expanded inside a
 * quoted string). Routes learnt from gossip (implicit routes) use the `authorization` of this
 * block (`route.go` `processImplicitRoute`). `include` is accepted inside a block (`conf/lex.go`
 * `lexMapKey` → `keyCheckKeyword`) and resolved relative to the including file (`conf/parse.go`
 * `processItem`, `itemInclude`).
 *
 * Reload (nats-server `server/reload.go` `diffOptions`): `cluster` (authorization included; only
 * host and port are refused by `validateClusterOpts`) and `routes` are reloadable. A new
 * authorization closes accepted routes that no longer authenticate (`reloadAuthorization`, routes
 * that are not solicited); a route URL whose credential changed is removed and solicited again
 * (`routesOption.Apply`, `diffRoutes` compares whole URLs).
 */
import { natsString } from "./nats-conf";
import { podHost } from "./names";
import { JS_PORTS } from "./layout";
import { ResolvedJetStreamService } from "../../args/resolve";
import { CREDENTIAL_ALPHABET } from "./auth-conf";

/** The user routes authenticate as (not secret; the password is). */
export const ROUTE_USER = "route";

/** The `nats://` route URL of every pod, without credentials (NATS ignores its own route). */
export function routeHosts(svc: ResolvedJetStreamService, namespace: string): string[] {
    const names = svc.names;
    return Array.from(
        { length: svc.jetstream.replicas },
        (_, i) => `${podHost(names.pod(i), names.service, namespace)}:${JS_PORTS.cluster}`,
    );
}

/** The route URLs with the route credential, as routes.conf lists them. */
export function routeUrls(svc: ResolvedJetStreamService, namespace: string, routePassword: string): string[] {
    if (!CREDENTIAL_ALPHABET.test(routePassword)) throw new Error("the route password has characters outside [A-Za-z0-9]");
    return routeHosts(svc, namespace).map((h) => `nats://${ROUTE_USER}:${routePassword}@${h}`);
}

/** Renders routes.conf (for a clustered service only). */
export function renderRoutesConf(svc: ResolvedJetStreamService, namespace: string, routePassword: string): string {
    if (svc.jetstream.replicas <= 1) throw new Error("routes.conf is rendered for clustered services only");
    return [
        "# Route credential and routes of the ISB service, rendered by isbsvc. Edits are overwritten.",
        "authorization {",
        `  user: ${natsString(ROUTE_USER)}`,
        `  password: ${natsString(routePassword)}`,
        "}",
        "routes: [",
        ...routeUrls(svc, namespace, routePassword).map((r) => `  ${natsString(r)}`),
        "]",
        "",
    ].join("\n");
}
