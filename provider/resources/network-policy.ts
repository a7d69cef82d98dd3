/** The NetworkPolicy child of a JetStream or native Redis ISB service (render/network-policy.ts). */
import * as k8s from "@pulumi/kubernetes";
import { ResolvedService } from "../args/resolve";
import { renderNetworkPolicy } from "../render/network-policy";
import { ChildOptions } from "./child-options";
import { objectArgs } from "./k8s-object";

/** Creates `<name>-js-network-policy` / `<name>-redis-network-policy` when the spec asks for one. */
export function createNetworkPolicy(svc: ResolvedService, child: ChildOptions): k8s.networking.v1.NetworkPolicy | undefined {
    if (renderNetworkPolicy(svc, "isbsvc-probe") === undefined) return undefined;
    const role = svc.type === "jetstream" ? "js" : "redis";
    return new k8s.networking.v1.NetworkPolicy(
        `${svc.name}-${role}-network-policy`,
        objectArgs(svc.namespace, (ns) => renderNetworkPolicy(svc, ns)!),
        child,
    );
}
