/**
 * The same rules applied to a rendered pod template (a StatefulSet's `spec.template`), with
 * Kubernetes field paths: kubernetes/kubernetes pkg/apis/core/validation/validation.go
 * ValidatePodTemplateSpec → ValidatePodSpec, including what only the component writes: container
 * names (validateContainerCommon: DNS-1123 labels, unique), images, ports (validateContainerPorts:
 * IsValidPortName, unique names, IsValidPortNum, protocol TCP/UDP/SCTP), probe handlers
 * (validateHandler: exactly one of exec/httpGet/tcpSocket/grpc; validateExecAction,
 * validateHTTPGetAction, validateTCPSocketAction, validateGRPCAction via ValidatePortNumOrName),
 * volumes (ValidateVolumes: DNS-1123 label names, unique; validateVolumeSource: exactly one
 * source) and volume mounts (ValidateVolumeMounts: a known volume, a unique mount path,
 * validateLocalDescendingPath for subPath). Values the apiserver defaults first (dnsPolicy,
 * imagePullPolicy, port protocol, probe timings, httpGet scheme) are taken as defaulted.
 */
import { at } from "../errors";
import { validateAffinity, validateTolerations } from "./scheduling";
import { validateContainerSecurityContext, validatePodSecurityContext } from "./security";
import { arrayAt, asObject, Issue, Issues, objectAt, show, stringAt, stringMapAt, stringsAt } from "./issues";
import { isDNS1123Label, isValidPortName, isValidPortNum, validateAnnotations, validateLabels } from "./names";
import { validatePodTemplate } from "./pod";
import { validateContainerTemplate } from "./container";
import { ResolvedContainerTemplate, ResolvedPodTemplate } from "../workload";

type Data = Record<string, unknown>;

const VOLUME_SOURCES = [
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
];

/** ValidatePortNumOrName. */
function portNumOrName(v: unknown, path: string, issues: Issues): void {
    if (typeof v === "number") for (const m of isValidPortNum(v)) issues.add(path, `${m}, got ${v}`);
    else if (typeof v === "string") for (const m of isValidPortName(v)) issues.add(path, `port name ${show(v)} ${m}`);
    else issues.add(path, "must be a port number or name");
}

/** validateProbe's handler (validateHandler) and timing, validateLivenessProbe / validateReadinessProbe. */
function probe(p: Data, path: string, kind: "liveness" | "readiness" | "startup", issues: Issues): void {
    const handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter((h) => p[h] !== undefined && p[h] !== null);
    if (handlers.length === 0) issues.add(path, "must specify a handler type");
    if (handlers.length > 1) issues.add(at(path, handlers[1]), "may not specify more than 1 handler type");
    const exec = objectAt(p, "exec", path, issues);
    if (exec && (stringsAt(exec, "command", at(path, "exec"), issues) ?? []).length === 0)
        issues.add(at(at(path, "exec"), "command"), "is required");
    const http = objectAt(p, "httpGet", path, issues);
    if (http) {
        const hp = at(path, "httpGet");
        if (!stringAt(http, "path", hp, issues)) issues.add(at(hp, "path"), "is required");
        portNumOrName(http.port, at(hp, "port"), issues);
        const scheme = stringAt(http, "scheme", hp, issues) || "HTTP";
        if (scheme !== "HTTP" && scheme !== "HTTPS") issues.add(at(hp, "scheme"), `must be HTTP or HTTPS, got ${show(scheme)}`);
    }
    const tcp = objectAt(p, "tcpSocket", path, issues);
    if (tcp) portNumOrName(tcp.port, at(at(path, "tcpSocket"), "port"), issues);
    const grpc = objectAt(p, "grpc", path, issues);
    if (grpc) portNumOrName(grpc.port, at(at(path, "grpc"), "port"), issues);
    for (const f of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"]) {
        const v = p[f];
        if (typeof v === "number" && v < 0) issues.add(at(path, f), `must be greater than or equal to 0, got ${v}`);
    }
    if (kind !== "readiness" && typeof p.successThreshold === "number" && p.successThreshold > 1)
        issues.add(at(path, "successThreshold"), "must be 1");
    if (kind === "readiness" && p.terminationGracePeriodSeconds !== undefined)
        issues.add(at(path, "terminationGracePeriodSeconds"), "must not be set for readinessProbes");
}

