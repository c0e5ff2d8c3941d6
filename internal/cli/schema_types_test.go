package cli

import (
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/check"
	"github.com/mxprobe/mxprobe/internal/delivery"
	"github.com/mxprobe/mxprobe/internal/explain"
)

// TestSchemaDeclaresGoFields walks the Go types behind each command's JSON
// along its schema: every member the encoder can write — also the
// omitempty ones the lab runs in TestSchemaEveryCommand never produce — is
// declared at its place in the schema.
func TestSchemaDeclaresGoFields(t *testing.T) {
	type expectS struct {
		ExpectS    int `json:"expect_s"`
		DropAfterS int `json:"drop_after_s"`
		FinalS     int `json:"final_s"`
	}
	cases := []struct {
		schema, def string
		v           any
	}{
		{"check.schema.json", "", checkReportWithDelivery{}},
		{"dns.schema.json", "", check.DNSReport{}},
		{"explain.schema.json", "#/$defs/explanation", explain.Localized{}},
		{"explain.schema.json", "#/$defs/explanation_fields", explain.Localized{}},
		{"explain.schema.json", "", explainMessageResult{}},
		{"logscan.schema.json", "", logRecordJSON{}},
		{"logscan.schema.json", "", logSummaryJSON{}},
		{"probe.schema.json", "#/$defs/sent", delivery.Probe{}},
		{"probe.schema.json", "#/$defs/verdict", verdictJSON{}},
		{"probe.schema.json", "#/$defs/event", delivery.Event{}},
		{"probe.schema.json", "#/$defs/scan", delivery.Scan{}},
		{"lab.schema.json", "", labJSON{}},
		{"version.schema.json", "", struct {
			probeJSON
			VersionInfo
		}{}},
	}
	// Types with their own MarshalJSON, as the members they write.
	subst := map[reflect.Type]reflect.Type{
		reflect.TypeOf(check.Explanation{}): reflect.TypeOf(struct {
			Session string `json:"session"`
			explain.Localized
		}{}),
		reflect.TypeOf(delivery.Windows{}): reflect.TypeOf(expectS{}),
	}
	for _, c := range cases {
		raw := loadSchemaJSON(t, c.schema)
		start := raw
		if c.def != "" {
			start = resolveRef(raw, c.def)
			if start == nil {
				t.Fatalf("%s: no %s", c.schema, c.def)
			}
		}
		var missing []string
		w := goWalker{root: raw, subst: subst, out: &missing, depth: map[reflect.Type]int{}}
		if *schemaFill != "" {
			w.fill = func(path, name string, frag any) {
				b, _ := json.Marshal(map[string]any{"schema": c.schema, "def": c.def, "path": path, "name": name, "fragment": frag})
				f, err := os.OpenFile(*schemaFill, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
				if err == nil {
					f.Write(append(b, '\n'))
					f.Close()
				}
			}
		}
		w.walk(start, reflect.TypeOf(c.v), "$")
		if len(missing) > 0 {
			t.Errorf("%s%s: members of %T the schema does not declare:\n  %s", c.schema, c.def, c.v, strings.Join(dedup(missing), "\n  "))
		}
	}
}

var schemaFill = flag.String("schema-fill", "", "append the undeclared members with a schema fragment from their Go type to this file (JSON lines, for writing the schemas)")

type goWalker struct {
	root  map[string]any
	subst map[reflect.Type]reflect.Type
	out   *[]string
	depth map[reflect.Type]int
	fill  func(path, name string, frag any)
}

// goSchema is a schema fragment for a Go type as encoding/json writes it
// (only for -schema-fill).
func (w *goWalker) goSchema(t reflect.Type, omitempty bool, depth int) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), !omitempty
	}
	if s, ok := w.subst[t]; ok {
		t = s
	}
	withNull := func(m map[string]any, n bool) map[string]any {
		if n {
			m["type"] = []any{m["type"], "null"}
		}
		return m
	}
	switch {
	case t == timeType:
		return withNull(map[string]any{"type": "string", "format": "date-time"}, nullable)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return withNull(map[string]any{"type": "string", "description": "base64"}, nullable || !omitempty)
	case t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) || t.Implements(reflect.TypeOf((*interface{ MarshalText() ([]byte, error) })(nil)).Elem()):
		return withNull(map[string]any{"type": "string"}, nullable)
	case depth > 4:
		return map[string]any{"description": "nested deeper: the same shape as its parent"}
	}
	switch t.Kind() {
	case reflect.String:
		return withNull(map[string]any{"type": "string"}, nullable)
	case reflect.Bool:
		return withNull(map[string]any{"type": "boolean"}, nullable)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return withNull(map[string]any{"type": "integer"}, nullable)
	case reflect.Float32, reflect.Float64:
		return withNull(map[string]any{"type": "number"}, nullable)
	case reflect.Slice, reflect.Array:
		return withNull(map[string]any{"type": "array", "items": w.goSchema(t.Elem(), false, depth+1)}, nullable || (!omitempty && t.Kind() == reflect.Slice))
	case reflect.Map:
		return withNull(map[string]any{"type": "object", "additionalProperties": w.goSchema(t.Elem(), false, depth+1)}, nullable || !omitempty)
	case reflect.Struct:
		props := map[string]any{}
		w.structProps(t, props, depth)
		return withNull(map[string]any{"type": "object", "properties": props}, nullable)
	}
	return map[string]any{}
}

