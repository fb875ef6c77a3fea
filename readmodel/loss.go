package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Loss is what replacing the live model with a rebuild would lose of its history.
type Loss struct {
	// Lines describe it: a line per product whose sequence would go back, per partition
	// the log no longer holds as far as the live model applied, and per gap the rebuild met.
	Lines []string
	// Events counts the accepted events lost; Gaps the gaps the rebuild met.
	Events, Gaps int
	// Refused counts the products whose loss starts with an event the log still holds
	// but the rebuild refused by the stock rule: accepted under an earlier version's rule,
	// which checked stock in log order, not by business date.
	Refused int
}

// Losses compares the finished rebuild at built with the live model at live. A product
// whose sequence goes back, or a partition the log holds less of than the live model
// applied, is accepted history the rebuild lost: a damaged or shortened log. ends gives
// the log's end offsets; it is called once the live model's state is fixed in a read
// transaction, so that events other processes project meanwhile never look like a
// shorter log. Where they projected past the rebuild's offsets, only the live rows the
// rebuild covered are compared. A live model built from another cluster's log (another
// data directory, a lost and recreated log) is compared product by product: it may hold
// the only copy of its history. A live model that cannot be read as one, or was built
// from another topic, holds no history of this log to lose.
func Losses(ctx context.Context, built, live string, ends func(context.Context) (map[int32]int64, error)) (Loss, error) {
	var loss Loss
	if _, err := os.Stat(live); err != nil {
		return loss, nil
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(built)+"?mode=ro")
	if err != nil {
		return loss, fmt.Errorf("compare with the live model: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `ATTACH DATABASE ? AS live`, live); err != nil {
		if ctx.Err() != nil {
			return loss, ctx.Err()
		}
		return loss, nil // not a database: nothing to compare
	}
	// One read transaction: the live model's rows and offsets from one moment.
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return loss, fmt.Errorf("compare with the live model: %w", err)
	}
	defer tx.Rollback()
	var ahead, sameTopic int
	var liveCluster, builtCluster string
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM live.offsets l LEFT JOIN main.offsets n USING (partition)
		WHERE l.next_offset > coalesce(n.next_offset, 0)),
		(SELECT count(*) FROM live.meta l JOIN main.meta n USING (key) WHERE key = 'topic' AND l.value = n.value),
		coalesce((SELECT value FROM live.meta WHERE key = 'cluster_id'), ''),
		coalesce((SELECT value FROM main.meta WHERE key = 'cluster_id'), '')`).Scan(&ahead, &sameTopic, &liveCluster, &builtCluster); err != nil {
		if ctx.Err() != nil {
			return loss, ctx.Err()
		}
		if notAModel(err) {
			return loss, nil
		}
		return loss, fmt.Errorf("compare with the live model: %w", err)
	}
	if sameTopic == 0 {
		return loss, nil // built from another topic: not this log's history (see BindLog)
	}
	otherLog := liveCluster != "" && builtCluster != "" && liveCluster != builtCluster
	if otherLog {
		loss.Lines = append(loss.Lines, fmt.Sprintf("the read model was built from another log (cluster ID %q; this log's is %q)",
			liveCluster, builtCluster))
	}
	logEnds, err := ends(ctx)
	if err != nil {
		return loss, err
	}
	// Per product: the live sequence the rebuild should have reached, and what it has.
	covered := `SELECT product_id, seq FROM live.stock`
	if ahead > 0 && !otherLog {
		covered = `SELECT l.product_id, max(l.product_seq) AS seq FROM live.ledger l
			JOIN main.offsets o ON o.partition = l.partition AND l."offset" < o.next_offset GROUP BY l.product_id`
	}
	type lost struct {
		product string
		seq     int64
		line    int
	}
	var refusals []lost
	rows, err := tx.QueryContext(ctx, `SELECT c.product_id, c.seq, coalesce(n.seq, 0), coalesce(n.stock_cents, 0),
		coalesce((SELECT stock_cents FROM live.ledger WHERE product_id = c.product_id AND product_seq = c.seq), 0)
		FROM (`+covered+`) c LEFT JOIN main.stock n USING (product_id) WHERE coalesce(n.seq, 0) < c.seq ORDER BY c.product_id`)
	if err != nil {
		return loss, fmt.Errorf("compare with the live model: %w", err)
	}
	for rows.Next() {
		var p string
		var seq, newSeq, newCents, cents int64
		if err := rows.Scan(&p, &seq, &newSeq, &newCents, &cents); err != nil {
			rows.Close()
			return loss, fmt.Errorf("compare with the live model: %w", err)
		}
		loss.Events += int(seq - newSeq)
		loss.Lines = append(loss.Lines, fmt.Sprintf("%s: %d accepted event(s) lost: stock %s at sequence %d would become %s at sequence %d",
			strconv.Quote(p), seq-newSeq, cents2(cents), seq, cents2(newCents), newSeq))
		refusals = append(refusals, lost{p, newSeq + 1, len(loss.Lines) - 1})
	}
	if err := rows.Close(); err != nil {
		return loss, err
	}
	// Why the first lost event of each product is missing: the rebuild refused it by the
	// stock rule (it is in the log), and every later one of the product then expected a
	// sequence the rebuild never reached.
	for _, l := range refusals {
		var reason, date string
		err := tx.QueryRowContext(ctx, `SELECT r.reason, l.business_date FROM live.ledger l
			JOIN main.rejected_events r ON r.partition = l.partition AND r."offset" = l."offset"
			WHERE l.product_id = ? AND l.product_seq = ?`, l.product, l.seq).Scan(&reason, &date)
		if err != nil || (reason != "insufficient_stock" && reason != "stock_overflow") {
			continue
		}
		loss.Refused++
		loss.Lines[l.line] += fmt.Sprintf(" (the rebuild refuses its operation dated %s, %s by business date, and the later ones follow it)", date, reason)
	}
	if otherLog {
		if loss.Events == 0 {
			loss.Lines = nil // another log's model with nothing this rebuild lacks
		}
		return loss, nil // its offsets are another log's: only products compare
	}
	// Offsets the live model applied that the log no longer has.
	rows, err = tx.QueryContext(ctx, `SELECT partition, next_offset FROM live.offsets ORDER BY partition`)
	if err != nil {
		return loss, fmt.Errorf("compare with the live model: %w", err)
	}
	var shorter []Gap
	for rows.Next() {
		var g Gap
		if err := rows.Scan(&g.Partition, &g.Last); err != nil {
			rows.Close()
			return loss, err
		}
		if g.First = logEnds[g.Partition]; g.Last > g.First {
			shorter = append(shorter, g)
		}
	}
	if err := rows.Close(); err != nil {
		return loss, err
	}
	for _, g := range shorter {
		rows, err := tx.QueryContext(ctx, `SELECT product_id, count(*) FROM live.ledger WHERE partition = ? AND "offset" >= ?
			GROUP BY product_id ORDER BY product_id`, g.Partition, g.First)
		if err != nil {
			return loss, fmt.Errorf("compare with the live model: %w", err)
		}
		var products []string
		events := 0
		for rows.Next() {
			var p string
			var n int
			if err := rows.Scan(&p, &n); err != nil {
				rows.Close()
				return loss, err
			}
			products, events = append(products, strconv.Quote(p)), events+n
		}
		if err := rows.Close(); err != nil {
			return loss, err
		}
		loss.Events += events
		loss.Lines = append(loss.Lines, fmt.Sprintf("partition %d ends at offset %d but the read model has applied up to %d: %d accepted event(s) there (%s)",
			g.Partition, g.First, g.Last, events, strings.Join(products, ", ")))
	}
	if len(loss.Lines) == 0 {
		return loss, nil
	}
	gaps, err := gapTexts(ctx, tx, "main")
	if err != nil {
		return loss, err
	}
	loss.Gaps = len(gaps)
	loss.Lines = append(gaps, loss.Lines...)
	return loss, nil
}

// CopyGaps records in the live model the gaps a rebuild met, so that status and verify
// report them while the live model is kept.
func CopyGaps(ctx context.Context, built, live string) error {
	d, err := Open(ctx, live)
	if err != nil {
		return err
	}
	defer d.Close()
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("copy gaps: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS built`, built); err != nil {
		return fmt.Errorf("copy gaps: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE built`)
	if _, err := conn.ExecContext(ctx, `INSERT OR IGNORE INTO main.log_gaps SELECT * FROM built.log_gaps`); err != nil {
		return fmt.Errorf("copy gaps: %w", err)
	}
	return nil
}

func gapTexts(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, schema string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT detail FROM `+schema+`.log_gaps ORDER BY partition, first_offset`)
	if err != nil {
		return nil, fmt.Errorf("log gaps: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func cents2(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

// notAModel reports whether err says the attached live file is not a read model.
func notAModel(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "no such table") || strings.Contains(msg, "not a database") || strings.Contains(msg, "malformed")
}
