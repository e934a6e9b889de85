package importer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// wantIssue is a row's expected problem.
type wantIssue struct {
	row    int
	column string
	code   string
	msg    string // part of the English message
}

func checkIssues(t *testing.T, got []Issue, want []wantIssue) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d issues, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Row != w.row || g.Column != w.column || g.Code != w.code || !strings.Contains(g.Message, w.msg) {
			t.Errorf("issue %d = row %d, column %q, code %q, %q; want row %d, column %q, code %q, containing %q",
				i, g.Row, g.Column, g.Code, g.Message, w.row, w.column, w.code, w.msg)
		}
	}
}

// The done-when test: a 2,000-row file with exactly three bad rows is
// reported with exactly those rows and imports nothing; fixed, it imports
// 2,000 posts with all their deliveries, queued after the commit.
func TestTwoThousandRowsWithThreeBad(t *testing.T) {
	for _, format := range []string{FormatXLSX, FormatCSV} {
		t.Run(format, func(t *testing.T) {
			f := newFixture(t, Limits{})
			ctx := context.Background()
			good, deliveries := f.bigSheet(2000)
			bad := slices.Clone(good)
			for _, i := range []int{101, 1001, 2000} { // sheet rows 102, 1002 and 2001
				bad[i] = slices.Clone(bad[i])
			}
			bad[101][1] = "   "               // no title
			bad[1001][8] = "31/02/2026 07:30" // no such day
			bad[2000][4] = fmt.Sprint(f.bWeb) // a channel of xã B, outside A
			bad[2000][5], bad[2000][7] = "", ""
			encode := func(s sheet) []byte {
				if format == FormatCSV {
					return s.csv(t, ';', true)
				}
				return s.xlsx(t, "Tin bài", nil)
			}
			want := []wantIssue{
				{102, "Tiêu đề", CodeInvalidField, "required"},
				{1002, "Thời gian", CodeBadTime, "dd/mm/yyyy"},
				{2001, "Kênh", CodeInvalidField, fmt.Sprintf("unknown channel ids %d", f.bWeb)},
			}
			posts0, deliveries0 := f.counts(t)

			rep, err := f.imp.Check(ctx, f.editor, encode(bad))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Format != format || rep.Rows != 2000 || rep.Valid() || rep.BadRows() != 3 {
				t.Fatalf("report: format %s, %d rows, %d bad", rep.Format, rep.Rows, rep.BadRows())
			}
			checkIssues(t, rep.Issues, want)

			start := time.Now()
			res, err := f.imp.Import(ctx, f.editor, encode(bad))
			if !errors.Is(err, ErrInvalidRows) {
				t.Fatalf("import of a bad file: %v", err)
			}
			checkIssues(t, res.Issues, want)
			if p, d := f.counts(t); p != posts0 || d != deliveries0 || f.rec.queued() != 0 {
				t.Fatalf("a bad file changed the database: %d posts, %d deliveries, %d queued", p, d, f.rec.queued())
			}
			t.Logf("%s: 2,000 rows checked and refused in %s", format, time.Since(start).Round(time.Millisecond))

			start = time.Now()
			res, err = f.imp.Import(ctx, f.editor, encode(good))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: 2,000 rows checked and imported (%d deliveries) in %s", format, res.Deliveries, time.Since(start).Round(time.Millisecond))
			p, d := f.counts(t)
			if len(res.PostIDs) != 2000 || p != posts0+2000 || d != deliveries0+deliveries || res.Deliveries != deliveries {
				t.Fatalf("imported %d posts (%d in the database), %d deliveries (%d in the database); want 2000 and %d",
					len(res.PostIDs), p-posts0, res.Deliveries, d-deliveries0, deliveries)
			}
			if f.rec.queued() != deliveries || res.PendingApproval != 0 {
				t.Fatalf("%d deliveries queued, %d waiting; want %d queued", f.rec.queued(), res.PendingApproval, deliveries)
			}
			f.checkRows(t, res.PostIDs, good)
		})
	}
}

