#!/usr/bin/env bash
# cmd/pulumi-resource-kubernetes/main.go embeds schema-embed.json and terraform-mapping-embed.json,
# which the module does not ship: its generate.go (`//go:generate go run ./generate.go`, VERSION from
# the environment) writes them from the committed schema.json / terraform-mapping.json. Do the same
# in a writable copy under the cache, inside a copy of this wrapper module so that the copied main
# package resolves the provider's packages at the pinned version.
set -euo pipefail
cache="$1"
here="$(cd "$(dirname "$0")" && pwd)"
src="$cache/src/kubernetes"
# `go list -m` reports a Dir only for a module already in the module cache: download it first.
go mod download github.com/pulumi/pulumi-kubernetes/provider/v4
dir="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
[ -n "$dir" ] || { echo "prepare: provider module not found" >&2; exit 1; }
rm -rf "$src"; mkdir -p "$src/cmd"
cp "$here/go.mod" "$here/go.sum" "$here/tools.go" "$src/"
cp -r "$dir/cmd/pulumi-resource-kubernetes" "$src/cmd/"
chmod -R u+w "$src"
cd "$src/cmd/pulumi-resource-kubernetes"
VERSION="$KUBERNETES_PROVIDER_VERSION" go run ./generate.go
ls -l schema-embed.json terraform-mapping-embed.json
