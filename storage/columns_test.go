package storage_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/sources"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// The text earlier versions of Loa wrote into the JSON columns, byte for
// byte (json.Marshal of the string-typed fields they had then).
const (
	oldSlots    = `["07:00","11:30"]`
	oldVariant  = `{"title":"Bản cho Zalo","body":"\u003cp\u003eNgắn \u0026 gọn\u003c/p\u003e","text":"Dòng 1\nDòng 2"}`
	oldTemplate = `{"title":"Tin ngày {{.Date}}","body":"\u003cp\u003eNội dung\u003c/p\u003e","priority":"normal"}`
	// Variants inside targets were JSON text inside the JSON.
	oldTargets        = `{"channel_ids":[3,12],"variants":{"12":"{\"title\":\"Bản cho Zalo\",\"body\":\"\\u003cp\\u003eNgắn \\u0026 gọn\\u003c/p\\u003e\",\"text\":\"Dòng 1\\nDòng 2\"}","3":"{\"title\":\"A\"}"}}`
	oldPlainTargets   = `{"channel_ids":[3]}`
	oldSourceTemplate = `{"Title":"{{.Title}}","Summary":"","Body":"\u003cp\u003e{{.Summary}}\u003c/p\u003e","Category":""}`
)

var (
	variant = content.Variant{Title: "Bản cho Zalo", Body: "<p>Ngắn & gọn</p>", Text: "Dòng 1\nDòng 2"}
	targets = storage.Targets{ChannelIDs: []int64{3, 12},
		Variants: map[int64]content.Variant{12: variant, 3: {Title: "A"}}}
)

