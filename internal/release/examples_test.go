package release

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/akscheck/akscheck/internal/cli"
)

// adoPipeline is the part of an Azure Pipelines YAML the example uses.
type adoPipeline struct {
	Steps []struct {
		Bash            string            `yaml:"bash"`
		Task            string            `yaml:"task"`
		DisplayName     string            `yaml:"displayName"`
		Condition       string            `yaml:"condition"`
		ContinueOnError bool              `yaml:"continueOnError"`
		Inputs          map[string]string `yaml:"inputs"`
		Env             map[string]string `yaml:"env"`
	} `yaml:"steps"`
}

// workflow is the part of a GitHub Actions workflow the example uses (yaml/v3: YAML 1.2, where
// the key on is a string, not true).
type workflow struct {
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		Steps []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			If   string            `yaml:"if"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func decodeYAML(t *testing.T, name string, v any) {
	t.Helper()
	if err := yamlv3.Unmarshal(readFile(t, name), v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// scanHelp is akscheck scan --help, from the CLI itself.
func scanHelp(t *testing.T) string {
	t.Helper()
	var out bytes.Buffer
	if code := cli.Execute(t.Context(), []string{"scan", "--help"}, cli.IO{In: strings.NewReader(""), Out: &out, ErrOut: &out}); code != 0 {
		t.Fatalf("akscheck scan --help exited %d:\n%s", code, out.String())
	}
	return out.String()
}

var flagToken = regexp.MustCompile(`^(--?[a-zA-Z][\w-]*)`)

// checkScanFlags fails for every flag of cmdline, an akscheck scan command line (from scan on),
// that akscheck scan does not have.
func checkScanFlags(t *testing.T, where, cmdline, help string) {
	t.Helper()
	n := 0
	for _, tok := range strings.Fields(cmdline) {
		m := flagToken.FindStringSubmatch(tok)
		if m == nil {
			continue
		}
		n++
		flag := m[1]
		var known bool
		if strings.HasPrefix(flag, "--") {
			known = regexp.MustCompile(`(?m)^\s+(-\w, )?` + regexp.QuoteMeta(flag) + `\b`).MatchString(help)
		} else {
			known = regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(flag) + `, --`).MatchString(help)
		}
		if !known {
			t.Errorf("%s: akscheck scan has no flag %s", where, flag)
		}
	}
	if n == 0 {
		t.Errorf("%s: no flags found in %q", where, cmdline)
	}
}

// scanCommand is the akscheck scan command line in script, from scan on.
func scanCommand(t *testing.T, where, script string) string {
	t.Helper()
	m := regexp.MustCompile(`(?i)akscheck"? scan (.*)`).FindStringSubmatch(script)
	if m == nil {
		t.Fatalf("%s: no akscheck scan command", where)
	}
	return m[1]
}

// TestAzurePipelinesExample: the example scans with flags akscheck has, publishes the JUnit
// report it writes as test results and the HTML report as an artifact, and publishes them when
// the scan failed too.
func TestAzurePipelinesExample(t *testing.T) {
	t.Parallel()
	const name = "docs/examples/azure-pipelines.yml"
	var p adoPipeline
	decodeYAML(t, name, &p)
	help := scanHelp(t)
	var cmdline string
	for _, s := range p.Steps {
		if strings.Contains(s.Bash, " scan ") {
			cmdline = scanCommand(t, name, s.Bash)
		}
	}
	if cmdline == "" {
		t.Fatalf("%s: no step runs akscheck scan", name)
	}
	checkScanFlags(t, name, cmdline, help)
	outputsOf := map[string]string{}
	for _, m := range regexp.MustCompile(`-o (\w+)=(\S+)`).FindAllStringSubmatch(cmdline, -1) {
		outputsOf[m[1]] = m[2]
	}
	var junit, html bool
	for _, s := range p.Steps {
		if s.Task == "" {
			continue
		}
		if s.Condition != "succeededOrFailed()" {
			t.Errorf("%s: %s runs on condition %q: want succeededOrFailed(), so that a failed scan is published too", name, s.Task, s.Condition)
		}
		switch s.Task {
		case "PublishTestResults@2":
			junit = true
			if s.Inputs["testResultsFormat"] != "JUnit" || s.Inputs["testResultsFiles"] != outputsOf["junit"] || outputsOf["junit"] == "" {
				t.Errorf("%s: PublishTestResults@2 inputs %v: want JUnit and the scan's -o junit= file %q", name, s.Inputs, outputsOf["junit"])
			}
			if s.Inputs["failTaskOnFailedTests"] != "false" {
				t.Errorf("%s: PublishTestResults@2 failTaskOnFailedTests %q: the scan step is the gate", name, s.Inputs["failTaskOnFailedTests"])
			}
		case "PublishPipelineArtifact@1":
			if s.Inputs["targetPath"] == outputsOf["html"] {
				html = true
			}
		}
	}
	if !junit || !html {
		t.Errorf("%s: want PublishTestResults@2 (%v) and the HTML report as a pipeline artifact (%v)", name, junit, html)
	}
}

// TestGitHubWorkflowExample: the example uses this repository's action with inputs it
// declares, and its args are flags akscheck scan has.
func TestGitHubWorkflowExample(t *testing.T) {
	t.Parallel()
	const name = "docs/examples/github-workflow.yml"
	var w workflow
	decodeYAML(t, name, &w)
	if _, ok := w.On["pull_request"]; !ok {
		t.Errorf("%s: want it to run on pull requests", name)
	}
	a, _ := loadAction(t)
	help := scanHelp(t)
	uses := 0
	for _, job := range w.Jobs {
		for _, s := range job.Steps {
			if !strings.HasPrefix(s.Uses, "akscheck/akscheck@") {
				continue
			}
			uses++
			for k, v := range s.With {
				if _, ok := a.Inputs[k]; !ok {
					t.Errorf("%s: with %s: action.yml has no such input", name, k)
				}
				if k == "args" {
					checkScanFlags(t, name+" args", v, help)
				}
			}
		}
	}
	if uses == 0 {
		t.Errorf("%s: no step uses akscheck/akscheck", name)
	}
}

// TestActionScanFlags: the flags action.yml's scan step passes exist.
func TestActionScanFlags(t *testing.T) {
	t.Parallel()
	a, _ := loadAction(t)
	help := scanHelp(t)
	scan := a.step(t, "scan")
	checkScanFlags(t, "action.yml", scanCommand(t, "action.yml", scan.Run), help)
	if !slices.ContainsFunc(strings.Split(scan.Run, "\n"), func(l string) bool { return strings.Contains(l, `--config "$AKSCHECK_CONFIG"`) }) {
		t.Error("action.yml: the config input does not become --config")
	}
	checkScanFlags(t, "action.yml", "--config x", help)
}

// TestCIDocEmbedsExamples: docs/ci.md shows the examples as they are in docs/examples/.
func TestCIDocEmbedsExamples(t *testing.T) {
	t.Parallel()
	doc := string(readFile(t, "docs/ci.md"))
	for _, name := range []string{"docs/examples/github-workflow.yml", "docs/examples/azure-pipelines.yml"} {
		if !strings.Contains(doc, "```yaml\n"+string(readFile(t, name))+"```\n") {
			t.Errorf("docs/ci.md does not show %s as it is (copy the file into its yaml block)", name)
		}
	}
}
