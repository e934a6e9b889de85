package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/loa-vn/loa/content"
)

// Selector chooses a post's channels by agency and kind: every channel of
// the agency (and, with Descendants, of every agency beneath it) whose kind
// is one of Kinds (any kind when Kinds is empty). It is kept on the post.
type Selector struct {
	AgencyID    int64    `json:"agency_id"`
	Descendants bool     `json:"descendants"`
	Kinds       []string `json:"kinds,omitempty"`
}

// String is the selector as JSON, as the post's history shows it.
func (sel Selector) String() string {
	raw, _ := json.Marshal(sel)
	return string(raw)
}

// TargetChannel is what the target check needs of a channel.
type TargetChannel struct {
	ID       int64
	Kind     string
	Status   string
	AgencyID int64
}

// TargetChannels returns the channels in the subtree of the agency within
// that either are among ids or match sel (nil: none), ordered by id. A
// channel outside that subtree is not returned, exactly like one that does
// not exist.
func (s *Store) TargetChannels(ctx context.Context, within int64, ids []int64, sel *Selector) ([]TargetChannel, error) {
	if len(ids) == 0 && sel == nil {
		return nil, nil
	}
	db := s.db.WithContext(ctx)
	match := db.Where("id IN ?", ids)
	if len(ids) == 0 {
		match = db.Where("1 = 0")
	}
	if sel != nil {
		bySel := db.Where("agency_id = ?", sel.AgencyID)
		if sel.Descendants {
			bySel = s.inSubtree(db, "agency_id", sel.AgencyID)
		}
		if len(sel.Kinds) > 0 {
			bySel = bySel.Where("kind IN ?", sel.Kinds)
		}
		match = match.Or(bySel)
	}
	var chs []TargetChannel
	err := s.inSubtree(db.Model(&Channel{}), "agency_id", within).Where(match).
		Select("id", "kind", "status", "agency_id").Order("id").Find(&chs).Error
	return chs, translate(err, "find target channels")
}

// ChannelsUnavailableError lists requested channels that do not exist or
// cannot take deliveries; nothing was written.
type ChannelsUnavailableError struct {
	Missing  []int64
	Disabled []int64
}

func (e *ChannelsUnavailableError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("unknown channel ids %s", joinIDs(e.Missing)))
	}
	if len(e.Disabled) > 0 {
		parts = append(parts, fmt.Sprintf("disabled channel ids %s", joinIDs(e.Disabled)))
	}
	return strings.Join(parts, "; ")
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}

// deliveryBatch is how many deliveries one INSERT writes.
const deliveryBatch = 500

// CreatePost stores p with one delivery per channel, all or nothing.
// variants maps a channel id to that channel's variant. A post created
// with Status PostPendingApproval gets deliveries that wait for approval;
// any other post is approved by its author and scheduled at once.
func (s *Store) CreatePost(ctx context.Context, p *Post, channelIDs []int64, variants map[int64]content.Variant, actor string) ([]Delivery, error) {
	var deliveries []Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		deliveries, err = s.createPostTx(tx, p, channelIDs, variants, actor)
		return err
	})
	if err != nil {
		return nil, translateKeep(err, "create post")
	}
	return deliveries, nil
}

func (s *Store) createPostTx(tx *gorm.DB, p *Post, channelIDs []int64, variants map[int64]content.Variant, actor string) ([]Delivery, error) {
	agencies, err := checkChannels(tx, channelIDs)
	if err != nil {
		return nil, err
	}
	deliveryStatus := s.settleNewPost(p)
	if err := tx.Create(p).Error; err != nil {
		return nil, err
	}
	deliveries, err := insertDeliveries(tx, p, channelIDs, agencies, variants, deliveryStatus)
	if err != nil {
		return nil, err
	}
	return deliveries, s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityPost, EntityID: p.ID,
		Action: "created", ToStatus: p.Status, Detail: createdDetail(p, channelIDs)})
}

// settleNewPost sets the status of a post about to get its deliveries and
// returns theirs: one created PostPendingApproval waits for approval; any
// other is approved by its author and scheduled at once.
func (s *Store) settleNewPost(p *Post) string {
	p.PublishAt = p.PublishAt.UTC()
	if p.Status == PostPendingApproval {
		return DeliveryPendingApproval
	}
	now := s.nowUTC()
	p.Status, p.ApprovedBy, p.ApprovedAt = PostScheduled, p.CreatedBy, &now
	return DeliveryScheduled
}

