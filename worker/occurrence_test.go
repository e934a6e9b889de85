package worker_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// storedSchedule inserts a schedule straight into the database, as rows
// written before templates and starts were checked.
func storedSchedule(t *testing.T, h *harness, rule string, startsAt time.Time, title string) (storage.Schedule, storage.User) {
	t.Helper()
	ctx := context.Background()
	ch := h.channel("webhook", map[string]string{"url": "https://example.org", "secret": secret})
	author := storage.User{Name: "Biên tập", Role: storage.RoleEditor}
	if err := h.store.CreateUser(ctx, &author, "test"); err != nil {
		t.Fatal(err)
	}
	sc := storage.Schedule{Name: "Lịch cũ", Rule: rule, Timezone: "Asia/Ho_Chi_Minh", StartsAt: startsAt,
		Template: storage.PostTemplate{Title: title, Body: "<p>Nội dung</p>"},
		Targets:  storage.Targets{ChannelIDs: []int64{ch.ID}}, CreatedBy: author.ID}
	if err := h.store.CreateSchedule(ctx, &sc, "test"); err != nil {
		t.Fatal(err)
	}
	return sc, author
}

func materializer(h *harness, horizon time.Duration, now time.Time) *publishing.Service {
	return publishing.New(publishing.Options{Store: h.store, Scheduler: &countingEnqueuer{}, Horizon: horizon,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
}

var materializeNow = time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC) // 08:30 Friday in Hà Nội

// A stored title that smuggles markup with printf ("%c" of 60 is "<") made
// posts titled "</title><script>", past the sanitiser and the 250-character
// limit. Such a template is refused now: no post is made.
func TestStoredPrintfTitleMakesNoPost(t *testing.T) {
	h := newHarness(t)
	title := `Tin{{printf "%c" 60}}/title{{printf "%c" 62}}{{printf "%c" 60}}script{{printf "%c" 62}}alert(1)`
	sc, _ := storedSchedule(t, h, "FREQ=DAILY;BYHOUR=7;BYMINUTE=0", materializeNow, title)
	n, err := materializer(h, 7*24*time.Hour, materializeNow).Materialize(context.Background(), sc)
	if err == nil || !strings.Contains(err.Error(), "printf is not allowed") {
		t.Errorf("Materialize err = %v, want the template refused", err)
	}
	posts, _ := h.store.ScheduleOccurrences(context.Background(), sc.ID)
	for _, p := range posts {
		t.Errorf("post made with title %q", p.Title)
	}
	if n != 0 {
		t.Fatalf("created %d posts, want 0", n)
	}
}

// Expanded text goes through the same cleaning and limits as a hand-written
// post: markup in the template is removed, and an occurrence whose title
// comes out longer than 250 characters (Sundays, "Chủ nhật" being one
// character longer) is skipped, not posted.
func TestOccurrenceTextIsCleanedLikeAPost(t *testing.T) {
	h := newHarness(t)
	title := "<b>Tin</b> " + strings.Repeat("x", 238) + " {{.Weekday}}" // 250 on weekdays, 251 on Sundays
	sc, _ := storedSchedule(t, h, "FREQ=DAILY;BYHOUR=7;BYMINUTE=0", materializeNow, title)
	n, err := materializer(h, 14*24*time.Hour, materializeNow).Materialize(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	posts, _ := h.store.ScheduleOccurrences(context.Background(), sc.ID)
	if n != 12 || len(posts) != 12 {
		t.Fatalf("created %d posts (%d stored), want 12: 14 days without the 2 Sundays", n, len(posts))
	}
	for _, p := range posts {
		if utf8.RuneCountInString(p.Title) > 250 || strings.Contains(p.Title, "<") || strings.Contains(p.Title, "Chủ nhật") {
			t.Errorf("post title %q (%d characters)", p.Title, utf8.RuneCountInString(p.Title))
		}
	}
}

// A schedule stored with a start in 1970 is materialised from near now:
// it creates exactly the horizon's occurrences, and a later run walks from
// near its window, not from 1970 (that walk took 2.2 s and allocated on
// each of its two million steps).
func TestScheduleFrom1970MaterializesOnlyTheHorizon(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	sc, _ := storedSchedule(t, h, "FREQ=MINUTELY;INTERVAL=15", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), "Tin lúc {{.Time}}")
	n, err := materializer(h, 24*time.Hour, materializeNow).Materialize(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	// From an hour back (the grace for missed occurrences) to a day ahead:
	// 25 hours of quarter hours.
	if n != 100 {
		t.Fatalf("created %d posts, want 100", n)
	}
	sc, _ = h.store.GetSchedule(ctx, sc.ID)
	later := materializer(h, 24*time.Hour, materializeNow.Add(time.Hour))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n, err = later.Materialize(ctx, sc)
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("an hour later: %d posts, allocated %d KB; heap %d KB → %d KB", n, allocated>>10, before.HeapAlloc>>10, after.HeapAlloc>>10)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("an hour later created %d posts, want 4", n)
	}
	if allocated > 16<<20 {
		t.Fatalf("materialising 4 occurrences allocated %d MB, want under 16 MB", allocated>>20)
	}
}

func TestOccurrenceText(t *testing.T) {
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // Monday 07:00 in Hà Nội
	tests := []struct {
		name       string
		tmpl       storage.PostTemplate
		want       content.PostText
		wantField  string
		wantInText string
	}{
		{"fixed text", storage.PostTemplate{Title: "Bản tin không đổi", Body: "<p>Nội dung</p>"},
			content.PostText{Title: "Bản tin không đổi", Body: "<p>Nội dung</p>", Audience: "all"}, "", ""},
		{"every field", storage.PostTemplate{Title: "Bản tin CCHC {{.Weekday}} {{.Date}} lúc {{.Time}}, tuần {{.Week}}/{{.Year}}",
			Summary: "Tháng {{.Month}}", Category: " CCHC ", Audience: "public"},
			content.PostText{Title: "Bản tin CCHC Thứ Hai 23/11/2026 lúc 07:00, tuần 48/2026", Summary: "Tháng 11", Category: "CCHC", Audience: "public"}, "", ""},
		{"markup removed", storage.PostTemplate{Title: "<b>Tin</b> {{.Date}}", Body: "<p>a</p><script>x</script>"},
			content.PostText{Title: "Tin 23/11/2026", Body: "<p>a</p>", Audience: "all"}, "", ""},
		{"unknown field", storage.PostTemplate{Title: "{{.Nope}}"}, content.PostText{}, "title", "unknown field .Nope"},
		{"printf in summary", storage.PostTemplate{Title: "Tin", Summary: `{{printf "%c" 60}}`}, content.PostText{}, "summary", "printf is not allowed"},
		{"empty title", storage.PostTemplate{Title: "{{if .Date}}{{else}}x{{end}}"}, content.PostText{}, "title", "title is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := publishing.NewOccurrenceText(tt.tmpl, "Asia/Ho_Chi_Minh")
			var got content.PostText
			if err == nil {
				got, err = o.Post(at)
			}
			if tt.wantField != "" {
				var fe content.FieldError
				if !errors.As(err, &fe) || fe.Field != tt.wantField || !strings.Contains(fe.Message, tt.wantInText) {
					t.Fatalf("err = %v, want %q on %s", err, tt.wantInText, tt.wantField)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Post = %#v, %v\nwant %#v", got, err, tt.want)
			}
		})
	}
}
