package history

import (
	"strconv"
	"strings"
)

// dialect is what differs between SQLite and PostgreSQL. The Store's queries are written
// once, in SQLite's placeholders (?), and go through bind; the schema differs only in its
// types, so each dialect has its own migrations with the same versions.
type dialect struct {
	// name is the database's name in messages and the directory of its migrations.
	name string
	// flag is the command-line flag that names the database, for the errors' advice.
	flag string
	// numbered: placeholders are $1, $2, ... instead of ?.
	numbered bool
	// lock is run first in every migration's transaction, so that two akscheck opening the
	// same database migrate one after the other ("" when the transaction itself locks).
	lock string
	// checkpoint is the statement of Store.Checkpoint ("": nothing to do).
	checkpoint string
	// tableExists counts the tables named by its one parameter (0 or 1), without creating
	// anything.
	tableExists string
}

// migrateLockKey is the key of PostgreSQL's advisory lock held by the migrating transaction:
// "akscheck" in ASCII, so that another application sharing the database is unlikely to use it.
const migrateLockKey = 0x616b73636865636b

func sqliteDialect() dialect {
	// The transactions take the write lock at BEGIN (_txlock=immediate): they serialize.
	// The checkpoint copies the write-ahead log into the database file and truncates it,
	// so that the volume holds the database once.
	return dialect{name: "sqlite", flag: "--database", checkpoint: `PRAGMA wal_checkpoint(TRUNCATE)`,
		tableExists: `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`}
}

func postgresDialect() dialect {
	// PostgreSQL has no write-ahead log of the database's own to fold: its checkpoints and
	// vacuum are the server's.
	return dialect{name: "postgres", flag: "--database-url", numbered: true,
		lock:        `SELECT pg_advisory_xact_lock(` + strconv.FormatInt(migrateLockKey, 10) + `)`,
		tableExists: `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`}
}

// bind rewrites the ? placeholders of query for the dialect. The queries hold no ? in a
// string literal, so every ? is a placeholder.
func (d dialect) bind(query string) string {
	if !d.numbered {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