function container(c: Data, path: string, volumes: Set<string>, issues: Issues): void {
    const name = stringAt(c, "name", path, issues) ?? "";
    if (name === "") issues.add(at(path, "name"), "is required");
    else for (const m of isDNS1123Label(name)) issues.add(at(path, "name"), `${show(name)} ${m}`);
    if (!stringAt(c, "image", path, issues)) issues.add(at(path, "image"), "is required");
    const portNames = new Set<string>();
    (arrayAt(c, "ports", path, issues) ?? []).forEach((item, i) => {
        const pp = at(at(path, "ports"), i);
        const port = asObject(item, pp, issues);
        if (port === undefined) return;
        const pn = stringAt(port, "name", pp, issues);
        if (pn) {
            const errs = isValidPortName(pn);
            for (const m of errs) issues.add(at(pp, "name"), `${show(pn)} ${m}`);
            if (errs.length === 0 && portNames.has(pn)) issues.add(at(pp, "name"), `${show(pn)} is used twice`);
            portNames.add(pn);
        }
        const cp = port.containerPort;
        if (typeof cp !== "number") issues.add(at(pp, "containerPort"), "is required");
        else for (const m of isValidPortNum(cp)) issues.add(at(pp, "containerPort"), `${m}, got ${cp}`);
        const protocol = stringAt(port, "protocol", pp, issues) || "TCP";
        if (!["TCP", "UDP", "SCTP"].includes(protocol)) issues.add(at(pp, "protocol"), `must be TCP, UDP or SCTP, got ${show(protocol)}`);
    });
    const mountPaths = new Set<string>();
    (arrayAt(c, "volumeMounts", path, issues) ?? []).forEach((item, i) => {
        const mp = at(at(path, "volumeMounts"), i);
        const m = asObject(item, mp, issues);
        if (m === undefined) return;
        const vn = stringAt(m, "name", mp, issues) ?? "";
        if (!volumes.has(vn)) issues.add(at(mp, "name"), `${show(vn)} is not a volume of the pod`);
        const mountPath = stringAt(m, "mountPath", mp, issues) ?? "";
        if (mountPath === "") issues.add(at(mp, "mountPath"), "is required");
        if (mountPaths.has(mountPath)) issues.add(at(mp, "mountPath"), `${show(mountPath)} must be unique`);
        mountPaths.add(mountPath);
        const sub = stringAt(m, "subPath", mp, issues);
        if (sub && (sub.startsWith("/") || sub.split(/[\\/]/).includes("..")))
            issues.add(at(mp, "subPath"), `must be a relative path without '..', got ${show(sub)}`);
    });
    for (const kind of ["liveness", "readiness", "startup"] as const) {
        const p = objectAt(c, `${kind}Probe`, path, issues);
        if (p) probe(p, at(path, `${kind}Probe`), kind, issues);
    }
    // env, envFrom, resources, securityContext, imagePullPolicy: the template rules, on the rendered values.
    const tpl: ResolvedContainerTemplate = {
        env: ((arrayAt(c, "env", path, issues) ?? []) as ResolvedContainerTemplate["env"]).filter((e) => e && typeof e === "object"),
        envFrom: ((arrayAt(c, "envFrom", path, issues) ?? []) as Data[]).filter((e) => e && typeof e === "object"),
        imagePullPolicy: stringAt(c, "imagePullPolicy", path, issues),
        resources: objectAt(c, "resources", path, issues) as ResolvedContainerTemplate["resources"],
    };
    validateContainerTemplate(tpl, path, issues);
    const sc = objectAt(c, "securityContext", path, issues);
    if (sc) validateContainerSecurityContext(sc, at(path, "securityContext"), issues);
    const names = new Set<string>();
    tpl.env.forEach((e, i) => {
        if (names.has(e.name))
            issues.add(at(at(at(path, "env"), i), "name"), `${show(e.name)} is listed twice (env is a list keyed by name)`);
        names.add(e.name);
    });
}

