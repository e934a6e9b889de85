package storage_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// TestChannelConfigUpdateHoldsNoTransaction: a token refresh calls the
// platform inside fn, so while fn waits the rest of Loa must keep writing.
// On SQLite a transaction around fn would hold the database's only write
// lock, and this write would fail with "database is locked" after
// busy_timeout.
func TestChannelConfigUpdateHoldsNoTransaction(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	ch := mustChannel(t, st, "Zalo OA phường")

	inFn := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- st.UpdateChannelConfig(ctx, ch.ID, func(sealed []byte) ([]byte, error) {
			close(inFn)
			<-release // the platform answering
			return []byte("rotated"), nil
		})
	}()
	<-inFn

	wrote := make(chan error, 1)
	go func() {
		other := storage.Channel{Name: "Trang tin", Kind: "webhook", ConfigSealed: []byte("x")}
		wrote <- st.CreateChannel(ctx, &other, "user:1")
	}()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatalf("a write while a refresh waited on its platform: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a write while a refresh waited on its platform did not finish")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, _ := st.GetChannel(ctx, ch.ID); string(got.ConfigSealed) != "rotated" {
		t.Fatalf("config = %q, want the rotated one", got.ConfigSealed)
	}
}

// TestChannelConfigLeaseSerialisesAndExpires: a second refresher waits for
// the first; a holder that stops answering (a dead process) loses the
// lease after ConfigLeaseTTL, and its late result is then refused.
func TestChannelConfigLeaseSerialisesAndExpires(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	ch := mustChannel(t, st, "Zalo OA xã")

	inFn := make(chan struct{})
	release := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- st.UpdateChannelConfig(ctx, ch.ID, func([]byte) ([]byte, error) {
			close(inFn)
			<-release
			return []byte("late"), nil
		})
	}()
	<-inFn

	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	err := st.UpdateChannelConfig(short, ch.ID, func([]byte) ([]byte, error) {
		t.Error("fn ran while another holder had the lease")
		return nil, nil
	})
	if !errors.Is(err, storage.ErrConfigBusy) {
		t.Fatalf("second refresher: err = %v, want ErrConfigBusy", err)
	}

	clk.Add(storage.ConfigLeaseTTL + time.Second)
	if err := st.UpdateChannelConfig(ctx, ch.ID, func(cur []byte) ([]byte, error) {
		return []byte("taken over"), nil
	}); err != nil {
		t.Fatalf("after the lease expired: %v", err)
	}
	close(release)
	if err := <-first; err == nil || !strings.Contains(err.Error(), "lease expired") {
		t.Fatalf("the late holder's commit: err = %v, want lease expired", err)
	}
	if got, _ := st.GetChannel(ctx, ch.ID); string(got.ConfigSealed) != "taken over" {
		t.Fatalf("config = %q, want the taker's", got.ConfigSealed)
	}
}

// TestChannelConfigEditDuringRefreshIsKept: an editor saving the channel
// while a refresh waits on its platform is not overwritten; the refresh is
// recomputed on the edited config.
func TestChannelConfigEditDuringRefreshIsKept(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	ch := mustChannel(t, st, "Zalo OA huyện")
	var mu sync.Mutex
	var seen []string
	err := st.UpdateChannelConfig(ctx, ch.ID, func(cur []byte) ([]byte, error) {
		mu.Lock()
		seen = append(seen, string(cur))
		n := len(seen)
		mu.Unlock()
		if n == 1 {
			if _, err := st.EditChannel(ctx, ch.ID, "user:2", func(c *storage.Channel) error {
				c.ConfigSealed = []byte("edited")
				return nil
			}); err != nil {
				t.Fatalf("edit during refresh: %v", err)
			}
		}
		return append(cur, "+rotated"...), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := st.GetChannel(ctx, ch.ID); string(got.ConfigSealed) != "edited+rotated" {
		t.Fatalf("config = %q, want the edit kept and rotated (fn saw %q)", got.ConfigSealed, seen)
	}
}
