package worker_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/worker"
)

// Two workers rotating the same channel's token at once must not lose
// either update: the second must see what the first stored.
func TestConfigStoreSerialisesUpdates(t *testing.T) {
	h := newHarness(t)
	ch := h.channel("webhook", map[string]any{"url": "https://example.org", "secret": secret, "n": 0})
	store := worker.NewConfigStore(h.store, h.box)
	const writers = 5
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := store.UpdateConfig(context.Background(), ch.ID, func(cur json.RawMessage) (json.RawMessage, error) {
				var cfg map[string]any
				if err := json.Unmarshal(cur, &cfg); err != nil {
					return nil, err
				}
				time.Sleep(20 * time.Millisecond) // a token refresh round trip
				cfg["n"] = cfg["n"].(float64) + 1
				return json.Marshal(cfg)
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := h.store.GetChannel(context.Background(), ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := h.box.Open(got.ConfigSealed)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	json.Unmarshal(plain, &cfg)
	if cfg["n"] != float64(writers) {
		t.Fatalf("after %d concurrent updates n = %v: an update was lost", writers, cfg["n"])
	}
	if !got.UpdatedAt.After(ch.UpdatedAt) {
		t.Fatal("updated_at did not move, so built adapters would not be rebuilt")
	}
}
