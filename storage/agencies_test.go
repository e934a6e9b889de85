package storage_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// tree is the root R with A (with A1, and A2 beneath A1) and B.
type tree struct{ R, A, A1, A2, B storage.Agency }

func newTree(t *testing.T, st *storage.Store) tree {
	t.Helper()
	ctx := context.Background()
	root, err := st.RootAgency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tr := tree{R: root}
	add := func(a *storage.Agency, name, code string, parent storage.Agency) {
		*a = storage.Agency{Name: name, Code: code, ParentID: &parent.ID}
		if err := st.CreateAgency(ctx, a, "test"); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	add(&tr.A, "Huyện A", "a", tr.R)
	add(&tr.A1, "Xã A1", "a1", tr.A)
	add(&tr.A2, "Thôn A2", "a2", tr.A1)
	add(&tr.B, "Huyện B", "b", tr.R)
	return tr
}

func names(as []storage.Agency) []string {
	var out []string
	for _, a := range as {
		out = append(out, strings.Join(a.Names, " / "))
	}
	return out
}

func TestCreateAgency(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	tr := newTree(t, st)
	disabled := true
	if _, err := st.UpdateAgency(ctx, tr.B.ID, storage.AgencyChange{Disabled: &disabled}, "test"); err != nil {
		t.Fatal(err)
	}
	missing := int64(999)
	tests := []struct {
		name  string
		a     storage.Agency
		field string
		err   error
	}{
		{"no parent", storage.Agency{Name: "X", Code: "x"}, "parent_id", nil},
		{"unknown parent", storage.Agency{Name: "X", Code: "x", ParentID: &missing}, "parent_id", nil},
		{"disabled parent", storage.Agency{Name: "X", Code: "x", ParentID: &tr.B.ID}, "parent_id", nil},
		{"code taken", storage.Agency{Name: "X", Code: "a1", ParentID: &tr.A.ID}, "", storage.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := st.CreateAgency(ctx, &tt.a, "test")
			var ae *storage.AgencyError
			switch {
			case tt.err != nil && !errors.Is(err, tt.err):
				t.Errorf("err = %v, want %v", err, tt.err)
			case tt.field != "" && (!errors.As(err, &ae) || ae.Field != tt.field):
				t.Errorf("err = %v, want an AgencyError on %s", err, tt.field)
			}
		})
	}
	all, err := st.ListAgencies(ctx, tr.R.ID)
	if err != nil || len(all) != 5 {
		t.Fatalf("after refused creations: %v, %v", names(all), err)
	}
	got, err := st.GetAgency(ctx, tr.A2.ID)
	if err != nil || got.Path != "/"+join(tr.R.ID, tr.A.ID, tr.A1.ID, tr.A2.ID)+"/" ||
		!reflect.DeepEqual(got.Names, []string{"Cơ quan", "Huyện A", "Xã A1", "Thôn A2"}) || *got.ParentID != tr.A1.ID {
		t.Errorf("A2 = %+v, %v", got, err)
	}
}

func join(ids ...int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, "/")
}

func TestListAgenciesAndSubtree(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	tr := newTree(t, st)
	tests := []struct {
		top  storage.Agency
		want []string
	}{
		{tr.R, []string{"Cơ quan", "Cơ quan / Huyện A", "Cơ quan / Huyện A / Xã A1", "Cơ quan / Huyện A / Xã A1 / Thôn A2", "Cơ quan / Huyện B"}},
		{tr.A1, []string{"Cơ quan / Huyện A / Xã A1", "Cơ quan / Huyện A / Xã A1 / Thôn A2"}},
		{tr.B, []string{"Cơ quan / Huyện B"}},
	}
	for _, tt := range tests {
		as, err := st.ListAgencies(ctx, tt.top.ID)
		if err != nil || !reflect.DeepEqual(names(as), tt.want) {
			t.Errorf("subtree of %s = %q, %v; want %q", tt.top.Name, names(as), err, tt.want)
		}
	}
	in := []struct {
		anc, a storage.Agency
		want   bool
	}{
		{tr.R, tr.A2, true}, {tr.A, tr.A, true}, {tr.A, tr.A2, true}, {tr.A1, tr.A, false}, {tr.A, tr.B, false}, {tr.B, tr.A1, false},
	}
	for _, tt := range in {
		if got, err := st.IsInSubtree(ctx, tt.anc.ID, tt.a.ID); err != nil || got != tt.want {
			t.Errorf("IsInSubtree(%s, %s) = %v, %v", tt.anc.Name, tt.a.Name, got, err)
		}
	}
	if got, _ := st.IsInSubtree(ctx, tr.R.ID, 999); got {
		t.Error("an unknown agency is in the root's subtree")
	}
	if ids, err := st.SubtreeIDs(ctx, tr.A.ID); err != nil || !reflect.DeepEqual(ids, []int64{tr.A.ID, tr.A1.ID, tr.A2.ID}) {
		t.Errorf("SubtreeIDs(A) = %v, %v", ids, err)
	}
	if ids, err := st.SubtreeIDs(ctx, 999); err != nil || len(ids) != 0 {
		t.Errorf("SubtreeIDs(unknown) = %v, %v", ids, err)
	}
}

