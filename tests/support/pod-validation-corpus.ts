/**
 * The pass-through validation corpus (provider/args/pod-validation): invalid inputs, each with the
 * field our validator must name, and valid real-world inputs it must accept. Used by
 * tests/unit/pod-validation.test.ts (our validator) and tests/engine/pod-validation.test.ts (the
 * same inputs rendered and dry-run created on a real API server: both must agree).
 */

const JS = { version: "2.10.29" };
export const js = (extra: Record<string, unknown>): any => ({ namespace: "pipelines", jetstream: { ...JS, ...extra } });
export const rn = (extra: Record<string, unknown>): any => ({ namespace: "pipelines", redis: { native: { version: "7.0.15", ...extra } } });
export const ct = (tpl: Record<string, unknown>): any => js({ containerTemplate: tpl });
const env = (valueFrom: Record<string, unknown>): any => ct({ env: [{ name: "X", valueFrom }] });
const aa = (term: Record<string, unknown>): any =>
    js({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } });
const na = (expr: Record<string, unknown>): any =>
    js({
        affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr] }] } },
        },
    });
const NA_EXPR = "jetstream.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]";
export const AA_TERM = "jetstream.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]";
const TERM = { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "isb" } } };

export interface Case {
    title: string;
    args: any;
    field: string;
    message: RegExp;
}

