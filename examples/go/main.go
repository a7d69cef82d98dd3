// Producer stack in Go: the examples/jetstream ISB service through the isbsvc component provider.
//
// No generated SDK: the component is registered by its type token with the Go SDK's generic
// remote-component call (ctx.RegisterRemoteComponentResource), exactly what a generated SDK's
// NewInterStepBufferService does, so this compiles with github.com/pulumi/pulumi/sdk/v3 alone
// (`npm run test:go`: gofmt, go vet, go build and go test under mocks). The engine
// starts the provider from `packages: isbsvc: ../..` in Pulumi.yaml.
//
// Spec values are literals: they decide which objects exist and are validated at construction, so
// a value computed from another resource is rejected with a message naming the field (except
// `namespace`).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ComponentToken is the type token of the component in the isbsvc package schema.
const ComponentToken = "isbsvc:index:InterStepBufferService"

// InterStepBufferService holds the component's outputs, the connection contract of
// provider/outputs/connection.ts (the `pulumi` tags are the output names).
type InterStepBufferService struct {
	pulumi.ResourceState

	Type                  pulumi.StringOutput `pulumi:"type"`
	Url                   pulumi.StringOutput `pulumi:"url"`
	SentinelUrl           pulumi.StringOutput `pulumi:"sentinelUrl"`
	MasterName            pulumi.StringOutput `pulumi:"masterName"`
	ClusterMode           pulumi.BoolOutput   `pulumi:"clusterMode"`
	User                  pulumi.StringOutput `pulumi:"user"`
	Password              pulumi.StringOutput `pulumi:"password"`
	CredentialsSecretName pulumi.StringOutput `pulumi:"credentialsSecretName"`
	TlsEnabled            pulumi.BoolOutput   `pulumi:"tlsEnabled"`
	CaCertPem             pulumi.StringOutput `pulumi:"caCertPem"`
	StreamConfig          pulumi.StringOutput `pulumi:"streamConfig"`
	Namespace             pulumi.StringOutput `pulumi:"namespace"`
	ServiceName           pulumi.StringOutput `pulumi:"serviceName"`
	CredentialsRevision   pulumi.StringOutput `pulumi:"credentialsRevision"`
	TlsNotAfter           pulumi.StringOutput `pulumi:"tlsNotAfter"`
}

// NewInterStepBufferService registers the component with the isbsvc provider; args are the
// InterStepBufferService arguments (camelCase keys, as in the schema).
func NewInterStepBufferService(ctx *pulumi.Context, name string, args pulumi.Map, opts ...pulumi.ResourceOption) (*InterStepBufferService, error) {
	var isb InterStepBufferService
	if err := ctx.RegisterRemoteComponentResource(ComponentToken, name, args, &isb, opts...); err != nil {
		return nil, err
	}
	return &isb, nil
}

const (
	settings     = "max_payload: 8MB\nmax_file_store: 100GB"
	bufferConfig = "stream:\n  maxMsgs: 50000\n  maxAge: 24h\nconsumer:\n  maxAckPending: 10000"
)

func program(ctx *pulumi.Context) error {
	isb, err := NewInterStepBufferService(ctx, "default", pulumi.Map{
		"namespace": pulumi.String("pipelines"),
		"jetstream": pulumi.Map{
			"version":      pulumi.String("2.10.29"),
			"replicas":     pulumi.Float64(3),
			"tls":          pulumi.Bool(true),
			"encryption":   pulumi.Bool(true),
			"persistence":  pulumi.Map{"volumeSize": pulumi.String("10Gi")},
			"settings":     pulumi.String(settings),
			"bufferConfig": pulumi.String(bufferConfig),
			"containerTemplate": pulumi.Map{
				"resources": pulumi.Map{
					"requests": pulumi.StringMap{"cpu": pulumi.String("500m"), "memory": pulumi.String("1Gi")},
					"limits":   pulumi.StringMap{"memory": pulumi.String("2Gi")},
				},
			},
		},
	})
	if err != nil {
		return err
	}
	ctx.Export("type", isb.Type)
	ctx.Export("url", isb.Url)
	ctx.Export("sentinelUrl", isb.SentinelUrl)
	ctx.Export("masterName", isb.MasterName)
	ctx.Export("clusterMode", isb.ClusterMode)
	ctx.Export("user", isb.User)
	ctx.Export("password", isb.Password) // arrives secret from the provider and stays secret
	ctx.Export("credentialsSecretName", isb.CredentialsSecretName)
	ctx.Export("tlsEnabled", isb.TlsEnabled)
	ctx.Export("caCertPem", isb.CaCertPem)
	ctx.Export("streamConfig", isb.StreamConfig)
	ctx.Export("namespace", isb.Namespace)
	ctx.Export("serviceName", isb.ServiceName)
	ctx.Export("credentialsRevision", isb.CredentialsRevision)
	ctx.Export("tlsNotAfter", isb.TlsNotAfter)
	return nil
}

func main() {
	pulumi.Run(program)
}
