package a

import (
	"context"
	"crypto/md5"
	crand "crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ---- exec-shell / exec-name-input / exec-name-param ----

// Buggy: the branch name goes through a shell.
func checkout(ctx context.Context, branch string) error {
	return exec.CommandContext(ctx, "sh", "-c", "git checkout "+branch).Run() // want `sh runs a shell script built from "git checkout " \+ branch`
}

// Buggy: the request names the program.
func runTool(w http.ResponseWriter, r *http.Request) {
	tool := r.URL.Query().Get("tool")
	out, _ := exec.Command(tool, "--version").Output() // want `exec runs program tool taken from input`
	w.Write(out)
}

// Weak: a wrapper passing the program through.
func run(name string, args ...string) error {
	return exec.Command(name, args...).Run() // want `exec runs program name passed in by the caller`
}

// Correct: constant program, arguments as separate words, LookPath of a constant.
func checkoutOK(ctx context.Context, branch string) error {
	git, err := exec.LookPath("git")
	if err != nil {
		return err
	}
	if err := exec.CommandContext(ctx, git, "checkout", "--", branch).Run(); err != nil {
		return err
	}
	return exec.Command("sh", "-c", "make clean").Run()
}

// ---- sql-built ----

type Store struct {
	db *sql.DB
	x  *sqlx.DB
}

// Buggy: the name is spliced into the query.
func (s *Store) UserByName(ctx context.Context, name string) (*sql.Rows, error) {
	q := "SELECT id, email FROM users WHERE name = '" + name + "'"
	return s.db.QueryContext(ctx, q) // want `QueryContext query is built with \+ from non-constant data; use placeholders`
}

// Buggy: Sprintf with a string from the request.
func (s *Store) Search(r *http.Request) error {
	var ids []int
	return s.x.Select(&ids, fmt.Sprintf("SELECT id FROM items WHERE title LIKE '%%%s%%'", r.FormValue("q"))) // want `Select query is built with fmt.Sprintf`
}

// Buggy: a builder fed with a filter value.
func (s *Store) Filter(tx *sql.Tx, col, val string) error {
	var b strings.Builder
	b.WriteString("DELETE FROM items WHERE ")
	b.WriteString(col + " = " + val)
	_, err := tx.Exec(b.String()) // want `Exec query is built with a strings.Builder`
	return err
}

// Correct: placeholders, whitelisted pieces, numbers, placeholder lists.
func (s *Store) List(ctx context.Context, desc bool, limit int, ids []int) (*sql.Rows, error) {
	order := "ASC"
	if desc {
		order = "DESC"
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE stats SET hits = hits + 1 WHERE id = $1", limit); err != nil {
		return nil, err
	}
	ph := strings.Repeat("?,", len(ids))
	q := "SELECT id FROM items WHERE id IN (" + strings.TrimSuffix(ph, ",") + ") ORDER BY id " + order
	q += fmt.Sprintf(" LIMIT %d", limit)
	return s.db.QueryContext(ctx, q)
}

// ---- path-traversal / file-nonconst ----

const root = "/srv/files"

// Buggy: ?name=../../etc/passwd escapes root.
func download(w http.ResponseWriter, r *http.Request) {
	p := filepath.Join(root, r.URL.Query().Get("name")) // want `filepath.Join uses r.URL.Query\(\).Get\("name"\) from the request`
	data, err := os.ReadFile(p)                         // want `os.ReadFile opens a path computed at run time: p`
	if err != nil {
		http.Error(w, err.Error(), 404)
		return
	}
	w.Write(data)
}

// Buggy: serving a file named by a form value.
func serve(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("f")
	http.ServeFile(w, r, "/srv/static/"+name) // want `http.ServeFile uses "/srv/static/" \+ name from the request`
}

// Correct: IsLocal checks the name; Base strips directories.
func downloadOK(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if !filepath.IsLocal(name) {
		http.Error(w, "bad name", 400)
		return
	}
	f, err := os.Open(filepath.Join(root, name)) // want `os.Open opens a path computed at run time`
	if err == nil {
		f.Close()
	}
}

func avatar(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	http.ServeFile(w, r, filepath.Join(root, filepath.Base(r.URL.Path), fmt.Sprintf("%d.png", id)))
}

// Buggy: a plugin name of "../../bin/sh" runs a program outside every
// search directory.
func FindPlugin(name string, dirs []string) (string, error) {
	for _, dir := range dirs {
		full := filepath.Join(dir, name) // want `filepath.Join joins name, passed in by the caller of FindPlugin, under dir with no check for ".." or a separator`
		if _, err := os.Stat(full); err == nil {
			return full, nil
		}
	}
	return "", fmt.Errorf("plugin %q not found", name)
}

// Correct: the name is refused if it holds a separator.
func FindPluginOK(name string, dirs []string) (string, error) {
	if strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("bad plugin name %q", name)
	}
	for _, dir := range dirs {
		full := filepath.Join(dir, name)
		if _, err := os.Stat(full); err == nil {
			return full, nil
		}
	}
	return "", fmt.Errorf("plugin %q not found", name)
}

