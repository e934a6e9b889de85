package plans_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

func TestParseTiming(t *testing.T) {
	tests := []struct {
		kind, from, to string
		wantLabel      string // "" for a refusal
	}{
		{"thuong_xuyen", "", "", "Thường xuyên"},
		{"ca_nam", "", "", "Cả năm"},
		{"Q1", "", "", "Quý I"},
		{"Q4", "", "", "Quý IV"},
		{"event", "", "", "Theo sự kiện"},
		{"", "2026-03-01", "2026-04-30", "Từ 01/03/2026 đến 30/04/2026"},
		{"range", "01/03/2026", "30/04/2026", "Từ 01/03/2026 đến 30/04/2026"},
		{"", "2025-12-15", "2027-01-14", "Từ 15/12/2025 đến 14/01/2027"},
		{"Q5", "", "", ""},
		{"q1", "", "", ""},
		{"Q1", "2026-01-01", "", ""},
		{"", "", "", ""},
		{"", "2026-04-30", "2026-03-01", ""},
		{"", "2024-12-31", "2026-01-01", ""},
		{"", "2026-02-30", "2026-03-01", ""},
	}
	for _, tt := range tests {
		got, err := plans.ParseTiming("timing", tt.kind, tt.from, tt.to, 2026)
		var bad *publishing.InvalidError
		switch {
		case tt.wantLabel == "" && !errors.As(err, &bad):
			t.Errorf("%q %q %q: %v, want an invalid timing", tt.kind, tt.from, tt.to, err)
		case tt.wantLabel != "" && (err != nil || got.Label() != tt.wantLabel):
			t.Errorf("%q %q %q: %q, %v; want %q", tt.kind, tt.from, tt.to, got.Label(), err, tt.wantLabel)
		}
	}
}

func TestFormOfChannel(t *testing.T) {
	for kind, want := range map[string]string{"wordpress": "website", "webhook": "website", "zalo_oa": "zalo_oa",
		"facebook_page": "facebook_page", "radio": "radio", "rss": "rss", "telegram": "khac"} {
		if got := plans.FormOfChannel(kind); got != want {
			t.Errorf("FormOfChannel(%q) = %q, want %q", kind, got, want)
		}
		if _, ok := plans.LookupForm(plans.FormOfChannel(kind)); !ok {
			t.Errorf("form of %q is not in the list", kind)
		}
	}
	seen := map[string]bool{}
	for _, f := range plans.Forms() {
		if seen[f.Code] || f.Label == "" {
			t.Errorf("form %+v repeated or unlabelled", f)
		}
		seen[f.Code] = true
	}
}

// TestPlanProgress: each activity's quarter counts a delivered post once
// (in the local quarter of its first delivery: 23:30 UTC on 31/03 is
// 01/04 in Hà Nội), not an undelivered one nor one of another year, and
// sums records by the quarter of their day.
func TestPlanProgress(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 20, 3, 0, 0, 0, time.UTC)
	clock := now
	st := storagetest.OpenWithClock(t, func() time.Time { return clock })
	pub := publishing.New(publishing.Options{Store: st, Now: func() time.Time { return clock }})
	svc := plans.New(plans.Options{Store: st, Publishing: pub, Now: func() time.Time { return clock }})
	root, err := st.RootAgency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	editor, err := st.CreateUserWithToken(ctx, "Biên tập", storage.RoleEditor, "h")
	if err != nil {
		t.Fatal(err)
	}
	year := 2026
	acts := []plans.ActivityInput{{Code: "1", Title: "Tin trên trang", TimingKind: "ca_nam", Forms: []string{"website"}},
		{Code: "2", Title: "Hội nghị", TimingKind: "Q2", Forms: []string{"hoi_nghi"}}}
	title := "Kế hoạch"
	plan, stored, err := svc.CreatePlan(ctx, editor, plans.PlanInput{AgencyID: root.ID, Title: &title, Year: &year, Activities: &acts})
	if err != nil {
		t.Fatal(err)
	}
	ch := storage.Channel{Name: "Trang", Kind: "webhook", ConfigSealed: []byte("x"), Status: storage.ChannelActive, AgencyID: root.ID}
	if err := st.CreateChannel(ctx, &ch, "test"); err != nil {
		t.Fatal(err)
	}
	post := func(at time.Time, deliver bool) {
		t.Helper()
		clock = at
		id := stored[0].ID
		p := storage.Post{Title: "Tin", Body: "b", Audience: "all", Priority: "normal", PublishAt: at, CreatedBy: editor.ID,
			AgencyID: root.ID, Classification: storage.Classification{ActivityID: &id}}
		ds, err := st.CreatePost(ctx, &p, []int64{ch.ID}, nil, "test")
		if err != nil {
			t.Fatal(err)
		}
		if deliver {
			c, err := st.ClaimDelivery(ctx, ds[0].ID, "l", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.FinishAttempt(ctx, c, storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered}); err != nil {
				t.Fatal(err)
			}
		}
	}
	post(time.Date(2026, 2, 1, 2, 0, 0, 0, time.UTC), true)    // Q1
	post(time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC), true) // 01/04 local: Q2
	post(time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC), false)   // not delivered
	post(time.Date(2025, 12, 1, 2, 0, 0, 0, time.UTC), true)   // another year
	clock = now
	for _, r := range []struct {
		day   string
		count int64
	}{{"2026-04-10", 80}, {"2026-06-30", 40}, {"2026-07-01", 5}, {"2025-06-01", 9}} {
		if _, err := svc.Record(ctx, editor, plans.RecordInput{ActivityID: stored[1].ID, Date: r.day, Form: "hoi_nghi", Count: r.count}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := svc.PlanProgress(ctx, plan.Year, stored)
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := got[stored[0].ID], got[stored[1].ID]
	if p1.Quarters[0].Delivered != 1 || p1.Quarters[1].Delivered != 1 || p1.Total.Delivered != 2 || p1.Total.Records != 0 {
		t.Errorf("activity 1 progress = %+v", p1)
	}
	if p2.Quarters[1] != (plans.Quarter{Records: 2, RecordCount: 120}) || p2.Quarters[2] != (plans.Quarter{Records: 1, RecordCount: 5}) ||
		p2.Total.Records != 3 || p2.Total.Delivered != 0 {
		t.Errorf("activity 2 progress = %+v", p2)
	}
}
