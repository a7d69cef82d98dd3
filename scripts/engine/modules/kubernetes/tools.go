//go:build tools

// Package tools pins what the build needs from this wrapper module (see scripts/engine/build.sh):
// the provider's packages used by cmd/pulumi-resource-kubernetes/main.go, and the schema package
// its generate.go runs with.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
	_ "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)
