package storage

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"

	"github.com/loa-vn/loa/content"
)

// The values Loa keeps as JSON in text columns are typed here, and this
// file is the one place they are written and read: gorm's json serializer
// for structs (see the model tags) and the methods below. Each writes the
// bytes earlier versions stored, so existing rows read unchanged.

// PostTemplate is the post a schedule creates at each occurrence; text
// fields may use the occurrence's date (see publishing.OccurrenceText).
type PostTemplate struct {
	Title    string `json:"title"`
	Summary  string `json:"summary,omitempty"`
	Body     string `json:"body,omitempty"`
	Category string `json:"category,omitempty"`
	Audience string `json:"audience,omitempty"`
	Link     string `json:"link,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
	Priority string `json:"priority,omitempty"`
}

// Targets are the channels (and their variants) a schedule or a feed
// source posts to.
type Targets struct {
	ChannelIDs []int64
	Variants   map[int64]content.Variant
}

// storedTargets is Targets as stored: each variant is JSON text inside
// the JSON, as Loa has always written it.
type storedTargets struct {
	ChannelIDs []int64          `json:"channel_ids"`
	Variants   map[int64]string `json:"variants,omitempty"`
}

// MarshalJSON writes the stored form.
func (t Targets) MarshalJSON() ([]byte, error) {
	st := storedTargets{ChannelIDs: t.ChannelIDs}
	if len(t.Variants) > 0 {
		st.Variants = make(map[int64]string, len(t.Variants))
		for id, v := range t.Variants {
			raw, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			st.Variants[id] = string(raw)
		}
	}
	return json.Marshal(st)
}

// UnmarshalJSON reads the stored form.
func (t *Targets) UnmarshalJSON(raw []byte) error {
	var st storedTargets
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("storage: stored targets: %w", err)
	}
	out := Targets{ChannelIDs: st.ChannelIDs}
	if len(st.Variants) > 0 {
		out.Variants = make(map[int64]content.Variant, len(st.Variants))
		for id, text := range st.Variants {
			var v content.Variant
			if err := json.Unmarshal([]byte(text), &v); err != nil {
				return fmt.Errorf("storage: stored variant of channel %d: %w", id, err)
			}
			out.Variants[id] = v
		}
	}
	*t = out
	return nil
}

// Slots are a channel's posting times, local "HH:MM", stored as a JSON
// array; no slots are stored as "", not "[]" or "null".
type Slots []string

// Value writes the stored form.
func (s Slots) Value() (driver.Value, error) {
	if len(s) == 0 {
		return "", nil
	}
	raw, err := json.Marshal([]string(s))
	return string(raw), err
}

// Scan reads the stored form.
func (s *Slots) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case nil:
	case string:
		raw = []byte(v)
	case []byte:
		raw = v
	default:
		return fmt.Errorf("storage: slots stored as %T", src)
	}
	*s = nil
	if len(raw) == 0 {
		return nil
	}
	var out []string
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("storage: stored slots: %w", err)
	}
	*s = out
	return nil
}

// DraftPlan is what a draft's author chose besides its text: the channels
// named so far (its selector is the post's Selector) and the publish time
// as asked — "" for now, "next_slot", or an RFC 3339 time — so that the
// choice, not only its value at saving, is applied when it is submitted.
type DraftPlan struct {
	ChannelIDs []int64 `json:"channel_ids,omitempty"`
	PublishAt  string  `json:"publish_at,omitempty"`
}

// Forms are an activity's form codes, stored as a JSON array; none is
// stored as "[]".
type Forms []string

// Value writes the stored form.
func (f Forms) Value() (driver.Value, error) {
	if len(f) == 0 {
		return "[]", nil
	}
	raw, err := json.Marshal([]string(f))
	return string(raw), err
}

// Scan reads the stored form.
func (f *Forms) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case string:
		raw = []byte(v)
	case []byte:
		raw = v
	default:
		return fmt.Errorf("storage: forms stored as %T", src)
	}
	var out []string
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("storage: stored forms: %w", err)
	}
	*f = out
	return nil
}
