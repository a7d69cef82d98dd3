/** isbsvc: the Inter-Step Buffer Service of a stream-processing platform, as a Pulumi component. */
export { InterStepBufferService } from "./component";
export * from "./args/types";
export { SpecError } from "./args/errors";
export { IsbConnection } from "./outputs/connection";
