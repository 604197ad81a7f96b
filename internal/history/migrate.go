package history

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// The migrations of each dialect, in migrations/<dialect>/NNNN_what.sql, with the same
// versions in both (a test holds them so).
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migration is one schema version: the SQL that takes the schema from version-1 to version.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's embedded migrations in version order. Their names are
// NNNN_what.sql; versions start at 1 and have no gaps.
func (d dialect) migrations() ([]migration, error) {
	dir := path.Join("migrations", d.name)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("reading the embedded migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: want NNNN_name.sql", d.name, e.Name())
		}
		body, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading migration %s/%s: %w", d.name, e.Name(), err)
		}
		out = append(out, migration{version: v, name: d.name + "/" + e.Name(), sql: string(body)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d (versions have no gaps)", m.name, i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the schema version this akscheck writes (the same for every database).
func SchemaVersion() int {
	ms, err := sqliteDialect().migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// adoptions are run after the migration of their version, in its transaction, with the
// migrating Store's cluster as their one parameter: version 3 gives the rows written before
// it (a database of one cluster, the empty cluster after its SQL) to the cluster of the
// akscheck that upgrades the database, which is that cluster's in an upgrade. Without a
// cluster name they keep the empty one.
var adoptions = map[int][]string{
	3: {
		`UPDATE audits SET cluster = ? WHERE cluster = ''`,
		`UPDATE findings SET cluster = ? WHERE cluster = ''`,
		`UPDATE clusters SET name = ? WHERE name = ''`,
	},
}

// migrate brings the schema to version upTo (0: the latest), each migration in its own
// transaction with the version it sets, so that a crash between two leaves a schema of one
// version or the other. A database of a newer schema is refused: an older akscheck cannot
// know what its tables mean. name names the database in errors; cluster is the migrating
// Store's cluster (adoptions).
func migrate(ctx context.Context, db *sql.DB, d dialect, name, cluster string, upTo int) error {
	ms, err := d.migrations()
	if err != nil {
		return err
	}
	if upTo <= 0 || upTo > len(ms) {
		upTo = len(ms)
	}
	// Under the migration lock too: two replicas creating the table at once in PostgreSQL
	// would collide on its type's name.
	if err := locked(ctx, db, d, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`)
		return err
	}); err != nil {
		return fmt.Errorf("history database %s: creating schema_version: %w", name, explain(err))
	}
	current, err := version(ctx, db)
	if err != nil {
		return fmt.Errorf("history database %s: reading its schema version: %w", name, explain(err))
	}
	if current > len(ms) {
		return fmt.Errorf("history database %s has schema version %d, newer than this akscheck knows (%d): "+
			"it was written by a newer akscheck; run that version, or give another %s", name, current, len(ms), d.flag)
	}
	for _, m := range ms[current:upTo] {
		if err := apply(ctx, db, d, m, cluster); err != nil {
			return fmt.Errorf("history database %s: migration %s: %w", name, m.name, explain(err))
		}
	}
	return nil
}

func version(ctx context.Context, db *sql.DB) (int, error) {
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

// locked runs fn in a transaction that holds the dialect's migration lock.
func locked(ctx context.Context, db *sql.DB, d dialect, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if d.lock != "" {
		if _, err := tx.ExecContext(ctx, d.lock); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func apply(ctx context.Context, db *sql.DB, d dialect, m migration, cluster string) error {
	return locked(ctx, db, d, func(tx *sql.Tx) error {
		// Another process may have applied it since we read the version: the transaction
		// holds the lock, so reading again inside it decides.
		var v sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
			return err
		}
		if int(v.Int64) >= m.version {
			return nil
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return err
		}
		if cluster != "" {
			for _, q := range adoptions[m.version] {
				if _, err := tx.ExecContext(ctx, d.bind(q), cluster); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, d.bind(`INSERT INTO schema_version (version) VALUES (?)`), m.version)
		return err
	})
}
