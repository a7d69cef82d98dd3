//go:build tools

// Package tools pins the main package built from this wrapper module (see scripts/engine/build.sh).
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
