package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/spf13/cobra"

	"github.com/akscheck/akscheck/internal/checks/workload"
	"github.com/akscheck/akscheck/internal/fix"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/helm"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
)

type fixFlags struct {
	diff, check, kustomizePatch bool
	exclude, include            []string
	namespace                   string
	requiredLabels              []string
	helmValues, helmSet         []string
	releaseName                 string
	strict, allowRemote         bool
	maxFileSize                 byteSize
}

func (a *app) fixCommand() *cobra.Command {
	f := &fixFlags{}
	cmd := &cobra.Command{
		Use:   "fix PATH...",
		Short: "Apply the checks' mechanical fixes to Kubernetes manifests",
		Long: `Scan the paths as scan does (same checks, config, settings and exemptions), then make the
fixes the checks offer (akscheck checks shows which) in the YAML manifests, and scan again.

Only the edited bytes change: comments, key order, quoting, indentation and the documents of
a stream stay as they were. A file is written atomically (a temporary file renamed over it,
keeping its mode), and only when it did not change since it was read; a symlink, a read-only
file, JSON and a file that does not parse are refused with an error naming them, and the
other files are still fixed.

Helm charts are never rewritten: fix prints the change to make in the chart's templates or
values. A Kustomize build is not traced back to its bases: --kustomize-patch writes a
strategic-merge patch into the overlay and adds it to its kustomization.yaml; without it the
findings are left.

The summary on standard error counts the files changed, the findings fixed and those left,
with why each was left.

Exit codes: 0 done (with --check: no fix pending), 1 with --check a fix is pending, 2 usage
error or nothing read, 3 an input could not be read or a file could not be fixed or written
(the other files are fixed all the same).`,
		Example: `  akscheck fix k8s/
  akscheck fix --diff examples/
  akscheck fix --check deploy/        # in CI: exit 1 when a fix is pending
  akscheck fix --kustomize-patch overlays/prod`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runFix(cmd, f, args) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.diff, "diff", false, "print a unified diff of the fixes instead of writing them")
	fl.BoolVar(&f.check, "check", false, "write nothing; exit 1 when a fix is pending (for CI)")
	fl.BoolVar(&f.kustomizePatch, "kustomize-patch", false, "for a Kustomize overlay, write the fixes as a strategic-merge patch file in the overlay and add it to its kustomization.yaml")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "leave out files and folders matching this glob while walking directories, repeatable")
	fl.StringArrayVar(&f.include, "include", nil, "read only files matching this glob while walking directories, repeatable")
	fl.StringVarP(&f.namespace, "namespace", "n", "", "namespace for namespaced objects that set none")
	fl.StringArrayVar(&f.requiredLabels, "required-label", nil, "label key every workload must carry, repeatable (values come from the fixLabels setting)")
	fl.StringArrayVar(&f.helmValues, "values", nil, "Helm values file for the charts scanned, repeatable")
	fl.StringArrayVar(&f.helmSet, "set", nil, "Helm value override key=value, repeatable")
	fl.StringVar(&f.releaseName, "release-name", "", "Helm release name for the charts scanned")
	fl.BoolVar(&f.strict, "strict", false, "ignore exemptions made by object annotations (akscheck.io/exempt)")
	fl.BoolVar(&f.allowRemote, "allow-remote", false, "let kustomizations fetch remote resources")
	f.maxFileSize = manifest.DefaultMaxFileSize
	fl.Var(&f.maxFileSize, "max-file-size", "largest input file read: bytes, or a size with a unit (64Mi, 1Gi, 100MB)")
	return cmd
}

// fixPlan is what fix does to one file: the findings it mends there.
type fixPlan struct {
	file     string
	findings []report.Finding
}

// leftFinding is a fixable finding that fix did not mend, and why.
type leftFinding struct {
	finding report.Finding
	why     string
}

type fixRun struct {
	cmd      *cobra.Command
	f        *fixFlags
	changed  []string
	fixed    int
	left     []leftFinding
	failures []string
	pending  bool
}