func (w *goWalker) structProps(t reflect.Type, props map[string]any, depth int) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			w.structProps(ft, props, depth)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = w.goSchema(f.Type, strings.Contains(opts, "omit"), depth+1)
	}
}

var (
	marshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	timeType      = reflect.TypeOf(time.Time{})
)

func (w *goWalker) walk(schema map[string]any, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := w.subst[t]; ok {
		t = s
	}
	if t == timeType || t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return // written by its own encoder: a string or a documented shape
	}
	if w.depth[t] >= 2 { // recursive types (SPF include trees)
		return
	}
	w.depth[t]++
	defer func() { w.depth[t]-- }()
	subs := applicable(w.root, schema, 0)
	switch t.Kind() {
	case reflect.Struct:
		w.fields(subs, t, path)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return
		}
		var items []map[string]any
		for _, s := range subs {
			if it, ok := s["items"].(map[string]any); ok {
				items = append(items, it)
			}
		}
		if len(items) == 0 {
			*w.out = append(*w.out, path+"[] (no items schema)")
			return
		}
		w.walk(map[string]any{"anyOf": toAny(items)}, t.Elem(), path+"[]")
	case reflect.Map:
		var vals []map[string]any
		for _, s := range subs {
			if ap, ok := s["additionalProperties"].(map[string]any); ok {
				vals = append(vals, ap)
			}
		}
		if len(vals) == 0 {
			*w.out = append(*w.out, path+"{} (no additionalProperties schema)")
			return
		}
		w.walk(map[string]any{"anyOf": toAny(vals)}, t.Elem(), path+"{}")
	}
}

// fields walks a struct's JSON members, flattening embedded structs as
// encoding/json does.
func (w *goWalker) fields(subs []map[string]any, t reflect.Type, path string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			if _, ok := w.subst[ft]; !ok && !ft.Implements(marshalerType) {
				w.fields(subs, ft, path)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		var next []map[string]any
		for _, s := range subs {
			if props, ok := s["properties"].(map[string]any); ok {
				if ps, ok := props[name].(map[string]any); ok {
					next = append(next, ps)
					continue
				}
			}
			if ap, ok := s["additionalProperties"].(map[string]any); ok {
				next = append(next, ap)
			}
		}
		if len(next) == 0 {
			*w.out = append(*w.out, path+"."+name+" ("+f.Type.String()+")")
			if w.fill != nil {
				_, opts, _ := strings.Cut(tag, ",")
				w.fill(path, name, w.goSchema(f.Type, strings.Contains(opts, "omit"), 0))
			}
			continue
		}
		w.walk(map[string]any{"anyOf": toAny(next)}, f.Type, path+"."+name)
	}
}
