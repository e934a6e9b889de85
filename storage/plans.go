package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// Audit log names of plans and records.
const (
	EntityPlan           = "plan"
	EntityActivityRecord = "activity_record"
)

// ActivityInUseError refuses to remove activities that posts, schedules,
// sources or records still point to; it is an ErrConflict.
type ActivityInUseError struct{ IDs []int64 }

func (e *ActivityInUseError) Error() string {
	ids := make([]string, len(e.IDs))
	for i, id := range e.IDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	return "activities " + strings.Join(ids, ", ") + " are referred to by posts, schedules, sources or records"
}

func (e *ActivityInUseError) Is(target error) bool { return target == ErrConflict }

// CreatePlan stores p and its activities (in the order given) in one
// transaction; each activity gets the plan's id and agency.
func (s *Store) CreatePlan(ctx context.Context, p *Plan, acts []PlanActivity, actor string) ([]PlanActivity, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(p).Error; err != nil {
			return err
		}
		var err error
		if acts, err = s.saveActivities(tx, *p, acts, nil); err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityPlan, EntityID: p.ID, Action: "created",
			Detail: fmt.Sprintf("%d activities", len(acts))})
	})
	return acts, translate(err, "create plan")
}

// UpdatePlan replaces plan p.ID's title, year and reference with p's and
// its activities with acts: one with an id the plan has is changed in
// place, one without an id is added, and the plan's others are removed —
// unless something still points to them (*ActivityInUseError). An id the
// plan does not have is ErrNotFound.
func (s *Store) UpdatePlan(ctx context.Context, p Plan, acts []PlanActivity, actor string) (Plan, []PlanActivity, error) {
	var out Plan
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.forUpdate(tx).First(&out, p.ID).Error; err != nil {
			return err
		}
		var old []PlanActivity
		if err := tx.Where("plan_id = ?", p.ID).Find(&old).Error; err != nil {
			return err
		}
		out.Title, out.Year, out.Reference, out.UpdatedAt = p.Title, p.Year, p.Reference, s.nowUTC()
		if err := tx.Model(&Plan{}).Where("id = ?", p.ID).Updates(map[string]any{"title": out.Title,
			"year": out.Year, "reference": out.Reference, "updated_at": out.UpdatedAt}).Error; err != nil {
			return err
		}
		var err error
		if acts, err = s.saveActivities(tx, out, acts, old); err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityPlan, EntityID: p.ID, Action: "changed",
			Detail: fmt.Sprintf("%d activities", len(acts))})
	})
	if err != nil {
		return Plan{}, nil, translate(err, "update plan")
	}
	return out, acts, nil
}

// saveActivities writes acts as plan's activities, positions in order,
// over old (the plan's activities before), removing those not kept.
func (s *Store) saveActivities(tx *gorm.DB, plan Plan, acts []PlanActivity, old []PlanActivity) ([]PlanActivity, error) {
	had := make(map[int64]PlanActivity, len(old))
	for _, a := range old {
		had[a.ID] = a
	}
	now := s.nowUTC()
	kept := map[int64]bool{}
	for i := range acts {
		a := &acts[i]
		a.PlanID, a.AgencyID, a.Position, a.UpdatedAt = plan.ID, plan.AgencyID, i+1, now
		if a.Forms == nil {
			a.Forms = Forms{}
		}
		if a.ID == 0 {
			a.CreatedAt = now
			if err := tx.Create(a).Error; err != nil {
				return nil, err
			}
			continue
		}
		prev, ok := had[a.ID]
		if !ok || kept[a.ID] {
			return nil, fmt.Errorf("activity %d of plan %d: %w", a.ID, plan.ID, ErrNotFound)
		}
		kept[a.ID], a.CreatedAt = true, prev.CreatedAt
		if err := tx.Select("*").Omit("id", "created_at").Where("id = ?", a.ID).Updates(a).Error; err != nil {
			return nil, err
		}
	}
	var gone []int64
	for _, a := range old {
		if !kept[a.ID] {
			gone = append(gone, a.ID)
		}
	}
	if len(gone) == 0 {
		return acts, nil
	}
	if err := s.activitiesUnused(tx, gone); err != nil {
		return nil, err
	}
	return acts, tx.Where("id IN ?", gone).Delete(&PlanActivity{}).Error
}

// activitiesUnused refuses ids that any post, schedule, source or record
// points to.
func (s *Store) activitiesUnused(tx *gorm.DB, ids []int64) error {
	used := map[int64]bool{}
	for _, table := range []string{"posts", "schedules", "sources", "activity_records"} {
		var found []int64
		if err := tx.Table(table).Distinct("activity_id").Where("activity_id IN ?", ids).Pluck("activity_id", &found).Error; err != nil {
			return err
		}
		for _, id := range found {
			used[id] = true
		}
	}
	if len(used) == 0 {
		return nil
	}
	e := &ActivityInUseError{}
	for _, id := range ids {
		if used[id] {
			e.IDs = append(e.IDs, id)
		}
	}
	return e
}

// GetPlan returns plan id and its activities in order.
func (s *Store) GetPlan(ctx context.Context, id int64) (Plan, []PlanActivity, error) {
	var p Plan
	db := s.db.WithContext(ctx)
	if err := db.First(&p, id).Error; err != nil {
		return p, nil, translate(err, "get plan")
	}
	var acts []PlanActivity
	err := db.Where("plan_id = ?", id).Order("position, id").Find(&acts).Error
	return p, acts, translate(err, "get plan activities")
}

