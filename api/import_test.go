package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/importer"
)

type importReport struct {
	Format  string `json:"format"`
	Rows    int    `json:"rows"`
	Valid   bool   `json:"valid"`
	BadRows int    `json:"bad_rows"`
	Errors  []struct {
		Row     int    `json:"row"`
		Column  string `json:"column"`
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
	IgnoredColumns []string `json:"ignored_columns"`
}

type importResult struct {
	Rows            int     `json:"rows"`
	Imported        int     `json:"imported"`
	Deliveries      int     `json:"deliveries"`
	PendingApproval int     `json:"pending_approval"`
	PostIDs         []int64 `json:"post_ids"`
}

func csvFile(t *testing.T, rows ...[]string) string {
	t.Helper()
	var b bytes.Buffer
	if err := csv.NewWriter(&b).WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// upload posts file to the import route: as a multipart form's "file"
// part, or as the body itself.
func (e *env) upload(query, token, file string, asForm bool) response {
	e.t.Helper()
	r := req{Method: http.MethodPost, Path: "/api/v1/posts/import" + query, Token: token, Body: file,
		Header: map[string]string{"Content-Type": "text/csv"}}
	if asForm {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		_ = w.WriteField("note", "x")
		part, _ := w.CreateFormFile("file", "tin-bai.csv")
		_, _ = part.Write([]byte(file))
		_ = w.Close()
		r.Body, r.Header["Content-Type"] = b.String(), w.FormDataContentType()
	}
	return e.do(r)
}

// A dry run lists every bad row with its column, code and English
// message; an import of that file is refused naming them and stores
// nothing; the fixed file is imported, every post with its deliveries.
func TestImportPostsAPI(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Trang tin tỉnh")
	bad := csvFile(t, []string{"Tiêu đề", "Kênh", "Ghi chú"}, []string{"Tin một", "Trang tin tỉnh", ""},
		[]string{"", "Trang tin tỉnh", ""}, []string{"Tin ba", fmt.Sprint(ch.ID), "x"})
	r := e.upload("?dry_run=true", editorToken, bad, true)
	wantStatus(t, r, http.StatusOK)
	rep := decode[importReport](t, r)
	if rep.Format != "csv" || rep.Rows != 3 || rep.Valid || rep.BadRows != 1 || len(rep.Errors) != 1 ||
		len(rep.IgnoredColumns) != 1 || rep.IgnoredColumns[0] != "Ghi chú" {
		t.Fatalf("report %+v", rep)
	}
	if got := rep.Errors[0]; got.Row != 3 || got.Column != "Tiêu đề" || got.Field != "title" || got.Code != "invalid_field" ||
		!strings.HasPrefix(got.Message, "title: ") {
		t.Fatalf("error %+v", got)
	}

	posts0, deliveries0 := e.counts()
	r = e.upload("", editorToken, bad, false)
	wantError(t, r, http.StatusUnprocessableEntity, "invalid_rows", "file")
	if !strings.Contains(string(r.Body), "row 3 (Tiêu đề): title:") {
		t.Fatalf("refusal does not name the row: %s", r.Body)
	}
	if p, d := e.counts(); p != posts0 || d != deliveries0 || len(e.sched.Calls()) != 0 {
		t.Fatalf("a bad file changed something: %d posts, %d deliveries, %d queued", p, d, len(e.sched.Calls()))
	}

	good := strings.Replace(bad, "\n,Trang", "\nTin hai,Trang", 1)
	r = e.upload("", editorToken, good, true)
	wantStatus(t, r, http.StatusCreated)
	res := decode[importResult](t, r)
	if res.Imported != 3 || len(res.PostIDs) != 3 || res.Deliveries != 3 || res.PendingApproval != 0 {
		t.Fatalf("result %+v", res)
	}
	if p, d := e.counts(); p != posts0+3 || d != deliveries0+3 || len(e.sched.callsOf("schedule")) != 3 {
		t.Fatalf("%d posts, %d deliveries, %d queued after the import", p-posts0, d-deliveries0, len(e.sched.callsOf("schedule")))
	}

	r = e.upload("", officerToken, good, false)
	wantStatus(t, r, http.StatusCreated)
	if res := decode[importResult](t, r); res.PendingApproval != 3 || len(e.sched.callsOf("schedule")) != 3 {
		t.Fatalf("officer's import: %+v, %d queued", res, len(e.sched.callsOf("schedule")))
	}
}

// Each cap is refused with its status and code; the import route bounds its
// own body (a file above the server's body limit but within the import's
// is read) while every other route keeps the server's limit.
func TestImportCapsAPI(t *testing.T) {
	e := newEnv(t, func(o *api.Options) {
		o.MaxBodyBytes = 1000
		o.Import = importer.Limits{MaxBytes: 4000, MaxRows: 3}
	})
	e.createWebhook("Trang tin tỉnh")
	row := []string{"Tin", "Trang tin tỉnh", strings.Repeat("Nội dung dài. ", 30)}
	withinImport := csvFile(t, []string{"Tiêu đề", "Kênh", "Nội dung"}, row, row, row) // about 1.5 KB
	if len(withinImport) <= 1000 || len(withinImport) > 4000 {
		t.Fatalf("test file is %d bytes", len(withinImport))
	}
	wantStatus(t, e.upload("?dry_run=true", editorToken, withinImport, false), http.StatusOK)
	wantStatus(t, e.upload("?dry_run=true", editorToken, withinImport, true), http.StatusOK)
	wantError(t, e.do(req{Method: http.MethodPost, Path: "/api/v1/posts", Token: editorToken,
		Body: `{"title":"` + strings.Repeat("x", 1200) + `"}`}), http.StatusRequestEntityTooLarge, "body_too_large", "")

	huge := csvFile(t, []string{"Tiêu đề", "Kênh"}, []string{strings.Repeat("x", 4001), "Trang tin tỉnh"})
	tests := []struct {
		name        string
		r           req
		status      int
		code, field string
	}{
		{"too large", req{Method: http.MethodPost, Path: "/api/v1/posts/import", Token: editorToken, Body: huge,
			Header: map[string]string{"Content-Type": "text/csv"}}, http.StatusRequestEntityTooLarge, importer.CodeFileTooLarge, "file"},
		{"too large, no length", req{Method: http.MethodPost, Path: "/api/v1/posts/import", Token: editorToken, Body: huge,
			Header: map[string]string{"Content-Type": "text/csv"}, Chunked: true}, http.StatusRequestEntityTooLarge, importer.CodeFileTooLarge, "file"},
		{"too many rows", req{Method: http.MethodPost, Path: "/api/v1/posts/import", Token: editorToken,
			Body: csvFile(t, []string{"Tiêu đề", "Kênh", "Nội dung"}, row, row, row, row), Header: map[string]string{"Content-Type": "text/csv"}},
			http.StatusUnprocessableEntity, importer.CodeTooManyRows, "file"},
		{"no file part", req{Method: http.MethodPost, Path: "/api/v1/posts/import", Token: editorToken, Body: "--b\r\n\r\n--b--\r\n",
			Header: map[string]string{"Content-Type": "multipart/form-data; boundary=b"}}, http.StatusBadRequest, "missing_file", ""},
		{"bad dry_run", req{Method: http.MethodPost, Path: "/api/v1/posts/import?dry_run=maybe", Token: editorToken, Body: withinImport,
			Header: map[string]string{"Content-Type": "text/csv"}}, http.StatusBadRequest, "invalid_query", ""},
		{"not signed in", req{Method: http.MethodPost, Path: "/api/v1/posts/import", Body: withinImport,
			Header: map[string]string{"Content-Type": "text/csv"}}, http.StatusUnauthorized, "unauthorized", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.do(tt.r), tt.status, tt.code, tt.field)
		})
	}
	if p, d := e.counts(); p != 0 || d != 0 {
		t.Fatalf("%d posts, %d deliveries after refusals", p, d)
	}
}

