package cli

import (
	"os"
	"regexp"
	"testing"

	"github.com/spf13/pflag"
)

// TestReadmeListsEveryScanFlag: the README's table of scan's flags names every flag the
// command has, and no flag it does not have.
func TestReadmeListsEveryScanFlag(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(?:-[a-z], )?--([a-z-]+)`").FindAllSubmatch(data, -1) {
		documented[string(m[1])] = true
	}
	a := &app{}
	cmd := a.scanCommand()
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !documented[f.Name] {
			t.Errorf("README's flag table lacks --%s", f.Name)
		}
		delete(documented, f.Name)
	})
	delete(documented, "config") // a global flag, listed with scan's
	for name := range documented {
		t.Errorf("README's flag table lists --%s, which scan does not have", name)
	}
}