// PlanFilter selects plans: those of Agency's subtree (0: all), of Year
// (0: any); at most Limit, newest year first.
type PlanFilter struct {
	Agency int64
	Year   int
	Limit  int
}

// ListPlans returns the plans f selects.
func (s *Store) ListPlans(ctx context.Context, f PlanFilter) ([]Plan, error) {
	q := s.scoped(s.db.WithContext(ctx).Model(&Plan{}), f.Agency)
	if f.Year != 0 {
		q = q.Where("year = ?", f.Year)
	}
	var out []Plan
	err := q.Order("year DESC, id DESC").Limit(f.Limit).Find(&out).Error
	return out, translate(err, "list plans")
}

// ActivitiesOf returns the activities of plans by plan, in order.
func (s *Store) ActivitiesOf(ctx context.Context, planIDs []int64) (map[int64][]PlanActivity, error) {
	out := map[int64][]PlanActivity{}
	if len(planIDs) == 0 {
		return out, nil
	}
	var acts []PlanActivity
	err := s.db.WithContext(ctx).Where("plan_id IN ?", planIDs).Order("plan_id, position, id").Find(&acts).Error
	for _, a := range acts {
		out[a.PlanID] = append(out[a.PlanID], a)
	}
	return out, translate(err, "list activities")
}

// AgencyActivities returns the activities of agency's own plans of year,
// plan by plan, in order; at most limit.
func (s *Store) AgencyActivities(ctx context.Context, agency int64, year, limit int) ([]PlanActivity, error) {
	var acts []PlanActivity
	err := s.db.WithContext(ctx).Table("plan_activities").Select("plan_activities.*").
		Joins("JOIN plans ON plans.id = plan_activities.plan_id").
		Where("plans.agency_id = ? AND plans.year = ?", agency, year).
		Order("plans.id, plan_activities.position, plan_activities.id").Limit(limit).Find(&acts).Error
	return acts, translate(err, "list agency activities")
}

// GetActivity returns activity id.
func (s *Store) GetActivity(ctx context.Context, id int64) (PlanActivity, error) {
	var a PlanActivity
	return a, translate(s.db.WithContext(ctx).First(&a, id).Error, "get activity")
}

// CreateActivityRecord stores r and, when att is set, its attachment, in
// one transaction.
func (s *Store) CreateActivityRecord(ctx context.Context, r *ActivityRecord, att *Attachment, actor string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if att != nil {
			att.AgencyID, att.CreatedBy = r.AgencyID, r.CreatedBy
			if err := tx.Create(att).Error; err != nil {
				return err
			}
			r.AttachmentID = &att.ID
		}
		if err := tx.Create(r).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityActivityRecord, EntityID: r.ID, Action: "created",
			Detail: fmt.Sprintf("activity %d, %s, %s × %d", r.ActivityID, r.OccurredOn, r.Form, r.Count)})
	})
	return translate(err, "create activity record")
}

// ListActivityRecords returns activity's records, latest day first; at
// most limit.
func (s *Store) ListActivityRecords(ctx context.Context, activity int64, limit int) ([]ActivityRecord, error) {
	var out []ActivityRecord
	err := s.db.WithContext(ctx).Where("activity_id = ?", activity).
		Order("occurred_on DESC, id DESC").Limit(limit).Find(&out).Error
	return out, translate(err, "list activity records")
}

// AttachmentInfo is an attachment without its bytes.
type AttachmentInfo struct {
	ID          int64
	AgencyID    int64
	FileName    string
	ContentType string
	Size        int64
}

// AttachmentInfos returns the attachments ids without their bytes.
func (s *Store) AttachmentInfos(ctx context.Context, ids []int64) (map[int64]AttachmentInfo, error) {
	out := map[int64]AttachmentInfo{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []AttachmentInfo
	err := s.db.WithContext(ctx).Model(&Attachment{}).Where("id IN ?", ids).Find(&rows).Error
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, translate(err, "list attachments")
}

// GetAttachment returns attachment id with its bytes.
func (s *Store) GetAttachment(ctx context.Context, id int64) (Attachment, error) {
	var a Attachment
	return a, translate(s.db.WithContext(ctx).First(&a, id).Error, "get attachment")
}

// MonthRecords counts an activity's records of one month ("YYYY-MM")
// and sums their counts.
type MonthRecords struct {
	ActivityID int64
	Month      string
	Records    int64
	Count      int64
}

// RecordsForActivities counts the activities' records by month for the
// days fromDay..toDay (YYYY-MM-DD, inclusive).
func (s *Store) RecordsForActivities(ctx context.Context, ids []int64, fromDay, toDay string) ([]MonthRecords, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []MonthRecords
	err := s.db.WithContext(ctx).Table("activity_records").
		Select("activity_id, substr(occurred_on, 1, 7) AS month, COUNT(*) AS records, COALESCE(SUM(count), 0) AS count").
		Where("activity_id IN ? AND occurred_on >= ? AND occurred_on <= ?", ids, fromDay, toDay).
		Group("activity_id, substr(occurred_on, 1, 7)").Scan(&out).Error
	return out, translate(err, "records of activities")
}
