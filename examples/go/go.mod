module isbsvc-go-example

go 1.22

require (
	example.com/pulumi-isbsvc/sdk/go/isbsvc v0.0.0
	github.com/pulumi/pulumi/sdk/v3 v3.248.0
)

// The SDK `pulumi package add ../..` generates: the schema has no Go import path, so the generated
// module is example.com/pulumi-isbsvc/sdk/go/isbsvc (Pulumi's default). If `package add` wrote a
// different replace line, keep this one; if the generated directory has no go.mod, create one
// there with `module example.com/pulumi-isbsvc/sdk/go/isbsvc` (a known Go SDK generation issue).
replace example.com/pulumi-isbsvc/sdk/go/isbsvc => ./sdks/isbsvc/isbsvc
