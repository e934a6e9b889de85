package publishing_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
	"github.com/loa-vn/loa/worker"
	"github.com/loa-vn/loa/worker/redistest"
)

// BenchmarkSubmitProvinceWide measures one Submit whose selector (the root
// agency, with descendants, webhooks) expands to 5,000 channels spread over
// 50 agencies in two levels: the target check, one transaction with the
// post and 5,000 deliveries, and their 5,000 tasks queued after the commit
// in the real queue (the embedded Redis unless LOA_TEST_REDIS_URL). The
// database is SQLite, or PostgreSQL with LOA_TEST_DATABASE_URL. Run with
// -benchtime=Nx: setting up the channels takes a while.
func BenchmarkSubmitProvinceWide(b *testing.B) {
	const districts, communes, perCommune = 10, 4, 100 // 10 + 40 agencies, 5,000 channels
	ctx := context.Background()
	store := storagetest.Open(b)
	queue := &timedScheduler{Queue: worker.NewQueue(redistest.Client(b, 9), worker.DefaultTaskOptions(5))}
	pub := publishing.New(publishing.Options{Store: store, Scheduler: queue, Kinds: []string{"webhook"},
		Logger: slog.New(slog.DiscardHandler)})
	root, err := store.RootAgency(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var leaves []storage.Agency
	for d := range districts {
		district := agency(b, store, fmt.Sprintf("d%d", d), root.ID)
		for c := range communes {
			leaves = append(leaves, agency(b, store, fmt.Sprintf("d%d-c%d", d, c), district.ID))
		}
	}
	// 100 channels in each commune and in each district, 5,000 in all.
	for i := range 5000 / perCommune {
		owner := leaves[min(i, len(leaves)-1)].ID
		if i >= len(leaves) {
			owner = *leaves[(i-len(leaves))*communes].ParentID
		}
		for range perCommune {
			channel(b, store, owner, "webhook")
		}
	}
	editor := storage.User{Name: "editor", Role: storage.RoleEditor}
	if err := store.CreateUser(ctx, &editor, "bench"); err != nil {
		b.Fatal(err)
	}
	draft := publishing.Draft{Fields: publishing.Fields{Title: "Thông báo toàn tỉnh", Body: "<p>Nội dung</p>",
		PublishAt: time.Now().Add(time.Hour).Format(time.RFC3339)},
		Selector: &storage.Selector{AgencyID: root.ID, Descendants: true, Kinds: []string{"webhook"}}}
	b.ResetTimer()
	for range b.N {
		_, ds, err := pub.Submit(ctx, editor, draft)
		if err != nil {
			b.Fatal(err)
		}
		if len(ds) != 5000 {
			b.Fatalf("%d deliveries, want 5000", len(ds))
		}
	}
	b.ReportMetric(float64(queue.spent.Milliseconds())/float64(b.N), "enqueue-ms/op")
}

// timedScheduler is the queue, timing ScheduleMany.
type timedScheduler struct {
	*worker.Queue
	spent time.Duration
}

func (t *timedScheduler) ScheduleMany(ctx context.Context, ids []int64, at time.Time) error {
	start := time.Now()
	defer func() { t.spent += time.Since(start) }()
	return t.Queue.ScheduleMany(ctx, ids, at)
}
