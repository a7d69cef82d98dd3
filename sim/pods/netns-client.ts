/**
 * A client run inside a harness pod (`ip netns exec <ns> node -r ts-node/register/transpile-only
 * sim/pods/netns-client.ts '<json>'`), so that its connections leave from the pod's address and meet
 * the pod network's rules (e.g. NetworkPolicy, `network-policy.ts`). Prints one JSON line and
 * exits 0 on success, 1 with the error on failure.
 *
 * - `{ kind: "nats", options, stream, replicas, count }`: connects with the NATS options (servers as
 *   addresses, user/pass, `tls.ca` + `tls.servername`), creates a stream with `replicas`, publishes
 *   `count` messages with acks, reads them back through a consumer and deletes the stream.
 * - `{ kind: "redis", sentinels, name, password, tls?: { ca, sentinelServername }, natMap, key }`:
 *   asks the Sentinels for the master of `name`, writes `key` on it and waits for one replica
 *   (`WAIT 1`), then reads it back. `natMap` maps announced `host:port` to `{ host, port }`.
 */
import Redis from "ioredis";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

async function nats(req: any): Promise<unknown> {
    const nc = await connect({ ...req.options, maxReconnectAttempts: 0 });
    try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: req.stream, subjects: [`${req.stream}.>`], num_replicas: req.replicas });
        await jsm.consumers.add(req.stream, { durable_name: "c", ack_policy: AckPolicy.Explicit });
        const js = jetstream(nc);
        for (let i = 0; i < req.count; i++) await js.publish(`${req.stream}.m`, `m-${i}`);
        const consumer = await js.consumers.get(req.stream, "c");
        let read = 0;
        while (read < req.count) {
            const batch = await consumer.fetch({ max_messages: req.count - read, expires: 5000 });
            let got = 0;
            for await (const m of batch) {
                m.ack();
                got++;
            }
            if (got === 0) break;
            read += got;
        }
        const info = await jsm.streams.info(req.stream);
        await jsm.streams.delete(req.stream);
        return { published: req.count, read, replicas: info.config.num_replicas, server: nc.info?.server_name };
    } finally {
        await nc.close();
    }
}

async function redis(req: any): Promise<unknown> {
    const tls = req.tls;
    const client = new Redis({
        sentinels: req.sentinels,
        name: req.name,
        password: req.password,
        sentinelPassword: req.password,
        natMap: (key: string) => {
            const m = req.natMap[key];
            return m ? { ...m, ...(tls && { servername: key.slice(0, key.lastIndexOf(":")) }) } : null;
        },
        ...(tls && {
            tls: { ca: tls.ca },
            sentinelTLS: { ca: tls.ca, servername: tls.sentinelServername },
            enableTLSForSentinelMode: true,
        }),
        connectTimeout: 3000,
        commandTimeout: 5000,
        maxRetriesPerRequest: 1,
        sentinelRetryStrategy: () => null,
        retryStrategy: () => null,
        lazyConnect: true,
    });
    let connectionError: unknown;
    client.on("error", (e) => (connectionError ??= e));
    try {
        await client.connect();
        // NOREPLICAS: the master counts too few replicas within min-replicas-max-lag (a loaded
        // machine can delay their once-a-second acknowledgement); the write was refused, not lost,
        // so retry it as a client would, for a bounded time.
        for (let attempt = 0; ; attempt++) {
            try {
                await client.set(req.key, "v");
                break;
            } catch (err) {
                if (!/NOREPLICAS/.test(String(err)) || attempt >= 30) throw err;
                await new Promise((r) => setTimeout(r, 1000));
            }
        }
        const replicas = Number(await client.wait(1, 5000));
        const value = await client.get(req.key);
        return { value, replicas };
    } catch (err) {
        throw new Error(`${String(err)}${connectionError ? ` (connection: ${String(connectionError)})` : ""}`);
    } finally {
        client.disconnect();
    }
}

async function main(): Promise<void> {
    const req = JSON.parse(process.argv[2]);
    const out = req.kind === "nats" ? await nats(req) : req.kind === "redis" ? await redis(req) : undefined;
    if (out === undefined) throw new Error(`unknown kind ${req.kind}`);
    process.stdout.write(JSON.stringify(out) + "\n");
}

main().then(
    () => process.exit(0),
    (err) => {
        process.stdout.write(JSON.stringify({ error: String(err) }) + "\n");
        process.exit(1);
    },
);
