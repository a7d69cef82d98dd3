// Loads package.json `main` of the repository (bin/provider/plugin.js) and calls the function it
// exports with the engine's arguments, as @pulumi/pulumi cmd/run-plugin does for a source plugin.
import * as path from "node:path";

const root = path.resolve(__dirname, "../../../..");
const main: string = require(path.join(root, "package.json")).main;
(require(path.join(root, main)) as () => Promise<void>)();
