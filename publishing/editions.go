package publishing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/loa-vn/loa/channels/radio"
	"github.com/loa-vn/loa/storage"
)

// editionAudioTimeout bounds the speech synthesis of one edition.
const editionAudioTimeout = 2 * time.Minute

// ErrNotRadio is returned for editions of a channel that is not a radio.
var ErrNotRadio = errors.New("publishing: not a radio channel")

// Edition builds the radio channel's edition for key ("2026-11-22T06:00")
// from what was delivered to it, if by may see the channel. A channel that
// is not a radio, or a key that is not a real date and time, has no
// edition (*NotFoundError).
func (a *ChannelAdmin) Edition(ctx context.Context, by storage.User, id int64, key string) (storage.Channel, radio.Edition, error) {
	ch, err := a.Channel(ctx, by, id, View)
	if err != nil {
		return ch, radio.Edition{}, err
	}
	if ch.Kind != radio.KindName {
		return ch, radio.Edition{}, &NotFoundError{What: "edition"}
	}
	k, err := radio.ParseEditionKey(key)
	if err != nil {
		return ch, radio.Edition{}, &NotFoundError{What: "edition"}
	}
	ed, err := a.buildEdition(ctx, ch, k)
	return ch, ed, err
}

func (a *ChannelAdmin) buildEdition(ctx context.Context, ch storage.Channel, key radio.EditionKey) (radio.Edition, error) {
	adapter, err := a.set.Get(ch)
	if err != nil {
		return radio.Edition{}, err
	}
	station, ok := adapter.(*radio.Channel)
	if !ok {
		return radio.Edition{}, errors.New("publishing: radio channel built as another kind")
	}
	entries, err := a.store.DeliveredTo(ctx, ch.ID, key.String())
	if err != nil {
		return radio.Edition{}, err
	}
	items := make([]radio.Item, 0, len(entries))
	for _, e := range entries {
		items = append(items, radio.ItemFromMessage(MessageFor(e.Post, e.Delivery)))
	}
	return station.Edition(key, items), nil
}

// EditionAudio is the edition read by the channel's voice as WAV; it is
// radio.ErrNoSpeechEngine when the server has no speech engine.
func (a *ChannelAdmin) EditionAudio(ctx context.Context, ch storage.Channel, ed radio.Edition) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, editionAudioTimeout)
	defer cancel()
	plain, err := a.box.Open(ch.ConfigSealed)
	if err != nil {
		return nil, fmt.Errorf("publishing: open config of channel %d: %w", ch.ID, err)
	}
	cfg, err := radio.ParseConfig(plain)
	if err != nil {
		return nil, err
	}
	return radio.Synthesize(ctx, ed.SpokenText(), cfg.Voice, ed.SyllablesPerMinute)
}

// EditionSummary is one edition a radio channel has had items delivered to.
type EditionSummary struct {
	Key   radio.EditionKey
	Items int
}

// editionScan bounds how many recent deliveries are read to list editions.
const editionScan = 500

// Editions lists the radio channel's most recent editions, newest first,
// at most limit of them, from its last deliveries.
func (a *ChannelAdmin) Editions(ctx context.Context, ch storage.Channel, limit int) ([]EditionSummary, error) {
	if ch.Kind != radio.KindName {
		return nil, ErrNotRadio
	}
	ds, err := a.store.ListDeliveries(ctx, storage.DeliveryFilter{ChannelID: ch.ID, Status: storage.DeliveryDelivered, Limit: editionScan})
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	var out []EditionSummary
	for _, d := range ds {
		key, err := radio.ParseEditionKey(d.ExternalID)
		if err != nil {
			continue
		}
		if i, ok := index[d.ExternalID]; ok {
			out[i].Items++
			continue
		}
		if len(out) == limit {
			continue
		}
		index[d.ExternalID] = len(out)
		out = append(out, EditionSummary{Key: key, Items: 1})
	}
	slices.SortFunc(out, func(x, y EditionSummary) int { return strings.Compare(y.Key.String(), x.Key.String()) })
	return out, nil
}
