package check

import (
	"errors"
	"strings"
	"testing"
)

func TestSettingsOf(t *testing.T) {
	t.Parallel()
	shared := NewParam("shared", "d", []string{"a"}, nil)
	a := &Check{Meta: Meta{ID: "a", Settings: []Setting{shared}}}
	b := &Check{Meta: Meta{ID: "b", Settings: []Setting{shared, NewInput("input", "d", 1)}}}
	got, err := SettingsOf([]*Check{a, b})
	if err != nil || len(got) != 2 || got[0].Key() != "input" || got[1].Key() != "shared" {
		t.Fatalf("SettingsOf = %v, %v", got, err)
	}
	twice := &Check{Meta: Meta{ID: "c", Settings: []Setting{NewParam("shared", "other", []string{}, nil)}}}
	if _, err := SettingsOf([]*Check{a, twice}); err == nil || !strings.Contains(err.Error(), "declared twice") {
		t.Errorf("two declarations of one key: %v", err)
	}
}

func TestValueGetSetDecode(t *testing.T) {
	t.Parallel()
	positive := NewParam("n", "d", 3, func(n int) error {
		if n <= 0 {
			return errors.New("not positive")
		}
		return nil
	})
	if got := positive.Get(nil); got != 3 {
		t.Errorf("default = %d", got)
	}
	s := Settings{}
	positive.Set(s, 7)
	if got := positive.Get(&Env{Settings: s}); got != 7 {
		t.Errorf("set = %d", got)
	}
	for in, wantErr := range map[int]bool{5: false, -1: true} {
		v, err := positive.Decode(func(p any) error { *(p.(*int)) = in; return nil })
		if (err != nil) != wantErr || (err == nil && v != in) {
			t.Errorf("Decode(%d) = %v, %v", in, v, err)
		}
	}
	if line, err := InlineYAML([]string{"*.azurecr.io", "mcr.microsoft.com"}); err != nil || line != "['*.azurecr.io', mcr.microsoft.com]" {
		t.Errorf("InlineYAML = %q, %v", line, err)
	}
}
