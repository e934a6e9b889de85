package storage

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"gorm.io/gorm"

	"github.com/loa-vn/loa/content"
)

// NewPost is one post of a batch for CreatePosts: the post, its channels,
// their variants and, when its publish time is the next free slot, the
// slot choice.
type NewPost struct {
	Post       *Post
	ChannelIDs []int64
	Variants   map[int64]content.Variant
	Slot       *SlotChoice
}

// BatchItemError is the refusal of one post of a batch; nothing of the
// batch was written.
type BatchItemError struct {
	// Index is the post's index in the batch.
	Index int
	Err   error
}

func (e *BatchItemError) Error() string {
	return fmt.Sprintf("post %d of the batch: %v", e.Index, e.Err)
}
func (e *BatchItemError) Unwrap() error { return e.Err }

// CreatePosts stores every post of the batch with its deliveries, as
// CreatePost (or CreatePostInSlot) stores one, in one transaction: all or
// nothing. A post asking for the next free slot sees the slots the posts
// before it in the batch took. It returns the deliveries of all the posts.
func (s *Store) CreatePosts(ctx context.Context, batch []NewPost, actor string) ([]Delivery, error) {
	var all []Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if !slices.ContainsFunc(batch, func(np NewPost) bool { return np.Slot != nil }) {
			var err error
			all, err = s.createPostsBulk(tx, batch, actor)
			return err
		}
		for i, np := range batch {
			ds, err := s.createBatchPost(tx, np, actor)
			if err != nil {
				return &BatchItemError{Index: i, Err: err}
			}
			all = append(all, ds...)
		}
		return nil
	})
	if err != nil {
		// translate wraps with %w: callers still find the *BatchItemError.
		return nil, translate(err, "create posts")
	}
	return all, nil
}

func (s *Store) createBatchPost(tx *gorm.DB, np NewPost, actor string) ([]Delivery, error) {
	if np.Slot != nil {
		at, err := s.freeSlot(tx, *np.Slot)
		if err != nil {
			return nil, err
		}
		np.Post.PublishAt = at
	}
	return s.createPostTx(tx, np.Post, np.ChannelIDs, np.Variants, actor)
}

// postBatch is how many posts one INSERT writes.
const postBatch = 200

// createPostsBulk writes a batch without slot choices as CreatePost writes
// each post, in a few INSERTs per table rather than a few per post: the
// channels and the posts' agencies are checked once for the batch (what
// checkChannels and Post.BeforeCreate check for one post).
func (s *Store) createPostsBulk(tx *gorm.DB, batch []NewPost, actor string) ([]Delivery, error) {
	agencies, err := s.batchChannels(tx, batch)
	if err != nil {
		return nil, err
	}
	if err := batchAgencies(tx, batch); err != nil {
		return nil, err
	}
	posts := make([]Post, len(batch))
	statuses := make([]string, len(batch))
	for i, np := range batch {
		statuses[i] = s.settleNewPost(np.Post)
		posts[i] = *np.Post
	}
	if err := tx.Session(&gorm.Session{SkipHooks: true}).CreateInBatches(&posts, postBatch).Error; err != nil {
		return nil, err
	}
	var deliveries []Delivery
	events := make([]AuditEvent, len(batch))
	at := s.nowUTC()
	for i, np := range batch {
		*np.Post = posts[i]
		deliveries = append(deliveries, newDeliveries(np.Post, np.ChannelIDs, agencies, np.Variants, statuses[i])...)
		events[i] = AuditEvent{At: at, Actor: actor, EntityType: EntityPost, EntityID: np.Post.ID, Action: "created",
			ToStatus: np.Post.Status, Detail: truncate(createdDetail(np.Post, np.ChannelIDs), 2000)}
	}
	if err := tx.CreateInBatches(&deliveries, deliveryBatch).Error; err != nil {
		return nil, err
	}
	return deliveries, tx.CreateInBatches(&events, deliveryBatch).Error
}

// batchChannels returns the agency of every channel of the batch, or the
// first post's refusal naming its channels that are missing or disabled.
func (s *Store) batchChannels(tx *gorm.DB, batch []NewPost) (map[int64]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, np := range batch {
		for _, id := range np.ChannelIDs {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	agencies := map[int64]int64{}
	for part := range slices.Chunk(ids, 500) {
		got, err := checkChannels(tx, part)
		if _, bad := err.(*ChannelsUnavailableError); bad {
			return nil, firstUnavailable(tx, batch)
		}
		if err != nil {
			return nil, err
		}
		maps.Copy(agencies, got)
	}
	return agencies, nil
}

// firstUnavailable is the refusal of the first post of the batch that
// names a missing or disabled channel.
func firstUnavailable(tx *gorm.DB, batch []NewPost) error {
	for i, np := range batch {
		if _, err := checkChannels(tx, np.ChannelIDs); err != nil {
			return &BatchItemError{Index: i, Err: err}
		}
	}
	return fmt.Errorf("storage: a channel of the batch became unavailable")
}

// batchAgencies checks once that every agency the batch's posts belong to
// exists, as Post.BeforeCreate does for one post.
func batchAgencies(tx *gorm.DB, batch []NewPost) error {
	var ids []int64
	for _, np := range batch {
		if np.Post.AgencyID == 0 {
			if err := ownAgency(tx, &np.Post.AgencyID); err != nil {
				return err
			}
		}
		if !slices.Contains(ids, np.Post.AgencyID) {
			ids = append(ids, np.Post.AgencyID)
		}
	}
	var n int64
	if err := tx.Model(&Agency{}).Where("id IN ?", ids).Count(&n).Error; err != nil {
		return err
	}
	if int(n) != len(ids) {
		return &AgencyError{Field: "agency_id", Reason: "an agency of the batch does not exist"}
	}
	return nil
}
