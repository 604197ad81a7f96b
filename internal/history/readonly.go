package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// OpenReadOnly opens the SQLite database at file for reading only: it never creates the file
// nor migrates its schema (a reader such as akscheck history must not change the database
// the audit writes). A missing file, a file without the audit's schema, and a schema older
// or newer than this akscheck's are errors that say so.
func OpenReadOnly(ctx context.Context, file string, opts ...Option) (*Store, error) {
	if file == "" {
		return nil, errors.New("history database: no file given")
	}
	if strings.HasPrefix(file, "postgres://") || strings.HasPrefix(file, "postgresql://") {
		return nil, errors.New("history database: a PostgreSQL URL is given with --database-url, not --database")
	}
	if _, err := os.Stat(file); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("history database %s does not exist (akscheck serve --audit creates it)", file)
		}
		return nil, fmt.Errorf("history database %s: %w", file, err)
	}
	// mode=ro: SQLite opens the file read-only and never creates it. No journal_mode pragma:
	// changing it writes; a database in WAL mode stays in it.
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Set("mode", "ro")
	db, err := sql.Open("sqlite", "file:"+file+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("history database %s: %w", file, err)
	}
	d := sqliteDialect()
	if err := checkVersion(ctx, db, d, file); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, d: d, name: file, cluster: resolve(opts).cluster}, nil
}

// OpenURLReadOnly opens the PostgreSQL database at url for reading only: its sessions are
// read-only and its schema is not migrated, as OpenReadOnly. The password never appears in
// an error.
func OpenURLReadOnly(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return nil, errors.New("history database URL: want postgres://user:password@host:port/database")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, redact(fmt.Errorf("history database URL: %w", err), dsn, nil)
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = ConnectTimeout
	}
	// The server refuses any write of these sessions, whatever a query would do.
	cfg.RuntimeParams["default_transaction_read_only"] = "on"
	name := safeName(cfg)
	db := stdlib.OpenDB(*cfg)
	d := postgresDialect()
	if err := checkVersion(ctx, db, d, name); err != nil {
		db.Close()
		return nil, redact(err, dsn, cfg)
	}
	return &Store{db: db, d: d, name: name, cluster: resolve(opts).cluster,
		scrub: func(err error) error { return redact(err, dsn, cfg) }}, nil
}

// checkVersion accepts a database of this akscheck's schema version only: an older one lacks
// tables the queries read (the audit migrates it when it next starts), a newer one may mean
// something else by them.
func checkVersion(ctx context.Context, db *sql.DB, d dialect, name string) error {
	var tables int
	if err := db.QueryRowContext(ctx, d.tableExists, "schema_version").Scan(&tables); err != nil {
		return fmt.Errorf("history database %s: %w", name, explain(err))
	}
	if tables == 0 {
		return fmt.Errorf("history database %s holds no akscheck history (no schema_version table): give the %s of akscheck serve --audit", name, d.flag)
	}
	v, err := version(ctx, db)
	if err != nil {
		return fmt.Errorf("history database %s: reading its schema version: %w", name, explain(err))
	}
	want := SchemaVersion()
	switch {
	case v == 0:
		return fmt.Errorf("history database %s holds no akscheck history (schema version 0): give the %s of akscheck serve --audit", name, d.flag)
	case v > want:
		return fmt.Errorf("history database %s has schema version %d, newer than this akscheck knows (%d): "+
			"it was written by a newer akscheck; run that version", name, v, want)
	case v < want:
		return fmt.Errorf("history database %s has schema version %d, older than this akscheck's (%d): "+
			"run this akscheck's serve --audit on it once to migrate it", name, v, want)
	}
	return nil
}
