package commands

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/stockctl/stockctl/domain"
	"golang.org/x/text/unicode/norm"
)

// An imported row is identified by what it says, not by where it sits in a file: its
// source (the name the rows come from, a file's base name by default), its content
// (business date, product, signed quantity) and its occurrence among the identical rows
// of that source. The same operations re-imported from a re-saved file (other line ends,
// delimiter or date format) therefore get the same command IDs and record nothing; a file
// that grew records only its new rows; two identical rows are two operations.

// MaxSourceLength bounds a source name, which each imported operation's note carries.
const MaxSourceLength = 200

// importNotePrefix starts the note of every operation import records; the source follows.
const importNotePrefix = "imported from "

// NormaliseSource returns the source name as import uses it: trimmed and in Unicode NFC,
// so that a name typed on one system and listed by another's file system are one source.
func NormaliseSource(s string) (string, error) {
	s = norm.NFC.String(strings.TrimSpace(s))
	if s == "" {
		return "", fmt.Errorf("%w: source: give a name, such as the file's", ErrInvalidText)
	}
	if err := CheckText(s, MaxSourceLength); err != nil {
		return "", fmt.Errorf("%w: source %s", ErrInvalidText, TextMessage(err))
	}
	return s, nil
}

// rowContent is the content digest of a row: the normalised business date, product and
// signed quantity, each length-prefixed so that no two different rows share an encoding.
type rowContent [16]byte

func contentOf(b []byte, r ImportRow) rowContent {
	cents := r.Quantity.Cents()
	if r.Sale {
		cents = -cents
	}
	// The content's version: v1 for a row in main, whose key is the one it had before
	// locations (so re-importing an old file records nothing twice), v2 with the location.
	if r.Location.IsMain() {
		b = appendField(b[:0], "v1")
	} else {
		b = appendField(b[:0], "v2")
		b = appendField(b, r.Location.String())
	}
	b = appendField(b, r.Date.String())
	b = appendField(b, r.Product.String())
	b = binary.AppendVarint(b, cents)
	sum := sha256.Sum256(b)
	var c rowContent
	copy(c[:], sum[:])
	return c
}

func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// sourcePrefix is the start of the command ID of every row imported from source.
func sourcePrefix(source string) string {
	sum := sha256.Sum256(appendField([]byte("stockctl import source"), source))
	return "import:" + hex.EncodeToString(sum[:8]) + "/"
}

// rowIdentities gives each row its command ID: source prefix, then a digest of the
// source, the row's content and its occurrence (1, 2, …) among identical rows.
type rowIdentities struct {
	prefix   string
	source   string
	contents []rowContent
	nth      []uint32
}

func identify(source string, rows []ImportRow) rowIdentities {
	ids := rowIdentities{prefix: sourcePrefix(source), source: source,
		contents: make([]rowContent, len(rows)), nth: make([]uint32, len(rows))}
	seen := make(map[rowContent]uint32, len(rows))
	buf := make([]byte, 0, 128)
	for i, r := range rows {
		c := contentOf(buf, r)
		seen[c]++
		ids.contents[i], ids.nth[i] = c, seen[c]
	}
	return ids
}

func (ids rowIdentities) commandID(i int) string {
	return ids.idOf(ids.contents[i], ids.nth[i])
}

// movedID is the command ID row i would have had in location l: the same occurrence of
// the same content there.
func (ids rowIdentities) movedID(r ImportRow, i int, l domain.LocationID) string {
	r.Location = l
	return ids.idOf(contentOf(make([]byte, 0, 128), r), ids.nth[i])
}

func (ids rowIdentities) idOf(c rowContent, nth uint32) string {
	var buf [128]byte
	b := appendField(buf[:0], ids.source)
	b = append(b, c[:]...)
	b = binary.AppendUvarint(b, uint64(nth))
	sum := sha256.Sum256(b)
	return ids.prefix + hex.EncodeToString(sum[:16])
}

// ImportCommandIDs returns the command ID an import from source gives each row.
func ImportCommandIDs(source string, rows []ImportRow) ([]string, error) {
	source, err := NormaliseSource(source)
	if err != nil {
		return nil, err
	}
	ids := identify(source, rows)
	out := make([]string, len(rows))
	for i := range rows {
		out[i] = ids.commandID(i)
	}
	return out, nil
}

// legacyCommandID is the command ID imports gave a row before sources: the file's
// content digest and the row's line. Such rows are still recognised when the very same
// file is imported again.
func legacyCommandID(fileID string, line int) string {
	return fmt.Sprintf("import:%s:%d", fileID, line)
}

// importedFrom returns the source an operation's note names, if an import recorded it.
func importedFrom(note string) (string, bool) {
	return strings.CutPrefix(note, importNotePrefix)
}

// isLegacyImport reports whether a command ID is one an import gave before sources.
func isLegacyImport(commandID string) bool {
	rest, ok := strings.CutPrefix(commandID, "import:")
	return ok && !strings.Contains(rest, "/")
}
