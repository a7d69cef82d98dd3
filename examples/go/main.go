// Producer stack in Go: the examples/jetstream ISB service through the isbsvc component provider.
//
// `pulumi package add ../..` generates the SDK used here (sdks/isbsvc/isbsvc, package isbsvc).
// Spec fields are plain in the schema, so the SDK takes plain Go values (no pulumi.Input): they
// decide which objects exist and are validated at construction.
package main

import (
	"example.com/pulumi-isbsvc/sdk/go/isbsvc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	settings     = "max_payload: 8MB\nmax_file_store: 100GB"
	bufferConfig = "stream:\n  maxMsgs: 50000\n  maxAge: 24h\nconsumer:\n  maxAckPending: 10000"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		isb, err := isbsvc.NewInterStepBufferService(ctx, "default", &isbsvc.InterStepBufferServiceArgs{
			Namespace: pulumi.StringRef("pipelines"),
			Jetstream: &isbsvc.JetStreamArgs{
				Version:      "2.10.29",
				Replicas:     pulumi.Float64Ref(3),
				Tls:          pulumi.BoolRef(true),
				Encryption:   pulumi.BoolRef(true),
				Persistence:  &isbsvc.PersistenceArgs{VolumeSize: pulumi.StringRef("10Gi")},
				Settings:     settings,
				BufferConfig: bufferConfig,
				ContainerTemplate: &isbsvc.ContainerTemplateArgs{
					Resources: &isbsvc.ResourceRequirementsArgs{
						Requests: map[string]string{"cpu": "500m", "memory": "1Gi"},
						Limits:   map[string]string{"memory": "2Gi"},
					},
				},
			},
		})
		if err != nil {
			return err
		}
		ctx.Export("url", isb.Url)
		ctx.Export("user", isb.User)
		ctx.Export("password", isb.Password) // arrives secret from the provider and stays secret
		ctx.Export("caCertPem", isb.CaCertPem)
		ctx.Export("tlsEnabled", isb.TlsEnabled)
		ctx.Export("credentialsSecretName", isb.CredentialsSecretName)
		ctx.Export("streamConfig", isb.StreamConfig)
		ctx.Export("namespace", isb.Namespace)
		return nil
	})
}