// The templates are served as attachments; the workbook's example row
// passes a dry run.
func TestImportTemplateAPI(t *testing.T) {
	e := newEnv(t)
	e.createWebhook("Trang tin tỉnh")
	r := e.get("/api/v1/posts/import/template.xlsx", officerToken)
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("headers %v", r.Header)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, _ := wb.GetRows("Tin bài")
	if len(rows) != 2 || rows[0][0] != "Tiêu đề" || rows[1][3] != "Trang tin tỉnh" {
		t.Fatalf("template rows %q", rows)
	}
	wantStatus(t, e.do(req{Method: http.MethodPost, Path: "/api/v1/posts/import?dry_run=true", Token: officerToken,
		Body: string(r.Body), Header: map[string]string{"Content-Type": "application/octet-stream"}}), http.StatusOK)
	r = e.get("/api/v1/posts/import/template.csv", officerToken)
	wantStatus(t, r, http.StatusOK)
	if !bytes.HasPrefix(r.Body, []byte("\xEF\xBB\xBFTiêu đề,")) || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv template %q", r.Body)
	}
	wantError(t, e.get("/api/v1/posts/import/template.csv", ""), http.StatusUnauthorized, "unauthorized", "")
}

// The import's scope: a user of A names B's channels (by id or name) and
// B's agency as if they did not exist, and A's template lists nothing of
// B's; the root's admin reaches B.
func TestImportIsolation(t *testing.T) {
	e := newEnv(t)
	tr := newAgencyTree(t, e)
	channelIn := func(name string, agency int64) channelJSON {
		r := e.post("/api/v1/channels", adminToken, map[string]any{"name": name, "kind": "webhook", "config": webhookConfig(),
			"agency_id": agency})
		wantStatus(t, r, http.StatusCreated)
		return decode[channelJSON](t, r)
	}
	channelIn("Trang tin huyện A", tr.A.ID)
	bWeb := channelIn("Trang tin huyện B", tr.B.ID)
	file := csvFile(t, []string{"Tiêu đề", "Kênh", "Đơn vị", "Loại kênh"},
		[]string{"Mã kênh của B", fmt.Sprint(bWeb.ID), "", ""},
		[]string{"Mã kênh không có", fmt.Sprint(missingID), "", ""},
		[]string{"Tên kênh của B", "Trang tin huyện B", "", ""},
		[]string{"Tên kênh không có", "Trang tin không có", "", ""},
		[]string{"Đơn vị B", "", "b", "webhook"},
		[]string{"Đơn vị không có", "", "khong-co", "webhook"})
	rep := decode[importReport](t, e.upload("?dry_run=true", agencyAdminToken, file, false))
	if len(rep.Errors) != 6 {
		t.Fatalf("A's admin: %+v", rep)
	}
	for i := 0; i < 6; i += 2 {
		b, missing := rep.Errors[i], rep.Errors[i+1]
		missing.Row = b.Row
		missing.Message = strings.ReplaceAll(missing.Message, fmt.Sprint(missingID), fmt.Sprint(bWeb.ID))
		missing.Message = strings.ReplaceAll(missing.Message, "Trang tin không có", "Trang tin huyện B")
		missing.Message = strings.ReplaceAll(missing.Message, "khong-co", "b")
		if b != missing {
			t.Errorf("A's admin: B's %+v differs from a missing one's %+v", b, rep.Errors[i+1])
		}
	}
	rep = decode[importReport](t, e.upload("?dry_run=true", adminToken, file, false))
	if len(rep.Errors) != 3 || rep.Errors[0].Row != 3 || rep.Errors[1].Row != 5 || rep.Errors[2].Row != 7 {
		t.Errorf("root's admin: %+v", rep)
	}
	for _, path := range []string{"/api/v1/posts/import/template.xlsx", "/api/v1/posts/import/template.csv"} {
		r := e.get(path, agencyOfficerToken)
		wantStatus(t, r, http.StatusOK)
		text := string(r.Body)
		if strings.HasSuffix(path, ".xlsx") {
			text = workbookText(t, r.Body)
		}
		if !strings.Contains(text, "Trang tin huyện A") || strings.Contains(text, "huyện B") || strings.Contains(text, "Huyện B") {
			t.Errorf("A's template %s: %s", path, text)
		}
	}
}

// workbookText is every cell of every sheet of a workbook.
func workbookText(t *testing.T, data []byte) string {
	t.Helper()
	wb, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	var b strings.Builder
	for _, name := range wb.GetSheetList() {
		rows, _ := wb.GetRows(name)
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return b.String()
}
