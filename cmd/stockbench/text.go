package main

import (
	"fmt"
	"strings"
)

type stringsBuilder struct{ strings.Builder }

func (s *stringsBuilder) printf(format string, args ...any) { fmt.Fprintf(&s.Builder, format, args...) }
