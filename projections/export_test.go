package projections

// MarkSeen puts command IDs into an exclusive ledger's filter without their being
// accepted: the false positives a full filter gives.
func (l *Ledger) MarkSeen(ids ...string) {
	for _, id := range ids {
		l.accepted.add(id)
	}
}
