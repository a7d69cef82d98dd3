/**
 * The local runner (`npm run local`): brings up an ISB service from a spec file on this machine,
 * exactly as the component renders it for Kubernetes — every pod a network namespace with its pod
 * DNS names, running the real nats-server (JetStream) or redis-server and redis-sentinel (native
 * Redis, `sim/pods/redis-pods.ts`) on the rendered files — prints the outputs a stack would
 * export, runs a smoke test through those outputs (JetStream: publish/consume; Redis: writes
 * through Sentinel, each acknowledged by a replica, read back), and stops everything cleanly on
 * Ctrl-C.
 *
 *   npm run local -- [--spec FILE] [--out DIR] [--once] [--show-secrets]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { installMocks } from "../sim/runtime/mock-runtime";
import { build, Built, OUTPUT_FIELDS, Resolved } from "../sim/runtime/build";
import { CONNECTION_FIELDS } from "../provider";
import {
    connectWithOutputs,
    consumeAll,
    consumerConfigFromOutput,
    JetStreamPods,
    publishAcked,
    streamConfigFromOutput,
} from "../sim/pods/jetstream-pods";
import { RedisPods, sentinelClient, SentinelOutputs, writeAcked } from "../sim/pods/redis-pods";
import { writeRendered } from "./render-out";

/** Command-line options. */
export interface RunOptions {
    spec: string;
    out?: string;
    once: boolean;
    showSecrets: boolean;
}

const USAGE = "usage: npm run local -- [--spec FILE] [--out DIR] [--once] [--show-secrets]";

export function parseArgs(argv: string[]): RunOptions {
    const opts: RunOptions = { spec: path.join(__dirname, "specs", "jetstream.yaml"), once: false, showSecrets: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--spec" || a === "--out") {
            const v = argv[++i];
            if (!v) throw new Error(`${a} needs a value\n${USAGE}`);
            if (a === "--spec") opts.spec = v;
            else opts.out = v;
        } else if (a === "--once") opts.once = true;
        else if (a === "--show-secrets") opts.showSecrets = true;
        else throw new Error(`unknown argument ${a}\n${USAGE}`);
    }
    return opts;
}

/** A spec file: `{ name, args }` with the component's arguments. */
function loadSpec(file: string): { name: string; args: any } {
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { name?: unknown; args?: unknown };
    if (typeof doc?.name !== "string" || typeof doc.args !== "object") throw new Error(`${file}: expected "name" and "args"`);
    return { name: doc.name, args: doc.args };
}

/** The outputs as `pulumi stack output` shows them: secrets hidden unless asked. */
export function formatOutputs(o: Resolved, showSecrets: boolean): string {
    const width = Math.max(...OUTPUT_FIELDS.map((f) => f.length));
    return OUTPUT_FIELDS.map((f) => {
        const value = CONNECTION_FIELDS[f].secret && !showSecrets ? "[secret]" : JSON.stringify(o[f]);
        return `    ${f.padEnd(width)} : ${value}`;
    }).join("\n");
}

/** Publishes and consumes through the outputs only; returns a one-line report. */
async function smokeJetStream(cluster: JetStreamPods, o: Resolved, count = 100): Promise<string> {
    const nc = await connectWithOutputs(cluster, o);
    try {
        const jsm = await jetstreamManager(nc);
        const stream = "isbsvc-smoke";
        await jsm.streams.add(streamConfigFromOutput(o.streamConfig, stream, [`${stream}.>`]));
        await jsm.consumers.add(stream, consumerConfigFromOutput(o.streamConfig, "smoke"));
        const js = jetstream(nc);
        await publishAcked(js, `${stream}.msg`, count, { payload: (i) => `smoke-${i}` });
        const read = await consumeAll(js, stream, "smoke", count);
        await jsm.streams.delete(stream);
        if (read.length !== count) throw new Error(`smoke test: published ${count}, consumed ${read.length}`);
        return (
            `published ${count} messages with acks and consumed ${read.length}` +
            (o.tlsEnabled ? " over TLS verified against caCertPem" : "")
        );
    } finally {
        await nc.close();
    }
}