func (a *app) runFix(cmd *cobra.Command, f *fixFlags, args []string) error {
	if f.diff && f.check {
		return usageErr("--diff and --check: choose one")
	}
	for _, p := range args {
		if p == manifest.Stdin {
			return usageErr("fix edits files: standard input (-) has nowhere to write")
		}
	}
	req := a.fixRequest(f, args)
	res, err := scan.Run(cmd.Context(), req)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	rep := res.Reports[0]
	if rep.Read == 0 {
		return exitPolicy{reportOnly: true}.exitFor(cmd.ErrOrStderr(), rep.Report, rep.Read)
	}
	r := &fixRun{cmd: cmd, f: f}
	plans, kustomized := r.plan(rep.Report)
	for _, p := range plans {
		r.fixFile(p)
	}
	for _, dir := range sortedKeys(kustomized) {
		r.fixKustomization(dir, kustomized[dir])
	}
	wrote := len(r.changed) > 0 && !f.diff && !f.check
	after := rep.Report
	if wrote {
		again, err := scan.Run(cmd.Context(), a.fixRequest(f, args))
		if err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		after = again.Reports[0].Report
	}
	offers := map[string]bool{}
	for _, c := range a.checks {
		offers[c.ID] = c.Fix != ""
	}
	r.summary(rep.Report, after, wrote, offers)
	switch {
	case len(r.failures) > 0:
		return &exitError{code: ExitPartial, err: fmt.Errorf("%d file(s) could not be fixed (the first: %s); the others were", len(r.failures), r.failures[0])}
	case len(rep.Report.Errors) > 0:
		return &exitError{code: ExitPartial, err: fmt.Errorf("%d input error(s) (the first: %s): what could not be read was not fixed", len(rep.Report.Errors), errorLine(rep.Report.Errors[0]))}
	case f.check && r.pending:
		return &exitError{code: ExitFindings, err: fmt.Errorf("%d fix(es) pending in %d file(s): run akscheck fix", r.fixed, len(r.changed))}
	}
	return nil
}

func (a *app) fixRequest(f *fixFlags, args []string) scan.Request {
	resolved := a.resolved
	settings := resolved.Settings.Clone()
	if len(f.requiredLabels) > 0 {
		workload.RequiredLabelsSetting.Set(settings, f.requiredLabels)
	}
	policy := resolved.Policy
	if f.strict {
		p := *policy
		p.Strict = true
		policy = &p
	}
	return scan.Request{
		Paths: args,
		Load: load.Options{Helm: helm.Options{ValueFiles: f.helmValues, Set: f.helmSet, ReleaseName: f.releaseName, Namespace: f.namespace},
			Exclude: f.exclude, Include: f.include, AllowRemote: f.allowRemote, MaxTotalSize: load.DefaultMaxTotalSize,
			Manifest: manifest.Options{Namespace: f.namespace, MaxFileSize: int64(f.maxFileSize), Stdin: a.io.In}},
		Catalog: resolved.Catalog, Checks: resolved.Checks, Settings: settings, Policy: policy,
		Version: Version(), Now: a.now,
	}
}

// plan sorts the report's fixable findings: manifest files to edit, Kustomize overlays (by
// folder), and those left (Helm charts, whose change is printed, and other inputs).
func (r *fixRun) plan(rep *report.Report) ([]fixPlan, map[string][]report.Finding) {
	byFile := map[string][]report.Finding{}
	kustomized := map[string][]report.Finding{}
	var helmFindings []report.Finding
	for _, fd := range rep.Findings {
		if fd.Fix == nil || len(fd.Fix.Edits) == 0 || fd.SuppressedBy != "" {
			continue
		}
		switch subject.InputKind(fd.Fix.Input) {
		case subject.InputManifest:
			byFile[fd.Location.File] = append(byFile[fd.Location.File], fd)
		case subject.InputKustomize:
			if r.f.kustomizePatch {
				kustomized[fd.Location.File] = append(kustomized[fd.Location.File], fd)
			} else {
				r.left = append(r.left, leftFinding{fd, "built by Kustomize: --kustomize-patch writes the fix as a patch in the overlay"})
			}
		case subject.InputHelm:
			helmFindings = append(helmFindings, fd)
		default:
			r.left = append(r.left, leftFinding{fd, "a " + fd.Fix.Input + " input: fix edits manifests"})
		}
	}
	r.printHelm(helmFindings)
	plans := make([]fixPlan, 0, len(byFile))
	for _, file := range sortedKeys(byFile) {
		plans = append(plans, fixPlan{file: file, findings: byFile[file]})
	}
	return plans, kustomized
}

