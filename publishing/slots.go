package publishing

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/loa-vn/loa/storage"
)

// slotSearchDays is how far ahead next_slot looks for a free slot.
const slotSearchDays = 60

// slotChoice is what storage needs to take the earliest time, a minute or
// more from now, that is a posting slot of every chosen channel that has
// slots: those channels and the candidate times. Whether a time is free is
// decided in the transaction that creates the post, under the channels'
// locks, so two posts cannot take one slot.
func (s *Service) slotChoice(ctx context.Context, chIDs []int64) (storage.SlotChoice, error) {
	var slotted []storage.Channel
	for _, id := range chIDs {
		ch, err := s.store.GetChannel(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			return storage.SlotChoice{}, invalid("channel_ids", fmt.Sprintf("unknown channel ids %d", id))
		}
		if err != nil {
			return storage.SlotChoice{}, err
		}
		if len(ch.Slots) > 0 {
			slotted = append(slotted, ch)
		}
	}
	if len(slotted) == 0 {
		return storage.SlotChoice{}, invalid("publish_at", "next_slot needs a channel with posting slots; set \"slots\" on the channel")
	}
	choice := storage.SlotChoice{Candidates: s.candidateSlots(slotted)}
	for _, ch := range slotted {
		choice.Channels = append(choice.Channels, ch.ID)
	}
	return choice, nil
}

// noFreeSlot is the answer when every candidate is taken.
func noFreeSlot() error {
	return invalid("publish_at", fmt.Sprintf("no free posting slot in the next %d days", slotSearchDays))
}

// candidateSlots are the times in the coming days that are a slot of every channel.
func (s *Service) candidateSlots(chs []storage.Channel) []time.Time {
	common := map[string]int{}
	for _, ch := range chs {
		for _, hm := range ch.Slots {
			common[hm]++
		}
	}
	var hms []string
	for hm, n := range common {
		if n == len(chs) {
			hms = append(hms, hm)
		}
	}
	sort.Strings(hms)
	earliest := s.now().Add(time.Minute)
	day := earliest.In(s.loc)
	var out []time.Time
	for d := 0; d < slotSearchDays; d++ {
		for _, hm := range hms {
			t, _ := time.ParseInLocation("2006-01-02 15:04", day.AddDate(0, 0, d).Format("2006-01-02")+" "+hm, s.loc)
			if !t.Before(earliest) {
				out = append(out, t.UTC())
			}
		}
	}
	return out
}

// maxSlots bounds a channel's posting times a day.
const maxSlots = 24

// CleanSlots validates a channel's posting slots: at most 24 distinct
// local "HH:MM" times, returned sorted; none is nil.
func CleanSlots(raw []string) (storage.Slots, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	if len(raw) > maxSlots {
		return nil, invalid("slots", fmt.Sprintf("at most %d posting times a day", maxSlots))
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(raw))
	for _, s := range raw {
		t, err := time.Parse("15:04", strings.TrimSpace(s))
		if err != nil {
			return nil, invalid("slots", fmt.Sprintf("%q is not a time such as 07:00", s))
		}
		hm := t.Format("15:04")
		if seen[hm] {
			return nil, invalid("slots", hm+" is listed twice")
		}
		seen[hm] = true
		out = append(out, hm)
	}
	sort.Strings(out)
	return out, nil
}
