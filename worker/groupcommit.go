package worker

import "sync"

// groupCommit gathers the writes of concurrent attempts into batches, so
// that many claims (or outcomes) share one transaction and one disk flush.
// It adds no delay: a write that finds no batch running starts one at once;
// writes that arrive while a batch is being committed form the next one.
// Each caller still waits until its own write is committed. Up to
// parallel batches are committed at once (a database with one writer
// gains nothing from more than one).
type groupCommit[In, Out any] struct {
	max, parallel int
	commit        func([]In) []Out

	mu      sync.Mutex
	queue   []*pendingWrite[In, Out]
	running int
}

type pendingWrite[In, Out any] struct {
	in   In
	out  Out
	done chan struct{}
}

func newGroupCommit[In, Out any](batch, parallel int, commit func([]In) []Out) *groupCommit[In, Out] {
	return &groupCommit[In, Out]{max: batch, parallel: max(parallel, 1), commit: commit}
}

// do queues in and returns its result once its batch is committed.
func (g *groupCommit[In, Out]) do(in In) Out {
	w := &pendingWrite[In, Out]{in: in, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if g.running < g.parallel {
		g.running++
		go g.drain()
	}
	g.mu.Unlock()
	<-w.done
	return w.out
}

// drain commits batches until nothing is queued.
func (g *groupCommit[In, Out]) drain() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), g.max)
		if n == 0 {
			g.running--
			g.mu.Unlock()
			return
		}
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()

		ins := make([]In, n)
		for i, w := range batch {
			ins[i] = w.in
		}
		outs := g.commit(ins)
		for i, w := range batch {
			w.out = outs[i]
			close(w.done)
		}
	}
}
