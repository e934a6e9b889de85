package e2e

import (
	"context"
	"os"
	osexec "os/exec"
	"testing"
	"time"
)

type result struct {
	out string
	err error
}

// runLoa runs a loa command to completion.
func runLoa(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := osexec.CommandContext(ctx, loaBin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return result{out: string(out), err: err}
}
