/**
 * Entry point the Pulumi schema analyzer reads when this repository runs as a source-based plugin
 * package (`pulumi package add <repo>`): it maps package.json `exports["."]`
 * (bin/provider/index.js), then `main` (bin/provider/plugin.js, the plugin host entry), to
 * TypeScript files of the same names, which do not exist, then falls back to `index.ts` at the
 * root. Everything is re-exported from provider/.
 */
export * from "./provider";
