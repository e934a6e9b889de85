package publishing_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// TestConcurrentNextSlotPostsTakeDifferentSlots: posts asking for the next
// free slot of the same channel at once each get their own slot; the slot
// is chosen in the transaction that creates the post, under the channel's
// lock, not read beforehand.
func TestConcurrentNextSlotPostsTakeDifferentSlots(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ch := storage.Channel{Name: "Trang tin có khung giờ", Kind: "webhook", ConfigSealed: []byte("x"), Slots: storage.Slots{"07:00", "11:30"}}
	if err := f.store.CreateChannel(ctx, &ch, "test"); err != nil {
		t.Fatal(err)
	}
	editor := f.user(t, storage.RoleEditor, false)
	const posts = 6
	var wg sync.WaitGroup
	times := make(chan time.Time, posts)
	for range posts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := f.draft()
			d.ChannelIDs = []int64{ch.ID, f.chIDs[0]} // one slotted, one not
			d.Fields.PublishAt = publishing.NextSlotTime
			p, _, err := f.pub.Submit(ctx, editor, d)
			if err != nil {
				t.Error(err)
				return
			}
			times <- p.PublishAt
		}()
	}
	wg.Wait()
	close(times)
	seen := map[time.Time]bool{}
	for at := range times {
		if seen[at] {
			t.Errorf("two posts took the slot %s", at.In(time.FixedZone("ICT", 7*3600)).Format("02/01 15:04"))
		}
		seen[at] = true
		if hm := at.In(time.FixedZone("ICT", 7*3600)).Format("15:04"); hm != "07:00" && hm != "11:30" {
			t.Errorf("post at %s, not a slot", hm)
		}
	}
	if len(seen) != posts {
		t.Errorf("%d distinct slots for %d posts", len(seen), posts)
	}
}
