//go:build tools

// Package tools pins the main package built from this wrapper module (see scripts/engine/build.sh).
package tools

import _ "k8s.io/kubernetes/cmd/kube-controller-manager"
