#!/bin/sh
# Compiles and tests the Go example (examples/go) against github.com/pulumi/pulumi/sdk/v3 v3.248.0,
# the Go SDK matching @pulumi/pulumi (part of `npm test`; `npm run test:go` alone). The example
# uses no generated SDK (see examples/go/main.go), so nothing needs generating first. Modules come
# from the Go module proxy on the first run; builds run at low priority, one package at a time.
set -eu
cd "$(dirname "$0")/../examples/go"
command -v go >/dev/null 2>&1 || { echo "go-example: Go is not installed (Go >= 1.26 is needed for examples/go)" >&2; exit 1; }

unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
    echo "go-example: not gofmt-formatted: $unformatted" >&2
    exit 1
fi
echo "go-example: go mod verify"
nice -n 19 go mod verify
echo "go-example: go vet ./..."
nice -n 19 go vet -p 1 ./...
echo "go-example: go build -o /dev/null ."
nice -n 19 go build -p 1 -o /dev/null .
echo "go-example: go test ./..."
nice -n 19 go test -p 1 ./...
