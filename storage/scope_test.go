package storage_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// TestListsBySubtree: every list an agency filters shows the rows of that
// agency's subtree, and every row for agency 0 (jobs over all agencies).
func TestListsBySubtree(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	tr := newTree(t, st)
	// One of each in A1 (beneath A) and in B.
	at := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	for _, agency := range []int64{tr.A1.ID, tr.B.ID} {
		code := "x" + join(agency)
		ch := storage.Channel{Name: code, Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: agency}
		if err := st.CreateChannel(ctx, &ch, "test"); err != nil {
			t.Fatal(err)
		}
		p := storage.Post{Title: "t", Body: "b", Audience: "public", AgencyID: agency, PublishAt: at}
		if _, err := st.CreatePost(ctx, &p, []int64{ch.ID}, nil, "test"); err != nil {
			t.Fatal(err)
		}
		u := storage.User{Name: code, Role: storage.RoleOfficer, AgencyID: agency}
		if err := st.CreateUser(ctx, &u, "test"); err != nil {
			t.Fatal(err)
		}
		sc := storage.Schedule{Name: code, Rule: "FREQ=DAILY", Timezone: "UTC",
			Status: storage.ScheduleActive, AgencyID: agency}
		if err := st.CreateSchedule(ctx, &sc, "test"); err != nil {
			t.Fatal(err)
		}
		src := storage.Source{Name: code, URL: "https://x.example/" + code, Mode: storage.SourceReview,
			AgencyID: agency}
		if err := st.CreateSource(ctx, &src, "test"); err != nil {
			t.Fatal(err)
		}
	}
	// agencies of each list's rows
	lists := map[string]func(agency int64) []int64{
		"channels": func(a int64) (out []int64) {
			rows, _ := st.ListChannels(ctx, a)
			for _, r := range rows {
				out = append(out, r.AgencyID)
			}
			return out
		},
		"posts": func(a int64) (out []int64) {
			rows, _ := st.ListPosts(ctx, storage.PostFilter{Agency: a, Limit: 10})
			for _, r := range rows {
				out = append(out, r.AgencyID)
			}
			return out
		},
		"deliveries": func(a int64) (out []int64) {
			rows, _ := st.ListDeliveries(ctx, storage.DeliveryFilter{Agency: a, Limit: 10})
			for _, r := range rows {
				out = append(out, r.AgencyID)
			}
			return out
		},
		"calendar": func(a int64) (out []int64) {
			rows, _ := st.DeliveriesBetween(ctx, a, at.Add(-time.Hour), at.Add(time.Hour), 10)
			for _, r := range rows {
				out = append(out, r.Delivery.AgencyID)
			}
			return out
		},
		"schedules": func(a int64) (out []int64) {
			rows, _ := st.ListSchedules(ctx, a)
			for _, r := range rows {
				out = append(out, r.AgencyID)
			}
			return out
		},
		"active schedules": func(a int64) (out []int64) {
			rows, _ := st.ActiveSchedules(ctx, a)
			for _, r := range rows {
				out = append(out, r.AgencyID)
			}
			return out
		},
		"sources": func(a int64) (out []int64) {
			rows, _ := st.ListSources(ctx, a)
			for _, r := range rows {
				out = append(out, r.AgencyID)
			}
			return out
		},
		"users": func(a int64) (out []int64) {
			rows, _ := st.ListUsers(ctx, a)
			for _, r := range rows {
				if r.Name != storagetest.LegacyUserName { // an upgraded database's own
					out = append(out, r.AgencyID)
				}
			}
			return out
		},
	}
	tests := []struct {
		name   string
		agency int64
		want   string
	}{
		{"A's subtree holds A1's", tr.A.ID, join(tr.A1.ID)},
		{"A1's own", tr.A1.ID, join(tr.A1.ID)},
		{"A2 beneath A1 holds nothing", tr.A2.ID, join()},
		{"B's own", tr.B.ID, join(tr.B.ID)},
		{"the root's subtree holds both", tr.R.ID, join(tr.A1.ID, tr.B.ID)},
		{"agency 0 is every agency", 0, join(tr.A1.ID, tr.B.ID)},
	}
	for _, tt := range tests {
		for name, list := range lists {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				got := list(tt.agency)
				slices.Sort(got)
				if g := join(got...); g != tt.want {
					t.Errorf("agencies = %s, want %s", g, tt.want)
				}
			})
		}
	}
}