// Buggy twice: a weak join-param first must not hide the request's path-traversal.
func ServeUnder(w http.ResponseWriter, r *http.Request, sub string) {
	dir := filepath.Join(root, sub)                      // want `filepath.Join joins sub, passed in by the caller of ServeUnder`
	http.ServeFile(w, r, filepath.Join(dir, r.URL.Path)) // want `http.ServeFile uses filepath.Join\(dir, r.URL.Path\) from the request`
}

// Correct: unexported helpers join names their own package chose.
func cachePath(dir, key string) string { return filepath.Join(dir, key) }

// ---- template-unescaped ----

type Page struct{ Body template.HTML }

// Buggy: a user comment rendered raw.
func renderComment(c string) Page {
	return Page{Body: template.HTML("<p>" + c + "</p>")} // want `template.HTML\("<p>" \+ c \+ "</p>"\) marks a non-constant string as safe` `markup <p> is built with \+ from c`
}

// Correct: constant markup, or escaped first.
func renderOK(c string) []Page {
	return []Page{{Body: template.HTML("<hr>")}, {Body: template.HTML(html.EscapeString(c))}}
}

// ---- tls-insecure / tls-old-version ----

// Buggy: certificate checks off, TLS 1.0 allowed.
func newClient() *http.Client {
	cfg := &tls.Config{
		InsecureSkipVerify: true,             // want `InsecureSkipVerify: true disables certificate checks`
		MinVersion:         tls.VersionTLS10, // want `MinVersion tls.VersionTLS10 allows TLS versions below 1.2`
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 10 * time.Second}
}

func pinned(cfg *tls.Config, insecure bool) {
	cfg.InsecureSkipVerify = true // want `InsecureSkipVerify: true`
	_ = &tls.Config{InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12}
	_ = &tls.Config{InsecureSkipVerify: true, VerifyConnection: func(tls.ConnectionState) error { return nil }}
}

// ---- weak-rand ----

const letters = "abcdefghijklmnopqrstuvwxyz0123456789"

// Buggy: predictable session tokens.
func newSessionToken() string {
	b := make([]byte, 32)
	for i := range b {
		b[i] = letters[rand.Intn(len(letters))] // want `rand.Intn is predictable but makes a token; use crypto/rand`
	}
	return string(b)
}

func invite(email string) string {
	resetKey := rand.Int63() // want `rand.Int63 is predictable but makes a key`
	return email + strconv.FormatInt(resetKey, 36)
}

// Correct: crypto/rand for secrets, math/rand for jitter.
func newAPIToken() (string, error) {
	b := make([]byte, 32)
	if _, err := crand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func backoff(attempt int) time.Duration {
	return time.Duration(attempt)*time.Second + time.Duration(rand.Int63n(int64(time.Second)))
}

// ---- weak-hash ----

// Weak: MD5 of a password.
func hashPassword(pw string) string {
	sum := md5.Sum([]byte(pw)) // want `md5.Sum uses a broken hash`
	return hex.EncodeToString(sum[:])
}

// Correct: SHA-256.
func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// ---- decoded input and odd code ----

type hook struct{ Cmd string }

func runHook(body []byte) error {
	var h hook
	if err := json.Unmarshal(body, &h); err != nil {
		return err
	}
	return exec.Command(h.Cmd).Run() // want `exec runs program h.Cmd taken from input`
}

func generic[T ~string](name T) error { return exec.Command(string(name)).Run() } // want `passed in by the caller`

var insecure = &tls.Config{InsecureSkipVerify: true} // want `InsecureSkipVerify: true`

func stub(q string) error
