package api_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// seedNow is 08:30 on 20/09/2022 in Hà Nội: the third quarter of the year
// of the plan in ../shared/seeds/004_df584ef945c444a2.txt.
var seedNow = time.Date(2022, 9, 20, 1, 30, 0, 0, time.UTC)

// atTime makes the server and its publishing service run on a fixed clock.
func atTime(now time.Time) envOption {
	return func(o *api.Options) {
		clock := func() time.Time { return now }
		o.Now = clock
		o.Publishing = publishing.New(publishing.Options{Store: o.Store, Scheduler: &fakeScheduler{}, Secrets: o.Box,
			Kinds: o.Registry.Names(), Adapters: o.Channels, Location: time.FixedZone("ICT", 7*3600),
			Horizon: 30 * 24 * time.Hour, Logger: slog.New(slog.DiscardHandler), Now: clock})
	}
}

// newSeedEnv is a server whose clock is seedNow.
func newSeedEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, storagetest.OpenWithClock(t, func() time.Time { return seedNow }), atTime(seedNow))
}

// plan004 is the plan of the Department of Information and Communications
// of Bình Định for 2022 (seed 004), section II.2, activities 2.1–2.7, as
// an officer enters it: titles, units and timing from the text; content
// areas, audiences and forms as the text describes each activity.
func plan004(agency int64) map[string]any {
	act := func(code, title, area, audience string, forms []string, timing any, unit string) map[string]any {
		return map[string]any{"code": code, "title": title, "content_area": area, "audience": audience,
			"forms": forms, "timing": timing, "unit": unit}
	}
	return map[string]any{
		"agency_id": agency,
		"title":     "Kế hoạch truyền thông về cải cách hành chính nhà nước trên địa bàn tỉnh Bình Định năm 2022",
		"year":      2022,
		"reference": "Kế hoạch số /KH-STTTT ngày tháng 01 năm 2022 của Sở Thông tin và Truyền thông",
		"activities": []map[string]any{
			act("2.1", "Triển khai trong công chức, viên chức, người lao động", "chu_truong", "can_bo",
				[]string{"hoi_nghi"}, "ca_nam", "Văn phòng Sở"),
			act("2.2", "Rà soát các thủ tục hành chính trên lĩnh vực thông tin và truyền thông", "tthc", "nguoi_dan",
				[]string{"website"}, "ca_nam", "Văn phòng Sở; Phòng Bưu chính viễn thông và Công nghệ thông tin"),
			act("2.3", "Hướng dẫn các sở, ban, ngành, UBND các huyện, thị xã, thành phố liên kết Cổng dịch vụ công trực tuyến của tỉnh với Cổng/Trang TTĐT của các cơ quan, đơn vị, địa phương",
				"dvc_truc_tuyen", "can_bo", []string{"website"}, "ca_nam",
				"Phòng Thông tin - Báo chí - Xuất bản, Phòng Bưu chính viễn thông và Công nghệ thông tin"),
			act("2.4", "Phối hợp với Sở Nội vụ, Đài Phát thanh và Truyền hình Bình Định thực hiện chuyên mục “Công dân hỏi – Giám đốc Sở trả lời”",
				"tthc", "nguoi_dan", []string{"bao_dai"}, "ca_nam", "Phòng BCVT&CNTT"),
			act("2.5", "Chỉ đạo, hướng dẫn công tác thông tin tuyên truyền về CCHC trên hệ thống Đài Truyền thanh cơ sở",
				"chu_truong", "nguoi_dan", []string{"radio"}, "ca_nam", "Phòng TT-BC-XB"),
			act("2.6", "Duy trì chuyên mục, chuyên trang về CCHC", "ket_qua", "nguoi_dan",
				[]string{"website", "bao_dai"}, "ca_nam", "Các cơ quan báo, đài của tỉnh"),
			act("2.7", "Tổ chức hội nghị, hội thảo, cuộc thi, tập huấn chuyên đề cung cấp thông tin về nội dung, kế hoạch và kết quả thực hiện nhiệm vụ CCHC nhà nước cho đội ngũ cán bộ làm công tác thông tin cơ sở",
				"ket_qua", "can_bo", []string{"hoi_nghi", "cuoc_thi", "tap_huan"}, "Q3", "Phòng TT-BC-XB chủ trì, Văn phòng Sở phối hợp"),
		},
	}
}

type activityJSON struct {
	ID          int64    `json:"id"`
	PlanID      int64    `json:"plan_id"`
	Code        string   `json:"code"`
	Title       string   `json:"title"`
	ContentArea string   `json:"content_area"`
	Audience    string   `json:"audience"`
	Forms       []string `json:"forms"`
	Timing      any      `json:"timing"`
	TimingLabel string   `json:"timing_label"`
	Unit        string   `json:"unit"`
	Target      *int64   `json:"target"`
	TargetText  string   `json:"target_text"`
}

type planJSON struct {
	ID         int64          `json:"id"`
	AgencyID   int64          `json:"agency_id"`
	Title      string         `json:"title"`
	Year       int            `json:"year"`
	Reference  string         `json:"reference"`
	Activities []activityJSON `json:"activities"`
}

