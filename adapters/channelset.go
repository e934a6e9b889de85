// Package adapters builds channel adapters from stored channels and keeps
// them between deliveries; the worker delivers through them and the API
// previews and tests channels through the same ones.
package adapters

import (
	"fmt"
	"sync"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/storage"
)

// ChannelSet builds adapters from stored channels and keeps one per channel
// until its configuration changes, so adapter state (a rate-limit back-off,
// a refreshed token, a learned API route) carries over between deliveries.
type ChannelSet struct {
	registry *channels.Registry
	box      *secrets.Box
	env      channels.Env

	mu    sync.Mutex
	built map[int64]builtChannel
}

type builtChannel struct {
	version time.Time
	ch      channels.Channel
}

// NewChannelSet builds channels with env (ChannelID is set per channel).
func NewChannelSet(registry *channels.Registry, box *secrets.Box, env channels.Env) *ChannelSet {
	return &ChannelSet{registry: registry, box: box, env: env, built: make(map[int64]builtChannel)}
}

// Get returns the adapter for ch, building it if ch is new or changed.
func (s *ChannelSet) Get(ch storage.Channel) (channels.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.built[ch.ID]; ok && b.version.Equal(ch.UpdatedAt) {
		return b.ch, nil
	}
	adapter, err := s.Build(ch)
	if err != nil {
		return nil, err
	}
	if old, ok := s.built[ch.ID]; ok {
		old.ch.Close()
	}
	s.built[ch.ID] = builtChannel{version: ch.UpdatedAt, ch: adapter}
	return adapter, nil
}

// Build makes a fresh adapter for ch without caching it.
func (s *ChannelSet) Build(ch storage.Channel) (channels.Channel, error) {
	kind, ok := s.registry.Lookup(ch.Kind)
	if !ok {
		return nil, fmt.Errorf("channel kind %q is not supported by this version of Loa", ch.Kind)
	}
	config, err := s.box.Open(ch.ConfigSealed)
	if err != nil {
		return nil, fmt.Errorf("channel %q: %w", ch.Name, err)
	}
	env := s.env
	env.ChannelID = ch.ID
	adapter, err := kind.New(config, env)
	if err != nil {
		return nil, fmt.Errorf("channel %q: %w", ch.Name, err)
	}
	return adapter, nil
}

// Close closes every built adapter.
func (s *ChannelSet) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, b := range s.built {
		b.ch.Close()
		delete(s.built, id)
	}
}
