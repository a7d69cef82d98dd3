/**
 * Security contexts: the PodSecurity "restricted" defaults of every pod, the field-by-field merge
 * of a user's pod and container security contexts over them (a `null` removes a default), and the
 * rejection at construction of a security context under which a container could not read its
 * files, write its volumes or (JetStream) signal nats-server.
 */
import { strict as assert } from "assert";
import { build, K8S } from "../../sim/runtime/build";
import { InterStepBufferServiceArgs } from "../../provider";
import { mergeSecurityContext } from "../../provider/render/security-context";

const NS = "pipelines";
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true };

async function podOf(args: InterStepBufferServiceArgs): Promise<any> {
    return (await build("sc", args)).child(K8S.statefulSet).inputs.spec.template.spec;
}

describe("security contexts", () => {
    it("defaults: JetStream pods run as 1000:1000, Redis pods as 999:999, fsGroup the same, RuntimeDefault seccomp, non-root", async () => {
        const js = await podOf({ namespace: NS, jetstream: { version: "2.10.29" } });
        assert.deepEqual(js.securityContext, {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
        });
        const redis = await podOf({ namespace: NS, redis: { native: { version: "7.0.15" } } });
        assert.deepEqual(redis.securityContext, {
            runAsNonRoot: true,
            runAsUser: 999,
            runAsGroup: 999,
            fsGroup: 999,
            seccompProfile: { type: "RuntimeDefault" },
        });
        for (const c of [...js.containers, ...redis.containers]) assert.deepEqual(c.securityContext, RESTRICTED_CONTAINER, c.name);
    });

    it("the merge: fields replace ours, null removes ours, capabilities merge per field, other objects are replaced whole", () => {
        const ours = { runAsUser: 1, fsGroup: 1, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };
        assert.deepEqual(
            mergeSecurityContext(ours, {
                runAsUser: 2,
                fsGroup: null,
                capabilities: { add: ["NET_BIND_SERVICE"] },
                seccompProfile: { type: "Localhost", localhostProfile: "p.json" },
            }),
            {
                runAsUser: 2,
                capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
                seccompProfile: { type: "Localhost", localhostProfile: "p.json" },
            },
        );
        assert.deepEqual(mergeSecurityContext(ours, undefined), ours);
        assert.deepEqual(mergeSecurityContext(ours, { capabilities: null }), {
            runAsUser: 1,
            fsGroup: 1,
            seccompProfile: { type: "RuntimeDefault" },
        });
    });

    it("a user's pod and container security contexts are merged over ours in the rendered pod", async () => {
        const pod = await podOf({
            namespace: NS,
            jetstream: {
                version: "2.10.29",
                securityContext: { runAsUser: 2000, supplementalGroups: [3000] },
                containerTemplate: { securityContext: { readOnlyRootFilesystem: null, capabilities: { add: ["NET_BIND_SERVICE"] } } },
            },
        });
        assert.deepEqual(pod.securityContext, {
            runAsNonRoot: true,
            runAsUser: 2000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
            supplementalGroups: [3000],
        });
        assert.deepEqual(pod.containers[0].securityContext, {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
        });
        assert.deepEqual(pod.containers[1].securityContext, RESTRICTED_CONTAINER);
    });

    const accepted: Record<string, InterStepBufferServiceArgs> = {
        "root without runAsNonRoot, keeping fsGroup (not restricted, but the pod works)": {
            namespace: NS,
            jetstream: { version: "2.10.29", tls: true, securityContext: { runAsUser: 0, runAsNonRoot: false } },
        },
        "JetStream without fsGroup, running with gid 0 (root-group files 0440 readable)": {
            namespace: NS,
            jetstream: { version: "2.10.29", tls: true, securityContext: { fsGroup: null, runAsGroup: 0 } as any },
        },
        "Redis without TLS and without fsGroup (config 0444 and scripts 0555 are readable by anyone, emptyDirs 0777)": {
            namespace: NS,
            redis: { native: { version: "7.0.15", securityContext: { fsGroup: null } as any } },
        },
        "JetStream with another uid for every container (fsGroup stays)": {
            namespace: NS,
            jetstream: { version: "2.10.29", tls: true, persistence: {}, securityContext: { runAsUser: 4242, runAsGroup: 4242 } },
        },
    };
    for (const [what, args] of Object.entries(accepted)) {
        it(`accepts: ${what}`, async () => {
            await build("sc", args);
        });
    }

    const rejected: Array<[string, InterStepBufferServiceArgs, RegExp]> = [
        [
            "JetStream without fsGroup: uid 1000 cannot read the 0440 root:root auth.conf",
            { namespace: NS, jetstream: { version: "2.10.29", securityContext: { fsGroup: null } as any } },
            /"jetstream\.securityContext" leaves the pod unable to work: container main cannot read nats-js\.conf \(mode 0440, owner 0:0\), auth\.conf \(mode 0440, owner 0:0\), routes\.conf \(mode 0440, owner 0:0\) as uid 1000 gid 1000 groups \[\] at \/etc\/nats-config; container reloader cannot read nats-js\.conf/,
        ],
        [
            "Redis with TLS without fsGroup: the redis user cannot read tls.key",
            { namespace: NS, redis: { native: { version: "7.0.15", tls: true, securityContext: { fsGroup: null } as any } } },
            /"redis\.native\.securityContext" leaves the pod unable to work: container redis cannot read ca\.crt \(mode 0440, owner 0:0\), tls\.crt \(mode 0440, owner 0:0\), tls\.key \(mode 0440, owner 0:0\) as uid 999 gid 999 groups \[\] at \/etc\/isbsvc\/tls; container sentinel/,
        ],
        [
            "Redis with persistence without fsGroup: /data (root:root 0755) is not writable",
            { namespace: NS, redis: { native: { version: "7.0.15", persistence: {}, securityContext: { fsGroup: null } as any } } },
            /container redis cannot write it \(mode 0755, owner 0:0\) as uid 999 gid 999 groups \[\] at \/data/,
        ],
        [
            "a reloader running as another uid than nats-server (it could not send SIGHUP)",
            { namespace: NS, jetstream: { version: "2.10.29", reloaderContainerTemplate: { securityContext: { runAsUser: 3000 } } } },
            /"jetstream\.reloaderContainerTemplate\.securityContext" leaves the pod unable to work: container reloader \(uid 3000\) could not signal container main \(uid 1000\)/,
        ],
        [
            "runAsUser 0 with our runAsNonRoot (the kubelet would not start the container)",
            { namespace: NS, jetstream: { version: "2.10.29", containerTemplate: { securityContext: { runAsUser: 0 } } } },
            /"jetstream\.containerTemplate\.securityContext" leaves the pod unable to work: container main sets runAsNonRoot but runs as uid 0 \(runAsUser: 0\)/,
        ],
        [
            "runAsUser removed (the images' user is root) with our runAsNonRoot",
            { namespace: NS, redis: { native: { version: "7.0.15", securityContext: { runAsUser: null } as any } } },
            /"redis\.native\.securityContext" leaves the pod unable to work: container redis sets runAsNonRoot but runs as uid 0 \(no runAsUser/,
        ],
    ];
    for (const [what, args, message] of rejected) {
        it(`rejects at construction: ${what}`, async () => {
            await assert.rejects(build("sc", args), message);
        });
    }
});
