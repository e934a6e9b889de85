package storage_test

import (
	"context"
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
