package redisconn

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Ports of the real servers these tests start (the ops lane's range).
const (
	sentinelMasterPort = 6382
	sentinelPort       = 6383
	clusterFirstPort   = 6384 // and the next two
)

// needRedisServer skips without redis-server, except in CI where its
// absence is a failure.
func needRedisServer(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed")
		}
		t.Skip("redis-server is not installed")
	}
}

// startProcess runs a server in the foreground, stopped when the test ends.
func startProcess(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = t.TempDir()
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s %s:\n%s", name, strings.Join(args, " "), out.String())
		}
	})
}

// waitFor polls cond until it holds, failing after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func pings(port int) func() bool {
	return func() bool {
		c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), MaxRetries: -1})
		defer c.Close()
		return c.Ping(context.Background()).Err() == nil
	}
}

func serverArgs(port int, extra ...string) []string {
	return append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"}, extra...)
}

// TestSentinelAndCluster enqueues a task through each topology and waits
// for an asynq server on the same URL to process it: the go-redis client
// (Client) enqueues, an asynq server built from AsynqOpt runs it.
func TestSentinelAndCluster(t *testing.T) {
	needRedisServer(t)
	t.Run("sentinel", func(t *testing.T) {
		startProcess(t, "redis-server", serverArgs(sentinelMasterPort, "--requirepass", "masterpw")...)
		dir := t.TempDir()
		conf := filepath.Join(dir, "sentinel.conf")
		body := fmt.Sprintf("port %d\nbind 127.0.0.1\nsentinel monitor loa 127.0.0.1 %d 1\nsentinel auth-pass loa masterpw\n",
			sentinelPort, sentinelMasterPort)
		if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		startProcess(t, "redis-server", conf, "--sentinel")
		waitFor(t, "sentinel", pings(sentinelPort))
		roundTrip(t, fmt.Sprintf("redis-sentinel://:masterpw@127.0.0.1:%d/1?master=loa", sentinelPort), KindSentinel)
	})
	t.Run("cluster", func(t *testing.T) {
		var nodes []string
		for i := range 3 {
			port := clusterFirstPort + i
			startProcess(t, "redis-server", serverArgs(port, "--cluster-enabled", "yes",
				"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")...)
			nodes = append(nodes, "127.0.0.1:"+strconv.Itoa(port))
			waitFor(t, "cluster node "+strconv.Itoa(port), pings(port))
		}
		create := exec.Command("redis-cli", append(append([]string{"--cluster", "create"}, nodes...), "--cluster-replicas", "0", "--cluster-yes")...)
		if out, err := create.CombinedOutput(); err != nil {
			t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
		}
		for i := range 3 {
			waitFor(t, "cluster state ok", func() bool {
				c := redis.NewClient(&redis.Options{Addr: nodes[i]})
				defer c.Close()
				info, err := c.ClusterInfo(context.Background()).Result()
				return err == nil && strings.Contains(info, "cluster_state:ok")
			})
		}
		// One seed node is enough; the client finds the rest.
		roundTrip(t, "redis-cluster://"+nodes[0]+","+nodes[2], KindCluster)
	})
}

func roundTrip(t *testing.T, raw, kind string) {
	t.Helper()
	c, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind() != kind {
		t.Fatalf("kind = %s", c.Kind())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rdb := c.Client()
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("ping: %v", err)
	}
	client := asynq.NewClientFromRedisClient(rdb)
	info, err := client.EnqueueContext(ctx, asynq.NewTask("redisconn:test", []byte(kind)), asynq.Queue("deliveries"))
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	done := make(chan string, 1)
	srv := asynq.NewServer(c.AsynqOpt(), asynq.Config{Concurrency: 1, Queues: map[string]int{"deliveries": 1},
		TaskCheckInterval: 50 * time.Millisecond, LogLevel: asynq.FatalLevel})
	mux := asynq.NewServeMux()
	mux.HandleFunc("redisconn:test", func(ctx context.Context, task *asynq.Task) error {
		done <- string(task.Payload())
		return nil
	})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	select {
	case got := <-done:
		if got != kind {
			t.Fatalf("processed payload %q, want %q", got, kind)
		}
	case <-ctx.Done():
		t.Fatalf("task %s was not processed", info.ID)
	}
	// The inspector, as asynqmon and the metrics use it, sees the queue.
	insp := asynq.NewInspector(c.AsynqOpt())
	defer insp.Close()
	queues, err := insp.Queues()
	if err != nil || len(queues) != 1 || queues[0] != "deliveries" {
		t.Fatalf("inspector queues = %v, %v", queues, err)
	}
}
