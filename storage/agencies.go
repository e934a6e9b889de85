package storage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// EntityAgency is the audit entity type of agencies.
const EntityAgency = "agency"

// Agency is one node of the tree of agencies (a province, its departments,
// communes...). Everything in Loa belongs to one; a role held in an agency
// holds in every agency beneath it.
type Agency struct {
	ID   int64
	Name string
	// Code is unique: lowercase letters, digits and "-".
	Code string
	// ParentID is nil for the root, the one agency without a parent.
	ParentID *int64
	// Path is the ids from the root down to the agency, "/1/7/12/": the
	// subtree of an agency is the range of paths that start with its own.
	Path       string
	DisabledAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// Names are the agencies' names from the root down to this one; filled
	// by GetAgency and ListAgencies.
	Names []string `gorm:"-"`
}

// AgencyError is a change to the tree of agencies that was refused; Field
// names the part of the request at fault.
type AgencyError struct {
	Field  string
	Reason string
}

func (e *AgencyError) Error() string { return e.Field + ": " + e.Reason }

var agencyCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// ValidAgencyCode says whether code can be an agency's code: 1–64 of
// lowercase letters, digits and "-", not starting with "-".
func ValidAgencyCode(code string) bool { return agencyCode.MatchString(code) }

// subtreeRange is the range of paths in the subtree of the agency at path:
// every path starting with "/1/7/" is ≥ "/1/7/" and < "/1/70" ("0" follows
// "/" bytewise), so "path >= lo AND path < hi" is one index range.
func subtreeRange(path string) (lo, hi string) {
	return path, path[:len(path)-1] + "0"
}

// pathIDs are the ids in a materialised path, root first.
func pathIDs(path string) []int64 {
	var ids []int64
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// lockAgencies serialises changes to the tree across processes on
// PostgreSQL, so two moves cannot make a cycle between them (SQLite's
// immediate transactions already serialise).
func (s *Store) lockAgencies(tx *gorm.DB) error {
	if s.dialect != dialectPostgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(7261003)").Error
}

// rootAgencyID is the id of the root agency, which every store has from
// migration 10 on.
func rootAgencyID(tx *gorm.DB) (int64, error) {
	var ids []int64
	err := tx.Session(&gorm.Session{NewDB: true}).Model(&Agency{}).
		Where("parent_id IS NULL").Order("id").Limit(1).Pluck("id", &ids).Error
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, errors.New("storage: there is no root agency")
	}
	return ids[0], nil
}

// ownAgency sets *id to the root agency when it is 0, and otherwise checks
// that the agency exists. Every row that belongs to an agency is made
// through it (the models' BeforeCreate), so callers that name no agency
// keep working as before agencies existed.
func ownAgency(tx *gorm.DB, id *int64) error {
	if *id == 0 {
		root, err := rootAgencyID(tx)
		*id = root
		return err
	}
	var n int64
	if err := tx.Session(&gorm.Session{NewDB: true}).Model(&Agency{}).Where("id = ?", *id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return &AgencyError{Field: "agency_id", Reason: fmt.Sprintf("agency %d does not exist", *id)}
	}
	return nil
}

// BeforeCreate puts a new user in the root agency unless it names one.
func (u *User) BeforeCreate(tx *gorm.DB) error { return ownAgency(tx, &u.AgencyID) }

// BeforeCreate puts a new channel in the root agency unless it names one.
func (ch *Channel) BeforeCreate(tx *gorm.DB) error { return ownAgency(tx, &ch.AgencyID) }

// BeforeCreate puts a new post in the root agency unless it names one.
func (p *Post) BeforeCreate(tx *gorm.DB) error { return ownAgency(tx, &p.AgencyID) }

// BeforeCreate puts a new schedule in the root agency unless it names one.
func (sc *Schedule) BeforeCreate(tx *gorm.DB) error { return ownAgency(tx, &sc.AgencyID) }

