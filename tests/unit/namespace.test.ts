/**
 * The namespace is decided at construction (provider/args/namespace.ts): the argument, else the
 * `kubernetes:namespace` config, else the kubeconfig context's namespace, else `default`; with an
 * explicit Kubernetes provider the argument is required.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { InterStepBufferService } from "../../provider";
import { resolveSpec } from "../../provider/args/resolve";
import { build } from "../../sim/runtime/build";

const { setConfig } = require("@pulumi/pulumi/runtime/config");

const JS = { jetstream: { version: "2.10.29" } };

/** Runs `fn` with `kubernetes:<key>` config values and env vars set, restoring both afterwards. */
async function withEnv(config: Record<string, string>, env: Record<string, string | undefined>, fn: () => Promise<void>): Promise<void> {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(config)) setConfig(`kubernetes:${k}`, v);
    for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    try {
        await fn();
    } finally {
        for (const k of Object.keys(config)) setConfig(`kubernetes:${k}`, "");
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
}

function kubeconfigFile(current: string, contexts: Record<string, string | undefined>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "isbsvc-kubeconfig-"));
    const file = path.join(dir, "config");
    const entries = Object.entries(contexts)
        .map(([name, ns]) => `- name: ${name}\n  context:\n    cluster: c\n    user: u${ns ? `\n    namespace: ${ns}` : ""}`)
        .join("\n");
    fs.writeFileSync(file, `apiVersion: v1\nkind: Config\ncurrent-context: ${current}\ncontexts:\n${entries}\n`);
    return file;
}

describe("namespace (decided at construction)", () => {
    const noKubeconfig = { KUBECONFIG: "/nonexistent/kubeconfig" };

    it("defaults to `default` without config or kubeconfig context", async () => {
        await withEnv({}, noKubeconfig, async () => {
            assert.equal(resolveSpec("a", JS).namespace, "default");
        });
    });

    it("takes the kubernetes:namespace config over the kubeconfig", async () => {
        const file = kubeconfigFile("dev", { dev: "from-kubeconfig" });
        await withEnv({ namespace: "from-config" }, { KUBECONFIG: file }, async () => {
            assert.equal(resolveSpec("a", JS).namespace, "from-config");
        });
    });

    it("takes the kubeconfig's current context namespace ($KUBECONFIG), or kubernetes:context's", async () => {
        const file = kubeconfigFile("dev", { dev: "team-a", prod: "team-b", bare: undefined });
        await withEnv({}, { KUBECONFIG: file }, async () => {
            assert.equal(resolveSpec("a", JS).namespace, "team-a");
        });
        await withEnv({ context: "prod" }, { KUBECONFIG: file }, async () => {
            assert.equal(resolveSpec("a", JS).namespace, "team-b");
        });
        await withEnv({ context: "bare" }, { KUBECONFIG: file }, async () => {
            assert.equal(resolveSpec("a", JS).namespace, "default");
        });
        await withEnv({ kubeconfig: file, context: "prod" }, noKubeconfig, async () => {
            assert.equal(resolveSpec("a", JS).namespace, "team-b", "kubernetes:kubeconfig as a path");
        });
    });

    it("requires namespace when a Kubernetes provider is passed explicitly", async () => {
        const provider = new k8s.Provider("explicit", {});
        for (const opts of [{ provider }, { providers: { kubernetes: provider } }, { providers: [provider] }]) {
            assert.throws(
                () => new InterStepBufferService("x", JS, opts),
                /"namespace" must be set when a Kubernetes provider is passed explicitly/,
            );
        }
        const b = await build("y", { namespace: "pipelines", ...JS }, { providers: { kubernetes: provider } });
        assert.equal(b.outputs.namespace, "pipelines");
    });

    it("accepts the user's Output (e.g. a Namespace's name) and keeps every other field plain", async () => {
        const ns = new k8s.core.v1.Namespace("streams2", { metadata: { name: "streams2" } });
        const b = await build("nsout2", { namespace: ns.metadata.name, ...JS });
        const sts = b.children.find((c) => c.type === "kubernetes:apps/v1:StatefulSet")!;
        assert.equal(sts.inputs.metadata.namespace, "streams2");
        assert.ok(pulumi.Output.isInstance(ns.metadata.name));
    });
});
