package datagen

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/ledgercsv"
)

var start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// TestDefaultOutputUnchanged pins the bytes of a file made without backdating, as
// generated before the option existed: files people generated can be made again.
func TestDefaultOutputUnchanged(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Generate(&buf, Options{Products: 7, Days: 40, Seed: 5, Start: start, BackdateDays: 90}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(buf.Bytes())); got != "0d5a8f08073706a36add9e88dc214e0b17fe7c99647e41d1b9fec4b0e1494a79" {
		t.Errorf("generate --products 7 --days 40 --seed 5 changed: sha256 %s", got)
	}
}

// TestBackdatedFileStaysPlausible: with Backdated 2, about 2% of the rows are dated 1 to
// BackdateDays days before their product's latest date so far (not before Start); every
// product's balance, recomputed in (date, file order) order, is never below zero, so the
// rule accepts every row; the stock column is the running stock in file order, which is
// what import checks it against; and the report counts the backdated rows.
func TestBackdatedFileStaysPlausible(t *testing.T) {
	// A year backdated by up to 30 days, and two months by up to 90, where most dates
	// drawn fall before the start.
	for _, c := range []struct{ days, back int }{{365, 30}, {60, 90}} {
		t.Run(fmt.Sprintf("days=%d,back=%d", c.days, c.back), func(t *testing.T) { checkBackdatedFile(t, c.days, c.back) })
	}
}

func checkBackdatedFile(t *testing.T, total, days int) {
	var buf bytes.Buffer
	rep, err := GenerateReport(&buf, Options{Products: 40, Days: total, Seed: 3, Start: start, Backdated: 2, BackdateDays: days})
	if err != nil {
		t.Fatal(err)
	}
	rows, bad, err := ledgercsv.Read(&buf, ledgercsv.Options{})
	if err != nil || len(bad) > 0 {
		t.Fatalf("the file does not read back: %v %v", err, bad)
	}
	if len(rows) != rep.Operations {
		t.Fatalf("%d rows, the report says %d", len(rows), rep.Operations)
	}
	latest := map[string]time.Time{}
	running := map[string]int64{}
	type op struct {
		date  time.Time
		line  int
		delta int64
	}
	ops := map[string][]op{}
	backdated := 0
	for _, r := range rows {
		p, d := r.Product.String(), r.Date.Time()
		delta := r.Quantity.Cents()
		if r.Sale {
			delta = -delta
		}
		if last, ok := latest[p]; ok && d.Before(last) {
			backdated++
			if last.Sub(d) > time.Duration(days)*24*time.Hour || d.Before(start) {
				t.Errorf("line %d: dated %s, latest of %s so far %s", r.Line, d.Format(time.DateOnly), p, last.Format(time.DateOnly))
			}
		} else {
			latest[p] = d
		}
		ops[p] = append(ops[p], op{d, r.Line, delta})
		// The stock column is the balance right after the row by business date, given
		// the rows above it (same-date rows above come before it).
		running[p] = 0
		for _, o := range ops[p] {
			if !o.date.After(d) {
				running[p] += o.delta
			}
		}
		if r.Stock == nil || r.Stock.Cents() != running[p] {
			t.Errorf("line %d: stock column %v, the balance after it by date is %d hundredths", r.Line, r.Stock, running[p])
		}
	}
	if backdated != rep.Backdated || backdated < rep.Operations/100 || backdated > rep.Operations*3/100 {
		t.Errorf("%d rows backdated (the report says %d) of %d, want about 2%%", backdated, rep.Backdated, rep.Operations)
	}
	for p, list := range ops {
		sort.SliceStable(list, func(i, j int) bool { return list[i].date.Before(list[j].date) })
		bal := int64(0)
		for _, o := range list {
			if bal += o.delta; bal < 0 {
				t.Fatalf("%s: balance %d hundredths after line %d, dated %s, in date order", p, bal, o.line, o.date.Format(time.DateOnly))
			}
		}
	}
	t.Logf("%d operations, %d backdated, %d sales cut down", rep.Operations, rep.Backdated, rep.Shrunk)
}

// TestBackdatedOptionsChecked: a share outside 0 to 50%, or backdating without days, is
// refused.
func TestBackdatedOptionsChecked(t *testing.T) {
	for _, opt := range []Options{
		{Products: 1, Days: 1, Start: start, Backdated: -1, BackdateDays: 90},
		{Products: 1, Days: 1, Start: start, Backdated: 51, BackdateDays: 90},
		{Products: 1, Days: 1, Start: start, Backdated: 2, BackdateDays: 0},
	} {
		if _, err := Generate(&bytes.Buffer{}, opt); err == nil {
			t.Errorf("%+v: want an error", opt)
		}
	}
}

// TestShiftMovesDatesOnly: ShiftDays 70 writes the same rows, quantities and stocks, each
// dated 70 days later; with Backdated too, so that the backdated rows move with the rest.
func TestShiftMovesDatesOnly(t *testing.T) {
	for _, backdated := range []float64{0, 5} {
		var plain, shifted bytes.Buffer
		opt := Options{Products: 5, Days: 60, Seed: 9, Start: start, Backdated: backdated, BackdateDays: 10}
		if _, err := Generate(&plain, opt); err != nil {
			t.Fatal(err)
		}
		opt.ShiftDays = 70
		if _, err := Generate(&shifted, opt); err != nil {
			t.Fatal(err)
		}
		a, b := strings.Split(plain.String(), "\r\n"), strings.Split(shifted.String(), "\r\n")
		if len(a) != len(b) || len(a) < 50 {
			t.Fatalf("backdated %v: %d rows, shifted %d", backdated, len(a), len(b))
		}
		for i := 1; i < len(a)-1; i++ {
			da, restA, _ := strings.Cut(a[i], ";")
			db, restB, _ := strings.Cut(b[i], ";")
			x, errA := time.Parse("02/01/2006", da)
			y, errB := time.Parse("02/01/2006", db)
			if errA != nil || errB != nil || restA != restB || !y.Equal(x.AddDate(0, 0, 70)) {
				t.Fatalf("backdated %v, row %d: %q shifted is %q; want the same row 70 days later", backdated, i, a[i], b[i])
			}
		}
	}
}
