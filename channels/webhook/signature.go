package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of Loa's webhook contract, exported so receivers use the same spelling.
const (
	HeaderTimestamp = "X-Loa-Timestamp"
	HeaderSignature = "X-Loa-Signature"
)

// DefaultTolerance is how far a timestamp may be from the receiver's clock
// when Verify is given no tolerance of its own.
const DefaultTolerance = 5 * time.Minute

const signaturePrefix = "sha256="

// Verify's failures wrap one of these, so a receiver can tell a replayed or
// delayed request from a forged one.
var (
	ErrTimestamp = errors.New("webhook: bad timestamp")
	ErrSignature = errors.New("webhook: bad signature")
)

// Sign returns the X-Loa-Signature value for body sent at timestamp:
// "sha256=" and the lowercase hex HMAC-SHA256 of "<timestamp>.<body>".
// The timestamp is inside the MAC so a captured request cannot be replayed
// later under a fresh timestamp.
func Sign(secret string, timestamp int64, body []byte) string {
	return signaturePrefix + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret string, timestamp int64, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a received request's headers against its raw body. It rejects
// timestamps further than tolerance from now in either direction (tolerance
// <= 0 means DefaultTolerance) and compares signatures in constant time.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		// An empty key would accept anything signed with an empty key.
		return fmt.Errorf("%w: no secret configured", ErrSignature)
	}
	ts, err := checkTimestamp(h.Get(HeaderTimestamp), now, tolerance)
	if err != nil {
		return err
	}
	return checkSignature(h.Get(HeaderSignature), mac(secret, ts, body))
}

func checkTimestamp(value string, now time.Time, tolerance time.Duration) (int64, error) {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if value == "" {
		return 0, fmt.Errorf("%w: %s header missing", ErrTimestamp, HeaderTimestamp)
	}
	ts, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: not unix seconds", ErrTimestamp)
	}
	// Sub saturates for absurd timestamps, so compare both bounds instead of
	// negating (negating the minimum duration overflows).
	age := now.Sub(time.Unix(ts, 0))
	if age > tolerance || age < -tolerance {
		return 0, fmt.Errorf("%w: %s away from now, tolerance %s", ErrTimestamp, age.Round(time.Second), tolerance)
	}
	return ts, nil
}

func checkSignature(value string, want []byte) error {
	if value == "" {
		return fmt.Errorf("%w: %s header missing", ErrSignature, HeaderSignature)
	}
	hexSum, ok := strings.CutPrefix(value, signaturePrefix)
	if !ok {
		return fmt.Errorf("%w: expected %q prefix", ErrSignature, signaturePrefix)
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return fmt.Errorf("%w: not hex", ErrSignature)
	}
	if !hmac.Equal(got, want) {
		return fmt.Errorf("%w: mismatch", ErrSignature)
	}
	return nil
}
