package network

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/akscheck/akscheck/internal/subject"
)

func itoa(i int) string { return strconv.Itoa(i) }

func httpRouteHostnames(o *subject.Object) ([]string, error) {
	var doc struct {
		Spec struct {
			Hostnames []string `json:"hostnames"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(o.Raw(), &doc); err != nil {
		return nil, fmt.Errorf("reading HTTPRoute %s: %w", o.Name(), err)
	}
	return doc.Spec.Hostnames, nil
}