// BeforeCreate puts a new source in the root agency unless it names one.
func (src *Source) BeforeCreate(tx *gorm.DB) error { return ownAgency(tx, &src.AgencyID) }

// BeforeCreate gives a delivery its channel's agency when the caller has
// not copied it already (CreatePost does, for all channels in one query).
func (d *Delivery) BeforeCreate(tx *gorm.DB) error {
	if d.AgencyID != 0 {
		return nil
	}
	var ids []int64
	err := tx.Session(&gorm.Session{NewDB: true}).Model(&Channel{}).
		Where("id = ?", d.ChannelID).Pluck("agency_id", &ids).Error
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return fmt.Errorf("storage: delivery to unknown channel %d", d.ChannelID)
	}
	d.AgencyID = ids[0]
	return nil
}

// RootAgency returns the root of the tree.
func (s *Store) RootAgency(ctx context.Context) (Agency, error) {
	id, err := rootAgencyID(s.db.WithContext(ctx))
	if err != nil {
		return Agency{}, translate(err, "find root agency")
	}
	return s.GetAgency(ctx, id)
}

// CreateAgency adds a under its parent, which must exist and be enabled;
// every agency but the root has one. A code that is taken is ErrConflict.
func (s *Store) CreateAgency(ctx context.Context, a *Agency, actor string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.lockAgencies(tx); err != nil {
			return err
		}
		if a.ParentID == nil {
			return &AgencyError{Field: "parent_id", Reason: "is required: only the root agency has no parent"}
		}
		parent, err := s.enabledParent(tx, *a.ParentID)
		if err != nil {
			return err
		}
		a.Path, a.DisabledAt = "", nil
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		a.Path = fmt.Sprintf("%s%d/", parent.Path, a.ID)
		if err := tx.Model(&Agency{}).Where("id = ?", a.ID).Update("path", a.Path).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityAgency, EntityID: a.ID,
			Action: "created", Detail: fmt.Sprintf("%s (%s) under agency %d", a.Name, a.Code, parent.ID)})
	})
	return translateKeepAgency(err, "create agency")
}

// enabledParent returns the agency id if it can take a new child.
func (s *Store) enabledParent(tx *gorm.DB, id int64) (Agency, error) {
	var parent Agency
	err := s.forUpdate(tx).First(&parent, id).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return parent, &AgencyError{Field: "parent_id", Reason: fmt.Sprintf("agency %d does not exist", id)}
	case err != nil:
		return parent, err
	case parent.DisabledAt != nil:
		return parent, &AgencyError{Field: "parent_id", Reason: fmt.Sprintf("agency %d is disabled and takes no new agencies", id)}
	}
	return parent, nil
}

// translateKeepAgency is translate that keeps an *AgencyError as it is.
func translateKeepAgency(err error, what string) error {
	var ae *AgencyError
	if errors.As(err, &ae) {
		return ae
	}
	return translate(err, what)
}

// GetAgency returns one agency with the names of its path.
func (s *Store) GetAgency(ctx context.Context, id int64) (Agency, error) {
	var a Agency
	if err := s.db.WithContext(ctx).First(&a, id).Error; err != nil {
		return a, translate(err, "get agency")
	}
	as := []Agency{a}
	err := s.fillNames(ctx, as)
	return as[0], err
}

// ListAgencies returns the subtree of the agency id (itself included),
// each with its path of names, parents before children.
func (s *Store) ListAgencies(ctx context.Context, id int64) ([]Agency, error) {
	var top Agency
	if err := s.db.WithContext(ctx).First(&top, id).Error; err != nil {
		return nil, translate(err, "list agencies")
	}
	lo, hi := subtreeRange(top.Path)
	var as []Agency
	if err := s.db.WithContext(ctx).Where("path >= ? AND path < ?", lo, hi).Order("path").Find(&as).Error; err != nil {
		return nil, translate(err, "list agencies")
	}
	return as, s.fillNames(ctx, as)
}

