package api

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPasswordHashersWaitThenRefuse(t *testing.T) {
	h := newPasswordHashers(1, 50*time.Millisecond)
	release, err := h.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := h.acquire(context.Background()); !errors.Is(err, errHashersBusy) {
		t.Fatalf("second acquire err = %v, want errHashersBusy", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("refused after %v, want after the 50ms wait", waited)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.acquire(ctx); !errors.Is(err, errHashersBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("acquire with a cancelled request err = %v", err)
	}
	// A waiter gets the slot as soon as it is released.
	go func() {
		time.Sleep(10 * time.Millisecond)
		release()
	}()
	h.wait = 5 * time.Second
	release2, err := h.acquire(context.Background())
	if err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	release2()
	if got := newPasswordHashers(0, time.Second); cap(got.slots) != defaultHashers() || defaultHashers() < 1 {
		t.Errorf("default hashers = %d", cap(got.slots))
	}
}

func TestDummyHashCostsARealCheck(t *testing.T) {
	d := dummyPasswordHash()
	if d == dummyPasswordHash() {
		t.Error("two dummy hashes are equal")
	}
	real, _ := HashPassword("x")
	if d[:len("$argon2id$v=19$m=65536,t=3,p=2$")] != real[:len("$argon2id$v=19$m=65536,t=3,p=2$")] || len(d) != len(real) {
		t.Errorf("dummy %q does not have a real hash's parameters (%q)", d, real)
	}
	if ok, err := CheckPassword(d, "not-a-real-password"); ok || err != nil {
		t.Errorf("CheckPassword(dummy) = %v, %v", ok, err)
	}
}
