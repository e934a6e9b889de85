package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

var (
	now = time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC)
	ict = time.FixedZone("ICT", 7*3600)
)

// recorder is the queue: it records what is queued and checks, at each
// call, that its first delivery is already committed and scheduled.
type recorder struct {
	t     *testing.T
	store *storage.Store
	mu    sync.Mutex
	ids   []int64
}

func (r *recorder) ScheduleMany(ctx context.Context, ids []int64, _ time.Time) error {
	d, _, err := r.store.GetDelivery(ctx, ids[0])
	if err != nil || d.Status != storage.DeliveryScheduled {
		r.t.Errorf("delivery %d queued before its commit: %+v, %v", ids[0], d, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, ids...)
	return nil
}
func (r *recorder) RunNow(context.Context, int64) error     { return nil }
func (r *recorder) Unschedule(context.Context, int64) error { return nil }
func (r *recorder) queued() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ids)
}

// fixture is a tree root → xã A → thôn A1, root → xã B, with channels:
// in A a webhook "Trang tin xã A", a Zalo OA "Zalo xã A" and a radio; in
// A1 a webhook; in B a webhook "Trang tin xã B". Its editor and officer
// belong to A.
type fixture struct {
	store           *storage.Store
	pub             *publishing.Service
	rec             *recorder
	imp             *Service
	root, a, a1, b  storage.Agency
	aWeb, aZalo     int64
	aRadio, a1Web   int64
	bWeb            int64
	editor, officer storage.User
	rootEditor      storage.User
	// aActs are the activities 2.1–2.7 of A's plan for 2026; bAct is 2.4
	// of B's.
	aActs map[string]int64
	bAct  int64
}

func newFixture(t *testing.T, lim Limits) *fixture {
	t.Helper()
	ctx := context.Background()
	store := storagetest.OpenWithClock(t, func() time.Time { return now })
	f := &fixture{store: store, rec: &recorder{t: t, store: store}}
	f.pub = publishing.New(publishing.Options{Store: store, Scheduler: f.rec, Now: func() time.Time { return now },
		Location: ict, Kinds: []string{"webhook", "wordpress", "zalo_oa", "radio", "rss"}})
	f.imp = New(Options{Publishing: f.pub, Store: store, Location: ict, Limits: lim, Now: func() time.Time { return now }})
	var err error
	if f.root, err = store.RootAgency(ctx); err != nil {
		t.Fatal(err)
	}
	f.a = mkAgency(t, store, "Xã A", "xa-a", f.root.ID)
	f.a1 = mkAgency(t, store, "Thôn A1", "thon-a1", f.a.ID)
	f.b = mkAgency(t, store, "Xã B", "xa-b", f.root.ID)
	f.aWeb = mkChannel(t, store, f.a.ID, "webhook", "Trang tin xã A")
	f.aZalo = mkChannel(t, store, f.a.ID, "zalo_oa", "Zalo xã A")
	f.aRadio = mkChannel(t, store, f.a.ID, "radio", "Truyền thanh xã A")
	f.a1Web = mkChannel(t, store, f.a1.ID, "webhook", "Trang tin thôn A1")
	f.bWeb = mkChannel(t, store, f.b.ID, "webhook", "Trang tin xã B")
	f.editor = mkUser(t, store, storage.RoleEditor, f.a.ID)
	f.officer = mkUser(t, store, storage.RoleOfficer, f.a.ID)
	f.rootEditor = mkUser(t, store, storage.RoleEditor, f.root.ID)
	f.aActs = map[string]int64{}
	for _, a := range mkPlan(t, store, f.a.ID, "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7") {
		f.aActs[a.Code] = a.ID
	}
	f.bAct = mkPlan(t, store, f.b.ID, "2.4")[0].ID
	return f
}

