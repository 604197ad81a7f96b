package manifest

import (
	"errors"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/akscheck/akscheck/internal/subject"
)

// quantityLists are the keys whose values map resource names to quantities (ResourceList).
var quantityLists = map[string]bool{
	"limits": true, "requests": true, "hard": true, "used": true, "capacity": true, "allocatable": true,
	"overhead": true, "podFixed": true, "min": true, "max": true, "default": true, "defaultRequest": true,
	"maxLimitRequestRatio": true,
}

// quantityFields are the keys whose value is one quantity.
var quantityFields = map[string]bool{"sizeLimit": true, "targetValue": true, "targetAverageValue": true}

// metricValues are the quantity keys of an autoscaling/v2 metric target or status, which are
// quantities only there ("value" is also an env entry's).
var metricValues = map[string]bool{"value": true, "averageValue": true}

// notQuantities are the subtrees that hold free text, never a quantity: a key named "limits"
// in an annotation is not a ResourceList, and its value must not be quoted in an error.
var notQuantities = map[string]bool{"metadata": true, "env": true, "data": true, "stringData": true,
	"args": true, "command": true}

func isQuantityError(err error) bool {
	return errors.Is(err, resource.ErrFormatWrong) || errors.Is(err, resource.ErrNumeric) || errors.Is(err, resource.ErrSuffix)
}

// badQuantity finds the first quantity in n that does not parse: a quantity's decoding error
// names no field, so the field is found again in the tree. value is the bad value quoted, or
// "a list"/"a mapping". ok is false when none is found.
func badQuantity(n *yaml.Node) (path, value string, line int, ok bool) {
	var walk func(n *yaml.Node, path, parent string, inList bool, depth int) bool
	walk = func(n *yaml.Node, p, parent string, inList bool, depth int) bool {
		for n.Kind == yaml.AliasNode && n.Alias != nil && depth <= maxDepth {
			n, depth = n.Alias, depth+1
		}
		if depth > maxDepth {
			return false
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, n.Content[i+1]
				child := k
				if p != "" {
					child = p + "." + k
				}
				if notQuantities[k] {
					continue
				}
				quantity := inList || quantityFields[k] || metricValues[k] && (parent == "target" || parent == "current")
				if quantity && (v.Kind == yaml.SequenceNode || v.Kind == yaml.MappingNode) {
					// A list or a mapping where a quantity belongs: the decoder's error names
					// no field, so this is the only place that can say where it is.
					path, value, line = child, map[yaml.Kind]string{yaml.SequenceNode: "a list", yaml.MappingNode: "a mapping"}[v.Kind], v.Line
					return true
				}
				if v.Kind == yaml.ScalarNode && quantity && v.ShortTag() != "!!null" {
					// ParseQuantity can take minutes on a text beyond the bounds; such a text at a
					// field of type Quantity was reported before decoding (subject.QuantityError),
					// so this one is not the field that failed.
					if subject.CheckQuantityText(v.Value) != nil {
						continue
					}
					if _, err := resource.ParseQuantity(v.Value); err != nil {
						path, value, line = child, strconv.Quote(v.Value), v.Line
						return true
					}
					continue
				}
				if walk(v, child, k, quantityLists[k], depth+1) {
					return true
				}
			}
		case yaml.SequenceNode:
			for i, e := range n.Content {
				if walk(e, p+"["+strconv.Itoa(i)+"]", parent, false, depth+1) {
					return true
				}
			}
		}
		return false
	}
	ok = walk(n, "", "", false, 0)
	return path, value, line, ok
}
