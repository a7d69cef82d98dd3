/**
 * Writes what a component rendered to a folder for review: every Kubernetes object as a YAML
 * manifest (Secret values redacted unless asked) and every ConfigMap file as it would be mounted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ChildResource } from "../sim/pods/pod-files";

const KIND_OF: Record<string, string> = {
    "kubernetes:core/v1:Secret": "Secret",
    "kubernetes:core/v1:ConfigMap": "ConfigMap",
    "kubernetes:core/v1:Service": "Service",
    "kubernetes:apps/v1:StatefulSet": "StatefulSet",
    "kubernetes:policy/v1:PodDisruptionBudget": "PodDisruptionBudget",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": "NetworkPolicy",
};

/** The manifest of a child: its inputs, with Secret data redacted unless `showSecrets`. */
export function manifest(child: ChildResource, showSecrets: boolean): Record<string, unknown> {
    const inputs = child.inputs as Record<string, any>;
    if (KIND_OF[child.type] !== "Secret" || showSecrets) return inputs;
    const redacted = Object.fromEntries(Object.keys(inputs.data ?? {}).map((k) => [k, "<redacted: run with --show-secrets>"]));
    return { ...inputs, data: redacted };
}

/** Writes `manifests/<kind>-<name>.yaml` and `config/<configmap>/<key>` under `dir`; returns the files written. */
export function writeRendered(dir: string, children: ChildResource[], showSecrets: boolean): string[] {
    const written: string[] = [];
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text, { mode: showSecrets ? 0o600 : 0o644 });
        written.push(file);
    };
    for (const child of children) {
        const kind = KIND_OF[child.type];
        if (!kind) continue;
        const inputs = child.inputs as Record<string, any>;
        const name = inputs.metadata.name as string;
        write(
            path.join(dir, "manifests", `${kind.toLowerCase()}-${name}.yaml`),
            yaml.dump(manifest(child, showSecrets), { sortKeys: false, lineWidth: -1, noRefs: true }),
        );
        if (kind === "ConfigMap") {
            for (const [key, text] of Object.entries(inputs.data as Record<string, string>))
                write(path.join(dir, "config", name, key), text);
        }
    }
    return written.sort();
}
