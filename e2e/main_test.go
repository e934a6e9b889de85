// Package e2e builds the real loa binary and drives it over HTTP, with
// SIGKILLs, restarts and Redis flushes.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loa-vn/loa/internal/logbuf"
)

var loaBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "loa-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	loaBin = filepath.Join(dir, "loa")
	build := exec.Command("go", "build", "-o", loaBin, "github.com/loa-vn/loa/cmd/loa")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build loa:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one running loa process.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	addr   string
	output *logbuf.Buffer
	done   chan struct{}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs `loa args...` with env (LOA_* only; nothing inherited but PATH
// and HOME) and, for serving modes, waits until it answers /healthz.
func start(t *testing.T, env map[string]string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, output: &logbuf.Buffer{}, done: make(chan struct{})}
	if env["LOA_ADDR"] == "" {
		env["LOA_ADDR"] = freeAddr(t)
	}
	p.addr = env["LOA_ADDR"]
	p.cmd = exec.Command(loaBin, args...)
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	if len(args) > 0 && args[0] == "worker" {
		return p
	}
	p.waitHealthy()
	return p
}

func (p *proc) waitHealthy() {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			p.t.Fatalf("loa exited early:\n%s", p.output.String())
		default:
		}
		resp, err := http.Get("http://" + p.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.t.Fatalf("loa did not become healthy:\n%s", p.output.String())
}

// waitOutput waits until the process's output contains want, or within
// has passed, and returns the output.
func (p *proc) waitOutput(want string, within time.Duration) string {
	deadline := time.Now().Add(within)
	for !strings.Contains(p.output.String(), want) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	return p.output.String()
}

// kill sends SIGKILL: no shutdown code runs.
func (p *proc) kill() {
	if p.cmd.Process != nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop() {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.t.Fatalf("loa did not stop on SIGTERM:\n%s", p.output.String())
	}
}

// client calls the API with a token.
type client struct {
	t     *testing.T
	base  string
	token string
}

func (c client) do(method, path string, body any, out any) int {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, c.base+path, r)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

func (c client) mustDo(method, path string, body any, want int, out any) {
	c.t.Helper()
	var raw json.RawMessage
	if got := c.do(method, path, body, &raw); got != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, got, raw, want)
	}
	if out != nil {
		json.Unmarshal(raw, out)
	}
}

type delivery struct {
	ID          int64      `json:"id"`
	ChannelID   int64      `json:"channel_id"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error"`
	ScheduledAt time.Time  `json:"scheduled_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
}

type post struct {
	ID         int64      `json:"id"`
	Status     string     `json:"status"`
	Deliveries []delivery `json:"deliveries"`
}

// waitDelivered polls until every delivery of the post is delivered.
func (c client) waitDelivered(postID int64, within time.Duration) post {
	c.t.Helper()
	deadline := time.Now().Add(within)
	var p post
	for time.Now().Before(deadline) {
		c.mustDo("GET", fmt.Sprintf("/api/v1/posts/%d", postID), nil, 200, &p)
		if p.Status == "published" {
			return p
		}
		time.Sleep(200 * time.Millisecond)
	}
	c.t.Fatalf("post %d not published within %s: %+v", postID, within, p)
	return p
}

func contains(haystack, needle string) bool {
	return needle != "" && strings.Contains(haystack, needle)
}
