package edgebar

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDocs fails on any package of the module (testdata, hidden and
// tool directories excluded) whose non-test files carry no package doc
// comment ("// Package x ..." or "// Command x ...").
func TestPackageDocs(t *testing.T) {
	missing, err := undocumented(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range missing {
		t.Errorf("%s: package has no doc comment (add one in doc.go or the main file)", dir)
	}
}

// undocumented returns the package directories under root without a doc
// comment.
func undocumented(root string) ([]string, error) {
	var missing []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (name == "testdata" || name == "node_modules" || name == "vendor" ||
			strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if path != root {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		has, documented, err := packageDoc(path)
		if err != nil {
			return err
		}
		if has && !documented {
			missing = append(missing, filepath.ToSlash(path))
		}
		return nil
	})
	return missing, err
}

// packageDoc reports whether dir holds a Go package (non-test files) and
// whether one of those files has a doc comment on its package clause.
func packageDoc(dir string) (has, documented bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, false, err
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return false, false, err
		}
		has = true
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			return true, true, nil
		}
	}
	return has, false, nil
}

// TestPackageDocsCatch makes sure the check can fail.
func TestPackageDocsCatch(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good/a.go", "// Package good is documented.\npackage good\n")
	write("good/b.go", "package good\n")
	write("bad/a.go", "// not attached\n\npackage bad\n")
	write("bad/a_test.go", "// Package bad in a test file does not count.\npackage bad\n")
	write("testsonly/x_test.go", "package testsonly\n")
	write("bad/testdata/c.go", "package c\n")
	missing, err := undocumented(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.ToSlash(filepath.Join(dir, "bad"))
	if len(missing) != 1 || missing[0] != want {
		t.Errorf("undocumented = %q, want [%q]", missing, want)
	}
}
