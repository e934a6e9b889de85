package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/loa-vn/loa/storage"
)

// reportJSON is the part of a report's JSON the tests read.
type reportJSON struct {
	Agency struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"agency"`
	Period struct {
		Key, Cutoff, Label string
		FirstDay           string `json:"first_day"`
		LastDay            string `json:"last_day"`
	} `json:"period"`
	Own      resultsJSON `json:"own"`
	Sections []struct {
		Agency struct {
			ID int64 `json:"id"`
		} `json:"agency"`
		Results resultsJSON `json:"results"`
	} `json:"sections"`
}

type resultsJSON struct {
	Activities []struct {
		ID       int64            `json:"id"`
		Code     string           `json:"code"`
		Title    string           `json:"title"`
		Target   *int64           `json:"target"`
		Done     int64            `json:"done"`
		ByForm   map[string]int64 `json:"by_form"`
		Records  int64            `json:"records"`
		Progress *float64         `json:"progress"`
	} `json:"activities"`
	Delivered   int64    `json:"delivered"`
	Failed      int64    `json:"failed"`
	OnTime      int64    `json:"on_time"`
	OnTimeRate  *float64 `json:"on_time_rate"`
	Reach       *int64   `json:"reach"`
	Records     int64    `json:"records"`
	RecordCount int64    `json:"record_count"`
}

// checkSnakeKeys fails on any object key of v that is not snake_case,
// except inside by_form, whose keys are form codes (snake_case too).
func checkSnakeKeys(t *testing.T, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !snakeCase.MatchString(k) {
				t.Errorf("key %s.%s is not snake_case", path, k)
			}
			checkSnakeKeys(t, path+"."+k, x)
		}
	case []any:
		for i, x := range v {
			checkSnakeKeys(t, fmt.Sprintf("%s[%d]", path, i), x)
		}
	}
}

// TestReportAPI: the report of the caller's agency as JSON with
// snake_case keys, its period's exact dates, deliveries counted by
// outcome, reach absent as null.
func TestReportAPI(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng thông tin")
	for _, status := range []string{storage.DeliveryDelivered, storage.DeliveryFailed} {
		p := e.createPost(editorToken, postBody(ch.ID))
		e.finish(p.Deliveries[0].ID, status)
	}
	r := e.get("/api/v1/reports?period=2026-Q4", officerToken)
	wantStatus(t, r, http.StatusOK)
	var raw map[string]any
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	checkSnakeKeys(t, "", raw)
	if own, _ := raw["own"].(map[string]any); own == nil || own["reach"] != nil || own["on_time_rate"] == nil {
		t.Errorf("own = %v: want reach null (none reported) and an on-time rate", raw["own"])
	}
	rep := decode[reportJSON](t, r)
	if rep.Period.FirstDay != "2026-09-15" || rep.Period.LastDay != "2026-12-14" || rep.Period.Label != "quý IV năm 2026" ||
		rep.Period.Cutoff != "decree" {
		t.Errorf("period %+v, want Quý IV/2026 by decree, 15/09 – 14/12/2026", rep.Period)
	}
	if rep.Own.Delivered != 1 || rep.Own.Failed != 1 || rep.Own.OnTime != 1 {
		t.Errorf("own %+v, want 1 delivered on time and 1 failed", rep.Own)
	}
	// The calendar's Quý IV starts on 01/10; the same deliveries fall in it.
	cal := decode[reportJSON](t, e.get("/api/v1/reports?period=2026-Q4&cutoff=calendar", officerToken))
	if cal.Period.FirstDay != "2026-10-01" || cal.Period.LastDay != "2026-12-31" || cal.Own.Delivered != 1 {
		t.Errorf("calendar: %+v %+v", cal.Period, cal.Own)
	}
	// Quý III is before them.
	if q3 := decode[reportJSON](t, e.get("/api/v1/reports?period=2026-Q3", officerToken)); q3.Own.Delivered != 0 {
		t.Errorf("Quý III counted %d deliveries", q3.Own.Delivered)
	}
}

// TestReportAPIRefuses: bad input is a 422 naming the field and saying
// what is allowed; an agency outside the caller's subtree or missing is a
// 404; no token is a 401.
func TestReportAPIRefuses(t *testing.T) {
	e := newEnv(t)
	tr := newAgencyTree(t, e)
	tests := []struct {
		query, token string
		status       int
		field, says  string
	}{
		{"", officerToken, 422, "period", "must be a year"},
		{"period=2026-Q5", officerToken, 422, "period", "must be a year"},
		{"period=1999", officerToken, 422, "period", "2000 to 2100"},
		{"period=2026-01-01..2027-01-02", officerToken, 422, "period", "at most 366 days"},
		{"period=2026-03-01..2026-02-01", officerToken, 422, "period", "after the last"},
		{"period=2026-02-30..2026-03-01", officerToken, 422, "period", "is not a date"},
		{"period=2026-Q1&cutoff=month", officerToken, 422, "cutoff", "decree"},
		{"period=2026-Q1&format=pdf", officerToken, 422, "format", "xlsx"},
		{"period=2026-Q1&agency_id=abc", officerToken, 422, "agency_id", "positive whole number"},
		{"period=2026-Q1&agency_id=-3", officerToken, 422, "agency_id", "positive whole number"},
		{"period=2026-Q1&agency_id=999999", adminToken, 404, "", "not found"},
		{fmt.Sprintf("period=2026-Q1&agency_id=%d", tr.R.ID), agencyOfficerToken, 404, "", "not found"},
		{fmt.Sprintf("period=2026-Q1&agency_id=%d", tr.B.ID), agencyOfficerToken, 404, "", "not found"},
		{fmt.Sprintf("period=2026-Q1&agency_id=%d&format=xlsx", tr.B.ID), agencyOfficerToken, 404, "", "not found"},
		{"period=2026-Q1", "", 401, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := e.get("/api/v1/reports?"+tt.query, tt.token)
			wantStatus(t, r, tt.status)
			body := decode[errorBody](t, r)
			if body.Error.Field != tt.field || !strings.Contains(body.Error.Message, tt.says) {
				t.Errorf("error %+v, want field %q saying %q", body.Error, tt.field, tt.says)
			}
		})
	}
	r := e.get(fmt.Sprintf("/api/v1/reports?period=2026-Q1&agency_id=%d", tr.A1.ID), agencyOfficerToken)
	wantStatus(t, r, http.StatusOK)
	if got := decode[reportJSON](t, r).Agency.ID; got != tr.A1.ID {
		t.Errorf("report of agency %d, want %d", got, tr.A1.ID)
	}
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// TestReportAPIExports: format=xlsx|docx|csv returns the file with its
// type and a Content-Disposition naming it in ASCII and in UTF-8.
func TestReportAPIExports(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng thông tin")
	p := e.createPost(editorToken, postBody(ch.ID))
	e.finish(p.Deliveries[0].ID, storage.DeliveryDelivered)
	root := decode[struct{ Items []agencyJSON }](t, e.get("/api/v1/agencies", adminToken)).Items[0]
	tests := []struct {
		format, contentType string
		magic               []byte
	}{
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []byte("PK")},
		{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK")},
		{"csv", "text/csv; charset=utf-8", []byte("\ufeff")},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			r := e.get("/api/v1/reports?period=2026-Q4&format="+tt.format, officerToken)
			wantStatus(t, r, http.StatusOK)
			if ct := r.Header.Get("Content-Type"); ct != tt.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
			}
			want := fmt.Sprintf(`attachment; filename="bao-cao-2026-Q4-decree-%d.%s"; filename*=UTF-8''B%%C3%%A1o%%20c%%C3%%A1o%%20qu%%C3%%BD%%20IV%%20n%%C4%%83m%%202026%%20-%%20`, root.ID, tt.format)
			if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, want) || !strings.HasSuffix(cd, "."+tt.format) {
				t.Errorf("Content-Disposition %q, want it to start %q", cd, want)
			}
			if !bytes.HasPrefix(r.Body, tt.magic) || len(r.Body) < 100 {
				t.Errorf("body of %d bytes starts %q", len(r.Body), r.Body[:min(len(r.Body), 8)])
			}
		})
	}
	csv := e.get("/api/v1/reports?period=2026-Q4&format=csv", officerToken)
	if !strings.Contains(string(csv.Body), "Thông báo lịch tiếp công dân tháng 12") || !strings.Contains(string(csv.Body), "Đã đăng") {
		t.Errorf("the CSV lacks the delivered post:\n%s", csv.Body)
	}
}

// TestPlan004Report: the seed plan (activities 2.1–2.7) entered through
// the API with targets, posts made against its activities and driven to
// delivered, failed and unconfirmed, offline work recorded; the quarter's
// report shows each activity's progress from those deliveries and records.
func TestPlan004Report(t *testing.T) {
	e := newSeedEnv(t)
	root := decode[struct{ Items []agencyJSON }](t, e.get("/api/v1/agencies", adminToken)).Items[0]
	body := plan004(root.ID)
	targets := map[string]int{"2.1": 4, "2.2": 4, "2.6": 2, "2.7": 3}
	for _, a := range body["activities"].([]map[string]any) {
		if n, ok := targets[a["code"].(string)]; ok {
			a["target"] = n
		}
	}
	res := e.post("/api/v1/plans", editorToken, body)
	wantStatus(t, res, http.StatusCreated)
	byCode := map[string]int64{}
	for _, a := range decode[planJSON](t, res).Activities {
		byCode[a.Code] = a.ID
	}
	site := e.createWebhook("Trang thông tin điện tử Sở")
	post := func(code, status string) {
		b := postBody(site.ID)
		b["activity_id"] = byCode[code]
		p := e.createPost(editorToken, b)
		e.finish(p.Deliveries[0].ID, status)
	}
	post("2.2", storage.DeliveryDelivered)
	post("2.2", storage.DeliveryDelivered)
	post("2.2", storage.DeliveryFailed)
	post("2.6", storage.DeliveryDelivered)
	post("2.3", storage.DeliveryUnconfirmed)
	post("2.5", storage.DeliveryDelivered)
	for _, r := range []struct {
		code, date, form string
		count            int
	}{
		{"2.1", "2022-09-10", "hoi_nghi", 1},
		{"2.1", "2022-06-30", "hoi_nghi", 1}, // the quarter before
		{"2.4", "2022-08-01", "bao_dai", 3},
		{"2.7", "2022-08-15", "tap_huan", 2},
		{"2.7", "2022-09-01", "cuoc_thi", 1},
	} {
		wantStatus(t, e.post("/api/v1/activity-records", officerToken, map[string]any{"activity_id": byCode[r.code],
			"date": r.date, "form": r.form, "description": "Thực hiện " + r.code, "count": r.count}), http.StatusCreated)
	}

	r := e.get("/api/v1/reports?period=2022-Q3&cutoff=calendar", officerToken)
	wantStatus(t, r, http.StatusOK)
	rep := decode[reportJSON](t, r)
	if rep.Period.Label != "quý III năm 2022" || rep.Period.FirstDay != "2022-07-01" || len(rep.Own.Activities) != 7 {
		t.Fatalf("period %+v with %d activities", rep.Period, len(rep.Own.Activities))
	}
	want := map[string]struct {
		done     int64
		byForm   map[string]int64
		progress float64 // -1: none (no target)
	}{
		"2.1": {1, map[string]int64{"hoi_nghi": 1}, 0.25},
		"2.2": {2, map[string]int64{"website": 2}, 0.5},
		"2.3": {0, map[string]int64{}, -1},
		"2.4": {3, map[string]int64{"bao_dai": 3}, -1},
		"2.5": {1, map[string]int64{"website": 1}, -1},
		"2.6": {1, map[string]int64{"website": 1}, 0.5},
		"2.7": {3, map[string]int64{"tap_huan": 2, "cuoc_thi": 1}, 1},
	}
	for i, a := range rep.Own.Activities {
		w := want[a.Code]
		if a.Code != fmt.Sprintf("2.%d", i+1) || a.ID != byCode[a.Code] {
			t.Errorf("activity %d is %s (%d)", i, a.Code, a.ID)
		}
		if a.Done != w.done || fmt.Sprint(a.ByForm) != fmt.Sprint(w.byForm) {
			t.Errorf("%s: done %d by form %v, want %d %v", a.Code, a.Done, a.ByForm, w.done, w.byForm)
		}
		switch {
		case w.progress < 0 && a.Progress != nil:
			t.Errorf("%s: progress %v without a target", a.Code, *a.Progress)
		case w.progress >= 0 && (a.Progress == nil || *a.Progress != w.progress):
			t.Errorf("%s: progress %v, want %v", a.Code, a.Progress, w.progress)
		}
	}
	if rep.Own.Delivered != 4 || rep.Own.Failed != 1 || rep.Own.Records != 4 || rep.Own.RecordCount != 7 {
		t.Errorf("totals %+v", rep.Own)
	}
	// By the decree, Quý III/2022 ended on 14/09: the deliveries of 20/09
	// are in Quý IV; every record (30/06 – 10/09) is in Quý III.
	q3 := decode[reportJSON](t, e.get("/api/v1/reports?period=2022-Q3", officerToken))
	q4 := decode[reportJSON](t, e.get("/api/v1/reports?period=2022-Q4", officerToken))
	if q3.Own.Delivered != 0 || q3.Own.Records != 5 || q4.Own.Delivered != 4 || q4.Own.Records != 0 {
		t.Errorf("decree Q3 delivered %d records %d; Q4 delivered %d records %d; want 0 5 4 0",
			q3.Own.Delivered, q3.Own.Records, q4.Own.Delivered, q4.Own.Records)
	}
}
