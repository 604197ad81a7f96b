package history

import (
	"cmp"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// safeName names a PostgreSQL database without its password: user@host:port/database.
func safeName(cfg *pgx.ConnConfig) string {
	return cfg.User + "@" + net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))) + "/" + cfg.Database
}

// redactedError is an error whose message had the database's password taken out. It does
// not unwrap: the errors under it hold the password, and a caller printing the chain would
// find it there.
type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

// redact takes out of err's message everything of dsn that may be a secret: the URL itself,
// its user information, and the password raw and escaped (pgx's errors may echo the
// connection string, and a password may be given in the URL's query too). cfg, when the URL
// parsed, adds the password pgx read (from the URL, the query or PGPASSWORD).
func redact(err error, dsn string, cfg *pgx.ConnConfig) error {
	if err == nil {
		return nil
	}
	secrets := []string{dsn}
	add := func(p string) {
		if p != "" {
			secrets = append(secrets, p, url.PathEscape(p), url.QueryEscape(p), url.UserPassword("", p).String()[1:])
		}
	}
	if cfg != nil {
		add(cfg.Password) // the fallback hosts share it
	}
	if u, perr := url.Parse(dsn); perr == nil {
		if u.User != nil {
			p, _ := u.User.Password()
			add(p)
		}
		add(u.Query().Get("password"))
	}
	// By hand too: a URL that does not parse may still hold user:password@ after the scheme.
	if _, rest, ok := strings.Cut(dsn, "://"); ok {
		authority, _, _ := strings.Cut(rest, "/")
		if i := strings.LastIndex(authority, "@"); i >= 0 {
			if _, p, ok := strings.Cut(authority[:i], ":"); ok {
				secrets = append(secrets, authority[:i])
				add(p)
			}
		}
	}
	// Longest first: the URL before the password in it.
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	msg := err.Error()
	clean := msg
	for _, s := range secrets {
		if s != "" {
			clean = strings.ReplaceAll(clean, s, "xxxxx")
		}
	}
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean}
}
