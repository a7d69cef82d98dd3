/**
 * Plugin entry point (package.json `main`). The nodejs language host runs a source-based plugin as
 * `@pulumi/pulumi/cmd/run-plugin <plugin directory>`, which `require`s the directory (its
 * package.json `main`). Had `main` exported the component class, the SDK would start its own
 * component provider host, whose schema cannot mark `password` secret; this module exports only a
 * function instead, which run-plugin calls, and it serves IsbComponentProvider (the same schema as
 * sdk/schema.json). Programs importing `isbsvc` get provider/index.ts through package.json `exports`.
 */
import { main } from "@pulumi/pulumi/provider";
import { pluginDirectory, pluginProvider } from "./plugin-provider";

/** Serves the provider over gRPC (prints the port for the engine), as the SDK's componentProviderHost does. */
function serve(): Promise<void> {
    return main(pluginProvider(pluginDirectory()), process.argv.slice(2));
}

export = serve;
