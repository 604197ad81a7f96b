package remedy

import (
	"bufio"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/akscheck/akscheck/internal/check"
)

//go:embed azparams.txt
var azParamsText string

// Params are the az CLI's documented parameters of the commands remedies use, by command
// ("aks update"): each parameter's long name and its short aliases, with the values it
// accepts where the list names them (nil: any value).
type Params map[string]map[string][]string

// AzParams returns the shipped parameter list (azparams.txt, with its source).
var AzParams = sync.OnceValue(func() Params {
	p, err := ParseParams(azParamsText)
	if err != nil {
		// The file is embedded and tested: a parse error is a broken build.
		panic(fmt.Sprintf("azparams.txt: %v", err))
	}
	return p
})

// ParseParams reads a parameter list: "[aks update]" starts a command, each following line
// lists one parameter and its aliases ("--resource-group -g"), and after " = " the values it
// accepts, when the list names them ("--addons -a = azure-policy monitoring"); # starts a
// comment.
func ParseParams(text string) (Params, error) {
	out := Params{}
	var cmd string
	sc := bufio.NewScanner(strings.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		switch {
		case s == "":
		case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
			cmd = strings.Join(strings.Fields(s[1:len(s)-1]), " ")
			if cmd == "" || out[cmd] != nil {
				return nil, fmt.Errorf("line %d: empty or repeated command %q", line, cmd)
			}
			out[cmd] = map[string][]string{}
		case cmd == "":
			return nil, fmt.Errorf("line %d: a parameter before any [command]", line)
		default:
			names, values, hasValues := strings.Cut(s, " = ")
			var accepted []string
			if hasValues {
				if accepted = strings.Fields(values); len(accepted) == 0 {
					return nil, fmt.Errorf("line %d: no values after =", line)
				}
			}
			for _, f := range strings.Fields(names) {
				if !strings.HasPrefix(f, "-") {
					return nil, fmt.Errorf("line %d: %q is not a parameter", line, f)
				}
				out[cmd][f] = accepted
			}
		}
	}
	return out, sc.Err()
}

// Validate checks that args (an az command line without "az") name a listed command and use
// only its listed parameters.
func (p Params) Validate(args []string) error {
	var words []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		words = append(words, a)
	}
	cmd := strings.Join(words, " ")
	params, ok := p[cmd]
	if !ok {
		return fmt.Errorf("az %s: not a listed command", cmd)
	}
	rest := args[len(words):]
	for i, a := range rest {
		if !strings.HasPrefix(a, "-") || isNumber(a) {
			continue
		}
		name, value, inline := strings.Cut(a, "=")
		accepted, ok := params[name]
		if !ok {
			return fmt.Errorf("az %s: %s is not a documented parameter", cmd, name)
		}
		if accepted == nil {
			continue
		}
		if !inline {
			if i+1 >= len(rest) {
				return fmt.Errorf("az %s: %s takes a value", cmd, name)
			}
			value = rest[i+1]
		}
		for _, v := range strings.Split(value, ",") {
			if !slices.Contains(accepted, v) {
				return fmt.Errorf("az %s: %s does not take %q", cmd, name, v)
			}
		}
	}
	return nil
}

func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

// Creates reports whether az arguments create a resource (az aks create, az aks nodepool add):
// the setting is chosen only then, and no command changes it on a running resource.
func Creates(az []string) bool {
	for _, a := range az {
		if strings.HasPrefix(a, "-") {
			break
		}
		if a == "create" || a == "add" {
			return true
		}
	}
	return false
}

// Command returns the whole az command line of a fix (without "az"): its arguments with the
// resource's group and name from its ARM ID (a node pool's with its cluster's); nil when the
// fix has no command, the resource is not known by its ID, or the command uses a parameter
// the CLI does not document.
func Command(fix *check.Fix) []string {
	if len(fix.Az) == 0 || fix.Resource == nil {
		return nil
	}
	var names []string
	switch fix.Az[0] {
	case "aks":
		if isPoolCommand(fix.Az) {
			clusterID := ""
			if fix.Cluster != nil {
				clusterID = fix.Cluster.ID
			}
			if clusterID == "" {
				clusterID = fix.Resource.ID
			}
			rg, cluster := segment(clusterID, "resourceGroups"), segment(clusterID, "managedClusters")
			pool := fix.Resource.Name
			if id := segment(fix.Resource.ID, "agentPools"); id != "" {
				pool = id
			}
			if rg == "" || cluster == "" || pool == "" {
				return nil
			}
			names = []string{"--resource-group", rg, "--cluster-name", cluster, "--name", pool}
		} else {
			rg, name := segment(fix.Resource.ID, "resourceGroups"), segment(fix.Resource.ID, "managedClusters")
			if rg == "" || name == "" {
				return nil
			}
			names = []string{"--resource-group", rg, "--name", name}
		}
	case "acr":
		rg, name := segment(fix.Resource.ID, "resourceGroups"), segment(fix.Resource.ID, "registries")
		if rg == "" || name == "" {
			return nil
		}
		names = []string{"--resource-group", rg, "--name", name}
	default:
		return nil
	}
	i := 0
	for i < len(fix.Az) && !strings.HasPrefix(fix.Az[i], "-") {
		i++
	}
	args := append(append(append([]string{}, fix.Az[:i]...), names...), fix.Az[i:]...)
	if AzParams().Validate(args) != nil {
		return nil
	}
	return args
}

func isPoolCommand(az []string) bool { return len(az) > 1 && az[1] == "nodepool" }

// segment returns the segment of an ARM ID after key (any casing), or "".
func segment(id, key string) string {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], key) {
			return parts[i+1]
		}
	}
	return ""
}

// shellJoin writes "az" and the arguments as a POSIX shell command line, quoting those that
// need it.
func shellJoin(args []string) string {
	out := make([]string, 0, len(args)+1)
	out = append(out, "az")
	for _, a := range args {
		out = append(out, shellQuote(a))
	}
	return strings.Join(out, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,%@+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
