// Package edgebar is the module root of edgebar, a WAMP router and edge node
// in one static binary (the command is cmd/edgebar). The root package holds
// no code: only the repository-wide tests that keep the structure honest —
// deps_test.go (the import rules of DESIGN.md §2) and pkgdoc_test.go (a doc
// comment on every package).
package edgebar
