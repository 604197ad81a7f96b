package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/akscheck/akscheck/internal/fix"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
)

// kustomizationNames are the file names kustomize reads in a folder, in its order.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// fixKustomization writes the fixes of a Kustomize build as strategic-merge patches in the
// overlay (one file per object, akscheck-fix-<kind>-<name>.yaml) and adds each to the
// overlay's patches with its target; the bases are not touched. The objects are read from
// the overlay's build, as the scan read them (a finding's line is a line of that build).
func (r *fixRun) fixKustomization(dir string, findings []report.Finding) {
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		r.failures = append(r.failures, dir+": "+msg)
		fmt.Fprintf(r.cmd.ErrOrStderr(), "akscheck: %s: %s; nothing was written\n", sanitize.Lines(dir), sanitize.Lines(msg))
		for _, fd := range findings {
			r.left = append(r.left, leftFinding{fd, msg})
		}
	}
	kfile := ""
	for _, name := range kustomizationNames {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			kfile = filepath.Join(dir, name)
			break
		}
	}
	if kfile == "" {
		fail("no kustomization file")
		return
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		fail("%v", err)
		return
	}
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), root)
	if err != nil {
		fail("building kustomization: %v", err)
		return
	}
	built, err := resources.AsYaml()
	if err != nil {
		fail("building kustomization: %v", err)
		return
	}
	objects, err := fix.Objects(built)
	if err != nil {
		fail("reading the build: %v", err)
		return
	}
	kdata, err := os.ReadFile(kfile)
	if err != nil {
		fail("%v", err)
		return
	}
	kobjs, err := fix.Objects(kdata)
	if err != nil {
		fail("%s: %v", kfile, err)
		return
	}
	var kust map[string]any
	for _, o := range kobjs {
		kust = o
	}
	prefix, _ := kust["namePrefix"].(string)
	suffix, _ := kust["nameSuffix"].(string)

	// The findings by object, in the order of the build.
	byLine := map[int][]report.Finding{}
	var lines []int
	for _, fd := range findings {
		if _, ok := byLine[fd.Location.Line]; !ok {
			lines = append(lines, fd.Location.Line)
		}
		byLine[fd.Location.Line] = append(byLine[fd.Location.Line], fd)
	}
	var kchanges []fix.Change
	type patchFile struct {
		path         string
		before, text []byte
		findings     []report.Finding
	}
	var files []patchFile
	for _, line := range lines {
		fds := byLine[line]
		obj, ok := objects[line]
		if !ok {
			for _, fd := range fds {
				r.left = append(r.left, leftFinding{fd, "the object is no longer at this line of the build"})
			}
			continue
		}
		var edits []fix.Edit
		for _, fd := range fds {
			edits = append(edits, toFixEdits(fd.Fix.Edits)...)
		}
		patch, err := fix.StrategicPatch(obj, edits)
		if err != nil {
			for _, fd := range fds {
				r.left = append(r.left, leftFinding{fd, "no strategic-merge patch for it: " + err.Error()})
			}
			continue
		}
		kind, _ := obj["kind"].(string)
		meta, _ := obj["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		// The overlay's patches apply before its own namePrefix and nameSuffix: the target
		// is the name without them.
		name = strings.TrimSuffix(strings.TrimPrefix(name, prefix), suffix)
		patch["metadata"] = map[string]any{"name": name}
		if !safeFileName(kind) || !safeFileName(name) {
			// The name becomes a file name in the overlay: one that is not a DNS name
			// (a slash, "..") could write elsewhere.
			for _, fd := range fds {
				r.left = append(r.left, leftFinding{fd, "its kind or name is not a valid Kubernetes name, and would name the patch file"})
			}
			continue
		}
		fname := "akscheck-fix-" + strings.ToLower(kind) + "-" + name + ".yaml"
		path := filepath.Join(dir, fname)
		before, err := os.ReadFile(path)
		if err == nil {
			prev, perr := fix.Objects(before)
			if perr != nil || len(prev) != 1 {
				for _, fd := range fds {
					r.left = append(r.left, leftFinding{fd, path + " exists and is not a patch fix can merge into"})
				}
				continue
			}
			for _, p := range prev {
				fix.MergePatch(p, patch)
				patch = p
			}
		} else if !os.IsNotExist(err) {
			for _, fd := range fds {
				r.left = append(r.left, leftFinding{fd, err.Error()})
			}
			continue
		}
		text, err := fix.Document(patch)
		if err != nil {
			for _, fd := range fds {
				r.left = append(r.left, leftFinding{fd, err.Error()})
			}
			continue
		}
		header := []byte("# Written by akscheck fix: " + strings.Join(findingChecks(fds), ", ") + ".\n")
		if before != nil {
			header = nil
			if i := bytes.IndexByte(before, '\n'); i > 0 && bytes.HasPrefix(before, []byte("#")) {
				header = before[:i+1]
			}
		}
		files = append(files, patchFile{path: path, before: before, text: append(header, text...), findings: fds})
		kchanges = append(kchanges, fix.Change{Edits: []fix.Edit{{Op: fix.OpAppend, Path: "patches",
			Value: map[string]any{"path": fname, "target": map[string]any{"kind": kind, "name": name}}}}})
	}
	if len(files) == 0 {
		return
	}
	knew, outcomes, err := fix.Apply(kdata, kchanges)
	if err != nil {
		fail("%s: %v", kfile, err)
		return
	}
	for _, o := range outcomes {
		if !o.Applied {
			fail("%s: adding the patch: %v", kfile, o.Err)
			return
		}
	}
	kinfo, err := os.Lstat(kfile)
	if err != nil {
		fail("%v", err)
		return
	}
	for _, pf := range files {
		if bytes.Equal(pf.before, pf.text) {
			continue
		}
		switch {
		case r.f.diff:
			if err := writeDiff(r.cmd.OutOrStdout(), pf.path, pf.before, pf.text); err != nil {
				fail("%v", err)
				return
			}
		case r.f.check:
		default:
			if err := writeNew(pf.path, pf.before, pf.text); err != nil {
				fail("%s: %v", pf.path, err)
				return
			}
		}
		r.fixed += len(pf.findings)
		r.pending = true
		r.changed = append(r.changed, pf.path)
	}
	if !bytes.Equal(knew, kdata) {
		switch {
		case r.f.diff:
			if err := writeDiff(r.cmd.OutOrStdout(), kfile, kdata, knew); err != nil {
				fail("%v", err)
				return
			}
		case r.f.check:
		default:
			if err := writeAtomic(kfile, kinfo, kdata, knew); err != nil {
				fail("%s: %v", kfile, err)
				return
			}
		}
		r.changed = append(r.changed, kfile)
	}
}

// writeNew writes a patch file: atomically over the one read (before), or as a new file that
// must not exist yet.
func writeNew(path string, before, data []byte) error {
	if before != nil {
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("not a regular file")
		}
		return writeAtomic(path, info, before, data)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func findingChecks(fds []report.Finding) []string {
	seen := map[string]bool{}
	var out []string
	for _, fd := range fds {
		if !seen[fd.Check] {
			seen[fd.Check] = true
			out = append(out, fd.Check)
		}
	}
	return out
}

// safeFileName reports whether a kind or name is a DNS-style name (letters, digits, '-', '.'),
// fit to be part of a file name in the overlay.
func safeFileName(s string) bool {
	if s == "" || len(s) > 253 || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
