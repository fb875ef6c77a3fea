// Package archtest holds only a test: it reads the module's packages with `go list` and
// fails when one imports a package the architecture forbids it (docs/architecture.md).
package archtest
