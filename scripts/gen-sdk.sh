#!/bin/sh
# Generates language SDKs of the isbsvc package into sdk/<language>/ with the Pulumi CLI.
#
#   npm run gen-sdk                 # python and go, from sdk/schema.json
#   npm run gen-sdk -- python       # one language (nodejs, python, go, dotnet, java)
#   SCHEMA_SOURCE=plugin npm run gen-sdk    # from the running plugin instead (needs bin/: npm install)
#
# sdk/schema.json is the schema the plugin serves (tests/unit/plugin.test.ts), so both sources give
# the same SDK. A .json source is read as is (pulumi v3.248.0 packages.SchemaFromSchemaSource), so
# it works here at the repository root. The plugin source cannot be `.` here: for a plugin source
# the CLI first loads the project of the current directory (packages.providerFromSource ->
# workspace.LoadBaseProjectFrom), which fails with "detected both PulumiPlugin.yaml and Pulumi.yaml"
# in this folder; so the plugin mode runs the CLI from an empty temporary directory with the
# repository's absolute path, which the CLI opens through PulumiPlugin.yaml only.
#
# Consumers do not need pre-generated SDKs: `pulumi package add <this repository>` generates one in
# their project. TypeScript/JavaScript programs use this repository itself as the npm package (see
# sdk/nodejs/README.md); generating `nodejs` here would overwrite that README.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

if ! command -v pulumi >/dev/null 2>&1; then
    cat >&2 <<'MSG'
gen-sdk: the Pulumi CLI is not installed, so no SDK was generated.
  Install it (https://www.pulumi.com/docs/install/) and run `npm run gen-sdk` again, or let consumers
  run `pulumi package add <path or git URL of this repository>`, which generates the SDK for their language.
  The schema itself needs no CLI: `npm run schema` regenerates sdk/schema.json.
MSG
    exit 1
fi

source="${SCHEMA_SOURCE:-sdk/schema.json}"
case "$source" in
    plugin)
        if [ ! -f bin/provider/plugin.js ]; then
            echo "gen-sdk: bin/ is missing; the plugin runs the compiled provider. Run \`npm install\` (or \`npm run build\`) first." >&2
            exit 1
        fi
        source="$root"
        workdir=$(mktemp -d)
        trap 'rmdir "$workdir"' EXIT
        ;;
    .)
        echo "gen-sdk: \`.\` is ambiguous here (Pulumi.yaml and PulumiPlugin.yaml); use SCHEMA_SOURCE=plugin or a schema file." >&2
        exit 1
        ;;
    *) workdir="$root" ;;
esac

languages="${*:-python go}"
for language in $languages; do
    echo "gen-sdk: (cd $workdir && pulumi package gen-sdk $source --language $language --out $root/sdk/)"
    (cd "$workdir" && pulumi package gen-sdk "$source" --language "$language" --out "$root/sdk/")
done
