/**
 * Renders the `streamConfig` output: the merged buffer configuration as YAML with lower-case,
 * sorted keys, as the upstream controller writes it to `status.config.jetstream.streamConfig`.
 */
import * as yaml from "js-yaml";
import { ConfigObject } from "../../args/yaml-config";

export function renderStreamConfig(bufferConfig: ConfigObject): string {
    return yaml.dump(bufferConfig, { sortKeys: true, lineWidth: -1, noRefs: true });
}
