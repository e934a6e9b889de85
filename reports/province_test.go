package reports_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/reports"
	"github.com/loa-vn/loa/storage"
)

// TestProvinceReport: a root with three communes, each with its plan and
// deliveries. The root's report has a section per commune, each equal to
// the commune's own report computed on its own, and totals equal to the
// sum of the communes' own reports, field by field.
func TestProvinceReport(t *testing.T) {
	f := newFixture(t)
	var communes []commune
	for i, name := range []string{"UBND xã An Hòa", "UBND xã Bình Minh", "UBND phường Cát Tiên"} {
		c := f.commune(name, f.root.ID)
		f.activity(c)
		// Each commune differs: i more delivered items on its website.
		for k := range i + 1 {
			when := at(2027, 1, 5+k, 8, 0)
			f.finish(f.post(c.agency.ID, c.act1.ID, when, storage.Classification{}, c.web)[c.web], when, 10*time.Minute, storage.DeliveryDelivered)
		}
		f.record(c.agency.ID, c.act2.ID, "2027-02-01", "cuoc_thi", int64(10*(i+1)))
		communes = append(communes, c)
	}
	f.clock.Set(at(2027, 3, 20, 8, 0))
	admin := f.user(f.root.ID, storage.RoleAdmin)

	rep := f.report(admin, f.root.ID, "2027-Q1", "decree")
	if len(rep.Sections) != 3 {
		t.Fatalf("%d sections, want one per commune (the root has no plan nor figures of its own)", len(rep.Sections))
	}
	var own []reports.Results
	for i, c := range communes {
		alone := f.report(c.editor, c.agency.ID, "2027-Q1", "decree")
		sec := rep.Sections[i]
		if sec.Agency.ID != c.agency.ID || sec.Agency.ParentName != f.root.Name {
			t.Errorf("section %d is %+v, want %s", i, sec.Agency, c.agency.Name)
		}
		if !reflect.DeepEqual(sec.Results, alone.Own) {
			t.Errorf("section %s differs from the commune's own report:\n got %+v\nwant %+v", c.agency.Name, sec.Results, alone.Own)
		}
		if want := int64(5 + i + 1); alone.Own.Delivered != want {
			t.Errorf("%s delivered %d, want %d", c.agency.Name, alone.Own.Delivered, want)
		}
		own = append(own, alone.Own)
	}
	checkTotals(t, rep.Own, own)
	if rep.Own.Activities != nil {
		t.Errorf("the totals have %d activities; activities are each section's own", len(rep.Own.Activities))
	}

	// A post of the root to the first commune's loudspeaker is the root's
	// work: the root gets a section of its own, first; the commune's
	// report does not change; the totals still equal the sections' sum.
	when := at(2027, 2, 2, 6, 0)
	before := f.report(communes[0].editor, communes[0].agency.ID, "2027-Q1", "")
	f.finish(f.post(f.root.ID, 0, when, storage.Classification{}, communes[0].radio)[communes[0].radio], when, 0, storage.DeliveryDelivered)
	f.clock.Set(at(2027, 3, 20, 8, 0))
	rep = f.report(admin, f.root.ID, "2027-Q1", "")
	after := f.report(communes[0].editor, communes[0].agency.ID, "2027-Q1", "")
	if len(rep.Sections) != 4 || rep.Sections[0].Agency.ID != f.root.ID || rep.Sections[0].Results.Delivered != 1 {
		t.Fatalf("sections %d, first %+v: want the root first with 1 delivered", len(rep.Sections), rep.Sections[0].Agency)
	}
	before.GeneratedAt, after.GeneratedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the root's post changed the commune's report")
	}
	var all []reports.Results
	for _, s := range rep.Sections {
		all = append(all, s.Results)
	}
	checkTotals(t, rep.Own, append(own[:0:0], all...))
}

