package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106's second recommended option, with 64 MiB):
// memory-hard, so a leaked hash is slow to attack on GPUs.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns a PHC-format argon2id hash of password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("api: password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return encodeHash(salt, key), nil
}

// encodeHash writes salt and key in PHC format with the current parameters.
func encodeHash(salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadHash = errors.New("api: malformed password hash")

// CheckPassword reports whether password matches a hash from HashPassword,
// using the parameters stored in the hash.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var memory, iterations uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &iterations, &threads); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, iterations, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// errHashersBusy is returned when no password hasher became free in time;
// errors.go maps it to 429 with Retry-After.
var errHashersBusy = errors.New("api: every password hasher is busy")

// hashWait is how long a request waits for a free password hasher before
// it is refused: long enough to absorb an office logging in at 07:00, short
// enough that a flood is refused rather than queued.
const hashWait = 1500 * time.Millisecond

// passwordHashers bounds how many argon2id computations run at once. Each
// one holds argonMemory (64 MiB) for its duration, so memory for password
// hashing is at most cap(slots) × 64 MiB whatever the number of requests.
type passwordHashers struct {
	slots chan struct{}
	wait  time.Duration
}

// defaultHashers is max(1, GOMAXPROCS/2): each hash already runs
// argonThreads (2) lanes in parallel, so GOMAXPROCS/2 hashes keep every
// core busy; more would add only memory and latency, not throughput.
// On 2 cores that is 1 (64 MiB), on 8 cores 4 (256 MiB).
func defaultHashers() int {
	return max(1, runtime.GOMAXPROCS(0)/argonThreads)
}

func newPasswordHashers(n int, wait time.Duration) *passwordHashers {
	if n <= 0 {
		n = defaultHashers()
	}
	return &passwordHashers{slots: make(chan struct{}, n), wait: wait}
}

// acquire takes a slot, waiting at most h.wait and never past ctx.
// Both ways of not getting one are errHashersBusy.
func (h *passwordHashers) acquire(ctx context.Context) (release func(), err error) {
	timer := time.NewTimer(h.wait)
	defer timer.Stop()
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-timer.C:
		return nil, errHashersBusy
	case <-ctx.Done():
		// The client gave up; it is answered (if at all) like a busy server.
		return nil, fmt.Errorf("%w: %w", errHashersBusy, ctx.Err())
	}
}

// hash is HashPassword inside a slot.
func (h *passwordHashers) hash(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(password)
}

// Hash is hash, for admin.Hasher.
func (h *passwordHashers) Hash(ctx context.Context, password string) (string, error) {
	return h.hash(ctx, password)
}

// check is CheckPassword inside a slot.
func (h *passwordHashers) check(ctx context.Context, hash, password string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return CheckPassword(hash, password)
}

// dummyPasswordHash returns a hash with the same parameters as a real one
// that no password matches (its key is random). Checking a log-in for an
// unknown name against it costs what a real check costs, so response times
// do not reveal which names exist — and making it needs no hashing at all.
func dummyPasswordHash() string {
	salt, key := make([]byte, argonSaltLen), make([]byte, argonKeyLen)
	rand.Read(salt)
	rand.Read(key)
	return encodeHash(salt, key)
}
