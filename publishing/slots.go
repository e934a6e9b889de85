package publishing

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/loa-vn/loa/storage"
)

// slotSearchDays is how far ahead NextSlot looks for a free slot.
const slotSearchDays = 60

// NextSlot finds the earliest time, a minute or more from now, that is a
// posting slot of every chosen channel that has slots and is free on each.
func (s *Service) NextSlot(ctx context.Context, chIDs []int64) (time.Time, error) {
	var slotted []storage.Channel
	for _, id := range chIDs {
		ch, err := s.store.GetChannel(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			return time.Time{}, invalid("channel_ids", fmt.Sprintf("unknown channel ids %d", id))
		}
		if err != nil {
			return time.Time{}, err
		}
		if len(ch.Slots) > 0 {
			slotted = append(slotted, ch)
		}
	}
	if len(slotted) == 0 {
		return time.Time{}, invalid("publish_at", "next_slot needs a channel with posting slots; set \"slots\" on the channel")
	}
	for _, at := range s.candidateSlots(slotted) {
		free, err := s.freeOnAll(ctx, slotted, at)
		if err != nil {
			return time.Time{}, err
		}
		if free {
			return at, nil
		}
	}
	return time.Time{}, invalid("publish_at", fmt.Sprintf("no free posting slot in the next %d days", slotSearchDays))
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

func (s *Service) freeOnAll(ctx context.Context, chs []storage.Channel, at time.Time) (bool, error) {
	for _, ch := range chs {
		taken, err := s.store.TakenSlots(ctx, ch.ID, []time.Time{at})
		if err != nil {
			return false, err
		}
		if taken[at] {
			return false, nil
		}
	}
	return true, nil
}
