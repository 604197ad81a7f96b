package dockerfile

import (
	"path"
	"strings"
)

// command is one simple command of a RUN script: its words with quotes removed, the word
// that names the program, and whether sudo ran it.
type command struct {
	words []string
	// prog is the index of the program's word, after variable assignments and wrappers
	// (sudo, env, exec...); -1 when there is none.
	prog int
	sudo bool
}

// name returns the program's base name ("apt-get"), or "".
func (c command) name() string {
	if c.prog < 0 {
		return ""
	}
	return path.Base(c.words[c.prog])
}

// args returns the words after the program.
func (c command) args() []string {
	if c.prog < 0 {
		return nil
	}
	return c.words[c.prog+1:]
}

// pipeline is commands joined by |.
type pipeline []command

// parseScript splits a RUN script into pipelines of simple commands. It is a tokenizer, not
// a shell: quotes group words and are removed, and ; && || & newlines ( ) { } separate
// commands. That is enough to find which programs a script runs with which arguments.
func parseScript(script string) []pipeline {
	var out []pipeline
	var cur pipeline
	var words []string
	var word strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			words = append(words, word.String())
			word.Reset()
			inWord = false
		}
	}
	endCommand := func() {
		endWord()
		if len(words) > 0 {
			cur = append(cur, newCommand(words))
			words = nil
		}
	}
	endPipeline := func() {
		endCommand()
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	rs := []rune(script)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\' && i+1 < len(rs):
			i++
			if rs[i] != '\n' {
				word.WriteRune(rs[i])
				inWord = true
			}
		case r == '\'':
			inWord = true
			for i++; i < len(rs) && rs[i] != '\''; i++ {
				word.WriteRune(rs[i])
			}
		case r == '"':
			inWord = true
			for i++; i < len(rs) && rs[i] != '"'; i++ {
				if rs[i] == '\\' && i+1 < len(rs) {
					i++
				}
				word.WriteRune(rs[i])
			}
		case r == '#' && !inWord:
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
			endPipeline()
		case r == '|':
			if i+1 < len(rs) && rs[i+1] == '|' {
				i++
				endPipeline()
			} else {
				endCommand()
			}
		case r == ';' || r == '&' || r == '\n' || r == '(' || r == ')' || r == '{' || r == '}' || r == '`':
			endPipeline()
		case r == ' ' || r == '\t' || r == '\r':
			endWord()
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	endPipeline()
	return out
}

// wrappers run the command that follows them.
var wrappers = map[string]bool{"sudo": true, "env": true, "exec": true, "nice": true, "nohup": true, "time": true, "command": true, "doas": true}

func newCommand(words []string) command {
	c := command{words: words, prog: -1}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case isAssignment(w):
			continue
		case wrappers[path.Base(w)]:
			if path.Base(w) == "sudo" || path.Base(w) == "doas" {
				c.sudo = true
			}
			// Skip the wrapper's own options (sudo -E, env -i, nice -n 10).
			for i+1 < len(words) && strings.HasPrefix(words[i+1], "-") {
				i++
				if (w == "sudo" && (words[i] == "-u" || words[i] == "-g")) || (w == "nice" && words[i] == "-n") {
					i++
				}
			}
		default:
			c.prog = i
			return c
		}
	}
	return c
}

func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// commands returns every simple command of a script.
func commands(script string) []command {
	var out []command
	for _, p := range parseScript(script) {
		out = append(out, p...)
	}
	return out
}
