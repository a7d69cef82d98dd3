/**
 * The stack-config program of the root Pulumi.yaml: one ISB service from `isbsvc:spec`, exporting
 * every output of the connection contract (provider/outputs/connection.ts) under its own name.
 */
import * as pulumi from "@pulumi/pulumi";
import { connectionOutputs, InterStepBufferService, InterStepBufferServiceArgs } from "../provider";

const config = new pulumi.Config("isbsvc");
const spec = config.requireObject<InterStepBufferServiceArgs>("spec");
const namespace = config.get("namespace") ?? spec.namespace;

const isb = new InterStepBufferService(config.get("name") ?? "default", { ...spec, namespace });

// The module's exports are the stack outputs.
export = connectionOutputs(isb);
