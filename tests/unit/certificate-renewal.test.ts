/**
 * A certificate renewal (the leaf certificates replaced, as @pulumi/tls replaces them inside
 * `earlyRenewalHours`) reaches JetStream pods by the reload path, not by a roll: the CA and the keys
 * stay, the server Secret gets new `cert`/`cluster-cert`, and the StatefulSet's pod template does not
 * change. `bench/p6-certs.ts` measures this renewal under load; this test proves its premises.
 */
import { strict as assert } from "assert";
import * as crypto from "node:crypto";
import { Built, K8S, secretData } from "../../sim/runtime/build";
import { buildRevisions } from "../../sim/pods/rolling";

const ARGS = { namespace: "unit", jetstream: { version: "2.9.15", tls: true } };

function serverSecret(b: Built): Record<string, string> {
    return secretData(b.ofType(K8S.secret).find((s) => s.inputs.metadata.name.endsWith("-js-server"))!);
}

function serial(pem: string): string {
    return new crypto.X509Certificate(pem).serialNumber;
}

describe("certificate renewal (JetStream)", () => {
    it("replaces the leaf certificates under the same CA and keys, without changing the pod template", async () => {
        const { before, after } = await buildRevisions("ren", ARGS, ARGS, { replace: ["ren-server-cert", "ren-route-cert"] });
        assert.equal(after.outputs.caCertPem, before.outputs.caCertPem, "same CA");
        const [b, a] = [serverSecret(before), serverSecret(after)];
        const changed = Object.keys(b)
            .filter((k) => a[k] !== b[k])
            .sort();
        assert.deepEqual(changed, ["cert", "cluster-cert"], "only the two leaf certificates change");
        assert.notEqual(serial(a.cert), serial(b.cert));
        assert.notEqual(serial(a["cluster-cert"]), serial(b["cluster-cert"]));
        const ca = new crypto.X509Certificate(after.outputs.caCertPem);
        assert.ok(new crypto.X509Certificate(a.cert).verify(ca.publicKey), "the new server certificate is signed by the CA");
        assert.ok(new crypto.X509Certificate(a["cluster-cert"]).verify(ca.publicKey), "the new route certificate is signed by the CA");
        const template = (x: Built) => JSON.stringify(x.child(K8S.statefulSet).inputs.spec.template);
        assert.equal(template(after), template(before), "the pod template (and its restart checksum) is unchanged: nothing rolls");
    });
});
