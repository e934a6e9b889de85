package reports_test

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/reports"
	"github.com/loa-vn/loa/storage"
)

// commune is an agency with a website, a Zalo OA and a loudspeaker
// channel, and a plan for 2027 of three activities.
type commune struct {
	agency            storage.Agency
	web, zalo, radio  int64
	act1, act2, act3  storage.PlanActivity
	editor            storage.User
	wantDelivered     int64
	wantRecordsCounts int64
}

func (f *fixture) commune(name string, parent int64) commune {
	f.t.Helper()
	c := commune{agency: f.agency(name, parent)}
	id := c.agency.ID
	c.web, c.zalo, c.radio = f.channel(id, "wordpress"), f.channel(id, "zalo_oa"), f.channel(id, "radio")
	acts := f.plan(id, 2027,
		storage.PlanActivity{Code: "2.1", Title: "Tuyên truyền thủ tục hành chính", ContentArea: "tthc", Audience: "nguoi_dan",
			Forms: storage.Forms{"website", "zalo_oa"}, TimingKind: storage.TimingAllYear, Unit: "Văn phòng", Target: i64(10), TargetText: "10 tin"},
		storage.PlanActivity{Code: "2.2", Title: "Hội nghị, tập huấn", ContentArea: "chinh_phu_so", Audience: "can_bo",
			Forms: storage.Forms{"hoi_nghi", "tap_huan"}, TimingKind: storage.TimingQ1, Target: i64(2)},
		storage.PlanActivity{Code: "2.3", Title: "Chuyên mục CCHC", Forms: storage.Forms{"zalo_oa"},
			TimingKind: storage.TimingRange, TimingFrom: "2027-03-01", TimingTo: "2027-04-30"},
	)
	c.act1, c.act2, c.act3 = acts[0], acts[1], acts[2]
	c.editor = f.user(id, storage.RoleEditor)
	return c
}

// activity makes c's posts and records of Quý I/2027 (by decree
// 15/12/2026 – 14/03/2027) with the outcomes TestAgencyReport checks,
// and some just outside it.
func (f *fixture) activity(c commune) {
	f.t.Helper()
	id, none := c.agency.ID, storage.Classification{}
	// The first instant of the period: on time on the web, late on Zalo.
	t1 := at(2026, 12, 15, 0, 0)
	p1 := f.post(id, c.act1.ID, t1, none, c.web, c.zalo)
	f.finish(p1[c.web], t1, time.Minute, storage.DeliveryDelivered)
	f.finish(p1[c.zalo], t1, 6*time.Minute, storage.DeliveryDelivered)
	// The last minute before the period.
	t2 := at(2026, 12, 14, 23, 59)
	f.finish(f.post(id, c.act1.ID, t2, none, c.web)[c.web], t2, 0, storage.DeliveryDelivered)
	// Exactly 5 minutes late is on time; the loudspeaker failed.
	t3 := at(2027, 1, 10, 9, 0)
	p3 := f.post(id, c.act1.ID, t3, none, c.web, c.radio)
	f.finish(p3[c.web], t3, 5*time.Minute, storage.DeliveryDelivered)
	f.finish(p3[c.radio], t3, time.Minute, storage.DeliveryFailed)
	// The last minute of the period, unconfirmed.
	t4 := at(2027, 3, 14, 23, 59)
	f.finish(f.post(id, c.act3.ID, t4, none, c.zalo)[c.zalo], t4, time.Minute, storage.DeliveryUnconfirmed)
	// No activity, its own content area and no audience.
	t5 := at(2027, 2, 20, 7, 0)
	f.finish(f.post(id, 0, t5, storage.Classification{ContentArea: "ket_qua"}, c.web)[c.web], t5, 0, storage.DeliveryDelivered)
	// Still scheduled.
	f.post(id, c.act1.ID, at(2027, 3, 1, 7, 0), none, c.radio)
	// Canceled: not counted at all.
	p7 := f.post(id, c.act1.ID, at(2027, 3, 2, 7, 0), none, c.web)
	if _, err := f.store.CancelDelivery(f.ctx, p7[c.web], func(int64) error { return nil }, "test"); err != nil {
		f.t.Fatal(err)
	}
	// The post's own content area wins over its activity's.
	t8 := at(2027, 2, 5, 7, 0)
	f.finish(f.post(id, c.act1.ID, t8, storage.Classification{ContentArea: "dvc_truc_tuyen"}, c.web)[c.web], t8, 0, storage.DeliveryDelivered)
	// The first instant after the period.
	t9 := at(2027, 3, 15, 0, 0)
	f.finish(f.post(id, c.act1.ID, t9, none, c.web)[c.web], t9, 0, storage.DeliveryDelivered)

	f.record(id, c.act2.ID, "2027-01-20", "hoi_nghi", 1)
	f.record(id, c.act2.ID, "2026-12-15", "tap_huan", 2)
	f.record(id, c.act2.ID, "2027-03-15", "hoi_nghi", 5)
	f.record(id, c.act1.ID, "2026-12-14", "to_roi", 500)
	f.clock.Set(at(2027, 3, 20, 8, 0))
}

