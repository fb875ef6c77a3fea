// Package data holds the original sample operations file, embedded so that stockctl demo
// works from the binary alone.
package data

import _ "embed"

// SampleCSV is operations.csv, the original sample file, byte for byte.
//
//go:embed operations.csv
var SampleCSV []byte
