/**
 * The stack-config program of the root Pulumi.yaml: one ISB service from `isbsvc:spec`, with
 * every output exported for pipeline stacks.
 */
import * as pulumi from "@pulumi/pulumi";
import { InterStepBufferService, InterStepBufferServiceArgs } from "../provider";

const config = new pulumi.Config("isbsvc");
const spec = config.requireObject<InterStepBufferServiceArgs>("spec");
const namespace = config.get("namespace") ?? spec.namespace;

const isb = new InterStepBufferService(config.get("name") ?? "default", { ...spec, namespace });

export const type = isb.type;
export const url = isb.url;
export const user = isb.user;
export const password = isb.password;
export const credentialsSecretName = isb.credentialsSecretName;
export const tlsEnabled = isb.tlsEnabled;
export const caCertPem = isb.caCertPem;
export const streamConfig = isb.streamConfig;
export const isbNamespace = isb.namespace;
export const serviceName = isb.serviceName;
