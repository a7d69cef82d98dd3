/** isbsvc: the Inter-Step Buffer Service of a stream-processing platform, as a Pulumi component. */
export { InterStepBufferService } from "./component";
export * from "./args/types";
export { SpecError } from "./args/errors";
export {
    IsbConnection,
    ConnectionField,
    ConnectionFieldName,
    ConnectionValues,
    CONNECTION_FIELDS,
    CONNECTION_FIELD_NAMES,
    SECRET_CONNECTION_FIELDS,
    connectionOutputs,
} from "./outputs/connection";