// fillNames sets Names on each agency from the names of the agencies on
// its path.
func (s *Store) fillNames(ctx context.Context, as []Agency) error {
	names := make(map[int64]string, len(as))
	var missing []int64
	for _, a := range as {
		names[a.ID] = a.Name
	}
	for _, a := range as {
		for _, id := range pathIDs(a.Path) {
			if _, ok := names[id]; !ok {
				missing = append(missing, id)
				names[id] = ""
			}
		}
	}
	if len(missing) > 0 {
		var above []Agency
		if err := s.db.WithContext(ctx).Select("id", "name").Where("id IN ?", missing).Find(&above).Error; err != nil {
			return translate(err, "read agency names")
		}
		for _, a := range above {
			names[a.ID] = a.Name
		}
	}
	for i, a := range as {
		ids := pathIDs(a.Path)
		as[i].Names = make([]string, len(ids))
		for j, id := range ids {
			as[i].Names[j] = names[id]
		}
	}
	return nil
}

// IsInSubtree says whether agency is ancestor or lies beneath it. An
// agency that does not exist is in no subtree.
func (s *Store) IsInSubtree(ctx context.Context, ancestor, agency int64) (bool, error) {
	var as []Agency
	err := s.db.WithContext(ctx).Select("id", "path").Where("id IN ?", []int64{ancestor, agency}).Find(&as).Error
	if err != nil {
		return false, translate(err, "check agency subtree")
	}
	var top, a *Agency
	for i := range as {
		if as[i].ID == ancestor {
			top = &as[i]
		}
		if as[i].ID == agency {
			a = &as[i]
		}
	}
	return top != nil && a != nil && strings.HasPrefix(a.Path, top.Path), nil
}

// SubtreeIDs returns the ids of the agency and every agency beneath it.
func (s *Store) SubtreeIDs(ctx context.Context, id int64) ([]int64, error) {
	var ids []int64
	err := s.inSubtree(s.db.WithContext(ctx), "id", id).Model(&Agency{}).Order("id").Pluck("id", &ids).Error
	return ids, translate(err, "list subtree")
}

// inSubtree limits q to rows whose column is an agency in the subtree of
// the agency id: one index range over agencies.path, then the column's
// index; no walk of the tree. An unknown id matches nothing.
func (s *Store) inSubtree(q *gorm.DB, column string, id int64) *gorm.DB {
	return q.Where(column+" IN (SELECT sub.id FROM agencies sub, agencies top WHERE top.id = ?"+
		" AND sub.path >= top.path AND sub.path < "+subtreeEndSQL+")", id)
}

// scoped limits q to rows whose agency_id lies in the agency's subtree;
// agency 0 leaves q as it is (jobs that act on every agency).
func (s *Store) scoped(q *gorm.DB, agency int64) *gorm.DB {
	if agency == 0 {
		return q
	}
	return s.inSubtree(q, "agency_id", agency)
}

// AgencyLine returns the ids of the agency and the agencies above it, root
// first; the policy checks an actor's agency is among them.
func (s *Store) AgencyLine(ctx context.Context, id int64) ([]int64, error) {
	var a Agency
	err := s.db.WithContext(ctx).Select("id", "path").First(&a, id).Error
	if err != nil {
		return nil, translate(err, "get agency line")
	}
	return pathIDs(a.Path), nil
}

// subtreeEndSQL is subtreeRange's hi for the agency "top", in SQL.
const subtreeEndSQL = "substr(top.path, 1, length(top.path) - 1) || '0'"

// AgencyChange is a change to an agency. Nil fields stay.
type AgencyChange struct {
	Name *string
	Code *string
	// ParentID moves the agency and everything beneath it under another
	// agency, which must be enabled and not beneath the agency itself.
	ParentID *int64
	// Disabled disables or enables the agency. An agency is never deleted;
	// a disabled one takes no new agencies beneath it.
	Disabled *bool
}