// insertDeliveries writes post p's deliveries, one per channel.
func insertDeliveries(tx *gorm.DB, p *Post, channelIDs []int64, agencies map[int64]int64, variants map[int64]content.Variant, status string) ([]Delivery, error) {
	deliveries := newDeliveries(p, channelIDs, agencies, variants, status)
	// Each delivery carries its channel's agency, so its BeforeCreate runs
	// no query: thousands of rows are a few INSERTs.
	return deliveries, tx.CreateInBatches(&deliveries, deliveryBatch).Error
}

// newDeliveries are post p's deliveries, one per channel, not yet stored.
func newDeliveries(p *Post, channelIDs []int64, agencies map[int64]int64, variants map[int64]content.Variant, status string) []Delivery {
	deliveries := make([]Delivery, len(channelIDs))
	for i, chID := range channelIDs {
		deliveries[i] = Delivery{PostID: p.ID, ChannelID: chID, AgencyID: agencies[chID], Status: status,
			ScheduledAt: p.PublishAt, NextAttemptAt: p.PublishAt}
		if v, ok := variants[chID]; ok {
			deliveries[i].Variant = &v
		}
	}
	return deliveries
}

// createdDetail says when and where a new post goes: its channels, or the
// selector that chose them and how many it found.
func createdDetail(p *Post, channelIDs []int64) string {
	at := p.PublishAt.Format("2006-01-02T15:04:05Z")
	if p.Selector != nil {
		return fmt.Sprintf("scheduled for %s to %d channels chosen by targets %s", at, len(channelIDs), p.Selector)
	}
	return fmt.Sprintf("scheduled for %s to channels %s", at, joinIDs(channelIDs))
}

// updateDeliveries sets cols, and each delivery's NextAttemptAt, on ds: one
// UPDATE per batch of deliveries due at the same time (a post's usually all
// are), not one per delivery.
func updateDeliveries(tx *gorm.DB, ds []Delivery, cols map[string]any) error {
	var batch []int64
	var at time.Time
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		set := maps.Clone(cols)
		set["next_attempt_at"] = at
		err := tx.Model(&Delivery{}).Where("id IN ?", batch).Updates(set).Error
		batch = nil
		return err
	}
	for _, d := range ds {
		if len(batch) == deliveryBatch || len(batch) > 0 && !d.NextAttemptAt.Equal(at) {
			if err := flush(); err != nil {
				return err
			}
		}
		batch, at = append(batch, d.ID), d.NextAttemptAt
	}
	return flush()
}

// checkChannels returns the agency of each channel in ids, or an error
// naming those missing or disabled.
func checkChannels(tx *gorm.DB, ids []int64) (map[int64]int64, error) {
	var chs []Channel
	if err := tx.Select("id", "status", "agency_id").Where("id IN ?", ids).Find(&chs).Error; err != nil {
		return nil, err
	}
	found := make(map[int64]string, len(chs))
	agencies := make(map[int64]int64, len(chs))
	for _, ch := range chs {
		found[ch.ID], agencies[ch.ID] = ch.Status, ch.AgencyID
	}
	var bad ChannelsUnavailableError
	for _, id := range ids {
		status, ok := found[id]
		switch {
		case !ok:
			bad.Missing = append(bad.Missing, id)
		case status == ChannelDisabled:
			bad.Disabled = append(bad.Disabled, id)
		}
	}
	if len(bad.Missing)+len(bad.Disabled) > 0 {
		return nil, &bad
	}
	return agencies, nil
}

// translateKeep is translate for errors that callers inspect by type.
func translateKeep(err error, what string) error {
	if _, ok := err.(*ChannelsUnavailableError); ok {
		return err
	}
	return translate(err, what)
}

// GetPost returns a post and its deliveries.
func (s *Store) GetPost(ctx context.Context, id int64) (Post, []Delivery, error) {
	var p Post
	if err := s.db.WithContext(ctx).First(&p, id).Error; err != nil {
		return Post{}, nil, translate(err, "get post")
	}
	var ds []Delivery
	err := s.db.WithContext(ctx).Where("post_id = ?", id).Order("id").Find(&ds).Error
	return p, ds, translate(err, "get post deliveries")
}

// PostFilter selects posts for listing, newest first.
type PostFilter struct {
	Status string
	// Agency limits the list to posts of this agency's subtree; 0 lists
	// every agency's.
	Agency   int64
	BeforeID int64
	Limit    int
}

// ListPosts returns one page of posts, newest first.
func (s *Store) ListPosts(ctx context.Context, f PostFilter) ([]Post, error) {
	q := s.scoped(s.db.WithContext(ctx).Model(&Post{}), f.Agency)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	var ps []Post
	err := q.Order("id DESC").Limit(f.Limit).Find(&ps).Error
	return ps, translate(err, "list posts")
}

