/**
 * Preview-time validation of everything the component passes through to the pods, as the
 * apiserver validates them. kube-apiserver 1.34.4 refuses a StatefulSet whose template breaks these
 * rules at its creation (tests/engine/pod-validation.test.ts: 422 at the StatefulSet), so without
 * them `pulumi up` fails half-way (the pods are validated again at their creation:
 * pkg/apis/core/validation/validation.go ValidatePodCreate → ValidatePodSpec). The rules are
 * those of ValidatePodTemplateSpec / ValidatePodSpec and the functions each
 * module names. Pure functions over the resolved spec: they collect every problem (Issue: field path +
 * reason) instead of stopping at the first, and provider/args/resolve.ts throws them together as
 * one SpecError (a Pulumi InputPropertiesError).
 */
import { ResolvedContainerTemplate, ResolvedPodTemplate } from "../workload";
import { at } from "../errors";
import { validateContainerTemplate } from "./container";
import { Issue, Issues } from "./issues";
import { validatePodTemplate } from "./pod";

export type { Issue } from "./issues";

/**
 * Problems of one flavour's pass-through input: `path` is `jetstream` or `redis.native`,
 * `containerTemplates` maps each container-template field name to its resolved template, and
 * `containerNames` are the pod's container names.
 */
export function podTemplateIssues(
    podTemplate: ResolvedPodTemplate,
    containerTemplates: Record<string, ResolvedContainerTemplate>,
    containerNames: readonly string[],
    path: string,
): Issue[] {
    const issues = new Issues();
    validatePodTemplate(podTemplate, containerNames, path, issues);
    for (const [field, tpl] of Object.entries(containerTemplates)) validateContainerTemplate(tpl, at(path, field), issues);
    return issues.list;
}
