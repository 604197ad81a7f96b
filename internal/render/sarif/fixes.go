package sarif

import (
	"github.com/akscheck/akscheck/internal/render/fixtext"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
)

// fix is a SARIF fix (§3.55): a description, and the changes to artifacts it makes.
type fix struct {
	Description     message          `json:"description"`
	ArtifactChanges []artifactChange `json:"artifactChanges"`
}

// artifactChange is the change of one file (§3.56).
type artifactChange struct {
	ArtifactLocation artifactLocation `json:"artifactLocation"`
	Replacements     []replacement    `json:"replacements"`
}

// replacement is one change in a file (§3.57): what to delete, and what to insert there.
type replacement struct {
	DeletedRegion textRegion     `json:"deletedRegion"`
	Properties    map[string]any `json:"properties,omitempty"`
}

// textRegion is a region of a text file by line and columns (§3.30).
type textRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndColumn   int `json:"endColumn"`
}

// fixesOf is the SARIF fixes of a finding: one fix for its edits when they apply to a file of
// the repository, none otherwise.
//
// The report gives an edit as a value at a field path, at the file and line of the finding,
// not as the bytes of the file (renderers do not read the inputs, and the line is the
// setting's own when it is written, or where it would be written when it is not). So each
// edit is a replacement whose deletedRegion is the empty region at the start of that line
// (startColumn = endColumn = 1: a pure insertion point, which deletes nothing, §3.57.3) with
// no insertedContent, the edit itself in the replacement's properties (op, path, value in the
// input's form) and the whole change in words in the fix's description. A viewer that applies
// fixes as text thus changes no byte it cannot know, and one that shows them points at the
// line and says what to write there; `akscheck fix` applies manifest edits on the YAML nodes.
//
// A fix that is only a command (az output, a running cluster) changes no file: a SARIF fix
// must change an artifact (artifactChanges is required, with at least one replacement), and
// pointing at the az output would claim an edit of a snapshot. Its command goes into the
// result's message and its properties instead (resultFix), as do the edits of a finding with
// no file (standard input, a live object).
func fixesOf(f report.Finding, live map[string]bool) []fix {
	fx := f.Fix
	if fx == nil || len(fx.Edits) == 0 || fx.Line < 1 || !repositoryFile(fx.File, live) {
		return nil
	}
	v := fixtext.Of(fx)
	change := artifactChange{ArtifactLocation: artifactURI(fx.File)}
	safe := fixtext.Redacted(fx)
	for i, e := range fx.Edits {
		change.Replacements = append(change.Replacements, replacement{
			DeletedRegion: textRegion{StartLine: fx.Line, StartColumn: 1, EndColumn: 1},
			Properties:    map[string]any{"op": e.Op, "path": e.Path, "value": safe.Edits[i].Value, "text": v.Edits[i]},
		})
	}
	return []fix{{Description: message{Text: sanitize.Text(v.Summary())}, ArtifactChanges: []artifactChange{change}}}
}

// repositoryFile reports whether file is a file of the scanned tree, as locationOf places it:
// not an Azure resource ID, standard input, a live source or nothing.
func repositoryFile(file string, live map[string]bool) bool {
	return file != "" && file != "<stdin>" && !live[file] && !isAzureResourceID(file)
}

// resultFix is what a result says of its finding's fix: the text appended to its message
// (the fix in one sentence: code scanning shows the message, not fixes) and the fix as the
// report has it, credentials withheld, for the result's properties; "" and nil without a fix.
func resultFix(f report.Finding) (string, *report.Fix) {
	v := fixtext.Of(f.Fix)
	if v.Empty() {
		return "", nil
	}
	return "\n\nFix: " + sanitize.Text(v.Summary()), fixtext.Redacted(f.Fix)
}
