package storage

import (
	"encoding/json"
	"fmt"
)

// PostTemplate is the post a schedule creates at each occurrence; text
// fields may use the occurrence's date (see worker.OccurrenceText).
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

// Targets are the channels (and their variants as JSON) a schedule or a
// feed source posts to.
type Targets struct {
	ChannelIDs []int64          `json:"channel_ids"`
	Variants   map[int64]string `json:"variants,omitempty"`
}

// DecodeTemplate reads a stored template.
func DecodeTemplate(raw string) (PostTemplate, error) {
	var t PostTemplate
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return t, fmt.Errorf("storage: stored template: %w", err)
	}
	return t, nil
}

// DecodeTargets reads stored targets.
func DecodeTargets(raw string) (Targets, error) {
	var t Targets
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return t, fmt.Errorf("storage: stored targets: %w", err)
	}
	return t, nil
}
