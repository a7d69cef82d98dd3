#!/bin/sh
# Generates language SDKs of the isbsvc package into sdk/<language>/ with the Pulumi CLI.
#
#   npm run gen-sdk                 # python and go
#   npm run gen-sdk -- python       # one language (nodejs, python, go, dotnet, java)
#   SCHEMA_SOURCE=sdk/schema.json npm run gen-sdk    # from the committed schema (password marked secret)
#
# Consumers do not need pre-generated SDKs: `pulumi package add <this repository>` generates one in
# their project. TypeScript/JavaScript programs use this repository itself as the npm package (see
# sdk/nodejs/README.md); generating `nodejs` here would overwrite that README.
set -eu
cd "$(dirname "$0")/.."

if ! command -v pulumi >/dev/null 2>&1; then
    cat >&2 <<'MSG'
gen-sdk: the Pulumi CLI is not installed, so no SDK was generated.
  Install it (https://www.pulumi.com/docs/install/) and run `npm run gen-sdk` again, or let consumers
  run `pulumi package add <path or git URL of this repository>`, which generates the SDK for their language.
  The schema itself needs no CLI: `npm run schema` regenerates sdk/schema.json.
MSG
    exit 1
fi

source="${SCHEMA_SOURCE:-.}"
if [ "$source" = "." ] && [ ! -f bin/provider/index.js ]; then
    echo "gen-sdk: bin/ is missing; the plugin runs the compiled provider. Run \`npm install\` (or \`npm run build\`) first." >&2
    exit 1
fi

languages="${*:-python go}"
for language in $languages; do
    echo "gen-sdk: pulumi package gen-sdk $source --language $language --out sdk/"
    pulumi package gen-sdk "$source" --language "$language" --out sdk/
done
