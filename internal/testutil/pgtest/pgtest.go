// Package pgtest runs a throwaway PostgreSQL server for tests: initdb into a temporary
// directory, postgres on a free loopback port (its Unix socket in the same directory), a new
// database per test. It uses Debian's postgresql package (/usr/lib/postgresql/*/bin, or
// $AKSCHECK_PG_BIN). As root, which initdb and postgres refuse, it runs them as the postgres
// user.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
)

// ErrNoPostgres is returned by Start when PostgreSQL's binaries are not installed.
var ErrNoPostgres = errors.New("PostgreSQL is not installed (apt-get install -y postgresql, or set AKSCHECK_PG_BIN)")

// Server is a running throwaway PostgreSQL.
type Server struct {
	dir      string
	cmd      *exec.Cmd
	port     int
	password string
	admin    *sql.DB
	exited   chan error // postgres (or runuser) ended, with Wait's error
	next     atomic.Int64
	// run makes the command of a PostgreSQL program, as the postgres user when root.
	run func(name string, args ...string) *exec.Cmd
}

// BinDir finds the directory of initdb and postgres.
func BinDir() (string, error) {
	if dir := os.Getenv("AKSCHECK_PG_BIN"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err != nil {
			return "", fmt.Errorf("%w: no postgres in $AKSCHECK_PG_BIN (%s)", ErrNoPostgres, dir)
		}
		return dir, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// The newest version: the glob sorts "9" after "15", so sort by number.
	slices.SortFunc(dirs, func(a, b string) int { return major(a) - major(b) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "postgres")); err == nil {
			return dirs[i], nil
		}
	}
	return "", ErrNoPostgres
}