// CancelPost cancels every delivery of the post that has not started, and
// returns their ids. A post with nothing left to cancel is ErrConflict.
func (s *Store) CancelPost(ctx context.Context, id int64, actor string) ([]int64, error) {
	var canceled []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := s.lockPost(tx, id)
		if err != nil {
			return err
		}
		if p.Status == PostDraft { // nothing was queued: the draft itself is dropped
			return s.transition(tx, p, PostCanceled, actor, "canceled", "")
		}
		if err := tx.Model(&Delivery{}).
			Where("post_id = ? AND status IN ?", id, []string{DeliveryPendingApproval, DeliveryScheduled, DeliveryRetrying}).
			Pluck("id", &canceled).Error; err != nil {
			return err
		}
		if len(canceled) == 0 {
			return fmt.Errorf("post %d has no delivery left to cancel: %w", id, ErrConflict)
		}
		sort.Slice(canceled, func(i, j int) bool { return canceled[i] < canceled[j] })
		if err := tx.Model(&Delivery{}).Where("id IN ?", canceled).Updates(map[string]any{
			"status": DeliveryCanceled, "updated_at": s.nowUTC(),
		}).Error; err != nil {
			return err
		}
		events := make([]AuditEvent, len(canceled))
		at := s.nowUTC()
		for i, did := range canceled {
			events[i] = AuditEvent{At: at, Actor: actor, EntityType: EntityDelivery, EntityID: did,
				Action: "canceled", ToStatus: DeliveryCanceled}
		}
		if err := tx.CreateInBatches(&events, deliveryBatch).Error; err != nil {
			return err
		}
		return s.refreshPostStatus(tx, id, actor, "canceled")
	})
	return canceled, translate(err, "cancel post")
}

// refreshPostStatus derives the post's status from its deliveries and
// records a change in the audit log.
func (s *Store) refreshPostStatus(tx *gorm.DB, postID int64, actor, action string) error {
	return s.refreshPostStatuses(tx, map[int64]string{postID: action}, actor)
}

// refreshPostStatuses is refreshPostStatus for many posts at once, in a
// few statements whatever their number: actions maps each post to the
// action its audit event (if its status changes) records.
func (s *Store) refreshPostStatuses(tx *gorm.DB, actions map[int64]string, actor string) error {
	if len(actions) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(actions))
	// Lock the posts first, in id order: two deliveries of a post finishing
	// at once would otherwise each count the other as unfinished and leave
	// the post "scheduled".
	var posts []Post
	if err := s.forUpdate(tx).Select("id", "status").Where("id IN ?", ids).Order("id").Find(&posts).Error; err != nil {
		return err
	}
	var rows []struct {
		PostID int64
		Status string
		N      int
	}
	if err := tx.Model(&Delivery{}).Select("post_id, status, COUNT(*) AS n").
		Where("post_id IN ?", ids).Group("post_id, status").Scan(&rows).Error; err != nil {
		return err
	}
	counts := make(map[int64]map[string]int, len(ids))
	for _, r := range rows {
		if counts[r.PostID] == nil {
			counts[r.PostID] = map[string]int{}
		}
		counts[r.PostID][r.Status] = r.N
	}
	now := s.nowUTC()
	changed := map[string][]int64{}
	var events []AuditEvent
	for _, p := range posts {
		next := postStatusFrom(counts[p.ID])
		if next == p.Status || next == PostCanceled && p.Status == PostRejected {
			continue
		}
		changed[next] = append(changed[next], p.ID)
		events = append(events, AuditEvent{At: now, Actor: actor, EntityType: EntityPost, EntityID: p.ID,
			Action: actions[p.ID], FromStatus: p.Status, ToStatus: next})
	}
	for _, next := range slices.Sorted(maps.Keys(changed)) {
		if err := tx.Model(&Post{}).Where("id IN ?", changed[next]).
			Updates(map[string]any{"status": next, "updated_at": now}).Error; err != nil {
			return err
		}
	}
	if len(events) == 0 {
		return nil
	}
	return tx.Create(&events).Error
}

func postStatusFrom(counts map[string]int) string {
	pending := counts[DeliveryScheduled] + counts[DeliverySending] + counts[DeliveryRetrying]
	delivered := counts[DeliveryDelivered]
	bad := counts[DeliveryFailed] + counts[DeliveryUnconfirmed]
	switch {
	case counts[DeliveryPendingApproval] > 0:
		return PostPendingApproval
	case pending > 0:
		return PostScheduled
	case delivered == 0 && bad == 0:
		return PostCanceled
	case bad == 0:
		return PostPublished
	case delivered == 0:
		return PostFailed
	}
	return PostPartial
}
