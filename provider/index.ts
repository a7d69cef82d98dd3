/** isbsvc: the Inter-Step Buffer Service of a stream-processing platform, as a Pulumi component. */
export { InterStepBufferService } from "./component";
export * from "./spec/types";
export { SpecError } from "./spec/errors";
export { IsbConnection } from "./outputs/connection";
