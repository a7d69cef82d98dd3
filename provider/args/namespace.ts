/**
 * The namespace of every object, decided once at construction.
 *
 * Rule (issue 10, defect 2): no child's `metadata.name` or `metadata.namespace` may depend on
 * another child's output. When `metadata` depends on a child that is replaced delete-before-replace
 * (e.g. the client Secret on a password rotation), the engine's `calculateDependentReplacements`
 * (pulumi `pkg/resource/deploy/step_generator.go`) re-diffs every dependent with that property
 * unknown, pulumi-kubernetes' `Diff` sees a changed name/namespace (force-new, `diff.go`
 * `forceNewProperties`), and the dependent — the StatefulSet included — is deleted first.
 *
 * So the namespace is: the `namespace` argument (a string, or an Output of the user's own resource);
 * else what pulumi-kubernetes' **default** provider would pick, read the same way its `Configure`
 * does (`provider/pkg/provider/provider.go` `Configure`, pulumi-kubernetes 94977969d): the
 * `kubernetes:namespace` stack config; else the namespace of the kubeconfig context — kubeconfig
 * from `kubernetes:kubeconfig` (a path or the contents, `util.go` `parseKubeconfigString`), else
 * `$KUBECONFIG` (first file that names the context), else `~/.kube/config`; context from
 * `kubernetes:context`, else `current-context` (client-go `DirectClientConfig.Namespace`); else
 * `default`. An explicit provider's configuration cannot be read at construction (its inputs are
 * Outputs resolved by the engine), so with one the argument is required.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { fail } from "./errors";
import { dns1123Label, optionalString, requiredString } from "./values";

/** Whether `opts` passes a Kubernetes provider explicitly (`provider` or `providers`). */
export function explicitKubernetesProvider(opts: pulumi.ComponentResourceOptions | undefined): boolean {
    if (!opts) return false;
    const isK8s = (p: unknown) => {
        const pkg = (p as { getPackage?: () => string })?.getPackage?.();
        return pkg === undefined || pkg === "kubernetes";
    };
    if (opts.provider !== undefined && isK8s(opts.provider)) return true;
    const providers = opts.providers;
    if (Array.isArray(providers)) return providers.some((p) => (p as { getPackage?: () => string }).getPackage?.() === "kubernetes");
    return providers !== undefined && (providers as Record<string, unknown>).kubernetes !== undefined;
}

function homeDir(): string {
    return process.env.HOME || os.homedir();
}

/** `parseKubeconfigString`: `~` expanded; an existing path is read, anything else is the contents. */
function kubeconfigText(pathOrContents: string): string {
    let p = pathOrContents;
    if (p === "~") p = homeDir();
    else if (p.startsWith("~/")) p = path.join(homeDir(), p.slice(2));
    return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : pathOrContents;
}

interface Kubeconfig {
    "current-context"?: string;
    contexts?: { name?: string; context?: { namespace?: string } }[];
}

function parseKubeconfig(text: string, source: string): Kubeconfig {
    try {
        const doc = yaml.load(text);
        return doc && typeof doc === "object" ? (doc as Kubeconfig) : {};
    } catch (e) {
        return fail("namespace", `is not set and the kubeconfig (${source}) cannot be parsed (${(e as Error).message}); set "namespace"`);
    }
}

/** The kubeconfig files the default provider reads: `kubernetes:kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`. */
function kubeconfigs(config: pulumi.Config): { text: string; source: string }[] {
    const fromConfig = config.get("kubeconfig");
    if (fromConfig) return [{ text: kubeconfigText(fromConfig), source: "kubernetes:kubeconfig" }];
    const env = process.env.KUBECONFIG;
    const files = env ? env.split(path.delimiter).filter(Boolean) : [path.join(homeDir(), ".kube", "config")];
    return files.filter((f) => fs.existsSync(f)).map((f) => ({ text: fs.readFileSync(f, "utf8"), source: f }));
}

/**
 * The namespace of the kubeconfig context the default provider uses, or undefined. client-go merges
 * `$KUBECONFIG` files with the first file winning for `current-context` and for each context name.
 */
export function kubeconfigNamespace(config: pulumi.Config = new pulumi.Config("kubernetes")): string | undefined {
    const docs = kubeconfigs(config).map((k) => parseKubeconfig(k.text, k.source));
    const context = config.get("context") || docs.map((d) => d["current-context"]).find((c) => typeof c === "string" && c !== "");
    if (!context) return undefined;
    for (const d of docs) {
        const entry = (d.contexts ?? []).find((c) => c?.name === context);
        if (entry) return entry.context?.namespace || undefined;
    }
    return undefined;
}

/** Resolves the `namespace` argument (see the module comment). */
export function resolveNamespace(raw: unknown, opts?: pulumi.ComponentResourceOptions): pulumi.Input<string> {
    if (pulumi.Output.isInstance(raw)) {
        return (raw as pulumi.Output<unknown>).apply((ns) => dns1123Label(requiredString(ns, "namespace"), "namespace"));
    }
    const explicit = optionalString(raw, "namespace");
    if (explicit !== undefined) return dns1123Label(explicit, "namespace");
    if (explicitKubernetesProvider(opts)) {
        fail(
            "namespace",
            "must be set when a Kubernetes provider is passed explicitly (opts.provider / opts.providers): the " +
                "component cannot read that provider's default namespace at preview, and guessing wrong would move " +
                "every object to another namespace (an outage). Set namespace to the provider's namespace.",
        );
    }
    const config = new pulumi.Config("kubernetes");
    const fromConfig = config.get("namespace");
    if (fromConfig) return dns1123Label(fromConfig, "kubernetes:namespace (config)");
    const fromKubeconfig = kubeconfigNamespace(config);
    if (fromKubeconfig) return dns1123Label(fromKubeconfig, "namespace (from the kubeconfig context)");
    return "default";
}
