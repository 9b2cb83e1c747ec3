package api

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"strings"
)

//go:embed docs.html.tmpl
var docsTemplate string

// docsView is what the /docs template shows.
type docsView struct {
	Info     oaInfo
	Sections []docsSection
	Schemas  []docsSchema
	Security []docsSecurity
}

type docsSection struct {
	Tag oaTag
	Ops []docsOp
}

type docsOp struct {
	Method, Path, Anchor string
	Op                   *oaOperation
	Auth                 string
	Body                 string
	Responses            []docsResponse
}

type docsResponse struct{ Status, Description, Body string }

type docsSchema struct {
	Name        string
	Description string
	Type        string // for non-object schemas
	Props       []docsProp
}

type docsProp struct {
	Name, Type, Description string
	Required                bool
}

type docsSecurity struct {
	Name   string
	Scheme *oaSecurityScheme
}

// renderDocs renders the /docs page from the document; it is done once,
// at start, so a template error is a programming error.
func renderDocs(doc *oaDocument, routes []*route) []byte {
	t := template.Must(template.New("docs").Funcs(template.FuncMap{
		"schema": schemaText,
		"lower":  strings.ToLower,
	}).Parse(docsTemplate))
	var b bytes.Buffer
	if err := t.Execute(&b, buildDocsView(doc, routes)); err != nil {
		panic(fmt.Sprintf("api: render docs: %v", err))
	}
	return b.Bytes()
}

func buildDocsView(doc *oaDocument, routes []*route) docsView {
	v := docsView{Info: doc.Info}
	for _, tag := range doc.Tags {
		sec := docsSection{Tag: tag}
		for _, rt := range routes {
			if rt.tag != tag.Name {
				continue
			}
			op := doc.Paths[rt.path][strings.ToLower(rt.method)]
			d := docsOp{Method: rt.method, Path: rt.path, Anchor: op.OperationID, Op: op, Auth: authText(rt.auth)}
			if op.RequestBody != nil {
				d.Body = schemaText(op.RequestBody.Content["application/json"].Schema)
			}
			for _, status := range slices.Sorted(maps.Keys(op.Responses)) {
				resp := op.Responses[status]
				dr := docsResponse{Status: status, Description: resp.Description}
				for ct, mt := range resp.Content {
					dr.Body = schemaText(mt.Schema)
					if ct != "application/json" {
						dr.Body += " (" + ct + ")"
					}
				}
				d.Responses = append(d.Responses, dr)
			}
			sec.Ops = append(sec.Ops, d)
		}
		v.Sections = append(v.Sections, sec)
	}
	for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		s := doc.Components.Schemas[name]
		ds := docsSchema{Name: name, Description: s.Description}
		if s.Type != "object" || s.Properties == nil {
			ds.Type = schemaText(s)
		}
		for _, p := range slices.Sorted(maps.Keys(s.Properties)) {
			ds.Props = append(ds.Props, docsProp{Name: p, Type: schemaText(s.Properties[p]),
				Description: s.Properties[p].Description, Required: slices.Contains(s.Required, p)})
		}
		v.Schemas = append(v.Schemas, ds)
	}
	for _, name := range slices.Sorted(maps.Keys(doc.Components.SecuritySchemes)) {
		v.Security = append(v.Security, docsSecurity{name, doc.Components.SecuritySchemes[name]})
	}
	return v
}

func authText(m authMode) string {
	switch m {
	case authOptional:
		return "optional (anonymous callers see public data)"
	case authRequired:
		return "required"
	case authSelf:
		return "required; profile_id must be the caller's"
	}
	return "none"
}

// schemaText writes a schema in one line: "Post[]", "string (uuid, ≤ 128)".
func schemaText(s *oaSchema) string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		return strings.TrimPrefix(s.Ref, "#/components/schemas/")
	}
	if len(s.OneOf) > 0 {
		parts := make([]string, len(s.OneOf))
		for i, o := range s.OneOf {
			parts[i] = schemaText(o)
		}
		return strings.Join(parts, " | ")
	}
	if s.Type == "array" {
		return schemaText(s.Items) + "[]" + constraints(s)
	}
	if s.Type == "object" && s.AdditionalProperties != nil {
		return "map of " + schemaText(s.AdditionalProperties)
	}
	return s.Type + constraints(s)
}

func constraints(s *oaSchema) string {
	var c []string
	if s.Format != "" {
		c = append(c, s.Format)
	}
	if len(s.Enum) > 0 {
		c = append(c, strings.Join(s.Enum, " | "))
	}
	bound := func(lo, hi *int, unit string) {
		switch {
		case lo != nil && hi != nil:
			c = append(c, fmt.Sprintf("%d..%d%s", *lo, *hi, unit))
		case lo != nil:
			c = append(c, fmt.Sprintf("≥ %d%s", *lo, unit))
		case hi != nil:
			c = append(c, fmt.Sprintf("≤ %d%s", *hi, unit))
		}
	}
	bound(s.MinLength, s.MaxLength, " chars")
	bound(s.Minimum, s.Maximum, "")
	bound(s.MinItems, s.MaxItems, " items")
	if s.Pattern != "" {
		c = append(c, "pattern "+s.Pattern)
	}
	if s.Default != nil {
		c = append(c, fmt.Sprintf("default %v", s.Default))
	}
	if s.Nullable {
		c = append(c, "nullable")
	}
	if len(c) == 0 {
		return ""
	}
	return " (" + strings.Join(c, ", ") + ")"
}
