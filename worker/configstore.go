package worker

import (
	"context"
	"encoding/json"

	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/storage"
)

// ConfigStore lets adapters persist configuration they change themselves
// (rotated tokens), sealed like every channel config and under the
// channel's lock across processes.
type ConfigStore struct {
	store *storage.Store
	box   *secrets.Box
}

// NewConfigStore returns a ConfigStore over store.
func NewConfigStore(store *storage.Store, box *secrets.Box) *ConfigStore {
	return &ConfigStore{store: store, box: box}
}

// UpdateConfig calls fn with the current config and durably stores its
// result before returning.
func (c *ConfigStore) UpdateConfig(ctx context.Context, channelID int64, fn func(current json.RawMessage) (json.RawMessage, error)) error {
	return c.store.UpdateChannelConfig(ctx, channelID, func(sealed []byte) ([]byte, error) {
		current, err := c.box.Open(sealed)
		if err != nil {
			return nil, err
		}
		next, err := fn(current)
		if err != nil {
			return nil, err
		}
		if string(next) == string(current) {
			return nil, nil
		}
		return c.box.Seal(next)
	})
}