type classifiedJSON struct {
	ID           int64  `json:"id"`
	Status       string `json:"status"`
	ContentArea  string `json:"content_area"`
	AudienceCode string `json:"audience_code"`
	ActivityID   *int64 `json:"activity_id"`
	Deliveries   []deliveryJSON
}

type recordJSON struct {
	ID          int64  `json:"id"`
	ActivityID  int64  `json:"activity_id"`
	AgencyID    int64  `json:"agency_id"`
	Date        string `json:"date"`
	Form        string `json:"form"`
	Description string `json:"description"`
	Count       int64  `json:"count"`
	Attachment  *struct {
		ID          int64  `json:"id"`
		FileName    string `json:"file_name"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
		URL         string `json:"url"`
	} `json:"attachment"`
}

// pdfBytes is a small PDF: what a scanned attendance list starts with.
func pdfBytes(size int) []byte {
	b := bytes.Repeat([]byte("0"), size)
	copy(b, "%PDF-1.4\n% danh sách đại biểu\n")
	return b
}

// multipartRecord is a record as a multipart form with a file.
func multipartRecord(t *testing.T, fields map[string]string, fileName string, file []byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := w.CreateFormFile("attachment", fileName)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	w.Close()
	return buf.String(), w.FormDataContentType()
}

func (e *env) postMultipart(path, token string, fields map[string]string, fileName string, file []byte) response {
	e.t.Helper()
	body, ct := multipartRecord(e.t, fields, fileName, file)
	return e.do(req{Method: http.MethodPost, Path: path, Token: token, Body: body, Header: map[string]string{"Content-Type": ct}})
}

// TestPlan004ThroughTheAPI: the seed plan is entered through the API, its
// activities get ids and read back as entered; posts are made against its
// activities with a content area and audience, delivered, and read back;
// offline work is recorded against activities, one with a scanned
// attendance list that downloads byte for byte; a change keeps the ids of
// the activities sent with theirs.
func TestPlan004ThroughTheAPI(t *testing.T) {
	e := newSeedEnv(t)
	root := decode[struct{ Items []agencyJSON }](t, e.get("/api/v1/agencies", adminToken)).Items[0]
	res := e.post("/api/v1/plans", editorToken, plan004(root.ID))
	wantStatus(t, res, http.StatusCreated)
	plan := decode[planJSON](t, res)
	want := plan004(root.ID)["activities"].([]map[string]any)
	if len(plan.Activities) != 7 || plan.Year != 2022 || plan.AgencyID != root.ID {
		t.Fatalf("plan = %+v", plan)
	}
	byCode := map[string]activityJSON{}
	for i, a := range plan.Activities {
		w := want[i]
		if a.ID == 0 || a.PlanID != plan.ID || a.Code != w["code"] || a.Title != w["title"] || a.Unit != w["unit"] ||
			a.ContentArea != w["content_area"] || a.Audience != w["audience"] || a.Timing != w["timing"] ||
			strings.Join(a.Forms, ",") != strings.Join(w["forms"].([]string), ",") {
			t.Errorf("activity %d = %+v, want %v", i, a, w)
		}
		byCode[a.Code] = a
	}
	if got := byCode["2.7"].TimingLabel; got != "Quý III" {
		t.Errorf("2.7's timing label = %q, want Quý III", got)
	}
	if got := byCode["2.1"].TimingLabel; got != "Cả năm" {
		t.Errorf("2.1's timing label = %q, want Cả năm", got)
	}
	got := decode[planJSON](t, e.get(fmt.Sprintf("/api/v1/plans/%d", plan.ID), officerToken))
	if len(got.Activities) != 7 || got.Activities[3].ID != byCode["2.4"].ID || got.Reference != plan.Reference {
		t.Errorf("plan read back by an officer = %+v", got)
	}
	list := decode[struct{ Items []planJSON }](t, e.get("/api/v1/plans?year=2022", officerToken)).Items
	if len(list) != 1 || list[0].ID != plan.ID || len(list[0].Activities) != 7 {
		t.Errorf("plans of 2022 = %+v", list)
	}
	if l := decode[struct{ Items []planJSON }](t, e.get("/api/v1/plans?year=2023", officerToken)).Items; len(l) != 0 {
		t.Errorf("plans of 2023 = %+v, want none", l)
	}

	// Posts for 2.2 and 2.6 on the website (a webhook channel).
	site := e.createWebhook("Trang thông tin điện tử Sở")
	made := map[string]classifiedJSON{}
	for _, code := range []string{"2.2", "2.6"} {
		body := postBody(site.ID)
		body["activity_id"], body["content_area"], body["audience_code"] = byCode[code].ID, byCode[code].ContentArea, "nguoi_dan"
		res := e.post("/api/v1/posts", editorToken, body)
		wantStatus(t, res, http.StatusCreated)
		p := decode[classifiedJSON](t, res)
		if p.ActivityID == nil || *p.ActivityID != byCode[code].ID || p.ContentArea != byCode[code].ContentArea || p.AudienceCode != "nguoi_dan" {
			t.Errorf("post for %s = %+v", code, p)
		}
		e.finish(p.Deliveries[0].ID, storage.DeliveryDelivered)
		made[code] = p
	}
	back := decode[classifiedJSON](t, e.get(fmt.Sprintf("/api/v1/posts/%d", made["2.6"].ID), officerToken))
	if back.ActivityID == nil || *back.ActivityID != byCode["2.6"].ID || back.Status != storage.PostPublished {
		t.Errorf("post for 2.6 read back = %+v", back)
	}
	// An edit that names no classification keeps it; one that does changes it.
	p2 := e.createPost(officerToken, map[string]any{"title": "Tin nháp", "body": "<p>Nội dung.</p>", "channel_ids": []int64{site.ID},
		"publish_at": seedNow.Add(48 * time.Hour).Format(time.RFC3339), "activity_id": byCode["2.2"].ID, "content_area": "tthc"})
	res = e.patch(fmt.Sprintf("/api/v1/posts/%d", p2.ID), editorToken, map[string]any{"summary": "Đã sửa."})
	wantStatus(t, res, http.StatusOK)
	if p := decode[classifiedJSON](t, res); p.ActivityID == nil || *p.ActivityID != byCode["2.2"].ID || p.ContentArea != "tthc" {
		t.Errorf("edit without classification changed it: %+v", p)
	}
	res = e.patch(fmt.Sprintf("/api/v1/posts/%d", p2.ID), editorToken, map[string]any{"activity_id": 0, "content_area": "chi_so"})
	wantStatus(t, res, http.StatusOK)
	if p := decode[classifiedJSON](t, res); p.ActivityID != nil || p.ContentArea != "chi_so" {
		t.Errorf("edit clearing the activity: %+v", p)
	}

	// A schedule for 2.5 gives its activity to the posts it makes.
	sch := weeklyBody(site.ID)
	sch["activity_id"], sch["content_area"], sch["starts_at"] = byCode["2.5"].ID, "chu_truong", seedNow.Format(time.RFC3339)
	res = e.post("/api/v1/schedules", editorToken, sch)
	wantStatus(t, res, http.StatusCreated)
	sc := decode[struct {
		ActivityID *int64           `json:"activity_id"`
		Posts      []classifiedJSON `json:"posts"`
	}](t, res)
	if sc.ActivityID == nil || *sc.ActivityID != byCode["2.5"].ID || len(sc.Posts) == 0 {
		t.Fatalf("schedule for 2.5 = %+v", sc)
	}
	occ := decode[classifiedJSON](t, e.get(fmt.Sprintf("/api/v1/posts/%d", sc.Posts[0].ID), editorToken))
	if occ.ActivityID == nil || *occ.ActivityID != byCode["2.5"].ID || occ.ContentArea != "chu_truong" {
		t.Errorf("a schedule's occurrence = %+v, want it for 2.5", occ)
	}

	// Offline work: 2.1's briefing (JSON) and 2.7's conference with its
	// attendance list (multipart).
	res = e.post("/api/v1/activity-records", officerToken, map[string]any{"activity_id": byCode["2.1"].ID,
		"date": "2022-03-10", "form": "hoi_nghi", "description": "Phổ biến Kế hoạch CCHC năm 2022 tại giao ban cơ quan", "count": 45})
	wantStatus(t, res, http.StatusCreated)
	if r := decode[recordJSON](t, res); r.Date != "2022-03-10" || r.Count != 45 || r.Attachment != nil {
		t.Errorf("record for 2.1 = %+v", r)
	}
	scan := pdfBytes(200 << 10)
	res = e.postMultipart("/api/v1/activity-records", officerToken, map[string]string{"activity_id": fmt.Sprint(byCode["2.7"].ID),
		"date": "15/08/2022", "form": "hoi_nghi", "description": "Hội nghị tập huấn cho cán bộ thông tin cơ sở", "count": "120"},
		"Danh sách đại biểu.pdf", scan)
	wantStatus(t, res, http.StatusCreated)
	rec := decode[recordJSON](t, res)
	if rec.Date != "2022-08-15" || rec.Count != 120 || rec.Attachment == nil || rec.Attachment.Size != int64(len(scan)) ||
		rec.Attachment.ContentType != "application/pdf" || rec.Attachment.FileName != "Danh sách đại biểu.pdf" {
		t.Fatalf("record for 2.7 = %+v", rec)
	}
	recs := decode[struct{ Items []recordJSON }](t, e.get(fmt.Sprintf("/api/v1/activity-records?activity_id=%d", byCode["2.7"].ID), editorToken)).Items
	if len(recs) != 1 || recs[0].ID != rec.ID || recs[0].Attachment == nil || recs[0].Attachment.URL != rec.Attachment.URL {
		t.Errorf("records of 2.7 = %+v", recs)
	}
	dl := e.get(rec.Attachment.URL, officer2Token)
	wantStatus(t, dl, http.StatusOK)
	if !bytes.Equal(dl.Body, scan) || dl.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("download: %d bytes, %q, %q", len(dl.Body), dl.Header.Get("Content-Type"), dl.Header.Get("Content-Disposition"))
	}

	// A change: 2.3 dropped (nothing refers to it), 2.7 moved to a range,
	// a new 2.8 added; kept activities keep their ids.
	acts := []map[string]any{}
	for _, a := range plan.Activities {
		if a.Code == "2.3" {
			continue
		}
		m := map[string]any{"id": a.ID, "code": a.Code, "title": a.Title, "content_area": a.ContentArea,
			"audience": a.Audience, "forms": a.Forms, "timing": a.Timing, "unit": a.Unit}
		if a.Code == "2.7" {
			m["timing"] = map[string]any{"from": "2022-07-01", "to": "2022-09-30"}
			m["target"] = 2
		}
		acts = append(acts, m)
	}
	acts = append(acts, map[string]any{"code": "2.8", "title": "Niêm yết thủ tục hành chính tại Bộ phận một cửa",
		"content_area": "tthc", "audience": "nguoi_dan", "forms": []string{"niem_yet"}, "timing": "event", "target": "Mỗi lần tỉnh công bố"})
	res = e.patch(fmt.Sprintf("/api/v1/plans/%d", plan.ID), editorToken, map[string]any{"activities": acts})
	wantStatus(t, res, http.StatusOK)
	changed := decode[planJSON](t, res)
	if len(changed.Activities) != 7 || changed.Title != plan.Title {
		t.Fatalf("changed plan = %+v", changed)
	}
	for _, a := range changed.Activities {
		switch {
		case a.Code == "2.8" && (a.ID == 0 || a.TargetText != "Mỗi lần tỉnh công bố" || a.Target != nil || a.TimingLabel != "Theo sự kiện"):
			t.Errorf("new 2.8 = %+v", a)
		case a.Code == "2.7" && (a.ID != byCode["2.7"].ID || a.Target == nil || *a.Target != 2 || a.TimingLabel != "Từ 01/07/2022 đến 30/09/2022"):
			t.Errorf("changed 2.7 = %+v", a)
		case a.Code != "2.8" && a.ID != byCode[a.Code].ID:
			t.Errorf("%s changed id %d → %d", a.Code, byCode[a.Code].ID, a.ID)
		case a.Code == "2.3":
			t.Errorf("2.3 was not removed")
		}
	}
	// The record made for 2.7 is still there.
	if recs := decode[struct{ Items []recordJSON }](t, e.get(fmt.Sprintf("/api/v1/activity-records?activity_id=%d", byCode["2.7"].ID), editorToken)).Items; len(recs) != 1 {
		t.Errorf("2.7's records after the change = %+v", recs)
	}
}

// TestPlanRefusals: every refusal answers with its status, code and field,
// and stores nothing: no plan, activity, record or attachment is added or
// changed, no post made.
func TestPlanRefusals(t *testing.T) {
	e := newSeedEnv(t)
	tr := newAgencyTree(t, e)
	res := e.post("/api/v1/plans", editorToken, plan004(tr.R.ID))
	wantStatus(t, res, http.StatusCreated)
	plan := decode[planJSON](t, res)
	res = e.post("/api/v1/plans", agencyAdminToken, map[string]any{"title": "Kế hoạch của huyện A", "year": 2022,
		"activities": []map[string]any{{"title": "Tuyên truyền trên trang thông tin", "timing": "thuong_xuyen", "forms": []string{"website"}}}})
	wantStatus(t, res, http.StatusCreated)
	planA := decode[planJSON](t, res)
	if planA.AgencyID != tr.A.ID {
		t.Fatalf("A's plan is in agency %d", planA.AgencyID)
	}
	site := e.createWebhook("Trang thông tin điện tử")
	a21, a27, aA := plan.Activities[0].ID, plan.Activities[6].ID, planA.Activities[0].ID
	// 2.2 is in use: a record refers to it.
	wantStatus(t, e.post("/api/v1/activity-records", officerToken, map[string]any{"activity_id": plan.Activities[1].ID,
		"date": "2022-05-02", "form": "website", "count": 3}), http.StatusCreated)

	oneActivity := func(mut func(map[string]any)) map[string]any {
		body := plan004(tr.R.ID)
		acts := body["activities"].([]map[string]any)[:1]
		mut(acts[0])
		body["activities"] = acts
		return body
	}
	many := plan004(tr.R.ID)
	var tooMany []map[string]any
	for i := range 201 {
		tooMany = append(tooMany, map[string]any{"code": fmt.Sprint(i), "title": "Hoạt động", "timing": "ca_nam"})
	}
	many["activities"] = tooMany
	keepAll := func(change func(i int, m map[string]any)) map[string]any {
		var acts []map[string]any
		for i, a := range plan.Activities {
			m := map[string]any{"id": a.ID, "title": a.Title, "timing": a.Timing, "forms": a.Forms}
			if change != nil {
				change(i, m)
			}
			acts = append(acts, m)
		}
		return map[string]any{"activities": acts}
	}
	withoutUsed := keepAll(nil)
	withoutUsed["activities"] = append(withoutUsed["activities"].([]map[string]any)[:1], withoutUsed["activities"].([]map[string]any)[2:]...)
	postFor := func(k string, v any) map[string]any {
		b := postBody(site.ID)
		b[k] = v
		return b
	}
	sch := weeklyBody(site.ID)
	sch["activity_id"], sch["starts_at"] = aA, seedNow.Format(time.RFC3339)
	schTemplate := weeklyBody(site.ID)
	schTemplate["template"].(map[string]any)["activity_id"] = a21
	rec := func(k string, v any) map[string]any {
		b := map[string]any{"activity_id": a27, "date": "2022-08-15", "form": "hoi_nghi", "count": 10}
		b[k] = v
		return b
	}
	plansPath, planPath := "/api/v1/plans", fmt.Sprintf("/api/v1/plans/%d", plan.ID)
	tests := []struct {
		name, method, path, token string
		body                      any
		status                    int
		code, field               string
	}{
		{"timing Q5", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["timing"] = "Q5" }), 422, "invalid_field", "activities[0].timing"},
		{"timing missing", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { delete(m, "timing") }), 422, "invalid_field", "activities[0].timing"},
		{"timing a number", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["timing"] = 3 }), 422, "invalid_field", "activities[0].timing"},
		{"range ends first", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["timing"] = map[string]string{"from": "2022-05-01", "to": "2022-04-01"} }), 422, "invalid_field", "activities[0].timing"},
		{"range far away", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["timing"] = map[string]string{"from": "2030-05-01", "to": "2030-06-01"} }), 422, "invalid_field", "activities[0].timing"},
		{"range not dates", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["timing"] = map[string]string{"from": "đầu năm", "to": "cuối năm"} }), 422, "invalid_field", "activities[0].timing"},
		{"range with more", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) {
			m["timing"] = map[string]string{"from": "2022-05-01", "to": "2022-06-01", "kind": "Q1"}
		}), 422, "invalid_field", "activities[0].timing"},
		{"unknown form", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["forms"] = []string{"website", "truyen_hinh"} }), 422, "invalid_field", "activities[0].forms"},
		{"form twice", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["forms"] = []string{"radio", "radio"} }), 422, "invalid_field", "activities[0].forms"},
		{"unknown content area", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["content_area"] = "an_ninh" }), 422, "invalid_field", "activities[0].content_area"},
		{"unknown audience", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["audience"] = "hoc_sinh" }), 422, "invalid_field", "activities[0].audience"},
		{"no title", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["title"] = " <b></b> " }), 422, "invalid_field", "activities[0].title"},
		{"long code", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["code"] = strings.Repeat("2.", 11) }), 422, "invalid_field", "activities[0].code"},
		{"negative target", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["target"] = -1 }), 422, "invalid_field", "activities[0].target"},
		{"target object", "POST", plansPath, editorToken, oneActivity(func(m map[string]any) { m["target"] = map[string]int{"n": 1} }), 422, "invalid_field", "activities[0].target"},
		{"201 activities", "POST", plansPath, editorToken, many, 422, "invalid_field", "activities"},
		{"plan title missing", "POST", plansPath, editorToken, map[string]any{"year": 2022}, 422, "invalid_field", "title"},
		{"plan title too long", "POST", plansPath, editorToken, map[string]any{"title": strings.Repeat("k", 1001), "year": 2022}, 422, "invalid_field", "title"},
		{"year 1999", "POST", plansPath, editorToken, map[string]any{"title": "Kế hoạch", "year": 1999}, 422, "invalid_field", "year"},
		{"unknown field", "POST", plansPath, editorToken, map[string]any{"title": "Kế hoạch", "year": 2022, "nam": 2022}, 422, "invalid_field", "nam"},
		{"an officer", "POST", plansPath, officerToken, plan004(tr.R.ID), 403, "forbidden", ""},
		{"A's admin in B", "POST", plansPath, agencyAdminToken, map[string]any{"agency_id": tr.B.ID, "title": "Kế hoạch", "year": 2022}, 422, "invalid_field", "agency_id"},
		{"A's admin on R's plan", "PATCH", planPath, agencyAdminToken, map[string]any{"title": "Đổi"}, 404, "not_found", ""},
		{"an officer's change", "PATCH", planPath, officerToken, map[string]any{"title": "Đổi"}, 403, "forbidden", ""},
		{"another plan's activity id", "PATCH", planPath, editorToken, keepAll(func(i int, m map[string]any) {
			if i == 2 {
				m["id"] = aA
			}
		}), 422, "invalid_field", "activities[2].id"},
		{"an id twice", "PATCH", planPath, editorToken, keepAll(func(i int, m map[string]any) {
			if i == 2 {
				m["id"] = a21
			}
		}), 422, "invalid_field", "activities[2].id"},
		{"removing an activity in use", "PATCH", planPath, editorToken, withoutUsed, 409, "activity_in_use", ""},
		{"moving the plan", "PATCH", planPath, editorToken, map[string]any{"agency_id": tr.A.ID}, 422, "invalid_field", "agency_id"},
		{"post for A's activity in R", "POST", "/api/v1/posts", editorToken, postFor("activity_id", aA), 422, "invalid_field", "activity_id"},
		{"post for a missing activity", "POST", "/api/v1/posts", editorToken, postFor("activity_id", 999999), 422, "invalid_field", "activity_id"},
		{"post with an unknown area", "POST", "/api/v1/posts", editorToken, postFor("content_area", "an_ninh"), 422, "invalid_field", "content_area"},
		{"post with an unknown audience", "POST", "/api/v1/posts", editorToken, postFor("audience_code", "officials"), 422, "invalid_field", "audience_code"},
		{"post with a negative activity", "POST", "/api/v1/posts", editorToken, postFor("activity_id", -3), 422, "invalid_field", "activity_id"},
		{"schedule for A's activity", "POST", "/api/v1/schedules", editorToken, sch, 422, "invalid_field", "activity_id"},
		{"activity inside a template", "POST", "/api/v1/schedules", editorToken, schTemplate, 422, "invalid_field", "template"},
		{"record of A's officer on R's activity", "POST", "/api/v1/activity-records", agencyOfficerToken, rec("date", "2022-08-15"), 422, "invalid_field", "activity_id"},
		{"record of a missing activity", "POST", "/api/v1/activity-records", officerToken, rec("activity_id", 999999), 422, "invalid_field", "activity_id"},
		{"record without activity", "POST", "/api/v1/activity-records", officerToken, map[string]any{"date": "2022-08-15", "form": "khac"}, 422, "invalid_field", "activity_id"},
		{"record in the future", "POST", "/api/v1/activity-records", officerToken, rec("date", "2022-09-21"), 422, "invalid_field", "date"},
		{"record date unreadable", "POST", "/api/v1/activity-records", officerToken, rec("date", "15-08-2022"), 422, "invalid_field", "date"},
		{"record form unknown", "POST", "/api/v1/activity-records", officerToken, rec("form", "hop_bao"), 422, "invalid_field", "form"},
		{"record count negative", "POST", "/api/v1/activity-records", officerToken, rec("count", -1), 422, "invalid_field", "count"},
		{"record description long", "POST", "/api/v1/activity-records", officerToken, rec("description", strings.Repeat("a", 2001)), 422, "invalid_field", "description"},
		{"records of R's activity for A's officer", "GET", fmt.Sprintf("/api/v1/activity-records?activity_id=%d", a21), agencyOfficerToken, nil, 422, "invalid_field", "activity_id"},
		{"R's plan for A's admin", "GET", planPath, agencyAdminToken, nil, 404, "not_found", ""},
	}
	before := snapshot(t, e)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.do(req{Method: tt.method, Path: tt.path, Token: tt.token, Body: jsonString(t, tt.body)})
			wantError(t, res, tt.status, tt.code, tt.field)
		})
	}
	if after := snapshot(t, e); before != after {
		t.Errorf("refused requests changed what is stored:\nbefore %+v\nafter  %+v", before, after)
	}
}

// stored sums up what the refusal tests must leave unchanged.
type stored struct {
	plans, records, attachments, posts int
	plan                               string
}

func snapshot(t *testing.T, e *env) stored {
	t.Helper()
	ctx := context.Background()
	ps, err := e.store.ListPlans(ctx, storage.PlanFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var s stored
	s.plans = len(ps)
	var b strings.Builder
	for _, p := range ps {
		pl, acts, err := e.store.GetPlan(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d %s %d %s;", pl.ID, pl.Title, pl.Year, pl.Reference)
		for _, a := range acts {
			timing := a.TimingKind
			if a.TimingKind == storage.TimingRange {
				timing = "range " + a.TimingFrom + " " + a.TimingTo
			}
			fmt.Fprintf(&b, " %d %s %s %s %v %s;", a.ID, a.Code, a.ContentArea, a.Audience, a.Forms, timing)
			rs, err := e.store.ListActivityRecords(ctx, a.ID, 1000)
			if err != nil {
				t.Fatal(err)
			}
			s.records += len(rs)
		}
	}
	s.plan = b.String()
	ids := make([]int64, 100)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	atts, err := e.store.AttachmentInfos(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	s.attachments = len(atts)
	s.posts, _ = e.counts()
	return s
}

// TestAttachmentRefusals: a file over 10 MiB is 413 whether the request
// stays under the upload route's limit or not; a file that is no PDF,
// JPEG or PNG by its bytes is 422 whatever its name; an empty one too; the
// JSON routes keep their 1 MiB limit; nothing is stored. Another agency's
// attachment is missing.
func TestAttachmentRefusals(t *testing.T) {
	e := newSeedEnv(t)
	tr := newAgencyTree(t, e)
	res := e.post("/api/v1/plans", editorToken, plan004(tr.R.ID))
	wantStatus(t, res, http.StatusCreated)
	plan := decode[planJSON](t, res)
	fields := map[string]string{"activity_id": fmt.Sprint(plan.Activities[6].ID), "date": "2022-08-15", "form": "hoi_nghi", "count": "1"}
	html := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
	tests := []struct {
		name        string
		file        []byte
		fileName    string
		status      int
		code, field string
	}{
		{"one byte over 10 MiB", pdfBytes(10<<20 + 1), "ds.pdf", 413, "attachment_too_large", "attachment"},
		{"far over the upload limit", pdfBytes(11 << 20), "ds.pdf", 413, "body_too_large", ""},
		{"an HTML page named .pdf", html, "ds.pdf", 422, "invalid_field", "attachment"},
		{"a ZIP named .png", append([]byte("PK\x03\x04"), make([]byte, 100)...), "anh.png", 422, "invalid_field", "attachment"},
		{"an empty file", []byte{}, "ds.pdf", 422, "invalid_field", "attachment"},
	}
	before := snapshot(t, e)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.postMultipart("/api/v1/activity-records", officerToken, fields, tt.fileName, tt.file)
			if tt.field == "" {
				if res.Status != tt.status || !strings.Contains(string(res.Body), tt.code) {
					t.Fatalf("got %s, want %d %s", res, tt.status, tt.code)
				}
				return
			}
			wantError(t, res, tt.status, tt.code, tt.field)
		})
	}
	t.Run("the JSON routes keep 1 MiB", func(t *testing.T) {
		big := map[string]any{"title": strings.Repeat("k", 1<<20), "year": 2022}
		res := e.post("/api/v1/plans", editorToken, big)
		if res.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("a 1 MiB plan: %s", res)
		}
	})
	if after := snapshot(t, e); after != before {
		t.Errorf("refused uploads stored something:\nbefore %+v\nafter  %+v", before, after)
	}
	// A PNG and a JPEG are taken, by their bytes, whatever they are named.
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	res = e.postMultipart("/api/v1/activity-records", officerToken, fields, "ảnh hội nghị.txt", png)
	wantStatus(t, res, http.StatusCreated)
	r := decode[recordJSON](t, res)
	if r.Attachment == nil || r.Attachment.ContentType != "image/png" || r.Attachment.FileName != "ảnh hội nghị.png" {
		t.Fatalf("PNG record = %+v", r)
	}
	// A's people cannot fetch R's attachment: it is missing, like id 999999.
	got := e.get(r.Attachment.URL, agencyOfficerToken)
	missing := e.get("/api/v1/attachments/999999", agencyOfficerToken)
	if got.Status != http.StatusNotFound || string(got.Body) != string(missing.Body) {
		t.Errorf("A's officer on R's attachment: %s; on a missing one: %s", got, missing)
	}
}

// TestVocabularies: everyone reads the lists; only the root agency's admin
// adds, renames and disables terms; a disabled term is no longer accepted
// on a post but stays readable with ?disabled=1; codes never change.
func TestVocabularies(t *testing.T) {
	e := newEnv(t)
	newAgencyTree(t, e)
	type termJSON struct {
		ID         int64      `json:"id"`
		Kind       string     `json:"kind"`
		Code       string     `json:"code"`
		Label      string     `json:"label"`
		Position   int        `json:"position"`
		DisabledAt *time.Time `json:"disabled_at"`
	}
	terms := decode[struct{ Items []termJSON }](t, e.get("/api/v1/vocabularies?kind=content_area", officerToken)).Items
	if len(terms) != 12 || terms[3].Code != "tthc" || terms[3].Label != "Cải cách thủ tục hành chính, cơ chế một cửa, một cửa liên thông" {
		t.Fatalf("content areas = %+v", terms)
	}
	wantError(t, e.get("/api/v1/vocabularies?kind=mau_sac", officerToken), 422, "invalid_field", "kind")
	newTerm := map[string]any{"kind": "content_area", "code": "chuyen_doi_so", "label": "Chuyển đổi số"}
	wantError(t, e.post("/api/v1/vocabularies", editorToken, newTerm), 403, "forbidden", "")
	wantError(t, e.post("/api/v1/vocabularies", agencyAdminToken, newTerm), 403, "forbidden", "")
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"kind": "mau", "code": "do", "label": "Đỏ"}, "kind"},
		{map[string]any{"kind": "audience", "code": "Học Sinh", "label": "Học sinh"}, "code"},
		{map[string]any{"kind": "audience", "code": "can_bo", "label": "Cán bộ"}, "code"},
		{map[string]any{"kind": "audience", "code": "hoc_sinh", "label": ""}, "label"},
		{map[string]any{"kind": "audience", "code": "hoc_sinh", "label": "Học sinh", "position": 0}, "position"},
	} {
		wantError(t, e.post("/api/v1/vocabularies", adminToken, bad.body), 422, "invalid_field", bad.field)
	}
	res := e.post("/api/v1/vocabularies", adminToken, newTerm)
	wantStatus(t, res, http.StatusCreated)
	term := decode[termJSON](t, res)
	if term.Position != 13 {
		t.Errorf("new term's position = %d, want 13 (after the seeded 12)", term.Position)
	}
	site := e.createWebhook("Trang thông tin điện tử")
	body := postBody(site.ID)
	body["content_area"] = "chuyen_doi_so"
	res = e.post("/api/v1/posts", editorToken, body)
	wantStatus(t, res, http.StatusCreated)
	held := decode[classifiedJSON](t, res)

	wantError(t, e.patch(fmt.Sprintf("/api/v1/vocabularies/%d", term.ID), adminToken, map[string]any{"code": "cds"}), 422, "invalid_field", "code")
	res = e.patch(fmt.Sprintf("/api/v1/vocabularies/%d", term.ID), adminToken, map[string]any{"label": "Chuyển đổi số, Đề án 06", "disabled": true})
	wantStatus(t, res, http.StatusOK)
	if got := decode[termJSON](t, res); got.Label != "Chuyển đổi số, Đề án 06" || got.DisabledAt == nil || got.Code != "chuyen_doi_so" {
		t.Errorf("changed term = %+v", got)
	}
	wantError(t, e.post("/api/v1/posts", editorToken, body), 422, "invalid_field", "content_area")
	// A post that already holds the disabled term stays editable and keeps it.
	res = e.patch(fmt.Sprintf("/api/v1/posts/%d", held.ID), editorToken, map[string]any{"summary": "Đã sửa."})
	wantStatus(t, res, http.StatusOK)
	if got := decode[classifiedJSON](t, res); got.ContentArea != "chuyen_doi_so" {
		t.Errorf("edited post's content area = %q, want the disabled term it held", got.ContentArea)
	}
	if l := decode[struct{ Items []termJSON }](t, e.get("/api/v1/vocabularies?kind=content_area", officerToken)).Items; len(l) != 12 {
		t.Errorf("enabled content areas = %d, want 12", len(l))
	}
	if l := decode[struct{ Items []termJSON }](t, e.get("/api/v1/vocabularies?kind=content_area&disabled=1", officerToken)).Items; len(l) != 13 {
		t.Errorf("all content areas = %d, want 13", len(l))
	}
	wantError(t, e.patch("/api/v1/vocabularies/999999", adminToken, map[string]any{"label": "x"}), 404, "not_found", "")
}

// TestActivityRecordsIsolation: the records routes, which the isolation
// matrix cannot drive by agency_id, answer A's people for B's activity
// exactly as for one that does not exist, and R's people reach both.
func TestActivityRecordsIsolation(t *testing.T) {
	e := newEnv(t)
	tr := newAgencyTree(t, e)
	mk := func(token string) int64 {
		res := e.post("/api/v1/plans", token, map[string]any{"title": "Kế hoạch", "year": 2026,
			"activities": []map[string]any{{"title": "Hội nghị", "timing": "Q4", "forms": []string{"hoi_nghi"}}}})
		wantStatus(t, res, http.StatusCreated)
		return decode[planJSON](t, res).Activities[0].ID
	}
	inA := mk(agencyAdminToken)
	res := e.post("/api/v1/agencies", adminToken, map[string]any{"name": "Huyện C", "code": "c", "parent_id": tr.R.ID})
	wantStatus(t, res, http.StatusCreated)
	// R's editor makes B's plan.
	res = e.post("/api/v1/plans", editorToken, map[string]any{"agency_id": tr.B.ID, "title": "Kế hoạch B", "year": 2026,
		"activities": []map[string]any{{"title": "Tờ rơi", "timing": "ca_nam", "forms": []string{"to_roi"}}}})
	wantStatus(t, res, http.StatusCreated)
	inB := decode[planJSON](t, res).Activities[0].ID
	rec := func(id int64) map[string]any {
		return map[string]any{"activity_id": id, "date": "2026-11-01", "form": "to_roi", "count": 500}
	}
	for _, tok := range []string{agencyAdminToken, agencyOfficerToken} {
		got, missing := e.post("/api/v1/activity-records", tok, rec(inB)), e.post("/api/v1/activity-records", tok, rec(987654))
		want := strings.ReplaceAll(string(missing.Body), "987654", fmt.Sprint(inB))
		if got.Status != http.StatusUnprocessableEntity || string(got.Body) != want {
			t.Errorf("A's user recording on B's activity: %s; on a missing one: %s", got, missing)
		}
		got = e.get(fmt.Sprintf("/api/v1/activity-records?activity_id=%d", inB), tok)
		missing = e.get("/api/v1/activity-records?activity_id=987654", tok)
		if got.Status != missing.Status || string(got.Body) != strings.ReplaceAll(string(missing.Body), "987654", fmt.Sprint(inB)) {
			t.Errorf("A's user listing B's records: %s; a missing activity's: %s", got, missing)
		}
		wantStatus(t, e.post("/api/v1/activity-records", tok, rec(inA)), http.StatusCreated)
	}
	for _, id := range []int64{inA, inB} {
		wantStatus(t, e.post("/api/v1/activity-records", officerToken, rec(id)), http.StatusCreated)
		if l := decode[struct{ Items []recordJSON }](t, e.get(fmt.Sprintf("/api/v1/activity-records?activity_id=%d", id), officerToken)).Items; len(l) == 0 {
			t.Errorf("R's officer sees no records of activity %d", id)
		}
	}
}
