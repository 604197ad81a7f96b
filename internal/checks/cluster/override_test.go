package cluster

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// tfBase returns testdata/base/main.tf with the override layers applied.
func tfBase(layers []string) (*hclwrite.File, error) {
	f, err := parseHCL(filepath.Join(baseDir, "main.tf"))
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		o, err := parseHCL(filepath.Join(baseDir, l+overrideSuffix))
		if err != nil {
			return nil, err
		}
		mergeOverride(f, o)
	}
	return f, nil
}

func parseHCL(path string) (*hclwrite.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseHCLBytes(data, path)
}

func parseHCLBytes(data []byte, path string) (*hclwrite.File, error) {
	f, diags := hclwrite.ParseConfig(data, path, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	return f, nil
}

// applyOverride merges a Terraform override file into the base.
func applyOverride(layers []string, override []byte, path string) ([]byte, error) {
	f, err := tfBase(layers)
	if err != nil {
		return nil, err
	}
	o, err := parseHCLBytes(override, path)
	if err != nil {
		return nil, err
	}
	mergeOverride(f, o)
	return hclwrite.Format(f.Bytes()), nil
}

// mergeOverride merges an override file into a file as Terraform merges override files
// (https://developer.hashicorp.com/terraform/language/files/override): a top-level block
// with the type and labels of one in the base has its attributes replace the base's
// attributes of the same name, and each nested block type it holds replaces all the
// nested blocks of that type in the base; other top-level blocks are added.
//
// One departure: where the base and the override each hold a single nested block of a
// type (default_node_pool, network_profile, upgrade_settings...), the two are merged in
// the same way, recursively, where Terraform would replace the base's block whole. So an
// override states only the attribute under test, not the fifteen others of the block it
// sits in (and a removal shows as `attr = null`, not as a line missing from a copy).
// Repeated blocks (enabled_log) are replaced as Terraform does.
//
// Two things Terraform would leave to evaluation are done here, since the loader reads
// the text: an attribute set to the literal null is removed (Terraform treats it as
// unset; the loader would read it as written, and then not fall back to the attribute's
// azurerm v3 name), and a dynamic block whose for_each is a list written out is expanded
// into the blocks it generates (the loader would read a dynamic block as unknown
// content): `dynamic "x" { for_each = [] ... }` removes the base's x blocks. A resource is
// removed with `count = 0`, which the loader honours.
func mergeOverride(base, override *hclwrite.File) {
	body := base.Body()
	for _, ob := range override.Body().Blocks() {
		target := findBlock(body, ob.Type(), ob.Labels())
		if target == nil {
			body.AppendNewline()
			body.AppendBlock(ob)
			continue
		}
		mergeBody(target.Body(), ob.Body())
	}
}

func findBlock(body *hclwrite.Body, typ string, labels []string) *hclwrite.Block {
	for _, b := range body.Blocks() {
		if b.Type() == typ && sameStrings(b.Labels(), labels) {
			return b
		}
	}
	return nil
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// blockType is the type of blocks a nested block writes: a dynamic block writes blocks of
// its label.
func blockType(b *hclwrite.Block) string {
	if b.Type() == "dynamic" && len(b.Labels()) == 1 {
		return b.Labels()[0]
	}
	return b.Type()
}

func mergeBody(target, override *hclwrite.Body) {
	attrs := override.Attributes()
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		toks := attrs[n].Expr().BuildTokens(nil)
		if tokenText(toks) == "null" {
			target.RemoveAttribute(n)
			continue
		}
		target.SetAttributeRaw(n, toks)
	}
	replaced := map[string]bool{}
	for _, ob := range override.Blocks() {
		typ := blockType(ob)
		if tb, one := onlyBlock(target, typ), onlyBlock(override, typ); tb != nil && one == ob && sameStrings(tb.Labels(), ob.Labels()) {
			mergeBody(tb.Body(), ob.Body())
			continue
		}
		if !replaced[typ] {
			replaced[typ] = true
			for _, b := range target.Blocks() {
				if blockType(b) == typ {
					target.RemoveBlock(b)
				}
			}
		}
		if blocks, ok := expandDynamic(ob); ok {
			for _, b := range blocks {
				target.AppendBlock(b)
			}
			continue
		}
		target.AppendBlock(ob)
	}
}

// onlyBlock returns the nested block of a type when the body holds just one, written as a
// plain block; else nil.
func onlyBlock(body *hclwrite.Body, typ string) *hclwrite.Block {
	var only *hclwrite.Block
	for _, b := range body.Blocks() {
		if blockType(b) != typ {
			continue
		}
		if only != nil || b.Type() == "dynamic" {
			return nil
		}
		only = b
	}
	return only
}

// expandDynamic returns the blocks that a dynamic block iterating over a list written out
// in for_each generates, as Terraform would (`<type>.value` in its content stands for
// each element); ok is false for any other block.
func expandDynamic(b *hclwrite.Block) (blocks []*hclwrite.Block, ok bool) {
	if b.Type() != "dynamic" || len(b.Labels()) != 1 || len(b.Body().Attributes()) != 1 {
		return nil, false
	}
	typ := b.Labels()[0]
	fe, content := b.Body().GetAttribute("for_each"), b.Body().FirstMatchingBlock("content", nil)
	if fe == nil || content == nil {
		return nil, false
	}
	elems, ok := listElements(fe.Expr().BuildTokens(nil))
	if !ok {
		return nil, false
	}
	toks := content.Body().BuildTokens(nil)
	for len(toks) > 0 && toks[0].Type == hclsyntax.TokenNewline {
		toks = toks[1:]
	}
	for _, e := range elems {
		var body hclwrite.Tokens
		for i := 0; i < len(toks); i++ {
			if i+2 < len(toks) && toks[i].Type == hclsyntax.TokenIdent && string(toks[i].Bytes) == typ &&
				toks[i+1].Type == hclsyntax.TokenDot && string(toks[i+2].Bytes) == "value" {
				for j, tk := range e {
					tk := *tk
					if j == 0 {
						tk.SpacesBefore = toks[i].SpacesBefore
					}
					body = append(body, &tk)
				}
				i += 2
				continue
			}
			body = append(body, toks[i])
		}
		f, err := parseHCLBytes([]byte(typ+" {\n"+string(body.Bytes())+"}\n"), "")
		if err != nil || len(f.Body().Blocks()) != 1 {
			return nil, false
		}
		blocks = append(blocks, f.Body().Blocks()[0])
	}
	return blocks, true
}

// listElements splits the tokens of a list written out, [a, b, c], into its elements.
func listElements(toks hclwrite.Tokens) ([]hclwrite.Tokens, bool) {
	var ts hclwrite.Tokens
	for _, tk := range toks {
		if tk.Type != hclsyntax.TokenNewline {
			ts = append(ts, tk)
		}
	}
	if len(ts) < 2 || ts[0].Type != hclsyntax.TokenOBrack || ts[len(ts)-1].Type != hclsyntax.TokenCBrack {
		return nil, false
	}
	var elems []hclwrite.Tokens
	var cur hclwrite.Tokens
	depth := 0
	for _, tk := range ts[1 : len(ts)-1] {
		switch tk.Type {
		case hclsyntax.TokenOBrack, hclsyntax.TokenOBrace, hclsyntax.TokenOParen:
			depth++
		case hclsyntax.TokenCBrack, hclsyntax.TokenCBrace, hclsyntax.TokenCParen:
			depth--
		case hclsyntax.TokenComma:
			if depth == 0 {
				elems, cur = append(elems, cur), nil
				continue
			}
		}
		cur = append(cur, tk)
	}
	if len(cur) > 0 {
		elems = append(elems, cur)
	}
	return elems, true
}

// tokenText is the text of tokens without the spaces between them.
func tokenText(toks hclwrite.Tokens) string {
	var b strings.Builder
	for _, tk := range toks {
		if tk.Type == hclsyntax.TokenNewline {
			if s := b.String(); s != "" && s[len(s)-1] != '\n' {
				b.WriteByte('\n')
			}
			continue
		}
		b.Write(tk.Bytes)
	}
	return strings.TrimSpace(b.String())
}
