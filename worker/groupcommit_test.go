package worker

import (
	"runtime"
	"sync"
	"testing"
)

// TestGroupCommitBatchesWhatArrivesDuringACommit: the first write commits
// alone at once; the writes that arrive while it is committing go out
// together in the next batch, at most max at a time, and each caller gets
// its own result.
func TestGroupCommitBatchesWhatArrivesDuringACommit(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	var mu sync.Mutex
	var batches [][]int
	g := newGroupCommit(3, 1, func(in []int) []int {
		mu.Lock()
		batches = append(batches, append([]int(nil), in...))
		first := len(batches) == 1
		mu.Unlock()
		if first {
			close(started)
			<-release
		}
		out := make([]int, len(in))
		for i, v := range in {
			out[i] = v * 10
		}
		return out
	})

	results := make(map[int]int)
	var rmu sync.Mutex
	var wg sync.WaitGroup
	call := func(v int) {
		defer wg.Done()
		got := g.do(v)
		rmu.Lock()
		results[v] = got
		rmu.Unlock()
	}
	wg.Add(1)
	go call(1)
	<-started
	for v := 2; v <= 6; v++ {
		wg.Add(1)
		go call(v)
	}
	// Wait until all five are queued behind the running commit.
	for {
		g.mu.Lock()
		n := len(g.queue)
		g.mu.Unlock()
		if n == 5 {
			break
		}
		runtime.Gosched()
	}
	close(release)
	wg.Wait()

	if len(batches) != 3 || len(batches[0]) != 1 || len(batches[1]) != 3 || len(batches[2]) != 2 {
		t.Fatalf("batches = %v, want [1] then 3 then 2", batches)
	}
	for v := 1; v <= 6; v++ {
		if results[v] != v*10 {
			t.Errorf("result for %d = %d, want %d", v, results[v], v*10)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running != 0 || len(g.queue) != 0 {
		t.Fatalf("after the last batch: running %d, queued %d", g.running, len(g.queue))
	}
}

// TestGroupCommitRunsParallelBatches: with parallel 2, a second batch is
// committed while the first still is.
func TestGroupCommitRunsParallelBatches(t *testing.T) {
	var mu sync.Mutex
	inside := 0
	both := make(chan struct{})
	g := newGroupCommit(1, 2, func(in []int) []int {
		mu.Lock()
		inside++
		if inside == 2 {
			close(both)
		}
		mu.Unlock()
		<-both
		return in
	})
	var wg sync.WaitGroup
	for v := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := g.do(v); got != v {
				t.Errorf("do(%d) = %d", v, got)
			}
		}()
	}
	wg.Wait() // would never return if the batches ran one after the other
}
