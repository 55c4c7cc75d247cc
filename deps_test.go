package edgebar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/edgebar/edgebar"

// depRules is the import table of DESIGN.md §2 and
// research/aesthetics.md §5.3: for each package of the module (path
// relative to the module; "x/..." is x and everything below it) the project
// packages it may import. The most specific matching pattern applies. A
// project import not listed is a forbidden edge; a package no rule covers
// fails too, so that a new package gets its line here.
var depRules = []struct {
	pkg   string
	allow []string
}{
	{"", nil}, // this package: tests only
	{"router/wamp", nil},
	{"router/codec", []string{"router/wamp", "router/codec/json", "router/codec/msgpack", "router/codec/cbor"}},
	{"router/codec/...", []string{"router/wamp", "router/codec/internal/layout"}}, // the codecs
	{"router/codec/internal/layout", []string{"router/wamp"}},
	{"router/codec/internal/codectest", []string{"router/wamp"}},
	{"router/transport", []string{"router/wamp", "router/codec/..."}},
	{"router/transport/...", []string{"router/transport", "router/codec/...", "router/wamp"}},
	{"router/auth", []string{"router/wamp"}},
	{"router/internal/match", []string{"router/wamp"}},
	{"router/internal/broker", []string{"router/internal/match", "router/codec/...", "router/wamp"}},
	{"router/internal/dealer", []string{"router/internal/match", "router/codec/...", "router/wamp"}},
	{"router/internal/session", []string{"router/transport", "router/codec/...", "router/auth", "router/wamp"}},
	{"router/internal/realm", []string{"router/internal/session", "router/internal/broker", "router/internal/dealer",
		"router/internal/match", "router/auth", "router/wamp"}},
	{"router", []string{"router/internal/...", "router/transport/...", "router/codec/...", "router/auth", "router/wamp"}},
	{"router/client", []string{"router/wamp", "router/transport/...", "router/codec/...", "router/auth"}},
	{"router/routertest", []string{"router", "router/client", "router/transport/...", "router/codec/...", "router/wamp"}},
	{"router/interop", []string{"router", "router/client", "router/routertest", "router/transport/...", "router/codec/...", "router/wamp"}},
	{"edge/config", []string{"router", "router/auth", "router/wamp", "hw/board"}},
	{"edge/supervisor", nil},
	{"edge/systemd", nil},
	{"edge/worker", []string{"router/wamp"}},
	{"edge/node", []string{"router/client", "router/wamp"}},
	{"edge/controller", []string{"router/client", "router/wamp", "edge/supervisor", "edge/worker", "edge/config"}},
	{"edge/web", []string{"router/client", "router/wamp"}},
	{"hw/board", []string{"board-configs"}},
	{"hw/bridge", []string{"router/client", "router/wamp", "hw/board"}},
	{"hw/hostinit", []string{"hw/board"}},
	{"hw/hwtest", []string{"hw/board"}},
	{"hw/sim", []string{"hw/board", "board-configs"}},
	{"ota/bundle", nil},
	{"ota/slot", []string{"ota/bundle", "hw/board"}},
	{"ota/agent", []string{"router/client", "router/wamp", "ota/slot", "ota/bundle"}},
	{"ota/fleet", []string{"router/client", "router/wamp", "ota/bundle"}},
	{"board-configs", nil},
	{"cmd/...", []string{"..."}}, // the composition root may import anything
}

// externalRules restricts third-party imports: only the listed packages may
// import a path under the prefix.
var externalRules = []struct {
	prefix string
	allow  []string
}{
	{"periph.io/x/host/", []string{"hw/hostinit"}},
}

// match reports whether the module-relative path p matches pattern pat.
func match(pat, p string) bool {
	if pat == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pat, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pat
}

// ruleFor returns the most specific rule for package p: an exact pattern
// beats "/...", a longer one a shorter one.
func ruleFor(p string) (allow []string, ok bool) {
	best := -1
	for _, r := range depRules {
		if !match(r.pkg, p) {
			continue
		}
		base, wild := strings.CutSuffix(r.pkg, "/...")
		score := 2 * len(base)
		if !wild {
			score++
		}
		if score > best {
			best, allow, ok = score, r.allow, true
		}
	}
	return allow, ok
}