/**
 * Problems of a rendered pod template, as the pods the StatefulSet controller creates from it are
 * validated (ValidatePodCreate); `claimTemplates` are the StatefulSet's volumeClaimTemplates names,
 * which the controller adds to each pod as volumes; `path` is e.g. `spec.template`.
 */
export function renderedPodTemplateIssues(template: Data, claimTemplates: readonly string[] = [], path = "spec.template"): Issue[] {
    const issues = new Issues();
    const meta = objectAt(template, "metadata", path, issues) ?? {};
    const spec = objectAt(template, "spec", path, issues) ?? {};
    const sp = at(path, "spec");
    const containers = (arrayAt(spec, "containers", sp, issues) ?? []) as Data[];
    if (containers.length === 0) issues.add(at(sp, "containers"), "is required");
    const names = containers.map((c) => (typeof c?.name === "string" ? c.name : ""));
    const pod: ResolvedPodTemplate = {
        labels: stringMapAt(meta, "labels", at(path, "metadata"), issues) ?? {},
        annotations: stringMapAt(meta, "annotations", at(path, "metadata"), issues) ?? {},
        nodeSelector: stringMapAt(spec, "nodeSelector", sp, issues),
        imagePullSecrets: spec.imagePullSecrets as ResolvedPodTemplate["imagePullSecrets"],
        priorityClassName: stringAt(spec, "priorityClassName", sp, issues),
        serviceAccountName: stringAt(spec, "serviceAccountName", sp, issues),
        runtimeClassName: stringAt(spec, "runtimeClassName", sp, issues),
        automountServiceAccountToken: false,
        dnsPolicy: stringAt(spec, "dnsPolicy", sp, issues),
        dnsConfig: objectAt(spec, "dnsConfig", sp, issues),
        resourceClaims: spec.resourceClaims as Data[] | undefined,
    };
    // Labels, annotations and the names: with the template's paths (metadata under `path`, the rest under spec).
    validateLabels(pod.labels, at(at(path, "metadata"), "labels"), issues);
    validateAnnotations(pod.annotations, at(at(path, "metadata"), "annotations"), issues);
    validatePodTemplate({ ...pod, labels: {}, annotations: {} }, names, sp, issues);
    const tolerations = arrayAt(spec, "tolerations", sp, issues);
    if (tolerations) validateTolerations(tolerations, at(sp, "tolerations"), issues);
    const affinity = objectAt(spec, "affinity", sp, issues);
    if (affinity) validateAffinity(affinity, at(sp, "affinity"), issues);
    const sc = objectAt(spec, "securityContext", sp, issues);
    if (sc) validatePodSecurityContext(sc, at(sp, "securityContext"), issues);
    const volumes = new Set<string>(claimTemplates);
    (arrayAt(spec, "volumes", sp, issues) ?? []).forEach((item, i) => {
        const vp = at(at(sp, "volumes"), i);
        const v = asObject(item, vp, issues);
        if (v === undefined) return;
        const name = stringAt(v, "name", vp, issues) ?? "";
        for (const m of isDNS1123Label(name)) issues.add(at(vp, "name"), `${show(name)} ${m}`);
        if (volumes.has(name)) issues.add(at(vp, "name"), `${show(name)} is used twice`);
        volumes.add(name);
        const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
        if (sources.length !== 1) issues.add(vp, `must specify exactly one volume type, got ${sources.length}`);
    });
    const seen = new Set<string>();
    for (const list of ["initContainers", "containers"]) {
        ((arrayAt(spec, list, sp, issues) ?? []) as unknown[]).forEach((item, i) => {
            const cp = at(at(sp, list), i);
            const c = asObject(item, cp, issues);
            if (c === undefined) return;
            if (typeof c.name === "string" && seen.has(c.name)) issues.add(at(cp, "name"), `${show(c.name)} is used by another container`);
            if (typeof c.name === "string") seen.add(c.name);
            container(c, cp, volumes, issues);
        });
    }
    return issues.list;
}
