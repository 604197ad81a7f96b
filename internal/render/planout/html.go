package planout

import (
	"fmt"
	"html/template"
	"io"

	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/upgrade"
)

var page = template.Must(template.New("plan").Funcs(template.FuncMap{
	"text": sanitize.Text, "kind": kind, "where": where, "verdict": verdictLine, "current": current, "cluster": clusterName,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>akscheck upgrade plan: {{current .}} → {{.Target}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
.no-go{color:#b00020}.go-with-warnings{color:#b26a00}.go{color:#1b7f3b}
.blocker{background:#fde7ea}.warning{background:#fff4e0}
</style>
</head>
<body>
<h1>Upgrade plan: {{current .}} → {{.Target}}</h1>
<p>Cluster {{cluster .}}, target from {{.TargetFrom}}.</p>
<p class="{{.Verdict}}"><strong>{{verdict .}}</strong></p>
{{if .Path}}<table><tr><th>step</th><th>patch</th><th>support</th><th>end of life</th></tr>
{{range .Path}}<tr><td>{{.Version}}</td><td>{{.Patch}}</td><td>{{.Support}}</td><td>{{.EndOfLife}}</td></tr>
{{end}}</table>{{end}}
<ol>
{{range .Sections}}<li><h2>{{.Title}} <small>[{{.Status}}]</small></h2>
{{if .Reason}}<p><em>{{text .Reason}}</em></p>{{end}}
{{if .Findings}}<table><tr><th></th><th>severity</th><th>finding</th><th>where</th></tr>
{{range .Findings}}<tr class="{{kind .}}"><td>{{kind .}}</td><td>{{.Severity}}</td><td>{{text .Message}}</td><td>{{where .}}</td></tr>
{{end}}</table>{{end}}</li>
{{end}}</ol>
{{if .Errors}}<h2>Inputs that could not be read</h2><ul>{{range .Errors}}<li>{{text .Source}}: {{text .Message}}</li>{{end}}</ul>{{end}}
<p><small>Version data: {{.Data.Source}} (as of {{.Data.AsOf}}). akscheck {{.Tool.Version}}</small></p>
</body>
</html>
`))

// HTML writes the plan as a self-contained page (no script; its only style is inline).
func HTML(w io.Writer, p *upgrade.Plan) error {
	if err := page.Execute(w, p); err != nil {
		return fmt.Errorf("writing the HTML plan: %w", err)
	}
	return nil
}