async function runJetStream(built: Built, opts: RunOptions): Promise<JetStreamPods> {
    console.log(`starting ${built.child("kubernetes:apps/v1:StatefulSet").inputs.spec.replicas} nats-server pod(s)...`);
    const cluster = await JetStreamPods.start(built.children, { id: `r${process.pid % 10000}`, keepLogs: false });
    try {
        for (const pod of cluster.podNames()) console.log(`    ${pod}  ${cluster.address(pod)}`);
        console.log(`smoke test: ${await smokeJetStream(cluster, built.outputs)}`);
    } catch (err) {
        await cluster.destroy();
        throw err;
    }
    if (!opts.once) console.log("running; press Ctrl-C to stop");
    return cluster;
}

/**
 * Writes `count` keys through Sentinel using the outputs only (`sentinelUrl`, `masterName`,
 * `password`, with TLS `caCertPem` as the only trusted CA), each acknowledged by a replica
 * (`WAIT 1`), and reads them back; returns a one-line report.
 */
async function smokeRedis(bed: RedisPods, o: Resolved, count = 100): Promise<string> {
    const outputs = o as unknown as SentinelOutputs;
    const client = sentinelClient(bed, outputs);
    try {
        await client.connect();
        const keys = Array.from({ length: count }, (_, i) => `isbsvc-smoke-${i}`);
        await writeAcked(client, keys, { value: (k) => `${k}-value`, keyTimeoutMs: 30_000 });
        const values = await client.mget(...keys);
        const wrong = keys.filter((k, i) => values[i] !== `${k}-value`);
        if (wrong.length > 0) throw new Error(`smoke test: ${wrong.length} of ${count} keys read back wrong`);
        const master = (await client.call("ROLE")) as unknown[];
        await client.del(...keys);
        if (master[0] !== "master") throw new Error(`smoke test: Sentinel led the client to a ${String(master[0])}`);
        return (
            `wrote ${count} keys through Sentinel (master set ${JSON.stringify(o.masterName)}), each acknowledged by a replica, ` +
            `and read them back` +
            (o.tlsEnabled ? " over TLS verified against caCertPem" : "")
        );
    } finally {
        client.disconnect();
    }
}

async function runRedis(built: Built, opts: RunOptions): Promise<RedisPods> {
    console.log(
        `starting ${built.child("kubernetes:apps/v1:StatefulSet").inputs.spec.replicas} redis pod(s) (redis-server + redis-sentinel)...`,
    );
    const bed = await RedisPods.start(built.children, { id: `r${process.pid % 10000}`, keepLogs: false });
    try {
        for (const pod of bed.podNames()) console.log(`    ${pod}  ${bed.address(pod)}`);
        console.log(`smoke test: ${await smokeRedis(bed, built.outputs)}`);
    } catch (err) {
        await bed.destroy();
        throw err;
    }
    if (!opts.once) console.log("running; press Ctrl-C to stop");
    return bed;
}

/** Resolves on SIGINT or SIGTERM; keeps the process alive until then (signal listeners alone do not). */
function interrupted(): Promise<string> {
    return new Promise((resolve) => {
        const keepAlive = setInterval(() => undefined, 1 << 30);
        const done = (signal: string) => {
            clearInterval(keepAlive);
            resolve(signal);
        };
        // `on`, not `once`: the listeners stay registered while we clean up, so the harness's own
        // signal handler (which tears down synchronously) does not re-raise the signal.
        process.on("SIGINT", () => done("SIGINT"));
        process.on("SIGTERM", () => done("SIGTERM"));
    });
}

export async function main(argv: string[]): Promise<number> {
    const opts = parseArgs(argv);
    await installMocks();
    const { name, args } = loadSpec(opts.spec);
    const built = await build(name, args);
    console.log(`ISB service "${name}" (${built.outputs.type}) from ${opts.spec}: ${built.children.length} resources`);
    if (opts.out) console.log(`wrote ${writeRendered(opts.out, built.children, opts.showSecrets).length} files to ${opts.out}`);
    console.log(`Outputs:\n${formatOutputs(built.outputs, opts.showSecrets)}`);
    const native = built.children.some((c) => c.type === "kubernetes:apps/v1:StatefulSet");
    if (!native) {
        console.log("an external Redis deploys no pods; nothing to run for this spec");
        return 0;
    }
    const stop = opts.once ? undefined : interrupted();
    const bed = built.outputs.type === "jetstream" ? await runJetStream(built, opts) : await runRedis(built, opts);
    try {
        if (stop) console.log(`${await stop}: stopping`);
    } finally {
        await bed.destroy();
        console.log("stopped: every process, network namespace and file removed");
    }
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            console.error(err instanceof Error ? err.message : err);
            process.exit(1);
        },
    );
}
