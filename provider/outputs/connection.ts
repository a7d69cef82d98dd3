/**
 * The connection contract pipeline stacks read: one flat set of outputs, the same for every
 * flavour where a field applies. Export them from the infra stack and read them with
 * `StackReference.requireOutput` in pipeline stacks.
 *
 * CONNECTION_FIELDS is the only place the contract is written. Derived from it: the
 * IsbConnection type, the root program's exports (program/index.ts), the mock runtime's field list
 * (sim/runtime/build.ts), the `secret: true` marks of the schema the plugin serves and of
 * sdk/schema.json (provider/plugin-provider.ts), and the outputs table in README.md. The component class
 * keeps explicit property declarations (the schema analyzer reads those, with their doc comments);
 * tests/unit/contract.test.ts checks that they, the inferred schema, README.md and the examples'
 * export lists agree with this table.
 */
import * as pulumi from "@pulumi/pulumi";

/** One output of the contract. */
export interface ConnectionField {
    /** Schema type of the value. */
    type: "string" | "boolean";
    /** Returned as a secret (`pulumi.secret`) and marked `secret: true` in the schema. */
    secret: boolean;
    /** The doc comment of the component's property and the schema description. */
    description: string;
    /** An example value, for the README. */
    example: string;
}

/** Checks the table's shape while keeping its literal types. */
function contract<T extends Record<string, ConnectionField>>(fields: T): T {
    return fields;
}

/** The contract, in the order the outputs are documented and exported. */
export const CONNECTION_FIELDS = contract({
    type: { type: "string", secret: false, description: "`jetstream` or `redis`.", example: "`jetstream` or `redis`" },
    url: {
        type: "string",
        secret: false,
        description: "Client URL, e.g. `nats://isbsvc-default-js-svc.pipelines.svc:4222`; empty for native Redis (use Sentinel).",
        example: "`nats://isbsvc-default-js-svc.pipelines.svc:4222`",
    },
    sentinelUrl: {
        type: "string",
        secret: false,
        description: "Sentinel address(es) `host:port` (Redis with Sentinel); empty otherwise.",
        example: "`isbsvc-default-redis-svc.pipelines.svc:26379`",
    },
    masterName: {
        type: "string",
        secret: false,
        description: "Sentinel master set name (Redis with Sentinel); empty otherwise.",
        example: "`mymaster`",
    },
    clusterMode: {
        type: "boolean",
        secret: false,
        description: "True when an external Redis `url` lists two or more addresses (Redis Cluster).",
        example: "`false`",
    },
    user: { type: "string", secret: false, description: "Client user name.", example: "`k3x9…` (12 chars)" },
    password: { type: "string", secret: true, description: "Client password (secret).", example: "32 chars" },
    credentialsSecretName: {
        type: "string",
        secret: false,
        description: "Kubernetes Secret in `namespace` holding the client user, password and (with TLS) `ca.crt`.",
        example: "`isbsvc-default-js-client-auth`",
    },
    tlsEnabled: { type: "boolean", secret: false, description: "Whether clients must connect with TLS.", example: "`true`" },
    caCertPem: {
        type: "string",
        secret: false,
        description: "PEM of the CA that signed the server certificates, for clients to verify them; empty when TLS is off.",
        example: "PEM",
    },
    streamConfig: {
        type: "string",
        secret: false,
        description: "Merged buffer configuration (stream, consumer, buckets) as YAML with lower-case keys; empty for Redis.",
        example: "YAML",
    },
    namespace: { type: "string", secret: false, description: "Namespace of the service.", example: "`pipelines`" },
    serviceName: { type: "string", secret: false, description: "Name of the client Service.", example: "`isbsvc-default-js-svc`" },
    credentialsRevision: {
        type: "string",
        secret: false,
        description:
            "Non-secret fingerprint (16 hex digits) of what clients need to connect: user, password, TLS on/off and CA certificate. It changes exactly when one of them does; put it on pipeline pod templates so they roll on rotation.",
        example: "`3f9c0a7e51b2d846`",
    },
    tlsNotAfter: {
        type: "string",
        secret: false,
        description:
            "Earliest expiry (RFC 3339, UTC) among the CA and server certificates; empty without TLS. Certificates renew only when `pulumi up` runs inside `certificates.earlyRenewalHours`.",
        example: "`2027-12-02T10:39:07Z`",
    },
} as const);

/** Name of a contract output. */
export type ConnectionFieldName = keyof typeof CONNECTION_FIELDS;

type ValueOf<T extends ConnectionField["type"]> = T extends "boolean" ? boolean : string;

/** The resolved value of every output (what a stack exports). */
export type ConnectionValues = { -readonly [K in ConnectionFieldName]: ValueOf<(typeof CONNECTION_FIELDS)[K]["type"]> };

/** Outputs of an InterStepBufferService. */
export type IsbConnection = { [K in ConnectionFieldName]: pulumi.Output<ConnectionValues[K]> };

/** Output names, in table order. */
export const CONNECTION_FIELD_NAMES = Object.keys(CONNECTION_FIELDS) as ConnectionFieldName[];

/** Outputs returned as secrets. */
export const SECRET_CONNECTION_FIELDS = CONNECTION_FIELD_NAMES.filter((k) => CONNECTION_FIELDS[k].secret);

/** Exactly the contract's outputs of `source` (e.g. the component), under their own names: what a stack exports. */
export function connectionOutputs(source: IsbConnection): IsbConnection {
    const out: Partial<Record<ConnectionFieldName, pulumi.Output<unknown>>> = {};
    for (const k of CONNECTION_FIELD_NAMES) out[k] = source[k];
    return out as IsbConnection;
}

/** The README's outputs table (between the `contract:outputs` markers), rendered from the table. */
export function connectionMarkdownTable(): string {
    const rows = CONNECTION_FIELD_NAMES.map((k) => {
        const f: ConnectionField = CONNECTION_FIELDS[k];
        return `| \`${k}\` | ${f.type}${f.secret ? ", **secret**" : ""} | ${f.example} | ${f.description} |`;
    });
    return ["| Output | Type | Example | Description |", "|---|---|---|---|", ...rows].join("\n");
}
