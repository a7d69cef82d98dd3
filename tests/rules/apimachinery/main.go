// Command apimachinery answers, for the inputs on stdin, what k8s.io/apimachinery v0.34.4 (the
// version kube-apiserver 1.34 uses) says about them: resource.ParseQuantity after the JSON
// decoder's strings.TrimSpace (Quantity.UnmarshalJSON), Quantity.Cmp, and the validation
// package's IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain, IsDNS1123Label, IsConfigMapKey,
// IsRelaxedEnvVarName and IsValidIP. tests/rules/apimachinery-formats.test.ts compares the
// TypeScript models of provider/args/pod-validation with these answers.
package main

import (
	"encoding/json"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

type input struct {
	Quantities []string    `json:"quantities"`
	Pairs      [][2]string `json:"pairs"`
	Names      []string    `json:"names"`
	IPs        []string    `json:"ips"`
}

type output struct {
	Quantities map[string]bool   `json:"quantities"`
	Cmp        []int             `json:"cmp"`
	Names      map[string][]bool `json:"names"`
	IPs        map[string]bool   `json:"ips"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	out := output{Quantities: map[string]bool{}, Names: map[string][]bool{}, IPs: map[string]bool{}}
	for _, s := range in.Quantities {
		_, err := resource.ParseQuantity(strings.TrimSpace(s))
		out.Quantities[s] = err == nil
	}
	for _, p := range in.Pairs {
		a := resource.MustParse(p[0])
		b := resource.MustParse(p[1])
		out.Cmp = append(out.Cmp, a.Cmp(b))
	}
	for _, n := range in.Names {
		out.Names[n] = []bool{
			len(validation.IsQualifiedName(n)) == 0,
			len(validation.IsValidLabelValue(n)) == 0,
			len(validation.IsDNS1123Subdomain(n)) == 0,
			len(validation.IsDNS1123Label(n)) == 0,
			len(validation.IsConfigMapKey(n)) == 0,
			len(validation.IsRelaxedEnvVarName(n)) == 0,
		}
	}
	for _, ip := range in.IPs {
		out.IPs[ip] = len(validation.IsValidIP(field.NewPath("ip"), ip)) == 0
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
