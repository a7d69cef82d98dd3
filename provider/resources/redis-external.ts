/**
 * An external Redis deploys nothing. When a password is given, a credentials Secret is created in
 * the namespace so pipeline pods can read it like the other flavours' credentials.
 */
import { ChildOptions } from "./child-options";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ResolvedExternalRedisService } from "../args/resolve";
import { base64Data } from "../render/secret-data";
import { objectLabels } from "../render/labels";
import { REDIS_PASSWORD_KEY } from "../render/redis/layout";
import { K8sObject } from "../render/k8s-types";
import { secretArgs } from "./k8s-object";
import { createPassword } from "./credentials";

export interface ExternalRedisResources {
    namespace: pulumi.Output<string>;
    /** Name of the Secret holding the password (created or referenced); empty when there is none. */
    credentialsSecretName: string;
    /**
     * Key of the `credentialsRevision` HMAC when the user gave a password (which may be guessable:
     * outputs/credentials-revision.ts); absent otherwise.
     */
    revisionKey?: pulumi.Output<string>;
}

/** Length of the generated HMAC key of `credentialsRevision` (letters and digits: about 190 bits). */
export const REVISION_KEY_LENGTH = 32;

export function createExternalRedisResources(svc: ResolvedExternalRedisService, child: ChildOptions): ExternalRedisResources {
    const r = svc.redis;
    if (r.password === undefined) {
        return {
            namespace: pulumi.output(svc.namespace),
            credentialsSecretName: r.passwordSecret?.name ?? "",
        };
    }
    const name = svc.names.authSecret;
    const data = pulumi.output(r.password).apply((pw) => base64Data({ [REDIS_PASSWORD_KEY]: pw }));
    new k8s.core.v1.Secret(
        `${svc.name}-redis-auth`,
        secretArgs(
            svc.namespace,
            (ns, d): K8sObject => ({
                apiVersion: "v1",
                kind: "Secret",
                type: "Opaque",
                data: d,
                metadata: { name, namespace: ns, labels: objectLabels(svc.name, "redis") },
            }),
            data,
            child,
        ),
        child,
    );
    const revisionKey = createPassword(`${svc.name}-credentials-revision-key`, REVISION_KEY_LENGTH, child);
    return {
        // Decided at construction (args/namespace.ts), never read back from the Secret.
        namespace: pulumi.output(svc.namespace),
        credentialsSecretName: name,
        revisionKey: revisionKey.result,
    };
}
