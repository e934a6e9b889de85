package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Channel config leases. An adapter that rotates credentials (Zalo's token
// refresh) calls the platform while it holds the channel's config, so it
// must not hold a transaction: on SQLite that would be the whole
// database's write lock for as long as the platform takes to answer. The
// lease serialises the refreshers of one channel across processes instead,
// with short transactions before and after the call.
const (
	// ConfigLeaseTTL bounds how long a holder may take (its remote call
	// included) before another process may take over; refreshers bound
	// their own calls well within it.
	ConfigLeaseTTL = 2 * time.Minute
	// configCommitTries is how often a change is recomputed when someone
	// (an editor's PATCH) changed the config between read and commit.
	configCommitTries = 3
)

// ErrConfigBusy means another process held the channel's config lease
// until ctx ended.
var ErrConfigBusy = errors.New("storage: another process is changing this channel's config")

// UpdateChannelConfig calls fn with the channel's sealed config while
// holding the channel's config lease, and stores what fn returns (nil
// stores nothing) before returning. fn runs outside any transaction, so it
// may call a remote platform; it may be called again with a newer config
// if an editor changed the channel meanwhile, so it must be safe to repeat.
// Two refreshers are serialised: the second sees the first's result.
func (s *Store) UpdateChannelConfig(ctx context.Context, id int64, fn func(sealed []byte) ([]byte, error)) error {
	holder, err := leaseHolder()
	if err != nil {
		return err
	}
	if err := s.acquireConfigLease(ctx, id, holder); err != nil {
		return err
	}
	// Released even when ctx has ended: a lease left behind would block the
	// next refresher for ConfigLeaseTTL.
	defer s.releaseConfigLease(context.WithoutCancel(ctx), id, holder)
	for range configCommitTries {
		var ch Channel
		if err := s.db.WithContext(ctx).Select("id", "config_sealed").First(&ch, id).Error; err != nil {
			return translate(err, "read channel config")
		}
		next, err := fn(ch.ConfigSealed)
		if err != nil || next == nil {
			return err
		}
		if bytes.Equal(next, ch.ConfigSealed) {
			return nil
		}
		stored, err := s.commitConfig(ctx, id, holder, ch.ConfigSealed, next)
		if err != nil || stored {
			return err
		}
	}
	return fmt.Errorf("storage: channel %d config kept changing while it was being updated", id)
}

func leaseHolder() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("storage: lease holder: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// acquireConfigLease waits, polling with back-off, until the channel's
// lease is free or expired and takes it, or ctx ends (ErrConfigBusy).
func (s *Store) acquireConfigLease(ctx context.Context, id int64, holder string) error {
	wait := 50 * time.Millisecond
	for {
		now := s.nowUTC()
		res := s.db.WithContext(ctx).Model(&Channel{}).
			Where("id = ? AND (config_lease = '' OR config_lease_until IS NULL OR config_lease_until < ?)", id, now).
			Updates(map[string]any{"config_lease": holder, "config_lease_until": now.Add(ConfigLeaseTTL)})
		if res.Error != nil {
			return translate(res.Error, "take channel config lease")
		}
		if res.RowsAffected == 1 {
			return nil
		}
		if _, err := s.GetChannel(ctx, id); err != nil {
			return err // gone, or the database is down
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (channel %d): %w", ErrConfigBusy, id, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// commitConfig stores next if this holder still has the lease and the
// config is still what was read; false means an editor changed it meanwhile.
// A lease lost to expiry is an error: the holder overran ConfigLeaseTTL.
func (s *Store) commitConfig(ctx context.Context, id int64, holder string, read, next []byte) (bool, error) {
	now := s.nowUTC()
	res := s.db.WithContext(ctx).Model(&Channel{}).
		Where("id = ? AND config_lease = ? AND config_lease_until >= ? AND config_sealed = ?", id, holder, now, read).
		Updates(map[string]any{"config_sealed": next, "updated_at": now})
	if res.Error != nil {
		return false, translate(res.Error, "store channel config")
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	var held int64
	err := s.db.WithContext(ctx).Model(&Channel{}).
		Where("id = ? AND config_lease = ? AND config_lease_until >= ?", id, holder, now).Count(&held).Error
	if err != nil {
		return false, translate(err, "store channel config")
	}
	if held == 0 {
		return false, fmt.Errorf("storage: channel %d config lease expired before the change was stored", id)
	}
	return false, nil
}

func (s *Store) releaseConfigLease(ctx context.Context, id int64, holder string) {
	s.db.WithContext(ctx).Model(&Channel{}).Where("id = ? AND config_lease = ?", id, holder).
		Updates(map[string]any{"config_lease": "", "config_lease_until": nil})
}
