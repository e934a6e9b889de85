package e2e

import (
	"errors"
	"net"
	osexec "os/exec"
	"strings"
	"testing"
)

// TestStartupFailureExits: a start-up step that fails — the first thing a
// new user meets is usually a taken port — ends the process with a
// non-zero status and a plain message, rather than leaving it hanging with
// its background loops running. runLoa gives up (and fails) after 30 s.
func TestStartupFailureExits(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	closed := freeAddr(t)

	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"serve on a taken port", map[string]string{"LOA_ADDR": taken.Addr().String()}, []string{"serve"},
			"cannot listen on " + taken.Addr().String()},
		{"serve with an unreachable database", map[string]string{"LOA_ADDR": freeAddr(t),
			"LOA_DATABASE_URL": "postgres://loa@" + closed + "/loa?sslmode=disable&connect_timeout=2"}, []string{"serve"},
			"storage"},
		{"api on a taken port", map[string]string{"LOA_ADDR": taken.Addr().String(),
			"LOA_REDIS_URL": "redis://" + closed + "/0"}, []string{"api"},
			"cannot listen on " + taken.Addr().String()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["LOA_DATA_DIR"] = t.TempDir()
			res := runLoa(t, tt.env, tt.args...)
			var exit *osexec.ExitError
			if !errors.As(res.err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("loa %s ended with %v, want exit status 1\n%s", tt.args[0], res.err, res.out)
			}
			if !strings.Contains(res.out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, res.out)
			}
		})
	}
}