export const INVALID: Case[] = [
    // The nine examples.
    {
        title: "toleration with operator Exists and a value",
        args: js({ tolerations: [{ key: "dedicated", operator: "Exists", value: "isb" }] }),
        field: "jetstream.tolerations[0].value",
        message: /must be empty when "operator" is Exists/,
    },
    {
        title: "label value longer than 63",
        args: js({ metadata: { labels: { team: "a".repeat(64) } } }),
        field: "jetstream.metadata.labels.team",
        message: /no more than 63/,
    },
    {
        title: "annotation key with a space",
        args: js({ metadata: { annotations: { "bad key": "x" } } }),
        field: "jetstream.metadata.annotations.bad key",
        message: /name part must consist/,
    },
    {
        title: "requests above limits",
        args: ct({ resources: { requests: { memory: "2Gi" }, limits: { memory: "1Gi" } } }),
        field: "jetstream.containerTemplate.resources.requests.memory",
        message: /less than or equal to the memory limit/,
    },
    {
        title: "priorityClassName not a DNS-1123 subdomain",
        args: js({ priorityClassName: "High_Priority" }),
        field: "jetstream.priorityClassName",
        message: /DNS-1123 subdomain/,
    },
    {
        title: "affinity term without topologyKey",
        args: aa({ labelSelector: { matchLabels: { app: "isb" } } }),
        field: `${AA_TERM}.topologyKey`,
        message: /required/,
    },
    {
        title: "dnsPolicy None without dnsConfig",
        args: js({ dnsPolicy: "None" }),
        field: "jetstream.dnsConfig",
        message: /required when "dnsPolicy" is None/,
    },
    {
        title: "env valueFrom with two sources",
        args: env({ secretKeyRef: { name: "s", key: "k" }, configMapKeyRef: { name: "c", key: "k" } }),
        field: "jetstream.containerTemplate.env[0].valueFrom",
        message: /more than one source/,
    },
    {
        title: "liveness probe successThreshold other than 1",
        args: ct({ livenessProbe: { successThreshold: 2 } }),
        field: "jetstream.containerTemplate.livenessProbe.successThreshold",
        message: /must be 1/,
    },
    // Tolerations (ValidateTolerations).
    {
        title: "toleration operator not Equal/Exists",
        args: js({ tolerations: [{ key: "k", operator: "In" }] }),
        field: "jetstream.tolerations[0].operator",
        message: /Equal or Exists/,
    },
    {
        title: "toleration without key and operator Equal",
        args: js({ tolerations: [{ operator: "Equal", value: "v" }] }),
        field: "jetstream.tolerations[0].operator",
        message: /must be Exists when "key" is empty/,
    },
    {
        title: "tolerationSeconds without NoExecute",
        args: js({ tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 30 }] }),
        field: "jetstream.tolerations[0].effect",
        message: /NoExecute/,
    },
    {
        title: "toleration effect unknown",
        args: js({ tolerations: [{ key: "k", operator: "Exists", effect: "NoRun" }] }),
        field: "jetstream.tolerations[0].effect",
        message: /one of NoSchedule/,
    },
    {
        title: "toleration key not a qualified name",
        args: js({ tolerations: [{ key: "bad key", operator: "Exists" }] }),
        field: "jetstream.tolerations[0].key",
        message: /name part/,
    },
    {
        title: "toleration value not a label value",
        args: js({ tolerations: [{ key: "k", value: "a b" }] }),
        field: "jetstream.tolerations[0].value",
        message: /alphanumeric/,
    },
    {
        title: "toleration of the wrong type",
        args: js({ tolerations: [{ key: "k", operator: "Exists", tolerationSeconds: "30" }] }),
        field: "jetstream.tolerations[0].tolerationSeconds",
        message: /integer/,
    },
    // Labels and annotations (ValidateLabels, ValidateAnnotations, ValidatePodSpecificAnnotations).
    {
        title: "label key starting with '-'",
        args: js({ metadata: { labels: { "-team": "a" } } }),
        field: "jetstream.metadata.labels.-team",
        message: /name part/,
    },
    {
        title: "label key with an upper-case prefix",
        args: js({ metadata: { labels: { "Example.com/team": "a" } } }),
        field: "jetstream.metadata.labels.Example.com/team",
        message: /prefix part/,
    },
    {
        title: "label key with two slashes",
        args: js({ metadata: { labels: { "a/b/c": "x" } } }),
        field: "jetstream.metadata.labels.a/b/c",
        message: /qualified name/,
    },
    {
        title: "label value with a space",
        args: js({ metadata: { labels: { team: "a b" } } }),
        field: "jetstream.metadata.labels.team",
        message: /alphanumeric/,
    },
    {
        title: "annotations over 256 KiB",
        args: js({ metadata: { annotations: { a: "x".repeat(200 * 1024), b: "y".repeat(60 * 1024) } } }),
        field: "jetstream.metadata.annotations",
        message: /256 KiB/,
    },
    {
        title: "annotation key name longer than 63",
        args: js({ metadata: { annotations: { ["k".repeat(64)]: "x" } } }),
        field: `jetstream.metadata.annotations.${"k".repeat(64)}`,
        message: /no more than 63/,
    },
    {
        title: "pod-deletion-cost with '+'",
        args: js({ metadata: { annotations: { "controller.kubernetes.io/pod-deletion-cost": "+10" } } }),
        field: "jetstream.metadata.annotations.controller.kubernetes.io/pod-deletion-cost",
        message: /32-bit integer/,
    },
    {
        title: "pod-deletion-cost beyond int32",
        args: js({ metadata: { annotations: { "controller.kubernetes.io/pod-deletion-cost": "3000000000" } } }),
        field: "jetstream.metadata.annotations.controller.kubernetes.io/pod-deletion-cost",
        message: /32-bit integer/,
    },
    {
        title: "mirror-pod annotation",
        args: js({ metadata: { annotations: { "kubernetes.io/config.mirror": "x" } } }),
        field: "jetstream.metadata.annotations.kubernetes.io/config.mirror",
        message: /nodeName/,
    },
    {
        title: "seccomp annotation with an unknown profile",
        args: js({ metadata: { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "custom" } } }),
        field: "jetstream.metadata.annotations.seccomp.security.alpha.kubernetes.io/pod",
        message: /seccomp profile/,
    },
    {
        title: "AppArmor annotation for a container the pod lacks",
        args: js({ metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/nginx": "runtime/default" } } }),
        field: "jetstream.metadata.annotations.container.apparmor.security.beta.kubernetes.io/nginx",
        message: /does not have/,
    },
    {
        title: "tolerations annotation with Exists and a value",
        args: js({
            metadata: { annotations: { "scheduler.alpha.kubernetes.io/tolerations": '[{"key":"k","operator":"Exists","value":"v"}]' } },
        }),
        field: "jetstream.metadata.annotations.scheduler.alpha.kubernetes.io/tolerations[0].value",
        message: /must be empty/,
    },
    // Node selector and affinity.
    {
        title: "nodeSelector value with a space",
        args: js({ nodeSelector: { disk: "fast ssd" } }),
        field: "jetstream.nodeSelector.disk",
        message: /alphanumeric/,
    },
    {
        title: "nodeSelector key not a qualified name",
        args: js({ nodeSelector: { "bad key": "x" } }),
        field: "jetstream.nodeSelector.bad key",
        message: /name part/,
    },
    {
        title: "required node affinity without terms",
        args: js({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }),
        field: "jetstream.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
        message: /at least one/,
    },
    {
        title: "node affinity In without values",
        args: na({ key: "zone", operator: "In" }),
        field: `${NA_EXPR}.values`,
        message: /must be specified/,
    },
    {
        title: "node affinity Exists with values",
        args: na({ key: "zone", operator: "Exists", values: ["a"] }),
        field: `${NA_EXPR}.values`,
        message: /may not be specified/,
    },
    {
        title: "node affinity Gt with two values",
        args: na({ key: "cores", operator: "Gt", values: ["1", "2"] }),
        field: `${NA_EXPR}.values`,
        message: /single value/,
    },
    {
        title: "node affinity unknown operator",
        args: na({ key: "zone", operator: "Equals", values: ["a"] }),
        field: `${NA_EXPR}.operator`,
        message: /In, NotIn, Exists, DoesNotExist, Gt or Lt/,
    },
    {
        title: "required node affinity with a bad value",
        args: na({ key: "zone", operator: "In", values: ["a b"] }),
        field: `${NA_EXPR}.values[0]`,
        message: /alphanumeric/,
    },
    {
        title: "node affinity key not a qualified name",
        args: na({ key: "a b", operator: "Exists" }),
        field: `${NA_EXPR}.key`,
        message: /name part/,
    },
    {
        title: "node field selector on a field other than metadata.name",
        args: js({
            affinity: {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchFields: [{ key: "spec.unschedulable", operator: "In", values: ["x"] }] }],
                    },
                },
            },
        }),
        field: "jetstream.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key",
        message: /metadata\.name/,
    },
    {
        title: "preferred node affinity weight 0",
        args: js({
            affinity: {
                nodeAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                        { weight: 0, preference: { matchExpressions: [{ key: "z", operator: "Exists" }] } },
                    ],
                },
            },
        }),
        field: "jetstream.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
        message: /1-100/,
    },
    {
        title: "preferred pod affinity weight 101",
        args: js({
            affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, podAffinityTerm: TERM }] } },
        }),
        field: "jetstream.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
        message: /1-100/,
    },
    {
        title: "pod affinity selector In without values",
        args: aa({ topologyKey: "zone", labelSelector: { matchExpressions: [{ key: "app", operator: "In" }] } }),
        field: `${AA_TERM}.labelSelector.matchExpressions[0].values`,
        message: /must be specified/,
    },
    {
        title: "pod affinity selector with an unknown operator",
        args: aa({ topologyKey: "zone", labelSelector: { matchExpressions: [{ key: "app", operator: "Gt", values: ["1"] }] } }),
        field: `${AA_TERM}.labelSelector.matchExpressions[0].operator`,
        message: /In, NotIn, Exists or DoesNotExist/,
    },
    {
        title: "pod affinity namespace not a DNS label",
        args: aa({ ...TERM, namespaces: ["Team_A"] }),
        field: `${AA_TERM}.namespaces[0]`,
        message: /DNS-1123 label/,
    },
    {
        title: "matchLabelKeys without labelSelector",
        args: aa({ topologyKey: "zone", matchLabelKeys: ["app"] }),
        field: `${AA_TERM}.matchLabelKeys`,
        message: /labelSelector is not set/,
    },
    {
        title: "a key in matchLabelKeys and mismatchLabelKeys",
        args: aa({ ...TERM, matchLabelKeys: ["pod-template-hash"], mismatchLabelKeys: ["pod-template-hash"] }),
        field: `${AA_TERM}.matchLabelKeys[0]`,
        message: /both matchLabelKeys and mismatchLabelKeys/,
    },
    {
        title: "topologyKey not a qualified name",
        args: aa({ ...TERM, topologyKey: "bad key" }),
        field: `${AA_TERM}.topologyKey`,
        message: /name part/,
    },
    // Resources (validateResourceRequirements).
    {
        title: "quantity that does not parse",
        args: ct({ resources: { limits: { cpu: "two" } } }),
        field: "jetstream.containerTemplate.resources.limits.cpu",
        message: /quantity/,
    },
    {
        title: "quantity with an unknown suffix",
        args: ct({ resources: { limits: { memory: "1GB" } } }),
        field: "jetstream.containerTemplate.resources.limits.memory",
        message: /quantity/,
    },
    {
        title: "negative quantity",
        args: ct({ resources: { requests: { cpu: "-1" } } }),
        field: "jetstream.containerTemplate.resources.requests.cpu",
        message: /greater than or equal to 0/,
    },
    {
        title: "resource name not standard",
        args: ct({ resources: { limits: { gpu: "1" } } }),
        field: "jetstream.containerTemplate.resources.limits.gpu",
        message: /standard resource for containers/,
    },
    {
        title: "resource name requests.cpu",
        args: ct({ resources: { limits: { "requests.cpu": "1" } } }),
        field: "jetstream.containerTemplate.resources.limits.requests.cpu",
        message: /standard resource for containers/,
    },
    {
        title: "extended resource not an integer",
        args: ct({ resources: { limits: { "example.com/gpu": "0.5" } } }),
        field: "jetstream.containerTemplate.resources.limits.example.com/gpu",
        message: /integer/,
    },
    {
        title: "extended resource request different from its limit",
        args: ct({ resources: { requests: { "example.com/gpu": "1" }, limits: { "example.com/gpu": "2" } } }),
        field: "jetstream.containerTemplate.resources.requests.example.com/gpu",
        message: /must be equal/,
    },
    {
        title: "extended resource request without a limit",
        args: ct({ resources: { requests: { "example.com/gpu": "1" } } }),
        field: "jetstream.containerTemplate.resources.limits.example.com/gpu",
        message: /is required/,
    },
    {
        title: "extended resource named requests.*",
        args: ct({ resources: { limits: { "requests.example.com/gpu": "1" } } }),
        field: "jetstream.containerTemplate.resources.limits.requests.example.com/gpu",
        message: /extended resource/,
    },
    {
        title: "hugepages not a multiple of the page size",
        args: ct({ resources: { limits: { "hugepages-2Mi": "3Mi", memory: "1Gi" }, requests: { "hugepages-2Mi": "3Mi" } } }),
        field: "jetstream.containerTemplate.resources.limits.hugepages-2Mi",
        message: /multiple of the page size/,
    },
    {
        title: "cpu request above limit (milli)",
        args: ct({ resources: { requests: { cpu: "1500m" }, limits: { cpu: "1" } } }),
        field: "jetstream.containerTemplate.resources.requests.cpu",
        message: /less than or equal/,
    },
    // Names.
    {
        title: "serviceAccountName upper case",
        args: js({ serviceAccountName: "IsbSA" }),
        field: "jetstream.serviceAccountName",
        message: /DNS-1123 subdomain/,
    },
    {
        title: "runtimeClassName empty",
        args: js({ runtimeClassName: "" }),
        field: "jetstream.runtimeClassName",
        message: /DNS-1123 subdomain/,
    },
    {
        title: "runtimeClassName upper case",
        args: js({ runtimeClassName: "gVisor" }),
        field: "jetstream.runtimeClassName",
        message: /DNS-1123 subdomain/,
    },
    // DNS (validateDNSPolicy, validatePodDNSConfig).
    {
        title: "dnsPolicy unknown",
        args: js({ dnsPolicy: "Cluster" }),
        field: "jetstream.dnsPolicy",
        message: /one of ClusterFirstWithHostNet/,
    },
    {
        title: "dnsPolicy None with no nameserver",
        args: js({ dnsPolicy: "None", dnsConfig: { searches: ["a.b"] } }),
        field: "jetstream.dnsConfig.nameservers",
        message: /at least one/,
    },
    {
        title: "nameserver not an IP",
        args: js({ dnsConfig: { nameservers: ["300.1.1.1"] } }),
        field: "jetstream.dnsConfig.nameservers[0]",
        message: /valid IP/,
    },
    {
        title: "four nameservers",
        args: js({ dnsConfig: { nameservers: ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"] } }),
        field: "jetstream.dnsConfig.nameservers",
        message: /more than 3/,
    },
    {
        title: "search domain not a subdomain",
        args: js({ dnsConfig: { searches: ["bad domain"] } }),
        field: "jetstream.dnsConfig.searches[0]",
        message: /DNS-1123 subdomain/,
    },
    {
        title: "33 search domains",
        args: js({ dnsConfig: { searches: Array.from({ length: 33 }, (_, i) => `d${i}.example.com`) } }),
        field: "jetstream.dnsConfig.searches",
        message: /more than 32/,
    },
    {
        title: "DNS option without a name",
        args: js({ dnsConfig: { options: [{ value: "2" }] } }),
        field: "jetstream.dnsConfig.options[0].name",
        message: /required/,
    },
    // Env (validateEnvVarValueFrom, ValidateEnvFrom).
    {
        title: "env valueFrom with no source",
        args: env({}),
        field: "jetstream.containerTemplate.env[0].valueFrom",
        message: /must specify one of/,
    },
    {
        title: "env fieldRef to an unsupported field",
        args: env({ fieldRef: { fieldPath: "spec.restartPolicy" } }),
        field: "jetstream.containerTemplate.env[0].valueFrom.fieldRef.fieldPath",
        message: /must be one of metadata.name/,
    },
    {
        title: "env fieldRef with apiVersion v2",
        args: env({ fieldRef: { apiVersion: "v2", fieldPath: "metadata.name" } }),
        field: "jetstream.containerTemplate.env[0].valueFrom.fieldRef.apiVersion",
        message: /must be v1/,
    },
    {
        title: "env fieldRef to a label with a bad key",
        args: env({ fieldRef: { fieldPath: "metadata.labels['bad key']" } }),
        field: "jetstream.containerTemplate.env[0].valueFrom.fieldRef.fieldPath",
        message: /name part/,
    },
    {
        title: "env resourceFieldRef to an unknown resource",
        args: env({ resourceFieldRef: { resource: "limits.gpu" } }),
        field: "jetstream.containerTemplate.env[0].valueFrom.resourceFieldRef.resource",
        message: /must be one of limits.cpu/,
    },
    {
        title: "env resourceFieldRef cpu divisor 2",
        args: env({ resourceFieldRef: { resource: "limits.cpu", divisor: "2" } }),
        field: "jetstream.containerTemplate.env[0].valueFrom.resourceFieldRef.divisor",
        message: /1m, 1/,
    },
    {
        title: "env secretKeyRef with a bad secret name",
        args: env({ secretKeyRef: { name: "My_Secret", key: "k" } }),
        field: "jetstream.containerTemplate.env[0].valueFrom.secretKeyRef.name",
        message: /DNS-1123 subdomain/,
    },
    {
        title: "env secretKeyRef without key",
        args: env({ secretKeyRef: { name: "s" } }),
        field: "jetstream.containerTemplate.env[0].valueFrom.secretKeyRef.key",
        message: /required/,
    },
    {
        title: "env configMapKeyRef with a bad key",
        args: env({ configMapKeyRef: { name: "c", key: "a/b" } }),
        field: "jetstream.containerTemplate.env[0].valueFrom.configMapKeyRef.key",
        message: /alphanumeric/,
    },
    {
        title: "envFrom with both sources",
        args: ct({ envFrom: [{ configMapRef: { name: "c" }, secretRef: { name: "s" } }] }),
        field: "jetstream.containerTemplate.envFrom[0]",
        message: /more than one/,
    },
    {
        title: "envFrom with no source",
        args: ct({ envFrom: [{ prefix: "P_" }] }),
        field: "jetstream.containerTemplate.envFrom[0]",
        message: /must specify one of/,
    },
    {
        title: "envFrom prefix with '='",
        args: ct({ envFrom: [{ prefix: "A=", configMapRef: { name: "c" } }] }),
        field: "jetstream.containerTemplate.envFrom[0].prefix",
        message: /other than '='/,
    },
    {
        title: "envFrom without a name",
        args: ct({ envFrom: [{ secretRef: {} }] }),
        field: "jetstream.containerTemplate.envFrom[0].secretRef.name",
        message: /required/,
    },
    // Probes (validateProbe, validateLivenessProbe).
    {
        title: "negative initialDelaySeconds",
        args: ct({ readinessProbe: { initialDelaySeconds: -5 } }),
        field: "jetstream.containerTemplate.readinessProbe.initialDelaySeconds",
        message: /greater than or equal to 0/,
    },
    {
        title: "negative failureThreshold",
        args: ct({ livenessProbe: { failureThreshold: -1 } }),
        field: "jetstream.containerTemplate.livenessProbe.failureThreshold",
        message: /greater than or equal to 0/,
    },
    // Pod security context (validatePodSpecSecurityContext).
    {
        title: "pod runAsUser negative",
        args: js({ securityContext: { runAsUser: -1 } }),
        field: "jetstream.securityContext.runAsUser",
        message: /between 0 and 2147483647/,
    },
    {
        title: "pod fsGroup beyond 2^31-1",
        args: js({ securityContext: { fsGroup: 2 ** 31 } }),
        field: "jetstream.securityContext.fsGroup",
        message: /between 0 and 2147483647/,
    },
    {
        title: "pod supplementalGroups negative",
        args: js({ securityContext: { supplementalGroups: [-5] } }),
        field: "jetstream.securityContext.supplementalGroups[0]",
        message: /between 0/,
    },
    {
        title: "sysctl name not valid",
        args: js({ securityContext: { sysctls: [{ name: "Net.Core", value: "1" }] } }),
        field: "jetstream.securityContext.sysctls[0].name",
        message: /sysctl name/,
    },
    {
        title: "sysctl named twice",
        args: js({
            securityContext: {
                sysctls: [
                    { name: "net.core.somaxconn", value: "1" },
                    { name: "net.core.somaxconn", value: "2" },
                ],
            },
        }),
        field: "jetstream.securityContext.sysctls[1].name",
        message: /second time/,
    },
    {
        title: "fsGroupChangePolicy unknown",
        args: js({ securityContext: { fsGroupChangePolicy: "Sometimes" } }),
        field: "jetstream.securityContext.fsGroupChangePolicy",
        message: /OnRootMismatch, Always/,
    },
    {
        title: "seccomp type unknown",
        args: js({ securityContext: { seccompProfile: { type: "Bogus" } } }),
        field: "jetstream.securityContext.seccompProfile.type",
        message: /Localhost, RuntimeDefault, Unconfined/,
    },
    {
        title: "seccomp type missing",
        args: js({ securityContext: { seccompProfile: {} } }),
        field: "jetstream.securityContext.seccompProfile.type",
        message: /required/,
    },
    {
        title: "seccomp Localhost without profile",
        args: js({ securityContext: { seccompProfile: { type: "Localhost" } } }),
        field: "jetstream.securityContext.seccompProfile.localhostProfile",
        message: /must be set/,
    },
    {
        title: "seccomp RuntimeDefault with a localhost profile",
        args: js({ securityContext: { seccompProfile: { type: "RuntimeDefault", localhostProfile: "p.json" } } }),
        field: "jetstream.securityContext.seccompProfile.localhostProfile",
        message: /only be set when seccomp type is Localhost/,
    },
    {
        title: "appArmorProfile without type",
        args: js({ securityContext: { appArmorProfile: {} } }),
        field: "jetstream.securityContext.appArmorProfile.type",
        message: /required/,
    },
    {
        title: "supplementalGroupsPolicy unknown",
        args: js({ securityContext: { supplementalGroupsPolicy: "Loose" } }),
        field: "jetstream.securityContext.supplementalGroupsPolicy",
        message: /Merge, Strict/,
    },
    {
        title: "seLinuxChangePolicy unknown",
        args: js({ securityContext: { seLinuxChangePolicy: "Never" } }),
        field: "jetstream.securityContext.seLinuxChangePolicy",
        message: /Recursive, MountOption/,
    },
    // Container security context (ValidateSecurityContext, merged over the component's hardening).
    {
        title: "privileged with the default allowPrivilegeEscalation false",
        args: ct({ securityContext: { privileged: true } }),
        field: "jetstream.containerTemplate.securityContext.allowPrivilegeEscalation",
        message: /privileged/,
    },
    {
        title: "CAP_SYS_ADMIN with allowPrivilegeEscalation false",
        args: ct({ securityContext: { capabilities: { add: ["CAP_SYS_ADMIN"] } } }),
        field: "jetstream.containerTemplate.securityContext.allowPrivilegeEscalation",
        message: /CAP_SYS_ADMIN/,
    },
    {
        title: "procMount Unmasked (needs hostUsers false)",
        args: ct({ securityContext: { procMount: "Unmasked" } }),
        field: "jetstream.containerTemplate.securityContext.procMount",
        message: /hostUsers/,
    },
    {
        title: "procMount unknown",
        args: ct({ securityContext: { procMount: "Masked" } }),
        field: "jetstream.containerTemplate.securityContext.procMount",
        message: /Default, Unmasked/,
    },
    {
        title: "container runAsGroup negative",
        args: ct({ securityContext: { runAsGroup: -1 } }),
        field: "jetstream.containerTemplate.securityContext.runAsGroup",
        message: /between 0/,
    },
    {
        title: "container seccomp profile with '..'",
        args: ct({ securityContext: { seccompProfile: { type: "Localhost", localhostProfile: "../etc/p.json" } } }),
        field: "jetstream.containerTemplate.securityContext.seccompProfile.localhostProfile",
        message: /'\.\.'/,
    },
    // Resource claims (validatePodResourceClaims).
    {
        title: "resource claim with neither source",
        args: js({ resourceClaims: [{ name: "gpu" }] }),
        field: "jetstream.resourceClaims[0]",
        message: /must set one of/,
    },
    {
        title: "resource claim with both sources",
        args: js({ resourceClaims: [{ name: "gpu", resourceClaimName: "a", resourceClaimTemplateName: "b" }] }),
        field: "jetstream.resourceClaims[0]",
        message: /at most one/,
    },
    {
        title: "resource claim name not a DNS label",
        args: js({ resourceClaims: [{ name: "GPU", resourceClaimName: "a" }] }),
        field: "jetstream.resourceClaims[0].name",
        message: /DNS-1123 label/,
    },
    {
        title: "resource claim named twice",
        args: js({
            resourceClaims: [
                { name: "gpu", resourceClaimName: "a" },
                { name: "gpu", resourceClaimName: "b" },
            ],
        }),
        field: "jetstream.resourceClaims[1].name",
        message: /second time/,
    },
    // Native Redis uses the same rules under its own paths.
    {
        title: "redis toleration Exists with a value",
        args: rn({ tolerations: [{ operator: "Exists", value: "x" }] }),
        field: "redis.native.tolerations[0].value",
        message: /must be empty/,
    },
    {
        title: "sentinel liveness successThreshold 3",
        args: rn({ sentinelContainerTemplate: { livenessProbe: { successThreshold: 3 } } }),
        field: "redis.native.sentinelContainerTemplate.livenessProbe.successThreshold",
        message: /must be 1/,
    },
    {
        title: "redis metrics requests above limits",
        args: rn({ metricsContainerTemplate: { resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } } }),
        field: "redis.native.metricsContainerTemplate.resources.requests.cpu",
        message: /less than or equal/,
    },
    {
        title: "redis AppArmor annotation for main (a JetStream container)",
        args: rn({ metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/main": "runtime/default" } } }),
        field: "redis.native.metadata.annotations.container.apparmor.security.beta.kubernetes.io/main",
        message: /does not have/,
    },
];

/** Valid inputs seen in real clusters; the apiserver accepts every one, so must the component. */
export const VALID: Record<string, any> = {
    "toleration Exists with no key (tolerates every taint)": js({ tolerations: [{ operator: "Exists" }] }),
    "toleration Exists with an effect and tolerationSeconds": js({
        tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }],
    }),
    "toleration without an operator (Equal)": js({ tolerations: [{ key: "dedicated", value: "isb", effect: "NoSchedule" }] }),
    "toleration Equal with an empty value": js({ tolerations: [{ key: "dedicated", operator: "Equal", value: "" }] }),
    "resources with only limits": ct({ resources: { limits: { cpu: "1", memory: "2Gi" } } }),
    "resources with only requests": ct({ resources: { requests: { cpu: "250m", memory: "512Mi" } } }),
    "requests equal to limits in other units": ct({
        resources: { requests: { memory: "1536Mi", cpu: "0.5" }, limits: { memory: "1.5Gi", cpu: "500m" } },
    }),
    "zero and numeric quantities": ct({ resources: { requests: { cpu: "0", memory: 0 }, limits: { cpu: 2, "ephemeral-storage": "1e9" } } }),
    "extended resource in limits only": ct({ resources: { limits: { "nvidia.com/gpu": "1", cpu: "2" } } }),
    "extended resource equal in requests and limits": ct({
        resources: { limits: { "nvidia.com/gpu": 2 }, requests: { "nvidia.com/gpu": "2" } },
    }),
    "hugepages with memory": ct({
        resources: { limits: { "hugepages-2Mi": "4Mi", memory: "1Gi" }, requests: { "hugepages-2Mi": "4Mi", memory: "1Gi" } },
    }),
    "well-known labels and annotations": js({
        metadata: {
            labels: { "app.kubernetes.io/part-of": "numaflow", team: "", "Example.Team": "A_b.c-1" },
            annotations: {
                "prometheus.io/scrape": "true",
                "Example.com/Owner": "x".repeat(10_000),
                "controller.kubernetes.io/pod-deletion-cost": "-5",
            },
        },
    }),
    "seccomp and AppArmor annotations": js({
        metadata: {
            annotations: {
                "seccomp.security.alpha.kubernetes.io/pod": "runtime/default",
                "container.apparmor.security.beta.kubernetes.io/main": "localhost/nats",
                "scheduler.alpha.kubernetes.io/tolerations": '[{"operator":"Exists"}]',
            },
        },
    }),
    "node selector": js({ nodeSelector: { "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": "m5.large" } }),
    "node affinity with every operator": js({
        affinity: {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [
                        {
                            matchExpressions: [
                                { key: "topology.kubernetes.io/zone", operator: "In", values: ["eu-west-1a", "eu-west-1b"] },
                                { key: "spot", operator: "DoesNotExist" },
                                { key: "cores", operator: "Gt", values: ["4"] },
                            ],
                        },
                        { matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["node-1"] }] },
                    ],
                },
                // Preferred terms may hold values that are not label values (they can still match nothing).
                preferredDuringSchedulingIgnoredDuringExecution: [
                    { weight: 100, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["fast ssd"] }] } },
                ],
            },
        },
    }),
    "pod anti-affinity with selectors and label keys": js({
        affinity: {
            podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                        weight: 1,
                        podAffinityTerm: {
                            ...TERM,
                            namespaceSelector: {},
                            matchLabelKeys: ["pod-template-hash"],
                            mismatchLabelKeys: ["tenant"],
                        },
                    },
                ],
                requiredDuringSchedulingIgnoredDuringExecution: [
                    {
                        topologyKey: "topology.kubernetes.io/zone",
                        labelSelector: { matchExpressions: [{ key: "app", operator: "Exists" }] },
                        namespaces: ["pipelines"],
                    },
                ],
            },
        },
    }),
    names: js({
        priorityClassName: "system-cluster-critical",
        runtimeClassName: "gvisor",
        serviceAccountName: "isb-sa",
        imagePullSecrets: [{ name: "regcred" }],
    }),
    "dnsPolicy None with a full dnsConfig": js({
        dnsPolicy: "None",
        dnsConfig: {
            nameservers: ["1.1.1.1", "2001:db8::1"],
            searches: ["svc.cluster.local", "example.com.", "_srv.example.com", "."],
            options: [{ name: "ndots", value: "2" }, { name: "edns0" }],
        },
    }),
    "dnsPolicy ClusterFirstWithHostNet and an empty dnsPolicy": js({
        dnsPolicy: "ClusterFirstWithHostNet",
        dnsConfig: { options: [{ name: "ndots", value: "1" }] },
    }),
    "env from the downward API and references": ct({
        env: [
            { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "NODE", valueFrom: { fieldRef: { apiVersion: "", fieldPath: "spec.host" } } },
            { name: "APP", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels['app.kubernetes.io/name']" } } },
            { name: "OWNER", valueFrom: { fieldRef: { fieldPath: "metadata.annotations['Example.com/Owner']" } } },
            { name: "MEM_MI", valueFrom: { resourceFieldRef: { containerName: "main", resource: "limits.memory", divisor: "1Mi" } } },
            { name: "CPU_M", valueFrom: { resourceFieldRef: { resource: "requests.cpu", divisor: "1m" } } },
            { name: "TOKEN", valueFrom: { secretKeyRef: { name: "tokens", key: "api.token", optional: true } } },
            { name: "MODE", valueFrom: { configMapKeyRef: { name: "settings", key: "MODE" } } },
            // Relaxed names (RelaxedEnvironmentVariableValidation, GA in Kubernetes 1.34).
            { name: "1START.with-digit", value: "" },
        ],
        envFrom: [{ prefix: "CFG_", configMapRef: { name: "cfg" } }, { secretRef: { name: "sec", optional: true } }],
    }),
    "probe timing with zeros (defaulted) and a readiness successThreshold above 1": ct({
        livenessProbe: { successThreshold: 1, periodSeconds: 0, timeoutSeconds: 0, failureThreshold: 0 },
        readinessProbe: { successThreshold: 3, initialDelaySeconds: 0 },
    }),
    "restricted pod security context": js({
        securityContext: {
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            runAsNonRoot: true,
            supplementalGroups: [2000],
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
            appArmorProfile: { type: "Localhost", localhostProfile: "k8s-nats" },
            sysctls: [
                { name: "net.ipv4.tcp_keepalive_time", value: "60" },
                { name: "kernel/shm_rmid_forced", value: "1" },
            ],
            supplementalGroupsPolicy: "Strict",
        },
    }),
    "container security contexts": js({
        containerTemplate: {
            securityContext: {
                runAsUser: 1000,
                capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
                seccompProfile: { type: "Localhost", localhostProfile: "profiles/nats.json" },
            },
        },
        reloaderContainerTemplate: { securityContext: { privileged: true, allowPrivilegeEscalation: true } },
        metricsContainerTemplate: { securityContext: { procMount: "Default", readOnlyRootFilesystem: false } },
    }),
    "resource claims": js({
        resourceClaims: [
            { name: "gpu", resourceClaimTemplateName: "gpu-template" },
            { name: "fpga", resourceClaimName: "fpga-0" },
        ],
    }),
    "native Redis with templates": rn({
        tolerations: [{ operator: "Exists" }],
        redisContainerTemplate: { resources: { limits: { memory: "1Gi" } }, livenessProbe: { periodSeconds: 15 } },
        sentinelContainerTemplate: { readinessProbe: { successThreshold: 2 } },
        metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/sentinel": "runtime/default" } },
    }),
    // Refused by our validator until the API server (1.34.4, tests/engine/pod-validation.test.ts) accepted it.
    "hugepages in a template without cpu or memory (every container requests both by default)": ct({
        resources: { limits: { "hugepages-2Mi": "4Mi" }, requests: { "hugepages-2Mi": "4Mi" } },
    }),
    // Refused by our validator until the API server (1.34.4, tests/engine/pod-validation.test.ts) accepted it.
    "imagePullSecrets name with an underscore": js({ imagePullSecrets: [{ name: "reg_cred" }] }),
    // Refused by our validator until the API server (1.34.4, tests/engine/pod-validation.test.ts) accepted it.
    "nameserver with leading zeros (legacy IP field, not strict)": js({ dnsConfig: { nameservers: ["010.1.1.1"] } }),
    // Refused by our validator until the API server (1.34.4, tests/engine/pod-validation.test.ts) accepted it.
    "nameserver not canonical (legacy IP field, not strict)": js({ dnsConfig: { nameservers: ["2001:DB8::1"] } }),
};