// TestJSONColumnsKeepTheStoredForm writes each typed JSON column through
// the store and reads the column's text with raw SQL (it must be what
// earlier versions wrote), then writes the old text with raw SQL and reads
// it through the store (it must be the typed value). Run it on PostgreSQL
// too with LOA_TEST_DATABASE_URL.
func TestJSONColumnsKeepTheStoredForm(t *testing.T) {
	ctx := context.Background()
	st := storagetest.Open(t)
	channel := func(name string, slots storage.Slots) int64 {
		ch := storage.Channel{Name: name, Kind: "webhook", ConfigSealed: []byte("sealed"), Slots: slots}
		if err := st.CreateChannel(ctx, &ch, "test"); err != nil {
			t.Fatal(err)
		}
		return ch.ID
	}
	getChannel := func(id int64) any {
		ch, err := st.GetChannel(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return ch.Slots
	}
	editSlots := func(name string, before, after storage.Slots) int64 {
		id := channel(name, before)
		if _, err := st.EditChannel(ctx, id, "test", func(ch *storage.Channel) error { ch.Slots = after; return nil }); err != nil {
			t.Fatal(err)
		}
		return id
	}
	deliveries := 0
	delivery := func(v *content.Variant) int64 {
		deliveries++
		chID := channel(fmt.Sprintf("Kênh %d", deliveries), nil)
		var variants map[int64]content.Variant
		if v != nil {
			variants = map[int64]content.Variant{chID: *v}
		}
		p := storage.Post{Title: "Công khai TTHC", Body: "<p>x</p>", Audience: "all", CreatedBy: 1}
		ds, err := st.CreatePost(ctx, &p, []int64{chID}, variants, "test")
		if err != nil {
			t.Fatal(err)
		}
		return ds[0].ID
	}
	getVariant := func(id int64) any {
		d, _, err := st.GetDelivery(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return d.Variant
	}
	schedule := func(tmpl storage.PostTemplate, t2 storage.Targets) int64 {
		sc := storage.Schedule{Name: "Lịch", Rule: "FREQ=DAILY", Timezone: "UTC", Template: tmpl, Targets: t2}
		if err := st.CreateSchedule(ctx, &sc, "test"); err != nil {
			t.Fatal(err)
		}
		return sc.ID
	}
	getSchedule := func(id int64) storage.Schedule {
		sc, err := st.GetSchedule(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	source := func(tmpl sources.Template, t2 storage.Targets) int64 {
		src := storage.Source{Name: "Nguồn", URL: "https://x.example/rss", Mode: storage.SourceReview, Template: tmpl, Targets: t2}
		if err := st.CreateSource(ctx, &src, "test"); err != nil {
			t.Fatal(err)
		}
		return src.ID
	}
	getSource := func(id int64) storage.Source {
		src, err := st.GetSource(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	sourceTemplate := sources.Template{Title: "{{.Title}}", Body: "<p>{{.Summary}}</p>"}
	postTemplate := storage.PostTemplate{Title: "Tin ngày {{.Date}}", Body: "<p>Nội dung</p>", Priority: "normal"}

	tests := []struct {
		name          string
		table, column string
		stored        string
		// write stores the typed value and returns the row's id.
		write func() int64
		// read returns the column's typed value from the row.
		read func(id int64) any
		want any
	}{
		{"slots", "channels", "slots", oldSlots,
			func() int64 { return channel("Có giờ", storage.Slots{"07:00", "11:30"}) }, getChannel, storage.Slots{"07:00", "11:30"}},
		{"no slots", "channels", "slots", "",
			func() int64 { return channel("Không giờ", nil) }, getChannel, storage.Slots(nil)},
		{"empty slots", "channels", "slots", "",
			func() int64 { return channel("Rỗng", storage.Slots{}) }, getChannel, storage.Slots(nil)},
		{"slots set by an edit", "channels", "slots", oldSlots,
			func() int64 { return editSlots("Sửa giờ", nil, storage.Slots{"07:00", "11:30"}) }, getChannel, storage.Slots{"07:00", "11:30"}},
		{"slots removed by an edit", "channels", "slots", "",
			func() int64 { return editSlots("Bỏ giờ", storage.Slots{"07:00"}, nil) }, getChannel, storage.Slots(nil)},
		{"variant", "deliveries", "variant", oldVariant,
			func() int64 { return delivery(&variant) }, getVariant, &variant},
		{"no variant", "deliveries", "variant", "",
			func() int64 { return delivery(nil) }, getVariant, (*content.Variant)(nil)},
		{"schedule template", "schedules", "template", oldTemplate,
			func() int64 { return schedule(postTemplate, targets) },
			func(id int64) any { return getSchedule(id).Template }, postTemplate},
		{"schedule targets with variants", "schedules", "targets", oldTargets,
			func() int64 { return schedule(postTemplate, targets) },
			func(id int64) any { return getSchedule(id).Targets }, targets},
		{"source template", "sources", "template", oldSourceTemplate,
			func() int64 { return source(sourceTemplate, storage.Targets{ChannelIDs: []int64{3}}) },
			func(id int64) any { return getSource(id).Template }, sourceTemplate},
		{"source targets", "sources", "targets", oldPlainTargets,
			func() int64 { return source(sourceTemplate, storage.Targets{ChannelIDs: []int64{3}}) },
			func(id int64) any { return getSource(id).Targets }, storage.Targets{ChannelIDs: []int64{3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.write()
			var raw string
			if err := st.DB().Raw("SELECT "+tt.column+" FROM "+tt.table+" WHERE id = ?", id).Scan(&raw).Error; err != nil {
				t.Fatal(err)
			}
			if raw != tt.stored {
				t.Errorf("stored %s.%s = %q, earlier versions wrote %q", tt.table, tt.column, raw, tt.stored)
			}
			// A row as an earlier version wrote it reads as the typed value.
			if err := st.DB().Exec("UPDATE "+tt.table+" SET "+tt.column+" = ? WHERE id = ?", tt.stored, id).Error; err != nil {
				t.Fatal(err)
			}
			if got := tt.read(id); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("read %s.%s %q = %#v, want %#v", tt.table, tt.column, tt.stored, got, tt.want)
			}
		})
	}
}

// TestJSONColumnsReadOldRows reads rows whose every JSON column was
// written by raw SQL as earlier versions wrote them, before any typed
// value existed in the row: the columns' bytes alone decide what is read.
func TestJSONColumnsReadOldRows(t *testing.T) {
	ctx := context.Background()
	st := storagetest.Open(t)
	db := st.DB()
	now := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	ch := mustChannel(t, st, "Cổng")
	if err := db.Exec("UPDATE channels SET slots = ? WHERE id = ?", oldSlots, ch.ID).Error; err != nil {
		t.Fatal(err)
	}
	p, ds := mustPost(t, st, now, ch.ID)
	if err := db.Exec("UPDATE deliveries SET variant = ? WHERE id = ?", oldVariant, ds[0].ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO schedules (name, rule, timezone, starts_at, count, template, targets, status, created_by,
		materialized_until, agency_id, created_at, updated_at) VALUES ('Lịch cũ', 'FREQ=DAILY', 'UTC', ?, 0, ?, ?, 'active', 1, ?, ?, ?, ?)`,
		now, oldTemplate, oldTargets, now, ch.AgencyID, now, now).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO sources (name, url, poll_every, mode, template, targets, digest_rule, max_age_days, status,
		created_by, etag, agency_id, last_modified, next_poll_at, failures, last_error, digest_until, created_at, updated_at)
		VALUES ('Nguồn cũ', 'https://x.example/rss', 900, 'review', ?, ?, '', 30, 'active', 1, '', ?, '', ?, 0, '', ?, ?, ?)`,
		oldSourceTemplate, oldPlainTargets, ch.AgencyID, now, now, now, now).Error; err != nil {
		t.Fatal(err)
	}

	gotCh, err := st.GetChannel(ctx, ch.ID)
	if err != nil || !reflect.DeepEqual(gotCh.Slots, storage.Slots{"07:00", "11:30"}) {
		t.Errorf("channel slots = %#v, %v", gotCh.Slots, err)
	}
	_, gotDs, err := st.GetPost(ctx, p.ID)
	if err != nil || len(gotDs) != 1 || gotDs[0].Variant == nil || *gotDs[0].Variant != variant {
		t.Errorf("deliveries = %+v, %v", gotDs, err)
	}
	scs, err := st.ListSchedules(ctx, 0)
	if err != nil || len(scs) != 1 || scs[0].Template.Title != "Tin ngày {{.Date}}" || !reflect.DeepEqual(scs[0].Targets, targets) {
		t.Errorf("schedules = %+v, %v", scs, err)
	}
	srcs, err := st.ListSources(ctx, 0)
	want := sources.Template{Title: "{{.Title}}", Body: "<p>{{.Summary}}</p>"}
	if err != nil || len(srcs) != 1 || srcs[0].Template != want || !reflect.DeepEqual(srcs[0].Targets.ChannelIDs, []int64{3}) {
		t.Errorf("sources = %+v, %v", srcs, err)
	}
}