func mkPlan(t *testing.T, store *storage.Store, agency int64, codes ...string) []storage.PlanActivity {
	t.Helper()
	var acts []storage.PlanActivity
	for _, c := range codes {
		acts = append(acts, storage.PlanActivity{Code: c, Title: "Hoạt động " + c, TimingKind: storage.TimingAllYear})
	}
	p := storage.Plan{AgencyID: agency, Title: "Kế hoạch tuyên truyền CCHC năm 2026", Year: 2026}
	acts, err := store.CreatePlan(context.Background(), &p, acts, "test")
	if err != nil {
		t.Fatal(err)
	}
	return acts
}

func mkAgency(t *testing.T, store *storage.Store, name, code string, parent int64) storage.Agency {
	t.Helper()
	a := storage.Agency{Name: name, Code: code, ParentID: &parent}
	if err := store.CreateAgency(context.Background(), &a, "test"); err != nil {
		t.Fatal(err)
	}
	return a
}

func mkChannel(t *testing.T, store *storage.Store, agency int64, kind, name string) int64 {
	t.Helper()
	ch := storage.Channel{Name: name, Kind: kind, ConfigSealed: []byte("x"), AgencyID: agency, Status: storage.ChannelActive}
	if err := store.CreateChannel(context.Background(), &ch, "test"); err != nil {
		t.Fatal(err)
	}
	return ch.ID
}

func mkUser(t *testing.T, store *storage.Store, role string, agency int64) storage.User {
	t.Helper()
	u := storage.User{Name: fmt.Sprintf("%s-%d-%d", role, agency, time.Now().UnixNano()), Role: role, AgencyID: agency}
	if err := store.CreateUser(context.Background(), &u, "test"); err != nil {
		t.Fatal(err)
	}
	return u
}

// counts are the posts and deliveries in the database.
func (f *fixture) counts(t *testing.T) (posts, deliveries int) {
	t.Helper()
	ctx := context.Background()
	ps, err := f.store.ListPosts(ctx, storage.PostFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := f.store.ListDeliveries(ctx, storage.DeliveryFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	return len(ps), len(ds)
}

// sheet is a file's rows, the header first.
type sheet [][]string

func (s sheet) csv(t testing.TB, comma rune, bom bool) []byte {
	t.Helper()
	var b bytes.Buffer
	if bom {
		b.WriteString("\xEF\xBB\xBF")
	}
	w := csv.NewWriter(&b)
	w.Comma = comma
	if err := w.WriteAll(s); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// xlsx writes the rows as text cells of a sheet named name; edit, when
// set, changes the workbook before it is saved.
func (s sheet) xlsx(t testing.TB, name string, edit func(*excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if name != "Sheet1" {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			t.Fatal(err)
		}
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range s {
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(f)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var header = []string{"STT", "Tiêu đề", "Tóm tắt", "Nội dung", "Kênh", "Đơn vị", "Bao gồm đơn vị trực thuộc", "Loại kênh", "Thời gian", "Hoạt động"}

// bigSheet is n rows of valid posts for the fixture's editor in A, going
// to its channels by name, by id and by selector, now or at a local
// time; deliveries is how many deliveries they make.
func (f *fixture) bigSheet(n int) (s sheet, deliveries int) {
	s = sheet{header}
	for i := range n {
		row := []string{fmt.Sprint(i + 1), fmt.Sprintf("Tin số %d về cải cách hành chính", i+1), "Tóm tắt",
			fmt.Sprintf("<p>Nội dung tin số %d</p>", i+1), "", "", "", "", "", "2.4"}
		switch i % 3 {
		case 0:
			row[4], deliveries = "Trang tin xã A", deliveries+1
		case 1:
			row[4], deliveries = fmt.Sprintf("%d; zalo XA A", f.aRadio), deliveries+2
		case 2:
			row[5], row[6], row[7], deliveries = "xa-a", "có", "Trang thông tin điện tử (webhook)", deliveries+2
		}
		if i%4 != 0 {
			row[8] = now.In(ict).Add(time.Duration(i+60) * time.Minute).Format("02/01/2006 15:04")
		}
		s = append(s, row)
	}
	return s, deliveries
}
