package dockerfile

import (
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzLoadBytes feeds arbitrary bytes to the Dockerfile loader. It must never panic (a
// recovered panic of BuildKit's parser shows as an "internal error" entry, which fails here
// too), every error must name its source, and every stage and instruction must have a line.
// Findings of the fuzzer are kept in testdata/fuzz/FuzzLoadBytes and run by plain `go test`.
func FuzzLoadBytes(f *testing.F) {
	seeds := []string{
		"FROM alpine\n",
		"ARG V=1\nFROM golang:${V} AS b\nRUN <<EOF\necho\nEOF\nFROM b\nUSER ${U:-0}\n",
		"# escape=`\nFROM x\nRUN a `\n  b\n",
		"FROM x\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get install -y curl\n",
		"FROM x\nCOPY <<-EOT /a\n\tb\n\tEOT\n",
		"FROM x\n# check=skip=all\nRUN true\n",
		"FROM x\nONBUILD RUN y\nHEALTHCHECK --interval=5s CMD true\n",
		"FROM x\nENV A=1 B\nARG\n",
	}
	testutil.AddSeeds(f, seeds,
		filepath.Join("testdata", "*Dockerfile"),
		filepath.Join("..", "..", "..", "examples", "*", "*Dockerfile*"),
		filepath.Join("..", "..", "checks", "dockerfile", "testdata", "*", "*.Dockerfile"),
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a failing input, not a fuzzer that never returns.
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			s := LoadBytes("Dockerfile", data, Options{Target: "build"})
			testutil.CheckLoadErrors(t, "Dockerfile", s.Errors)
			for _, o := range s.Others {
				df := o.(*subject.Dockerfile)
				if df.Final == nil || len(df.Stages) == 0 {
					t.Fatalf("Dockerfile without a final stage: %+v", df)
				}
				for _, st := range df.Stages {
					if st.Line < 1 {
						t.Fatalf("stage without a line: %+v", st)
					}
					for _, in := range st.Instructions {
						if in.Line < st.Line || in.Keyword == "" {
							t.Fatalf("bad instruction %+v in stage at line %d", in, st.Line)
						}
						_ = in.Script()
					}
					_ = st.Root()
				}
				_ = df.Chain()
			}
		})
	})
}
