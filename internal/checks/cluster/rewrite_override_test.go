package cluster

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2/hclwrite"
)

// overrideFor writes the Terraform override file that turns the base into orig.
func overrideFor(stem string, layers []string, orig []byte) (string, []byte, error) {
	base, err := tfBase(layers)
	if err != nil {
		return "", nil, err
	}
	of, err := parseHCLBytes(orig, stem+".tf")
	if err != nil {
		return "", nil, err
	}
	out := hclwrite.NewEmptyFile()
	body := out.Body()
	for _, ob := range of.Body().Blocks() {
		bb := findBlock(base.Body(), ob.Type(), ob.Labels())
		if bb == nil {
			if len(body.Blocks()) > 0 {
				body.AppendNewline()
			}
			body.AppendBlock(ob)
			continue
		}
		nb := hclwrite.NewBlock(ob.Type(), ob.Labels())
		if diffBody(bb.Body(), ob.Body(), nb.Body()) {
			if len(body.Blocks()) > 0 {
				body.AppendNewline()
			}
			body.AppendBlock(nb)
		}
	}
	for _, bb := range base.Body().Blocks() {
		if findBlock(of.Body(), bb.Type(), bb.Labels()) != nil {
			continue
		}
		if bb.Type() != "resource" {
			return "", nil, fmt.Errorf("%s %v is not in the file, and an override cannot remove it", bb.Type(), bb.Labels())
		}
		if len(body.Blocks()) > 0 {
			body.AppendNewline()
		}
		nb := body.AppendNewBlock(bb.Type(), bb.Labels())
		nb.Body().SetAttributeRaw("count", hclwrite.TokensForIdentifier("0"))
	}
	if len(body.Blocks()) == 0 {
		return stem + overrideSuffix, []byte("# The base as it is.\n"), nil
	}
	return stem + overrideSuffix, hclwrite.Format(out.Bytes()), nil
}

// diffBody writes into out the attributes and nested block types of b that differ from a;
// it tells whether there are any.
func diffBody(a, b, out *hclwrite.Body) bool {
	changed := false
	aa, ba := a.Attributes(), b.Attributes()
	var names []string
	for n := range ba {
		names = append(names, n)
	}
	for n := range aa {
		if _, ok := ba[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		x, y := aa[n], ba[n]
		switch {
		case y == nil:
			out.SetAttributeRaw(n, hclwrite.TokensForIdentifier("null"))
			changed = true
		case x == nil || tokenText(x.Expr().BuildTokens(nil)) != tokenText(y.Expr().BuildTokens(nil)):
			out.SetAttributeRaw(n, y.Expr().BuildTokens(nil))
			changed = true
		}
	}
	group := func(body *hclwrite.Body) (map[string][]*hclwrite.Block, []string) {
		m := map[string][]*hclwrite.Block{}
		var order []string
		for _, blk := range body.Blocks() {
			typ := blockType(blk)
			if m[typ] == nil {
				order = append(order, typ)
			}
			m[typ] = append(m[typ], blk)
		}
		return m, order
	}
	ab, _ := group(a)
	bb, border := group(b)
	for _, typ := range border {
		if sameBlocks(ab[typ], bb[typ]) {
			continue
		}
		if x, y := onlyBlock(a, typ), onlyBlock(b, typ); x != nil && y != nil && sameStrings(x.Labels(), y.Labels()) {
			nb := hclwrite.NewBlock(y.Type(), y.Labels())
			diffBody(x.Body(), y.Body(), nb.Body())
			out.AppendBlock(nb)
			changed = true
			continue
		}
		for _, blk := range bb[typ] {
			out.AppendBlock(blk)
		}
		changed = true
	}
	_, aorder := group(a)
	for _, typ := range aorder {
		if bb[typ] != nil {
			continue
		}
		// No nested block of the type: an empty dynamic block replaces the base's.
		empty, err := parseHCLBytes([]byte(fmt.Sprintf("dynamic %q {\n  for_each = []\n  content {}\n}\n", typ)), "")
		if err != nil {
			panic(err)
		}
		out.AppendBlock(empty.Body().Blocks()[0])
		changed = true
	}
	return changed
}

func sameBlocks(a, b []*hclwrite.Block) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if tokenText(a[i].BuildTokens(nil)) != tokenText(b[i].BuildTokens(nil)) {
			return false
		}
	}
	return true
}
