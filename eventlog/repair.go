package eventlog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// repairSeqWindows removes kfake's seq_windows.json when it is empty, which kfake
// otherwise refuses to parse, failing every start. The file carries no information an
// empty one could hold: kfake writes it whole (temporary file, fsync, rename) on a clean
// shutdown (and at a log's creation), so an empty file is damage, not data; without the
// file kfake starts with no remembered producer sequences, as it already does after any
// crash of the broker (the file then holds the windows of an earlier shutdown). What the
// windows guard against, a producer retrying a batch the broker already wrote, could at
// worst append an event twice, and the ledger's rule rejects the copy (its command ID was
// accepted). A file with content, damaged or not, is left for kfake to judge.
func repairSeqWindows(logDir string) error {
	path := filepath.Join(logDir, "seq_windows.json")
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && fi.Size() > 0) {
		return nil
	}
	if err == nil {
		err = os.Remove(path)
	}
	if err != nil {
		return fmt.Errorf("%w: embedded broker: %s is empty and could not be removed: %v; remove it and retry",
			ErrUnavailable, path, err)
	}
	return nil
}