// checkTotals compares totals with the sum of parts, field by field.
func checkTotals(t *testing.T, totals reports.Results, parts []reports.Results) {
	t.Helper()
	var want reports.Results
	matrix, monthly := map[[3]string]int64{}, map[string]int64{}
	for _, p := range parts {
		want.Delivered += p.Delivered
		want.Failed += p.Failed
		want.Unconfirmed += p.Unconfirmed
		want.Other += p.Other
		want.OnTime += p.OnTime
		want.Records += p.Records
		want.RecordCount += p.RecordCount
		for _, c := range p.Matrix {
			matrix[[3]string{c.Form, c.ContentArea, c.Audience}] += c.Count
		}
		for _, m := range p.Monthly {
			monthly[m.Month.Format("2006-01")+" "+m.Form] += m.Count
		}
	}
	fields := []struct {
		name      string
		got, want int64
	}{
		{"delivered", totals.Delivered, want.Delivered}, {"failed", totals.Failed, want.Failed},
		{"unconfirmed", totals.Unconfirmed, want.Unconfirmed}, {"other", totals.Other, want.Other},
		{"on time", totals.OnTime, want.OnTime}, {"records", totals.Records, want.Records},
		{"record count", totals.RecordCount, want.RecordCount},
	}
	for _, fd := range fields {
		if fd.got != fd.want {
			t.Errorf("total %s = %d, sum of sections %d", fd.name, fd.got, fd.want)
		}
	}
	checkRate(t, "total on-time rate", totals.OnTimeRate, ratio(float64(want.OnTime)/float64(want.Delivered)))
	gotMatrix, gotMonthly := map[[3]string]int64{}, map[string]int64{}
	for _, c := range totals.Matrix {
		gotMatrix[[3]string{c.Form, c.ContentArea, c.Audience}] += c.Count
	}
	for _, m := range totals.Monthly {
		if m.Count > 0 {
			gotMonthly[m.Month.Format("2006-01")+" "+m.Form] += m.Count
		}
	}
	for k, v := range monthly {
		if v == 0 {
			delete(monthly, k)
		}
	}
	if !reflect.DeepEqual(gotMatrix, matrix) {
		t.Errorf("total matrix %v, sum of sections %v", gotMatrix, matrix)
	}
	if !reflect.DeepEqual(gotMonthly, monthly) {
		t.Errorf("total monthly %v, sum of sections %v", gotMonthly, monthly)
	}
	if want.Delivered == 0 {
		t.Error("nothing was delivered: the comparison proves nothing")
	}
}

// TestReportCaps: a subtree larger than the cap is refused with a reason;
// a report waits at most the queue wait for a turn and is then refused as
// busy; a canceled request stops waiting.
func TestReportCaps(t *testing.T) {
	f := newFixture(t, func(o *reports.Options) { o.MaxAgencies = 3 })
	admin := f.user(f.root.ID, storage.RoleAdmin)
	a := f.agency("UBND xã A", f.root.ID)
	f.agency("UBND xã B", f.root.ID)
	if _, err := f.svc.Compute(f.ctx, admin, reports.Request{Period: "2027"}); err != nil {
		t.Fatalf("3 agencies: %v", err)
	}
	f.agency("UBND xã C", f.root.ID)
	_, err := f.svc.Compute(f.ctx, admin, reports.Request{Period: "2027"})
	var bad *publishing.InvalidError
	if !errors.As(err, &bad) || bad.Rule != reports.RuleTooManyAgencies {
		t.Fatalf("4 agencies over a cap of 3: err = %v, want too many agencies", err)
	}
	if _, err := f.svc.Compute(f.ctx, admin, reports.Request{AgencyID: a.ID, Period: "2027"}); err != nil {
		t.Fatalf("a commune's report: %v", err)
	}
}

// TestReportTimeout: a computation is bounded in time.
func TestReportTimeout(t *testing.T) {
	f := newFixture(t, func(o *reports.Options) { o.Timeout = time.Nanosecond })
	admin := f.user(f.root.ID, storage.RoleAdmin)
	_, err := f.svc.Compute(f.ctx, admin, reports.Request{Period: "2027"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline exceeded", err)
	}
}

func TestReportBusy(t *testing.T) {
	f := newFixture(t, func(o *reports.Options) { o.Concurrent = 1; o.QueueWait = 50 * time.Millisecond })
	admin := f.user(f.root.ID, storage.RoleAdmin)
	release := reports.HoldTurn(f.svc)
	_, err := f.svc.Compute(f.ctx, admin, reports.Request{Period: "2027"})
	if !errors.Is(err, reports.ErrBusy) {
		t.Fatalf("with every turn taken: err = %v, want busy", err)
	}
	release()
	if _, err := f.svc.Compute(f.ctx, admin, reports.Request{Period: "2027"}); err != nil {
		t.Fatalf("after the turn is given back: %v", err)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	release = reports.HoldTurn(f.svc)
	defer release()
	if _, err := f.svc.Compute(ctx, admin, reports.Request{Period: "2027"}); err == nil || errors.Is(err, reports.ErrBusy) {
		t.Fatalf("a canceled request: err = %v, want its context's error", err)
	}
}