func (f *fixture) label(kind, code string) string {
	f.t.Helper()
	term, err := f.store.VocabTermByCode(f.ctx, kind, code)
	if err != nil {
		f.t.Fatal(err)
	}
	return term.Label
}

func ratio(v float64) *float64 { return &v }

func TestAgencyReport(t *testing.T) {
	f := newFixture(t)
	c := f.commune("UBND xã An Hòa", f.root.ID)
	f.activity(c)
	rep := f.report(c.editor, 0, "2027-Q1", "")

	if rep.Agency.ID != c.agency.ID || rep.Agency.Name != "UBND xã An Hòa" || rep.Agency.ParentName != f.root.Name {
		t.Errorf("agency %+v", rep.Agency)
	}
	if rep.Period.Label != "quý I năm 2027" || !rep.Period.From.Equal(at(2026, 12, 15, 0, 0)) {
		t.Errorf("period %+v", rep.Period)
	}
	if rep.PlanTitle != "Kế hoạch tuyên truyền CCHC năm 2027" || rep.PlanReference == "" || len(rep.Sections) != 0 {
		t.Errorf("plan %q %q, %d sections", rep.PlanTitle, rep.PlanReference, len(rep.Sections))
	}
	if !rep.IssuedOn.Equal(at(2027, 3, 20, 0, 0)) {
		t.Errorf("issued on %s", rep.IssuedOn)
	}
	own := rep.Own
	totals := [][2]int64{{own.Delivered, 5}, {own.OnTime, 4}, {own.Failed, 1}, {own.Unconfirmed, 1}, {own.Other, 1},
		{own.Records, 2}, {own.RecordCount, 3}}
	for i, tt := range totals {
		if tt[0] != tt[1] {
			t.Errorf("total %d = %d, want %d (delivered, on time, failed, unconfirmed, other, records, record count)", i, tt[0], tt[1])
		}
	}
	checkRate(t, "on-time rate", own.OnTimeRate, ratio(0.8))
	if own.Reach != nil {
		t.Errorf("reach %d, want none: no platform reported any", *own.Reach)
	}

	want := []reports.ActivityResult{
		{ID: c.act1.ID, Code: "2.1", Title: "Tuyên truyền thủ tục hành chính",
			ContentArea: f.label(storage.VocabContentArea, "tthc"), Audience: f.label(storage.VocabAudience, "nguoi_dan"),
			Forms: []string{"Trang thông tin điện tử", "Zalo OA"}, Timing: "Cả năm", Unit: "Văn phòng",
			Target: i64(10), TargetText: "10 tin", Done: 4, ByForm: map[string]int64{"website": 3, "zalo_oa": 1},
			Delivered: 4, Failed: 1, OnTime: 3, OnTimeRate: ratio(0.75), Progress: ratio(0.4)},
		{ID: c.act2.ID, Code: "2.2", Title: "Hội nghị, tập huấn",
			ContentArea: f.label(storage.VocabContentArea, "chinh_phu_so"), Audience: f.label(storage.VocabAudience, "can_bo"),
			Forms: []string{"Hội nghị, hội thảo, giao ban", "Tập huấn"}, Timing: "Quý I", Target: i64(2),
			Done: 3, ByForm: map[string]int64{"hoi_nghi": 1, "tap_huan": 2}, Records: 2, Progress: ratio(1.5)},
		{ID: c.act3.ID, Code: "2.3", Title: "Chuyên mục CCHC", ContentArea: "Chưa phân loại", Audience: "Chưa phân loại",
			Forms: []string{"Zalo OA"}, Timing: "Từ 01/03/2027 đến 30/04/2027", ByForm: map[string]int64{}, Unconfirmed: 1},
	}
	if len(own.Activities) != len(want) {
		t.Fatalf("%d activities, want %d", len(own.Activities), len(want))
	}
	for i, w := range want {
		got := own.Activities[i]
		checkRate(t, w.Code+" on-time rate", got.OnTimeRate, w.OnTimeRate)
		checkRate(t, w.Code+" progress", got.Progress, w.Progress)
		got.OnTimeRate, got.Progress, w.OnTimeRate, w.Progress = nil, nil, nil, nil
		if !reflect.DeepEqual(got, w) {
			t.Errorf("activity %s:\n got %+v\nwant %+v", w.Code, got, w)
		}
	}

	web, zalo := "Trang thông tin điện tử", "Zalo OA"
	tthc, dvc, ketQua := f.label(storage.VocabContentArea, "tthc"), f.label(storage.VocabContentArea, "dvc_truc_tuyen"), f.label(storage.VocabContentArea, "ket_qua")
	dan := f.label(storage.VocabAudience, "nguoi_dan")
	wantMatrix := []reports.MatrixCell{
		{Form: web, ContentArea: tthc, Audience: dan, Count: 2},
		{Form: web, ContentArea: dvc, Audience: dan, Count: 1},
		{Form: web, ContentArea: ketQua, Audience: "Chưa phân loại", Count: 1},
		{Form: zalo, ContentArea: tthc, Audience: dan, Count: 1},
	}
	if !reflect.DeepEqual(own.Matrix, wantMatrix) {
		t.Errorf("matrix\n got %+v\nwant %+v", own.Matrix, wantMatrix)
	}
	month := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, hcm) }
	wantMonthly := []reports.MonthCount{
		{month(2026, 12), web, 1}, {month(2026, 12), zalo, 1},
		{month(2027, 1), web, 1}, {month(2027, 1), zalo, 0},
		{month(2027, 2), web, 2}, {month(2027, 2), zalo, 0},
		{month(2027, 3), web, 0}, {month(2027, 3), zalo, 0},
	}
	if !reflect.DeepEqual(own.Monthly, wantMonthly) {
		t.Errorf("monthly\n got %+v\nwant %+v", own.Monthly, wantMonthly)
	}

	// The calendar quarter (01/01 – 31/03/2027) counts other deliveries:
	// p3's, p5's, p8's and the one of 15/03, not those of December; the
	// records of 20/01 and 15/03.
	cal := f.report(c.editor, c.agency.ID, "2027-Q1", "calendar")
	if cal.Own.Delivered != 4 || cal.Own.Failed != 1 || cal.Own.Records != 2 || cal.Period.Cutoff != "calendar" {
		t.Errorf("calendar quarter: delivered %d failed %d records %d cutoff %q, want 4 1 2 calendar",
			cal.Own.Delivered, cal.Own.Failed, cal.Own.Records, cal.Period.Cutoff)
	}
	// Another year's report follows that year's plan: none for 2026. Its
	// December holds p1's two deliveries and p2's.
	old := f.report(c.editor, c.agency.ID, "2026", "calendar")
	if old.PlanTitle != "" || len(old.Own.Activities) != 0 || old.Own.Delivered != 3 {
		t.Errorf("2026: plan %q, %d activities, %d delivered; want none, 0, 3", old.PlanTitle, len(old.Own.Activities), old.Own.Delivered)
	}
}

