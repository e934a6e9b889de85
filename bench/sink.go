package bench

import (
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/loa-vn/loa/channels/webhook"
)

// sink is the loopback webhook receiver: it checks each request's
// signature and counts idempotency keys.
type sink struct {
	secret string
	srv    *http.Server
	url    string

	mu       sync.Mutex
	keys     map[string]int
	badSig   int
	received int
}

func startSink(secret string) (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{secret: secret, keys: map[string]int{}, url: "http://" + ln.Addr().String() + "/hook"}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	if err := webhook.Verify(s.secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
		s.mu.Lock()
		s.badSig++
		s.mu.Unlock()
		http.Error(w, "signature", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	s.keys[r.Header.Get("Idempotency-Key")]++
	s.received++
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// sinkCounts is what the sink saw.
type sinkCounts struct {
	Requests      int `json:"requests"`
	DistinctKeys  int `json:"distinct_keys"`
	Duplicates    int `json:"duplicates"`
	BadSignatures int `json:"bad_signatures"`
}

func (s *sink) counts() sinkCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := sinkCounts{Requests: s.received, DistinctKeys: len(s.keys), BadSignatures: s.badSig}
	for _, n := range s.keys {
		c.Duplicates += n - 1
	}
	return c
}

func (s *sink) close() { s.srv.Close() }