// TestListDeliveriesFilters: whatever plan a filter gets (the subtree
// named agency by agency, the root without a condition, a range that ended
// in the past read by scheduled time), the page is the deliveries that
// pass every filter, newest first, and paging both ways walks the same.
func TestListDeliveriesFilters(t *testing.T) {
	now := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	st := storagetest.OpenWithClock(t, func() time.Time { return now })
	ctx := context.Background()
	tr := newTree(t, st)
	channels := map[int64]int64{}
	for _, agency := range []int64{tr.R.ID, tr.A1.ID, tr.A2.ID, tr.B.ID} {
		ch := storage.Channel{Name: "c" + join(agency), Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: agency}
		if err := st.CreateChannel(ctx, &ch, "test"); err != nil {
			t.Fatal(err)
		}
		channels[agency] = ch.ID
	}
	// Made in an order unlike their scheduled times: ids do not follow them.
	for i, daysAgo := range []int{3, 40, 10, 60, 2, 35, 45, -5, 41, 50} {
		p := storage.Post{Title: "t", Body: "b", Audience: "public", AgencyID: tr.R.ID,
			PublishAt: now.AddDate(0, 0, -daysAgo)}
		ids := []int64{channels[tr.A1.ID], channels[tr.B.ID]}
		if i%2 == 0 {
			ids = append(ids, channels[tr.A2.ID], channels[tr.R.ID])
		}
		if _, err := st.CreatePost(ctx, &p, ids, nil, "test"); err != nil {
			t.Fatal(err)
		}
	}
	all, err := st.ListDeliveries(ctx, storage.DeliveryFilter{Limit: 1000})
	if err != nil || len(all) != 30 {
		t.Fatalf("fixture: %d deliveries, %v", len(all), err)
	}
	for _, d := range all[:7] {
		if _, err := st.CancelDelivery(ctx, d.ID, func(int64) error { return nil }, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if all, err = st.ListDeliveries(ctx, storage.DeliveryFilter{Limit: 1000}); err != nil {
		t.Fatal(err)
	}
	subtree := map[int64][]int64{tr.R.ID: {tr.R.ID, tr.A.ID, tr.A1.ID, tr.A2.ID, tr.B.ID}, tr.A.ID: {tr.A.ID, tr.A1.ID, tr.A2.ID},
		tr.A1.ID: {tr.A1.ID, tr.A2.ID}, tr.B.ID: {tr.B.ID}, 987654: {}}
	day := func(daysAgo int) time.Time { return now.AddDate(0, 0, -daysAgo) }
	ranges := []struct {
		name     string
		from, to time.Time
	}{
		{"no range", time.Time{}, time.Time{}},
		{"ended in the past", day(46), day(34)},
		{"ends now", day(11), now},
		{"from only", day(11), time.Time{}},
		{"to only, in the past", time.Time{}, day(39)},
	}
	for agency, in := range subtree {
		for _, rg := range ranges {
			for _, status := range []string{"", storage.DeliveryScheduled, storage.DeliveryCanceled} {
				t.Run(fmt.Sprintf("agency %d, %s, status %q", agency, rg.name, status), func(t *testing.T) {
					var want []int64
					for _, d := range all {
						if slices.Contains(in, d.AgencyID) && (status == "" || d.Status == status) &&
							(rg.from.IsZero() || !d.ScheduledAt.Before(rg.from)) && (rg.to.IsZero() || d.ScheduledAt.Before(rg.to)) {
							want = append(want, d.ID)
						}
					}
					f := storage.DeliveryFilter{Agency: agency, Status: status, From: rg.from, To: rg.to, Limit: 1000}
					if got := ids(t, st, f); join(got...) != join(want...) {
						t.Fatalf("ids = %v, want %v", got, want)
					}
					// Two at a time, down and back up.
					var down []int64
					for f.Limit, f.BeforeID = 2, 0; ; {
						page := ids(t, st, f)
						down = append(down, page...)
						if len(page) < 2 {
							break
						}
						f.BeforeID = page[len(page)-1]
					}
					if join(down...) != join(want...) {
						t.Errorf("paged down = %v, want %v", down, want)
					}
					if len(want) > 2 {
						f.BeforeID, f.AfterID = 0, want[2]
						if got := ids(t, st, f); join(got...) != join(want[:2]...) {
							t.Errorf("page above %d = %v, want %v", want[2], got, want[:2])
						}
					}
				})
			}
		}
	}
}

func ids(t *testing.T, st *storage.Store, f storage.DeliveryFilter) []int64 {
	t.Helper()
	ds, err := st.ListDeliveries(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	out := []int64{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}