func checkRate(t *testing.T, what string, got, want *float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", what, got, want)
	case math.Abs(*got-*want) > 1e-9:
		t.Errorf("%s = %v, want %v", what, *got, *want)
	}
}

// TestReportScope: a report is the policy's View of an agency; outside
// the actor's subtree, and for an agency that does not exist, it is not
// found, the same either way.
func TestReportScope(t *testing.T) {
	f := newFixture(t)
	a := f.agency("UBND xã A", f.root.ID)
	b := f.agency("UBND xã B", f.root.ID)
	officerA := f.user(a.ID, storage.RoleOfficer)
	admin := f.user(f.root.ID, storage.RoleAdmin)
	disabled := f.user(a.ID, storage.RoleEditor)
	now := f.clock.Now()
	disabled.DisabledAt = &now
	tests := []struct {
		name   string
		actor  storage.User
		agency int64
		ok     bool
	}{
		{"own agency", officerA, a.ID, true},
		{"own agency by default", officerA, 0, true},
		{"a sibling", officerA, b.ID, false},
		{"the agency above", officerA, f.root.ID, false},
		{"no such agency", admin, 999999, false},
		{"negative id", admin, -1, false},
		{"admin below", admin, b.ID, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Compute(f.ctx, tt.actor, reports.Request{AgencyID: tt.agency, Period: "2027-Q1"})
			var missing *publishing.NotFoundError
			switch {
			case tt.ok && err != nil:
				t.Fatalf("err = %v, want a report", err)
			case !tt.ok && !errors.As(err, &missing):
				t.Fatalf("err = %v, want not found", err)
			}
		})
	}
	_, err := f.svc.Compute(f.ctx, disabled, reports.Request{Period: "2027-Q1"})
	if !errors.Is(err, publishing.ErrNotAllowed) {
		t.Errorf("a disabled user: err = %v, want not allowed", err)
	}
	_, err = f.svc.Compute(f.ctx, officerA, reports.Request{Period: "2027-Q5"})
	var bad *publishing.InvalidError
	if !errors.As(err, &bad) || bad.Field != "period" {
		t.Errorf("a bad period: err = %v, want invalid period", err)
	}
}