// checkRows checks a few imported posts against their rows.
func (f *fixture) checkRows(t *testing.T, ids []int64, s sheet) {
	t.Helper()
	ctx := context.Background()
	for _, i := range []int{0, 1, 2, 3, 1999} {
		p, ds, err := f.store.GetPost(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		row := s[i+1]
		if p.Title != row[1] || p.AgencyID != f.a.ID || p.Status != storage.PostScheduled {
			t.Errorf("row %d became %q in agency %d, %s", i+2, p.Title, p.AgencyID, p.Status)
		}
		if act := p.Classification.ActivityID; act == nil || *act != f.aActs["2.4"] {
			t.Errorf("row %d carries activity %v, want 2.4's id %d", i+2, act, f.aActs["2.4"])
		}
		var chs []int64
		for _, d := range ds {
			chs = append(chs, d.ChannelID)
		}
		var want []int64
		switch i % 3 {
		case 0:
			want = []int64{f.aWeb}
		case 1:
			want = []int64{f.aZalo, f.aRadio}
		case 2:
			want = []int64{f.aWeb, f.a1Web}
			if p.Selector == nil || p.Selector.AgencyID != f.a.ID || !p.Selector.Descendants {
				t.Errorf("row %d kept selector %+v", i+2, p.Selector)
			}
		}
		slices.Sort(chs)
		if !slices.Equal(chs, want) {
			t.Errorf("row %d went to %v, want %v", i+2, chs, want)
		}
		wantAt := now
		if row[8] != "" {
			at, _ := time.ParseInLocation("02/01/2006 15:04", row[8], ict)
			wantAt = at
		}
		if !p.PublishAt.Equal(wantAt) {
			t.Errorf("row %d publishes at %s, want %s", i+2, p.PublishAt, wantAt)
		}
	}
}

// An officer's imported posts wait for approval, as their Submit would,
// and nothing is queued; an editor's are scheduled at once.
func TestImportAppliesTheApprovalRule(t *testing.T) {
	f := newFixture(t, Limits{})
	s := sheet{{"Tiêu đề", "Kênh"}, {"Tin một", "Trang tin xã A"}, {"Tin hai", "Zalo xã A"}}
	res, err := f.imp.Import(context.Background(), f.officer, s.csv(t, ',', false))
	if err != nil {
		t.Fatal(err)
	}
	if res.PendingApproval != 2 || f.rec.queued() != 0 {
		t.Fatalf("officer's import: %d pending, %d queued; want 2 and 0", res.PendingApproval, f.rec.queued())
	}
	for _, id := range res.PostIDs {
		p, ds, err := f.store.GetPost(context.Background(), id)
		if err != nil || p.Status != storage.PostPendingApproval || ds[0].Status != storage.DeliveryPendingApproval {
			t.Fatalf("post %d: %s, %v", id, p.Status, err)
		}
	}
}

// Channels, selectors and agencies outside the user's agencies are refused
// exactly like ones that do not exist, by name, by id and by code.
func TestImportRefusesWhatIsOutsideScope(t *testing.T) {
	f := newFixture(t, Limits{})
	s := sheet{
		{"Tiêu đề", "Kênh", "Đơn vị", "Bao gồm đơn vị trực thuộc", "Loại kênh"},
		{"Tên kênh xã B", "Trang tin xã B", "", "", ""},
		{"Mã kênh xã B", fmt.Sprint(f.bWeb), "", "", ""},
		{"Mã đơn vị xã B", "", "xa-b", "có", ""},
		{"Kênh không có", "999999", "", "", ""},
		{"Đơn vị không có", "", "khong-co", "", ""},
		{"Đơn vị cha", "", "root-khong", "", ""},
		{"Hợp lệ", "Trang tin thôn A1", "", "", ""},
	}
	s[6][2] = f.root.Code
	rep, err := f.imp.Check(context.Background(), f.editor, s.csv(t, ',', false))
	if err != nil {
		t.Fatal(err)
	}
	checkIssues(t, rep.Issues, []wantIssue{
		{2, "Kênh", CodeUnknownChannel, `no channel named "Trang tin xã B"`},
		{3, "Kênh", CodeInvalidField, fmt.Sprintf("unknown channel ids %d", f.bWeb)},
		{4, "Đơn vị", CodeUnknownAgency, `"xa-b"`},
		{5, "Kênh", CodeInvalidField, "unknown channel ids 999999"},
		{6, "Đơn vị", CodeUnknownAgency, `"khong-co"`},
		{7, "Đơn vị", CodeUnknownAgency, fmt.Sprintf("%q", f.root.Code)},
	})
	// The province's editor reaches B.
	rep, err = f.imp.Check(context.Background(), f.rootEditor, sheet{s[0], s[1], s[2], s[3]}.csv(t, ',', false))
	if err != nil || !rep.Valid() {
		t.Fatalf("root editor: %+v, %v", rep.Issues, err)
	}
}

// Each row is checked by the publishing rules themselves: the report names
// each rule's column and code.
func TestImportReportsEachRule(t *testing.T) {
	f := newFixture(t, Limits{})
	past := now.In(ict).Add(-time.Hour).Format("02/01/2006 15:04")
	far := now.In(ict).AddDate(6, 0, 0).Format("02/01/2006 15:04")
	s := sheet{
		{"Tiêu đề", "Kênh", "Thời gian", "Loại kênh", "Đường dẫn bài gốc", "Bao gồm đơn vị trực thuộc", "Hoạt động", "Lĩnh vực", "Đối tượng"},
		{"Quá khứ", "Trang tin xã A", past, "", "", "", "", "", ""},
		{"Quá xa", "Trang tin xã A", far, "", "", "", "", "", ""},
		{"Không kênh", "", "", "", "", "", "", "", ""},
		{"Loại lạ", "", "", "máy fax", "", "", "", "", ""},
		{"Đường dẫn", "Trang tin xã A", "", "", "ftp://x", "", "", "", ""},
		{"Trùng kênh", fmt.Sprintf("Trang tin xã A; %d", f.aWeb), "", "", "", "", "", "", ""},
		{"Có/không", "", "", "radio", "", "có lẽ", "", "", ""},
		{"Khung giờ", "Trang tin xã A", "khung giờ tiếp theo", "", "", "", "", "", ""},
		{strings.Repeat("Dài ", 200), "Trang tin xã A", "", "", "", "", "", "", ""},
		{"Hoạt động lạ", "Trang tin xã A", "", "", "", "", "9.9", "", ""},
		{"Hoạt động của xã B", "Trang tin xã A", "", "", "", "", fmt.Sprint(f.bAct), "", ""},
		{"Lĩnh vực lạ", "Trang tin xã A", "", "", "", "", "", "không có", ""},
		{"Đối tượng lạ", "Trang tin xã A", "", "", "", "", "", "", "ai đó"},
		{"Hợp lệ theo tên", "Trang tin xã A", "", "", "", "", "2.7", "Dịch vụ công trực tuyến", "nguoi_dan"},
	}
	rep, err := f.imp.Check(context.Background(), f.editor, s.csv(t, ',', false))
	if err != nil {
		t.Fatal(err)
	}
	checkIssues(t, rep.Issues, []wantIssue{
		{2, "Thời gian", publishing.RuleInPast, "in the past"},
		{3, "Thời gian", publishing.RuleTooFar, "five years"},
		{4, "Kênh", CodeInvalidField, "at least one channel"},
		{5, "Loại kênh", CodeInvalidField, "unknown channel kind"},
		{6, "Đường dẫn bài gốc", CodeInvalidField, "link"},
		{7, "Kênh", CodeInvalidField, "twice"},
		{8, "Bao gồm đơn vị trực thuộc", CodeBadYesNo, "có"},
		{9, "Thời gian", CodeInvalidField, "next_slot needs a channel with posting slots"},
		{10, "Tiêu đề", CodeInvalidField, "longer than"},
		{11, "Hoạt động", CodeUnknownActivity, `no activity with code "9.9"`},
		{12, "Hoạt động", publishing.RuleForeignActivity, "is not in the plans"},
		{13, "Lĩnh vực", publishing.RuleUnknownCode, "not a code"},
		{14, "Đối tượng", publishing.RuleUnknownCode, "not a code"},
	})
}

// "khung giờ tiếp theo" takes the channel's next free slots, one per post,
// inside the one transaction.
func TestImportNextSlots(t *testing.T) {
	f := newFixture(t, Limits{})
	ctx := context.Background()
	if _, err := f.store.EditChannel(ctx, f.aWeb, "test", func(ch *storage.Channel) error {
		ch.Slots = storage.Slots{"07:00", "17:00"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s := sheet{{"Tiêu đề", "Kênh", "Thời gian"}}
	for i := range 3 {
		s = append(s, []string{fmt.Sprint("Tin ", i), "Trang tin xã A", "Khung giờ tiếp theo"})
	}
	res, err := f.imp.Import(ctx, f.editor, s.xlsx(t, "Sheet1", nil))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, id := range res.PostIDs {
		p, _, _ := f.store.GetPost(ctx, id)
		got = append(got, p.PublishAt.In(ict).Format("02/01 15:04"))
	}
	// now is 08:30 local on 20/11: the next slots are 17:00, then the 21st.
	if want := []string{"20/11 17:00", "21/11 07:00", "21/11 17:00"}; !slices.Equal(got, want) {
		t.Fatalf("slots %v, want %v", got, want)
	}
}

// A user the policy does not let submit posts imports nothing.
func TestImportNeedsThePolicy(t *testing.T) {
	f := newFixture(t, Limits{})
	u := f.editor
	u.Role = "viewer"
	_, err := f.imp.Check(context.Background(), u, sheet{{"Tiêu đề", "Kênh"}, {"Tin", "Trang tin xã A"}}.csv(t, ',', false))
	if !errors.Is(err, publishing.ErrNotAllowed) {
		t.Fatalf("got %v, want not allowed", err)
	}
}