// UpdateAgency applies c in one transaction; a move rewrites the path of
// the whole moved subtree with it. A code that is taken is ErrConflict.
func (s *Store) UpdateAgency(ctx context.Context, id int64, c AgencyChange, actor string) (Agency, error) {
	var a Agency
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.lockAgencies(tx); err != nil {
			return err
		}
		if err := s.forUpdate(tx).First(&a, id).Error; err != nil {
			return err
		}
		updates, detail, err := s.agencyUpdates(tx, &a, c)
		if err != nil || len(updates) == 0 {
			return err
		}
		a.UpdatedAt = s.nowUTC()
		updates["updated_at"] = a.UpdatedAt
		if err := tx.Model(&Agency{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityAgency, EntityID: id,
			Action: "updated", Detail: strings.Join(detail, "; ")})
	})
	if err != nil {
		return Agency{}, translateKeepAgency(err, "update agency")
	}
	return s.GetAgency(ctx, id)
}

// agencyUpdates checks c against a, applies it to a, moves a's subtree if
// c moves a, and returns the columns to update and what changed.
func (s *Store) agencyUpdates(tx *gorm.DB, a *Agency, c AgencyChange) (map[string]any, []string, error) {
	updates := map[string]any{}
	var detail []string
	if c.Name != nil && *c.Name != a.Name {
		detail = append(detail, fmt.Sprintf("renamed from %q to %q", a.Name, *c.Name))
		a.Name, updates["name"] = *c.Name, *c.Name
	}
	if c.Code != nil && *c.Code != a.Code {
		detail = append(detail, fmt.Sprintf("code %q to %q", a.Code, *c.Code))
		a.Code, updates["code"] = *c.Code, *c.Code
	}
	if c.Disabled != nil && *c.Disabled != (a.DisabledAt != nil) {
		if a.ParentID == nil {
			return nil, nil, &AgencyError{Field: "disabled", Reason: "the root agency cannot be disabled"}
		}
		a.DisabledAt, detail = nil, append(detail, "enabled")
		if *c.Disabled {
			now := s.nowUTC()
			a.DisabledAt, detail[len(detail)-1] = &now, "disabled"
		}
		updates["disabled_at"] = a.DisabledAt
	}
	if c.ParentID != nil && (a.ParentID == nil || *a.ParentID != *c.ParentID) {
		from := "none"
		if a.ParentID != nil {
			from = strconv.FormatInt(*a.ParentID, 10)
		}
		if err := s.moveAgency(tx, a, *c.ParentID); err != nil {
			return nil, nil, err
		}
		detail = append(detail, fmt.Sprintf("moved from agency %s to agency %d", from, *c.ParentID))
		updates["parent_id"] = *c.ParentID
	}
	return updates, detail, nil
}

// moveAgency puts a under the agency parentID and rewrites the paths of
// a and everything beneath it; moving a under itself or under an agency
// beneath it is refused.
func (s *Store) moveAgency(tx *gorm.DB, a *Agency, parentID int64) error {
	if a.ParentID == nil {
		return &AgencyError{Field: "parent_id", Reason: "the root agency cannot move: every other agency is beneath it"}
	}
	parent, err := s.enabledParent(tx, parentID)
	if err != nil {
		return err
	}
	if strings.HasPrefix(parent.Path, a.Path) {
		return &AgencyError{Field: "parent_id",
			Reason: fmt.Sprintf("agency %d is %s; an agency cannot move beneath itself", parentID, map[bool]string{true: "this agency", false: "beneath this agency"}[parentID == a.ID])}
	}
	newPath := fmt.Sprintf("%s%d/", parent.Path, a.ID)
	lo, hi := subtreeRange(a.Path)
	err = tx.Exec("UPDATE agencies SET path = CAST(? AS VARCHAR(1000)) || substr(path, ?) WHERE path >= ? AND path < ?",
		newPath, len(a.Path)+1, lo, hi).Error
	a.Path, a.ParentID = newPath, &parent.ID
	return err
}
