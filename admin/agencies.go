package admin

import (
	"context"
	"errors"
	"fmt"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// maxAgencyNameRunes matches LOA_AGENCY_NAME's limit and the column.
const maxAgencyNameRunes = 200

// AgencyName cleans an agency's name: plain text, 1–200 characters.
func AgencyName(raw *string) (string, error) {
	return requiredText("name", raw, maxAgencyNameRunes)
}

// AgencyCode checks an agency's code: lowercase letters, digits and "-".
func AgencyCode(raw *string) (string, error) {
	if raw == nil || *raw == "" {
		return "", invalid("code", `is required: lowercase letters, digits and "-", like "xa-dong-tam"`)
	}
	if !storage.ValidAgencyCode(*raw) {
		return "", invalid("code", `must be 1–64 lowercase letters, digits and "-", starting with a letter or digit`)
	}
	return *raw, nil
}

// InScope answers, by the policy, whether agency id is the actor's agency
// or beneath it; an agency that does not exist is not.
func (s *Service) InScope(ctx context.Context, actor storage.User, id int64) (bool, error) {
	err := s.pub.Authorize(ctx, actor, publishing.View, "agency", id, 0)
	var missing *publishing.NotFoundError
	if errors.As(err, &missing) || errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Agency returns agency id if it is in the actor's subtree; one outside it
// is a *publishing.NotFoundError exactly like one that does not exist.
func (s *Service) Agency(ctx context.Context, actor storage.User, id int64) (storage.Agency, error) {
	ok, err := s.InScope(ctx, actor, id)
	if err != nil {
		return storage.Agency{}, err
	}
	if !ok {
		return storage.Agency{}, &publishing.NotFoundError{What: "agency"}
	}
	a, err := s.store.GetAgency(ctx, id)
	if err != nil {
		return a, fmt.Errorf("admin: get agency: %w", err)
	}
	return a, nil
}

// Agencies lists top's subtree, parents before children; top outside
// the actor's subtree is a *publishing.NotFoundError.
func (s *Service) Agencies(ctx context.Context, actor storage.User, top int64) ([]storage.Agency, error) {
	if _, err := s.Agency(ctx, actor, top); err != nil {
		return nil, err
	}
	as, err := s.store.ListAgencies(ctx, top)
	if err != nil {
		return nil, fmt.Errorf("admin: list agencies: %w", err)
	}
	return as, nil
}

// scopedParent refuses a parent outside the actor's subtree exactly like
// one that does not exist.
func (s *Service) scopedParent(ctx context.Context, actor storage.User, id int64) error {
	ok, err := s.InScope(ctx, actor, id)
	if err != nil || ok {
		return err
	}
	return invalid("parent_id", fmt.Sprintf("agency %d does not exist", id))
}

// NewAgency is an agency to create beneath ParentID.
type NewAgency struct {
	Name, Code *string
	ParentID   int64
}

// CreateAgency creates an agency beneath a parent in the actor's subtree.
func (s *Service) CreateAgency(ctx context.Context, actor storage.User, in NewAgency) (storage.Agency, error) {
	name, err := AgencyName(in.Name)
	if err != nil {
		return storage.Agency{}, err
	}
	code, err := AgencyCode(in.Code)
	if err != nil {
		return storage.Agency{}, err
	}
	if in.ParentID <= 0 {
		return storage.Agency{}, invalid("parent_id", "is required: the agency to create this one beneath (there is one root)")
	}
	if err := s.scopedParent(ctx, actor, in.ParentID); err != nil {
		return storage.Agency{}, err
	}
	if err := s.pub.Authorize(ctx, actor, publishing.ManageAgencies, "agency", in.ParentID, 0); err != nil {
		return storage.Agency{}, err
	}
	parent := in.ParentID
	a := storage.Agency{Name: name, Code: code, ParentID: &parent}
	if err := s.store.CreateAgency(ctx, &a, publishing.ActorName(actor)); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return storage.Agency{}, ErrCodeTaken
		}
		return storage.Agency{}, fmt.Errorf("admin: create agency: %w", err)
	}
	return s.store.GetAgency(ctx, a.ID)
}

// AgencyChange is a change to an agency; nil fields stay.
type AgencyChange struct {
	Name, Code *string
	// ParentID moves the agency, with its subtree, beneath another one.
	ParentID *int64
	Disabled *bool
}

// UpdateAgency renames, re-codes, moves, disables or enables an agency in
// the actor's subtree; a move needs the new parent in it too, so an admin
// only moves agencies between places they are above.
func (s *Service) UpdateAgency(ctx context.Context, actor storage.User, id int64, c AgencyChange) (storage.Agency, error) {
	a, err := s.Agency(ctx, actor, id)
	if err != nil {
		return a, err
	}
	if err := s.pub.Authorize(ctx, actor, publishing.ManageAgencies, "agency", a.ID, 0); err != nil {
		return a, err
	}
	change := storage.AgencyChange{Disabled: c.Disabled}
	if c.Name != nil {
		name, err := AgencyName(c.Name)
		if err != nil {
			return a, err
		}
		change.Name = &name
	}
	if c.Code != nil {
		code, err := AgencyCode(c.Code)
		if err != nil {
			return a, err
		}
		change.Code = &code
	}
	if c.ParentID != nil {
		if err := s.scopedParent(ctx, actor, *c.ParentID); err != nil {
			return a, err
		}
		change.ParentID = c.ParentID
	}
	updated, err := s.store.UpdateAgency(ctx, a.ID, change, publishing.ActorName(actor))
	if errors.Is(err, storage.ErrConflict) {
		return a, ErrCodeTaken
	}
	if err != nil {
		return a, fmt.Errorf("admin: update agency: %w", err)
	}
	return updated, nil
}
