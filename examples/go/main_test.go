package main

import (
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type mocks struct {
	mu         sync.Mutex
	registered map[string]resource.PropertyMap
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.registered[args.TypeToken] = args.Inputs
	outputs := args.Inputs.Copy()
	outputs["url"] = resource.NewStringProperty("nats://isbsvc-default-js-svc.pipelines.svc:4222")
	outputs["password"] = resource.MakeSecret(resource.NewStringProperty("pw"))
	return args.Name + "-id", outputs, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// The program registers one component of the package's type token with the spec as plain values.
func TestProgramRegistersTheComponent(t *testing.T) {
	m := &mocks{registered: map[string]resource.PropertyMap{}}
	err := pulumi.RunErr(program, pulumi.WithMocks("isbsvc-go", "dev", m))
	if err != nil {
		t.Fatal(err)
	}
	inputs, ok := m.registered[ComponentToken]
	if !ok {
		t.Fatalf("no %s registered; got %v", ComponentToken, m.registered)
	}
	if got := inputs["namespace"].StringValue(); got != "pipelines" {
		t.Errorf("namespace = %q", got)
	}
	js := inputs["jetstream"].ObjectValue()
	if got := js["version"].StringValue(); got != "2.10.29" {
		t.Errorf("jetstream.version = %q", got)
	}
	if got := js["replicas"].NumberValue(); got != 3 {
		t.Errorf("jetstream.replicas = %v", got)
	}
	if !js["tls"].BoolValue() || !js["encryption"].BoolValue() {
		t.Errorf("jetstream.tls/encryption = %v/%v", js["tls"], js["encryption"])
	}
	if got := js["persistence"].ObjectValue()["volumeSize"].StringValue(); got != "10Gi" {
		t.Errorf("jetstream.persistence.volumeSize = %q", got)
	}
}
