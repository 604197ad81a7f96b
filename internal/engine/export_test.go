package engine

// ReasonTables is how many sets of evidence r keeps reasons for.
func ReasonTables(r *Reasons) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.tables)
}
