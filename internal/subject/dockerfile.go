package subject

import (
	"strconv"
	"strings"
)

// InputDockerfile is the input kind of Dockerfiles and Containerfiles.
const InputDockerfile InputKind = "dockerfile"

// Dockerfile is a parsed Dockerfile (or Containerfile): its build stages in order, and the
// stage the image is built from. The loader keeps what the checks read of each instruction;
// checks never see the file.
type Dockerfile struct {
	// File is the path of the Dockerfile.
	File string
	// MetaArgs are the ARG instructions before the first FROM.
	MetaArgs []DockerInstruction
	// Stages are the FROM sections in file order.
	Stages []*DockerStage
	// Final is the stage the image is built from: the --target stage, else the last.
	Final *DockerStage
}

// Identity implements Subject: a Dockerfile is named by its path.
func (d *Dockerfile) Identity() Identity {
	return Identity{Kind: "Dockerfile", Name: d.File, Source: Location{File: d.File, Line: 1}, Input: InputDockerfile}
}

// At returns the location of a line of the Dockerfile.
func (d *Dockerfile) At(line int) Location { return Location{File: d.File, Line: line} }

// Chain returns the final stage and the stages it builds on (FROM <stage>), final first:
// the stages whose instructions end up in the image.
func (d *Dockerfile) Chain() []*DockerStage {
	var out []*DockerStage
	seen := map[*DockerStage]bool{}
	for s := d.Final; s != nil && !seen[s]; s = s.Parent {
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// InChain reports whether a stage is the final stage or one it builds on.
func (d *Dockerfile) InChain(s *DockerStage) bool {
	for _, c := range d.Chain() {
		if c == s {
			return true
		}
	}
	return false
}

// DockerStage is one FROM and the instructions under it.
type DockerStage struct {
	// Index is the 0-based position of the stage.
	Index int
	// Name is the AS name, "" when the stage has none.
	Name string
	// From is the base as written in FROM, with build arguments substituted by their
	// defaults where they have one.
	From string
	// Unresolved is true when From still depends on a build argument without a default.
	Unresolved bool
	// Parent is the earlier stage named by FROM, nil when the base is an image or scratch.
	Parent *DockerStage
	// Image is the parsed base image; Valid is false for scratch, stages and unresolved or
	// invalid references.
	Image ImageRef
	// Line is the line of the FROM instruction.
	Line int
	// Instructions are the instructions after FROM, in order.
	Instructions []DockerInstruction
}

// Scratch reports whether the stage starts from the empty image.
func (s *DockerStage) Scratch() bool { return s.Parent == nil && strings.EqualFold(s.From, "scratch") }

// Ref names the stage in messages: "stage build" or "stage 2".
func (s *DockerStage) Ref() string {
	if s.Name != "" {
		return "stage " + s.Name
	}
	return "stage " + strconv.Itoa(s.Index)
}

// Root returns the stage at the bottom of s's FROM chain: the one whose base is an image.
func (s *DockerStage) Root() *DockerStage {
	seen := map[*DockerStage]bool{}
	for s.Parent != nil && !seen[s] {
		seen[s] = true
		s = s.Parent
	}
	return s
}

// DockerInstruction is one instruction of a Dockerfile with what the checks read of it.
// Values are as written: the loader substitutes variables only in FROM, USER and EXPOSE,
// where build arguments and ENV values are known.
type DockerInstruction struct {
	// Keyword is the instruction in upper case: RUN, COPY, USER...
	Keyword string
	// Line is the line where the instruction starts.
	Line int
	// Flags are the instruction's flags as written ("--from=build", "--mount=type=cache,...").
	Flags []string
	// Args are the instruction's words: the command of RUN, CMD and ENTRYPOINT (one element,
	// the command line, in shell form); the sources of COPY and ADD (Dest holds the
	// destination); the ports of EXPOSE; the user of USER.
	Args []string
	// Dest is the destination of COPY and ADD.
	Dest string
	// ShellForm is true for RUN, CMD and ENTRYPOINT written in shell form (run by /bin/sh -c).
	ShellForm bool
	// Heredocs are the contents of the here-documents of RUN, COPY and ADD (RUN <<EOF).
	Heredocs []string
	// Vars are the names and values of ENV, ARG and LABEL.
	Vars []DockerVar
	// Mounts are the --mount flags of RUN.
	Mounts []DockerMount
	// From is the --from of COPY (a stage or image).
	From string
	// Checksum is the --checksum of ADD.
	Checksum string
}

// DockerVar is one name and value of ENV, ARG or LABEL. Values may hold secrets: checks name
// the variable, never print the value.
type DockerVar struct {
	Name  string
	Value string
	// HasValue is false for an ARG without a default.
	HasValue bool
}

// DockerMount is one RUN --mount.
type DockerMount struct {
	// Type is bind, cache, tmpfs, secret or ssh.
	Type   string
	Target string
}

// Script returns the shell code an instruction runs: its command line in shell form (the
// last argument of an exec-form "sh -c"), then its here-documents.
func (in *DockerInstruction) Script() string {
	var parts []string
	switch {
	case in.ShellForm:
		parts = append(parts, strings.Join(in.Args, " "))
	case len(in.Args) >= 3 && isShell(in.Args[0]) && in.Args[1] == "-c":
		parts = append(parts, in.Args[2])
	default:
		parts = append(parts, strings.Join(in.Args, " "))
	}
	parts = append(parts, in.Heredocs...)
	return strings.Join(parts, "\n")
}

func isShell(p string) bool {
	switch p[strings.LastIndex(p, "/")+1:] {
	case "sh", "bash", "ash", "dash", "zsh", "ksh":
		return true
	}
	return false
}