// printHelm prints, for the objects a chart renders, the change to make in the chart: fix never
// rewrites a template, whose text is not the YAML it renders.
func (r *fixRun) printHelm(findings []report.Finding) {
	if len(findings) == 0 {
		return
	}
	out := r.cmd.OutOrStdout()
	fmt.Fprintln(out, "# Helm charts are not rewritten: make these changes in the templates (or the values they read):")
	for _, fd := range findings {
		fmt.Fprintf(out, "%s: %s %s (%s):\n", sanitize.Lines(fd.Location.File), fd.Object.Kind, sanitize.Lines(fd.Object.Name), fd.Check)
		for _, e := range fd.Fix.Edits {
			v, err := fix.ValueText(e.Value)
			if err != nil {
				v = fmt.Sprint(e.Value)
			}
			fmt.Fprintf(out, "  %s %s: %s\n", e.Op, sanitize.Lines(e.Path), sanitize.Lines(v))
		}
		r.left = append(r.left, leftFinding{fd, "rendered by a Helm chart: the change is printed, the chart is not rewritten"})
	}
}

// fixFile makes the fixes of one manifest file.
func (r *fixRun) fixFile(p fixPlan) {
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		r.failures = append(r.failures, p.file+": "+msg)
		fmt.Fprintf(r.cmd.ErrOrStderr(), "akscheck: %s: %s; the file was left untouched\n", sanitize.Lines(p.file), sanitize.Lines(msg))
		for _, fd := range p.findings {
			r.left = append(r.left, leftFinding{fd, msg})
		}
	}
	info, err := os.Lstat(p.file)
	if err != nil {
		fail("%v", err)
		return
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		fail("a symlink: fix does not write through links (fix the file it points to)")
		return
	}
	if !info.Mode().IsRegular() {
		fail("not a regular file")
		return
	}
	data, err := os.ReadFile(p.file)
	if err != nil {
		fail("%v", err)
		return
	}
	if isJSONManifest(p.file, data) {
		fail("a JSON manifest: fix edits YAML only (akscheck scan -o json lists each finding's edits)")
		return
	}
	changes := make([]fix.Change, len(p.findings))
	for i, fd := range p.findings {
		changes[i] = fix.Change{Line: fd.Location.Line, Kind: fd.Object.Kind, Name: fd.Object.Name, Edits: toFixEdits(fd.Fix.Edits)}
	}
	out, outcomes, err := fix.Apply(data, changes)
	if err != nil {
		fail("%v", err)
		return
	}
	n := 0
	for i, o := range outcomes {
		if o.Applied {
			n++
			continue
		}
		r.left = append(r.left, leftFinding{p.findings[i], o.Err.Error()})
	}
	if bytes.Equal(out, data) {
		return
	}
	switch {
	case r.f.diff:
		if err := writeDiff(r.cmd.OutOrStdout(), p.file, data, out); err != nil {
			fail("%v", err)
			return
		}
	case r.f.check:
	default:
		if err := writeAtomic(p.file, info, data, out); err != nil {
			fail("%v", err)
			return
		}
	}
	r.fixed += n
	r.pending = true
	r.changed = append(r.changed, p.file)
}

func toFixEdits(edits []report.Edit) []fix.Edit {
	out := make([]fix.Edit, len(edits))
	for i, e := range edits {
		out[i] = fix.Edit{Op: e.Op, Path: e.Path, Value: e.Value}
	}
	return out
}

// isJSONManifest tells a JSON file as the manifest loader does: named .json, or starting with
// { or [.
func isJSONManifest(name string, data []byte) bool {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return true
	}
	rest := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(rest) > 0 && (rest[0] == '{' || rest[0] == '[')
}

