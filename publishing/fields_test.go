package publishing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// Submit refuses a draft breaking a rule with an InvalidError naming the
// field, and creates nothing.
func TestSubmitRefusesInvalidDrafts(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(d *publishing.Draft)
		field string
	}{
		{"no title", func(d *publishing.Draft) { d.Title = "" }, "title"},
		{"bad link", func(d *publishing.Draft) { d.Link = "javascript:alert(1)" }, "link"},
		{"bad priority", func(d *publishing.Draft) { d.Priority = "urgent!" }, "priority"},
		{"time not RFC 3339", func(d *publishing.Draft) { d.PublishAt = "tomorrow" }, "publish_at"},
		{"time in the past", func(d *publishing.Draft) { d.PublishAt = now.Add(-time.Hour).Format(time.RFC3339) }, "publish_at"},
		{"no channels", func(d *publishing.Draft) { d.ChannelIDs = nil }, "channel_ids"},
		{"channel twice", func(d *publishing.Draft) { d.ChannelIDs = []int64{d.ChannelIDs[0], d.ChannelIDs[0]} }, "channel_ids"},
		{"variant for another channel", func(d *publishing.Draft) {
			d.Variants = map[string]content.Variant{"999": {Title: "Khác"}}
		}, "variants.999"},
		{"next slot without slots", func(d *publishing.Draft) { d.PublishAt = publishing.NextSlotTime }, "publish_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			d := f.draft()
			tt.edit(&d)
			_, _, err := f.pub.Submit(context.Background(), f.user(t, storage.RoleEditor, false), d)
			var bad *publishing.InvalidError
			if !errors.As(err, &bad) || !strings.HasPrefix(bad.Field, tt.field) || bad.Message == "" {
				t.Fatalf("err = %v, want an InvalidError for %s", err, tt.field)
			}
			posts, _ := f.store.ListPosts(context.Background(), storage.PostFilter{Limit: 10})
			if len(posts) != 0 || len(f.sched.queued()) != 0 {
				t.Errorf("refused draft made %d posts, queued %v", len(posts), f.sched.queued())
			}
		})
	}
}
