/**
 * The JetStream scale-down rule (issue 16, item 11), as a pure function of the StatefulSet's old and
 * new inputs. nats-server never removes a deleted server from the JetStream meta group by itself,
 * so after `replicas` 5 → 3 the meta group still counts 5 peers and needs all 3 remaining servers
 * for a quorum (tests/live/jetstream/scale-down.test.ts). The safe procedure is one replica at a
 * time, each deleted server peer-removed afterwards (README "Scaling JetStream down").
 *
 * The component is built from the new arguments only; the old `replicas` reaches us only through a
 * resource hook on the StatefulSet (provider/resources/hooks.ts), which the engine calls
 * with the old and new inputs before it updates the StatefulSet, at preview and at `up`.
 */

/** What the hook does: nothing, a warning (the step is acknowledged), or refuse the update. */
export type ScaleDownAction = "none" | "warn" | "refuse";

export interface ScaleDownVerdict {
    action: ScaleDownAction;
    /** Empty when the action is "none". */
    message: string;
}

export interface ScaleDownInput {
    /** `spec.replicas` of the StatefulSet's old and new inputs (anything but an integer: unknown). */
    oldReplicas: unknown;
    newReplicas: unknown;
    /** `jetstream.allowScaleDown`: the stack owner acknowledges the procedure. */
    allowScaleDown: boolean;
    /** StatefulSet name (pods and nats-server `server_name` are `<statefulSet>-<ordinal>`). */
    statefulSet: string;
    /** Client Service name and namespace, for the peer-remove command. */
    service: string;
    namespace: unknown;
}

/** `spec.replicas` of a StatefulSet's inputs, as the engine passes them to a hook; undefined if absent. */
export function statefulSetReplicas(inputs: unknown): unknown {
    if (typeof inputs !== "object" || inputs === null) return undefined;
    const spec = (inputs as Record<string, unknown>).spec;
    if (typeof spec !== "object" || spec === null) return undefined;
    return (spec as Record<string, unknown>).replicas;
}

/** `metadata.namespace` of a StatefulSet's inputs; undefined if absent. */
export function statefulSetNamespace(inputs: unknown): unknown {
    if (typeof inputs !== "object" || inputs === null) return undefined;
    const metadata = (inputs as Record<string, unknown>).metadata;
    if (typeof metadata !== "object" || metadata === null) return undefined;
    return (metadata as Record<string, unknown>).namespace;
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;

/** The peer-remove of the deleted server `ordinal`, as README "Scaling JetStream down" gives it. */
export function peerRemoveCommand(i: ScaleDownInput, ordinal: number): string {
    const ns = typeof i.namespace === "string" && i.namespace !== "" ? i.namespace : "<namespace>";
    return (
        `nats request '$JS.API.SERVER.REMOVE' '{"peer":"${i.statefulSet}-${ordinal}"}' --user sys ` +
        `--password <sys password from auth.conf of the server Secret> --server nats://${i.service}.${ns}.svc:4222`
    );
}

/**
 * Decides what a change of the StatefulSet's `replicas` from `oldReplicas` to `newReplicas` needs:
 * - not a decrease (or either value unknown): nothing;
 * - a cluster scaled to a standalone server, or by more than one replica in one update: refused,
 *   even with `allowScaleDown` (the procedure peer-removes one server at a time: with two removed
 *   at once an R3 stream whose replicas were on both loses its quorum);
 * - by one replica without `allowScaleDown`: refused, naming the procedure;
 * - by one replica with `allowScaleDown`: a warning naming the server to peer-remove afterwards.
 */
export function scaleDownVerdict(i: ScaleDownInput): ScaleDownVerdict {
    const { oldReplicas: from, newReplicas: to } = i;
    if (!isCount(from) || !isCount(to) || to >= from) return { action: "none", message: "" };
    const change = `jetstream.replicas ${from} → ${to}`;
    const why =
        "nats-server keeps every deleted server as a JetStream meta-group peer until it is peer-removed, so the " +
        "remaining servers need a larger quorum and one more pod down leaves no meta leader";
    const procedure = 'see the README, "Scaling JetStream down"';
    if (to === 1) {
        return {
            action: "refuse",
            message:
                `${change}: a cluster cannot be scaled to a standalone server in place (the server restarts without its ` +
                `cluster and its clustered streams); scale down to 3 one replica at a time (${procedure}), or create a new service`,
        };
    }
    if (from - to > 1) {
        return {
            action: "refuse",
            message:
                `${change}: scale down one replica at a time (${from} → ${from - 1} first), peer-removing each deleted ` +
                `server before the next step; ${why} (${procedure})` +
                (i.allowScaleDown ? "; jetstream.allowScaleDown allows one replica per update only" : ""),
        };
    }
    const remove = peerRemoveCommand(i, to);
    if (!i.allowScaleDown) {
        return {
            action: "refuse",
            message:
                `${change} deletes server ${i.statefulSet}-${to}: ${why}. Set jetstream.allowScaleDown: true to go ` +
                `ahead, then once pod ${i.statefulSet}-${to} is gone run: ${remove} (${procedure})`,
        };
    }
    return {
        action: "warn",
        message:
            `${change} (allowed by jetstream.allowScaleDown) deletes server ${i.statefulSet}-${to}: ${why}. Once pod ` +
            `${i.statefulSet}-${to} is gone run: ${remove} (${procedure})`,
    };
}