// Channels, posts, users, schedules and sources keep the agency they are
// given; a delivery gets its channel's.
func TestRowsBelongToAgencies(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	tr := newTree(t, st)
	chA := storage.Channel{Name: "A web", Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: tr.A1.ID}
	chR := storage.Channel{Name: "R web", Kind: "webhook", ConfigSealed: []byte("s")}
	for _, ch := range []*storage.Channel{&chA, &chR} {
		if err := st.CreateChannel(ctx, ch, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if chA.AgencyID != tr.A1.ID || chR.AgencyID != tr.R.ID {
		t.Errorf("channels' agencies = %d, %d", chA.AgencyID, chR.AgencyID)
	}
	p := storage.Post{Title: "t", Body: "b", Audience: "public", AgencyID: tr.A.ID}
	ds, err := st.CreatePost(ctx, &p, []int64{chA.ID, chR.ID}, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	if p.AgencyID != tr.A.ID || ds[0].AgencyID != tr.A1.ID || ds[1].AgencyID != tr.R.ID {
		t.Errorf("post agency %d, deliveries' %d, %d", p.AgencyID, ds[0].AgencyID, ds[1].AgencyID)
	}
	u := storage.User{Name: "b officer", Role: storage.RoleOfficer, AgencyID: tr.B.ID}
	if err := st.CreateUser(ctx, &u, "test"); err != nil || u.AgencyID != tr.B.ID {
		t.Errorf("user: %+v, %v", u, err)
	}
	sc := storage.Schedule{Name: "s", Rule: "FREQ=DAILY", Timezone: "UTC", AgencyID: tr.A2.ID}
	if err := st.CreateSchedule(ctx, &sc, "test"); err != nil || sc.AgencyID != tr.A2.ID {
		t.Errorf("schedule: %+v, %v", sc, err)
	}
	src := storage.Source{Name: "s", URL: "https://x.example/rss", Mode: storage.SourceReview}
	if err := st.CreateSource(ctx, &src, "test"); err != nil || src.AgencyID != tr.R.ID {
		t.Errorf("source: %+v, %v", src, err)
	}
	bad := storage.Channel{Name: "nowhere", Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: 999}
	var ae *storage.AgencyError
	if err := st.CreateChannel(ctx, &bad, "test"); !errors.As(err, &ae) || ae.Field != "agency_id" {
		t.Errorf("channel in an unknown agency: %v", err)
	}
	// Deliveries of A's subtree, found through the path index.
	var got []int64
	if err := st.InSubtree(st.DB().Model(&storage.Delivery{}), "agency_id", tr.A.ID).Order("id").Pluck("id", &got).Error; err != nil ||
		!reflect.DeepEqual(got, []int64{ds[0].ID}) {
		t.Errorf("deliveries in A's subtree = %v, %v", got, err)
	}
	got = nil
	st.InSubtree(st.DB().Model(&storage.Delivery{}), "agency_id", tr.R.ID).Order("id").Pluck("id", &got)
	if len(got) != 2 {
		t.Errorf("deliveries in R's subtree = %v", got)
	}
}

func TestUpdateAgency(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	tr := newTree(t, st)
	ptr := func(id int64) *int64 { return &id }
	str := func(s string) *string { return &s }
	yes := true
	tests := []struct {
		name  string
		id    int64
		c     storage.AgencyChange
		field string
	}{
		{"under itself", tr.A.ID, storage.AgencyChange{ParentID: ptr(tr.A.ID)}, "parent_id"},
		{"under its child", tr.A.ID, storage.AgencyChange{ParentID: ptr(tr.A1.ID)}, "parent_id"},
		{"under its grandchild", tr.A.ID, storage.AgencyChange{ParentID: ptr(tr.A2.ID), Name: str("renamed")}, "parent_id"},
		{"the root", tr.R.ID, storage.AgencyChange{ParentID: ptr(tr.B.ID)}, "parent_id"},
		{"under nothing", tr.A1.ID, storage.AgencyChange{ParentID: ptr(999)}, "parent_id"},
		{"disable the root", tr.R.ID, storage.AgencyChange{Disabled: &yes}, "disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.UpdateAgency(ctx, tt.id, tt.c, "test")
			var ae *storage.AgencyError
			if !errors.As(err, &ae) || ae.Field != tt.field {
				t.Errorf("err = %v, want an AgencyError on %s", err, tt.field)
			}
		})
	}
	if _, err := st.UpdateAgency(ctx, tr.A.ID, storage.AgencyChange{Code: str("b")}, "test"); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("taken code: %v", err)
	}
	if _, err := st.UpdateAgency(ctx, 999, storage.AgencyChange{Name: str("x")}, "test"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown agency: %v", err)
	}
	before, _ := st.ListAgencies(ctx, tr.R.ID)
	if want := []string{"Cơ quan", "Cơ quan / Huyện A", "Cơ quan / Huyện A / Xã A1", "Cơ quan / Huyện A / Xã A1 / Thôn A2", "Cơ quan / Huyện B"}; !reflect.DeepEqual(names(before), want) {
		t.Fatalf("refused changes changed the tree: %q", names(before))
	}
	// Move A1 (with A2) under B and rename it, in one change.
	moved, err := st.UpdateAgency(ctx, tr.A1.ID, storage.AgencyChange{ParentID: ptr(tr.B.ID), Name: str("Xã B1")}, "test")
	if err != nil || *moved.ParentID != tr.B.ID {
		t.Fatalf("move: %+v, %v", moved, err)
	}
	after, _ := st.ListAgencies(ctx, tr.R.ID)
	if want := []string{"Cơ quan", "Cơ quan / Huyện A", "Cơ quan / Huyện B", "Cơ quan / Huyện B / Xã B1", "Cơ quan / Huyện B / Xã B1 / Thôn A2"}; !reflect.DeepEqual(names(after), want) {
		t.Errorf("after the move: %q", names(after))
	}
	if in, _ := st.IsInSubtree(ctx, tr.A.ID, tr.A2.ID); in {
		t.Error("A2 still in A's subtree")
	}
	if in, _ := st.IsInSubtree(ctx, tr.B.ID, tr.A2.ID); !in {
		t.Error("A2 not in B's subtree")
	}
	// A disabled agency takes no new children, by creation or by move.
	if _, err := st.UpdateAgency(ctx, tr.A.ID, storage.AgencyChange{Disabled: &yes}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateAgency(ctx, tr.A2.ID, storage.AgencyChange{ParentID: ptr(tr.A.ID)}, "test"); err == nil {
		t.Error("moved under a disabled agency")
	}
	h, _ := st.History(ctx, storage.EntityAgency, tr.A1.ID)
	if len(h) != 2 || !strings.Contains(h[1].Detail, "moved from agency") || !strings.Contains(h[1].Detail, "renamed") {
		t.Errorf("A1's history = %+v", h)
	}
}

// LOA_ADMIN_TOKEN always yields an admin of everything: an "admin" user
// found in an agency below the root is put back in the root.
func TestEnvAdminReturnsToTheRoot(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	tr := newTree(t, st)
	if err := st.EnsureEnvAdmin(ctx, "env1"); err != nil {
		t.Fatal(err)
	}
	u, _ := st.UserByTokenHash(ctx, "env1")
	if u.AgencyID != tr.R.ID {
		t.Fatalf("env admin in agency %d, want the root %d", u.AgencyID, tr.R.ID)
	}
	if err := st.DB().Model(&storage.User{}).Where("id = ?", u.ID).Update("agency_id", tr.A1.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureEnvAdmin(ctx, "env2"); err != nil {
		t.Fatal(err)
	}
	if got, err := st.UserByTokenHash(ctx, "env2"); err != nil || got.ID != u.ID || got.AgencyID != tr.R.ID {
		t.Errorf("after restart LOA_ADMIN_TOKEN's user = %+v, %v", got, err)
	}
}

// Two moves at once that would each be fine alone but together make a
// cycle (A under B, B under A): one of them is refused.
func TestConcurrentMovesMakeNoCycle(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	tr := newTree(t, st)
	errs := make(chan error, 2)
	move := func(id, parent int64) {
		_, err := st.UpdateAgency(ctx, id, storage.AgencyChange{ParentID: &parent}, "test")
		errs <- err
	}
	go move(tr.A.ID, tr.B.ID)
	go move(tr.B.ID, tr.A.ID)
	var refused int
	for range 2 {
		var ae *storage.AgencyError
		switch err := <-errs; {
		case errors.As(err, &ae) && ae.Field == "parent_id":
			refused++
		case err != nil:
			t.Errorf("move: %v", err)
		}
	}
	if refused != 1 {
		t.Errorf("%d moves refused, want 1", refused)
	}
	as, err := st.ListAgencies(ctx, tr.R.ID)
	if err != nil || len(as) != 5 {
		t.Fatalf("after the moves the root's subtree has %d agencies (%v): %q", len(as), err, names(as))
	}
	for _, a := range as {
		if a.ParentID != nil && !strings.HasPrefix(a.Path, "/"+strconv.FormatInt(tr.R.ID, 10)+"/") {
			t.Errorf("%s has path %s", a.Name, a.Path)
		}
	}
}
