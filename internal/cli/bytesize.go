package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// byteSize is a flag's size in bytes, written as bytes (33554432), as a Kubernetes quantity
// (32Mi, 1Gi, 500M) or with a B after the unit (32MiB, 100MB): raising --max-file-size for a
// 50 MB file should not take arithmetic.
type byteSize int64

// String shows the size as it is most easily read: in binary units when it is a whole number
// of them, else in bytes.
func (b *byteSize) String() string {
	n := int64(*b)
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"Ti", 40}, {"Gi", 30}, {"Mi", 20}, {"Ki", 10}} {
		if n > 0 && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// sizeSyntax is what Set reads: a number of at most 20 digits (and as many decimals), then a
// unit (k, M, G, T, P, E, Ki to Ei) or an exponent of at most 2 digits.
var sizeSyntax = regexp.MustCompile(`^\+?(\d{1,20}(\.\d{0,20})?|\.\d{1,20})([eE][+-]?\d{1,2}|[kMGTPE]i?|Ki)?$`)

// Set parses a size; it must be a whole number of bytes above 0.
func (b *byteSize) Set(s string) error {
	text := strings.TrimSpace(s)
	// 100MB and 32MiB: the B is what people write, not part of Kubernetes' syntax.
	if t, ok := strings.CutSuffix(text, "B"); ok && t != "" && strings.ContainsAny(t[len(t)-1:], "kKMGTPEi") {
		text = t
	}
	if t, ok := strings.CutSuffix(text, "K"); ok {
		text = t + "k" // Kubernetes' decimal kilo is lower case
	}
	// A quantity's exponent is not bounded: ParseQuantity takes 1.5 s on "E5555555555"
	// (FuzzByteSize), and longer ones hang. A size of bytes needs 20 digits at most.
	if !sizeSyntax.MatchString(text) {
		return fmt.Errorf("%q is not a size: write bytes (33554432) or a size with a unit (32Mi, 1Gi, 100MB)", s)
	}
	q, err := resource.ParseQuantity(text)
	if err != nil {
		return fmt.Errorf("%q is not a size: write bytes (33554432) or a size with a unit (32Mi, 1Gi, 100MB)", s)
	}
	// Value rounds up: a size is whole bytes only when it reads back as itself.
	n := q.Value()
	if n <= 0 || q.Cmp(*resource.NewQuantity(n, resource.BinarySI)) != 0 {
		return fmt.Errorf("%q: want a whole number of bytes above 0", s)
	}
	*b = byteSize(n)
	return nil
}

// Type names the value in the help.
func (b *byteSize) Type() string { return "size" }
