/**
 * Entry point the Pulumi schema analyzer reads when this repository runs as a source-based plugin
 * package (`pulumi package add <repo>`): it maps package.json `main` (bin/provider/index.js) to a
 * TypeScript file of the same name, which does not exist, then falls back to `index.ts` at the
 * root. Everything is re-exported from provider/.
 */
export * from "./provider";