func major(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// Require returns a started server or ends the test: it fails when PostgreSQL is missing and
// CI=true (CI must run these tests), and skips otherwise.
func Require(tb testing.TB, start func() (*Server, error)) *Server {
	tb.Helper()
	s, err := start()
	switch {
	case errors.Is(err, ErrNoPostgres) && os.Getenv("CI") != "true":
		tb.Skipf("skipping the PostgreSQL tests: %v", err)
	case err != nil:
		tb.Fatalf("starting PostgreSQL: %v", err)
	}
	return s
}

// Start initializes and starts a server. Stop it with Stop.
func Start(ctx context.Context) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "akscheck-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, password: random()}
	ok := false
	defer func() {
		if !ok {
			s.Stop()
		}
	}()
	data, pwfile := filepath.Join(dir, "data"), filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(s.password+"\n"), 0o600); err != nil {
		return nil, err
	}
	var as []string // the command prefix that runs as the postgres user
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, initdb needs another user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		// The directory is root's and 0700 from MkdirTemp: the postgres user must enter it.
		if err := os.Chmod(dir, 0o711); err != nil {
			return nil, err
		}
		if err := os.Mkdir(data, 0o700); err != nil {
			return nil, err
		}
		for _, p := range []string{dir, data, pwfile} {
			if err := os.Chown(p, uid, gid); err != nil {
				return nil, err
			}
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	s.run = func(name string, args ...string) *exec.Cmd {
		argv := append(slices.Clone(as), append([]string{filepath.Join(bin, name)}, args...)...)
		return exec.Command(argv[0], argv[1:]...)
	}
	// Trust on the Unix socket only; over TCP a password (a wrong one must fail).
	if out, err := s.run("initdb", "-D", data, "-U", "postgres", "--pwfile", pwfile, "--auth-local=trust",
		"--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	var lastErr error
	for range 5 { // a free port may be taken between finding it and postgres binding it
		if s.port, err = freePort(); err != nil {
			return nil, err
		}
		if lastErr = s.launch(ctx); lastErr == nil {
			ok = true
			return s, nil
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
	return nil, fmt.Errorf("postgres did not start: %w\n%s", lastErr, log)
}

// launch starts postgres on the data directory and s.port and waits until it answers; on
// failure it stops what it started.
func (s *Server) launch(ctx context.Context) error {
	// Appended: a restarted server's log follows the first one's.
	logFile, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	// fsync off: the tests' databases are thrown away, and CREATE DATABASE is faster.
	s.cmd = s.run("postgres", "-D", filepath.Join(s.dir, "data"), "-k", s.dir, "-p", strconv.Itoa(s.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=50")
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	// Its own process group: a test's interrupt must not reach it before Stop does.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		s.cmd = nil
		return fmt.Errorf("starting postgres: %w", err)
	}
	s.exited = make(chan error, 1)
	go func(cmd *exec.Cmd, exited chan<- error) { exited <- cmd.Wait() }(s.cmd, s.exited)
	if err := s.waitReady(ctx); err != nil {
		s.stopProcess()
		return err
	}
	return nil
}

// Shutdown stops postgres (a fast shutdown: its clients' connections are closed), keeping
// its data directory and port, as a database server going away would: Restart starts it
// again.
func (s *Server) Shutdown() {
	if s.admin != nil {
		s.admin.Close()
		s.admin = nil
	}
	s.stopProcess()
}

// Restart starts postgres again after Shutdown, on the same data directory, port and
// password, so that clients reconnect to the same URL and find the databases they had.
func (s *Server) Restart(ctx context.Context) error {
	if s.cmd != nil {
		return errors.New("postgres is running: Shutdown first")
	}
	var err error
	// The port was postgres's a moment ago, but a client's connection may have taken it as
	// its local port since: try again for a while.
	for range 10 {
		if err = s.launch(ctx); err == nil {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	return fmt.Errorf("postgres did not start again: %w\n%s", err, log)
}

func (s *Server) waitReady(ctx context.Context) error {
	db, err := sql.Open("pgx", s.url("postgres"))
	if err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err = db.PingContext(pctx)
		cancel()
		if err == nil {
			s.admin = db
			return nil
		}
		select {
		case werr := <-s.exited:
			s.exited <- werr // for stopProcess
			db.Close()
			return fmt.Errorf("postgres exited: %w (last connection error: %w)", werr, err)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			db.Close()
			return fmt.Errorf("postgres not ready after 30 s: %w", err)
		}
	}
}

// URL is the URL of database db on the server, with the password.
func (s *Server) url(db string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", s.password, s.port, db)
}

// Port is the server's TCP port on 127.0.0.1.
func (s *Server) Port() int { return s.port }

// Password is the postgres user's password.
func (s *Server) Password() string { return s.password }

// Database creates a new empty database for the test and returns its URL; the database is
// dropped when the test ends.
func (s *Server) Database(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("t%d", s.next.Add(1))
	if _, err := s.admin.ExecContext(context.Background(), `CREATE DATABASE `+name); err != nil {
		tb.Fatalf("creating database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if s.admin == nil {
			tb.Errorf("dropping database %s: the server is shut down (Restart it before the test ends)", name)
			return
		}
		if _, err := s.admin.ExecContext(context.Background(), `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("dropping database %s: %v", name, err)
		}
	})
	return s.url(name)
}

// Stop stops the server and removes its directory.
func (s *Server) Stop() {
	if s.admin != nil {
		s.admin.Close()
	}
	s.stopProcess()
	os.RemoveAll(s.dir)
}

// stopProcess asks postgres for a fast shutdown (SIGINT) through its pid file, since under
// runuser the command's own process is runuser's, and waits for it to go.
func (s *Server) stopProcess() {
	if s.cmd == nil || s.exited == nil {
		return
	}
	pid := s.cmd.Process.Pid
	if b, err := os.ReadFile(filepath.Join(s.dir, "data", "postmaster.pid")); err == nil {
		first, _, _ := strings.Cut(string(b), "\n")
		if p, err := strconv.Atoi(strings.TrimSpace(first)); err == nil {
			pid = p
		}
	}
	_ = syscall.Kill(pid, syscall.SIGINT)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(pid, syscall.SIGKILL)
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd, s.exited = nil, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func random() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
