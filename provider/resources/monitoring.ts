/**
 * The Prometheus Operator objects of a monitored ISB service, as `kubernetes.apiextensions.CustomResource`s
 * (`<name>-js-monitor` / `-alerts`, `<name>-redis-monitor` / `-alerts`). Created only when
 * `monitoring.enabled`: without the Prometheus Operator CRDs the API server refuses these kinds.
 */
import * as k8s from "@pulumi/kubernetes";
import { ResolvedJetStreamService, ResolvedNativeRedisService } from "../args/resolve";
import { renderMonitor, renderPrometheusRule } from "../render/monitoring";
import { ChildOptions } from "./child-options";
import { objectArgs } from "./k8s-object";

export function createMonitoring(svc: ResolvedJetStreamService | ResolvedNativeRedisService, child: ChildOptions): void {
    if (!svc.monitoring) return;
    const role = svc.type === "jetstream" ? "js" : "redis";
    // The rule expressions name the namespace: with a namespace Output, `spec` follows it.
    const monitor = objectArgs(svc.namespace, (ns) => renderMonitor(svc, ns)!);
    new k8s.apiextensions.CustomResource(`${svc.name}-${role}-monitor`, monitor as k8s.apiextensions.CustomResourceArgs, child);
    const rule = objectArgs(svc.namespace, (ns) => renderPrometheusRule(svc, ns)!, ["spec"]);
    new k8s.apiextensions.CustomResource(`${svc.name}-${role}-alerts`, rule as k8s.apiextensions.CustomResourceArgs, child);
}
