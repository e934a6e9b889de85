package plans

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// VocabKinds are the lists, with their Vietnamese names.
func VocabKinds() []Choice {
	return []Choice{{storage.VocabContentArea, "Nội dung tuyên truyền"}, {storage.VocabAudience, "Đối tượng"}}
}

func knownKind(kind string) bool {
	return kind == storage.VocabContentArea || kind == storage.VocabAudience
}

// Vocabulary returns the terms of kind ("" for both), the disabled ones
// too when withDisabled; everyone may read the lists.
func (s *Service) Vocabulary(ctx context.Context, actor storage.User, kind string, withDisabled bool) ([]storage.VocabTerm, error) {
	if err := publishing.Allowed(actor, publishing.View, publishing.Subject{}); err != nil {
		return nil, err
	}
	if kind != "" && !knownKind(kind) {
		return nil, invalidf("kind", "must be content_area or audience")
	}
	return s.store.ListVocab(ctx, kind, withDisabled)
}

// TermInput is a list entry as an admin gives it; for a change nil
// members stay (Kind and Code cannot change).
type TermInput struct {
	Kind, Code string
	Label      *string
	Position   *int
	Disabled   *bool
}

// codePattern is a term's code: what posts, plans and API clients hold.
var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// CreateTerm adds a term to a list, for an admin of the root agency.
func (s *Service) CreateTerm(ctx context.Context, actor storage.User, in TermInput) (storage.VocabTerm, error) {
	if err := s.mayManageVocab(ctx, actor); err != nil {
		return storage.VocabTerm{}, err
	}
	if !knownKind(in.Kind) {
		return storage.VocabTerm{}, invalidf("kind", "must be content_area or audience")
	}
	if !codePattern.MatchString(in.Code) {
		return storage.VocabTerm{}, invalidf("code", "must be 2–40 lower-case letters, digits or _ starting with a letter, such as chinh_phu_so")
	}
	label, err := publishing.RequiredText("label", deref(in.Label), maxVocabLabel)
	if err != nil {
		return storage.VocabTerm{}, err
	}
	t := storage.VocabTerm{Kind: in.Kind, Code: in.Code, Label: label}
	if in.Position != nil {
		if t.Position, err = position(*in.Position); err != nil {
			return t, err
		}
	}
	n, err := s.store.CountVocab(ctx, in.Kind)
	if err != nil {
		return t, err
	}
	if n >= maxVocabTerms {
		return t, invalidf("kind", fmt.Sprintf("a list holds at most %d terms; disable or rename one", maxVocabTerms))
	}
	err = s.store.CreateVocabTerm(ctx, &t, publishing.ActorName(actor))
	if errors.Is(err, storage.ErrConflict) {
		return t, invalidf("code", fmt.Sprintf("the %s list already has the code %s", in.Kind, in.Code))
	}
	return t, err
}

// UpdateTerm renames, moves, disables or enables a term.
func (s *Service) UpdateTerm(ctx context.Context, actor storage.User, id int64, in TermInput) (storage.VocabTerm, error) {
	if err := s.mayManageVocab(ctx, actor); err != nil {
		return storage.VocabTerm{}, err
	}
	cur, err := s.store.GetVocabTerm(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return cur, &publishing.NotFoundError{What: "vocabulary term"}
	}
	if err != nil {
		return cur, err
	}
	if in.Kind != "" && in.Kind != cur.Kind || in.Code != "" && in.Code != cur.Code {
		return cur, invalidf("code", "a term's kind and code never change (posts and plans hold them); disable it and add another")
	}
	c := storage.VocabChange{Disabled: in.Disabled}
	if in.Label != nil {
		label, err := publishing.RequiredText("label", *in.Label, maxVocabLabel)
		if err != nil {
			return cur, err
		}
		c.Label = &label
	}
	if in.Position != nil {
		p, err := position(*in.Position)
		if err != nil {
			return cur, err
		}
		c.Position = &p
	}
	return s.store.UpdateVocabTerm(ctx, id, c, publishing.ActorName(actor))
}

func position(p int) (int, error) {
	if p < 1 || p > 1000 {
		return 0, invalidf("position", "must be from 1 to 1000")
	}
	return p, nil
}

// mayManageVocab applies the policy: the lists are the root agency's.
func (s *Service) mayManageVocab(ctx context.Context, actor storage.User) error {
	root, err := s.store.RootAgency(ctx)
	if err != nil {
		return fmt.Errorf("plans: root agency: %w", err)
	}
	sub, err := s.pub.Subject(ctx, "vocabulary", root.ID, 0)
	if err != nil {
		return err
	}
	return publishing.Allowed(actor, publishing.ManageVocabularies, sub)
}

// Labels maps each list's codes to their labels (disabled terms too: old
// posts and plans still name them).
func (s *Service) Labels(ctx context.Context) (map[string]map[string]string, error) {
	terms, err := s.store.ListVocab(ctx, "", true)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{storage.VocabContentArea: {}, storage.VocabAudience: {}}
	for _, t := range terms {
		out[t.Kind][t.Code] = t.Label
	}
	return out, nil
}
