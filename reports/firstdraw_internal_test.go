package reports

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFirstDrawingsAtOnce draws two charts at once as the first drawings of a new
// process, as two requests to a server just started do: go-chart loads its font on first
// use and reads the pointer without a lock, and under -race that read raced with the
// other drawing's load. It runs itself again in a new process, where nothing has loaded
// the font yet; the race detector fails that process.
func TestFirstDrawingsAtOnce(t *testing.T) {
	if os.Getenv("STOCKCTL_FIRST_DRAW") == "1" {
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				ps := []StockPoint{{Date: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Cents: 100}, {Date: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), Cents: 500 * int64(i+1)}}
				if _, err := stockChart("P1", "P1", ps, time.Time{}, time.Time{}, periodWidth, chartHeight, formats{svg: true, num: English}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFirstDrawingsAtOnce$", "-test.count=1")
	cmd.Env = append(os.Environ(), "STOCKCTL_FIRST_DRAW=1", "GORACE=halt_on_error=1 exitcode=66")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "DATA RACE") {
		t.Fatalf("two first drawings at once: %v\n%s", err, out)
	}
}