// checkImports returns one message per forbidden edge of pkg (a
// module-relative path) importing imports (full import paths).
func checkImports(pkg string, imports []string) []string {
	allow, ok := ruleFor(pkg)
	if !ok {
		return []string{fmt.Sprintf("%s: no import rule: add the package to depRules in deps_test.go", show(pkg))}
	}
	var bad []string
	for _, imp := range imports {
		rel, inModule := relative(imp)
		if !inModule {
			for _, er := range externalRules {
				if strings.HasPrefix(imp, er.prefix) && !slices.Contains(er.allow, pkg) {
					bad = append(bad, fmt.Sprintf("forbidden import %s -> %s (only %s may import %s...)",
						show(pkg), imp, strings.Join(er.allow, ", "), er.prefix))
				}
			}
			continue
		}
		if !slices.ContainsFunc(allow, func(pat string) bool { return match(pat, rel) }) {
			bad = append(bad, fmt.Sprintf("forbidden import %s -> %s (%s may import: %s)",
				show(pkg), show(rel), show(pkg), orNone(allow)))
		}
	}
	return bad
}

func relative(imp string) (string, bool) {
	if imp == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(imp, module+"/")
	return rel, ok
}

func show(rel string) string {
	if rel == "" {
		return "(root)"
	}
	return rel
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "no project package"
	}
	return strings.Join(l, ", ")
}

type listedPackage struct {
	ImportPath string
	Imports    []string
	Error      *struct{ Err string }
}

func TestImportRules(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,Error", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	n := 0
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel, ok := relative(p.ImportPath)
		if !ok {
			continue
		}
		n++
		if p.Error != nil && len(p.Imports) == 0 {
			t.Logf("%s: not checked: %s", show(rel), p.Error.Err) // broken package: the build reports it
		}
		for _, msg := range checkImports(rel, p.Imports) {
			t.Error(msg)
		}
	}
	if n == 0 {
		t.Fatal("go list found no packages of the module")
	}
}

// TestImportRulesCatch makes sure the checker can fail.
func TestImportRulesCatch(t *testing.T) {
	tests := []struct {
		pkg     string
		imports []string
		want    []string
	}{
		{"router/wamp", []string{"fmt"}, nil},
		{"router/wamp", []string{module + "/router/codec"},
			[]string{"forbidden import router/wamp -> router/codec (router/wamp may import: no project package)"}},
		{"edge/config", []string{module + "/router", module + "/router/internal/session"},
			[]string{"forbidden import edge/config -> router/internal/session (edge/config may import: router, router/auth, router/wamp, hw/board)"}},
		{"router/codec/json", []string{module + "/router/codec"},
			[]string{"forbidden import router/codec/json -> router/codec (router/codec/json may import: router/wamp, router/codec/internal/layout)"}},
		{"router/codec", []string{module + "/router/codec/json"}, nil},
		{"router/client", []string{module + "/router"},
			[]string{"forbidden import router/client -> router (router/client may import: router/wamp, router/transport/..., router/codec/..., router/auth)"}},
		{"hw/bridge", []string{"periph.io/x/host/v3/rpi"},
			[]string{"forbidden import hw/bridge -> periph.io/x/host/v3/rpi (only hw/hostinit may import periph.io/x/host/...)"}},
		{"cmd/edgebar", []string{module + "/router/internal/session", module + "/ota/agent"}, nil},
		{"edge/unheard", nil, []string{"edge/unheard: no import rule: add the package to depRules in deps_test.go"}},
	}
	for _, tt := range tests {
		if got := checkImports(tt.pkg, tt.imports); !slices.Equal(got, tt.want) {
			t.Errorf("checkImports(%s, %v) =\n%q\nwant\n%q", tt.pkg, tt.imports, got, tt.want)
		}
	}
}