// writeAtomic writes data over file through a temporary file in its folder renamed over it,
// keeping its mode, after checking that the file still holds what was read (same content,
// same modification time) and is writable.
func writeAtomic(file string, info fs.FileInfo, read, data []byte) error {
	now, err := os.Lstat(file)
	if err != nil {
		return err
	}
	current, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !now.ModTime().Equal(info.ModTime()) || !bytes.Equal(current, read) || now.Mode() != info.Mode() {
		return errors.New("changed since it was read: run fix again")
	}
	if info.Mode().Perm()&0o200 == 0 {
		return errors.New("read-only: fix does not change a file's permissions")
	}
	// Opening it for writing asks the operating system as well (an immutable file, a
	// read-only mount).
	w, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("not writable: %w", err)
	}
	if err := w.Close(); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".akscheck-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// writeDiff prints the unified diff of a file's fixes, as git apply and patch read it; before
// is nil for a file fix creates.
func writeDiff(w io.Writer, file string, before, after []byte) error {
	from := "a/" + filepath.ToSlash(file)
	if before == nil {
		from = "/dev/null"
	}
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: diffLines(before), B: diffLines(after),
		FromFile: from, ToFile: "b/" + filepath.ToSlash(file), Context: 3,
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, text)
	return err
}

// diffLines splits text into lines that keep their line breaks (difflib.SplitLines adds a
// line that is not in the file); a last line without one gets one, with git's marker.
func diffLines(data []byte) []string {
	if len(data) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(data), "\n")
	if last := lines[len(lines)-1]; last == "" {
		return lines[:len(lines)-1]
	}
	lines[len(lines)-1] += "\n\\ No newline at end of file\n"
	return lines
}

// summary prints what fix did on standard error: files changed, findings fixed, findings
// left and why, and the fixable findings before and after.
func (r *fixRun) summary(before, after *report.Report, wrote bool, offers map[string]bool) {
	w := r.cmd.ErrOrStderr()
	verb, fixed := "changed", "fixed"
	switch {
	case r.f.diff:
		verb, fixed = "would change (--diff)", "would be fixed"
	case r.f.check:
		verb, fixed = "would change (--check)", "would be fixed"
	}
	fmt.Fprintf(w, "akscheck fix: %d file(s) %s, %d finding(s) %s, %d fixable finding(s) left\n", len(r.changed), verb, r.fixed, fixed, len(r.left))
	sort.SliceStable(r.left, func(i, j int) bool { return r.left[i].finding.Location.File < r.left[j].finding.Location.File })
	for _, l := range r.left {
		loc := l.finding.Location.File
		if l.finding.Location.Line > 0 {
			loc = fmt.Sprintf("%s:%d", loc, l.finding.Location.Line)
		}
		fmt.Fprintf(w, "  left %s %s %s: %s\n", sanitize.Lines(loc), l.finding.Check, sanitize.Lines(l.finding.Object.Kind+"/"+l.finding.Object.Name), sanitize.Lines(l.why))
	}
	// The findings without a fix, said in one line: those of checks that offer none, and those
	// a check that offers one could not mend safely (docs/fix.md says when), by check.
	none, unmended := 0, map[string]int{}
	for _, f := range before.Findings {
		if f.SuppressedBy != "" || f.Fix != nil && len(f.Fix.Edits) > 0 {
			continue
		}
		if offers[f.Check] {
			unmended[f.Check]++
		} else {
			none++
		}
	}
	if none+len(unmended) > 0 {
		var by []string
		n := 0
		for _, id := range sortedKeys(unmended) {
			by = append(by, fmt.Sprintf("%s %d", id, unmended[id]))
			n += unmended[id]
		}
		detail := ""
		if n > 0 {
			detail = fmt.Sprintf("; %d of checks that offer one, but not for these findings (%s): docs/fix.md says when (some need a setting: fixLabels, fixResources, fixProbes)", n, strings.Join(by, ", "))
		}
		fmt.Fprintf(w, "akscheck fix: %d other finding(s) have no mechanical fix: %d of checks that offer none%s\n", none+n, none, detail)
	}
	if wrote {
		fmt.Fprintf(w, "akscheck fix: rescanned: %d finding(s) before, %d after (%d with a fix before, %d after)\n",
			len(before.Findings), len(after.Findings), fixable(before), fixable(after))
	}
}

func fixable(rep *report.Report) int {
	n := 0
	for _, f := range rep.Findings {
		if f.Fix != nil && len(f.Fix.Edits) > 0 && f.SuppressedBy == "" {
			n++
		}
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
