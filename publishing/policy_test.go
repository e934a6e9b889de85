package publishing_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// TestPolicy enumerates role × action × ownership. Each row lists whether
// officer, editor and admin may act on their own object and on another's.
func TestPolicy(t *testing.T) {
	type who struct{ own, other bool }
	tests := []struct {
		action  publishing.Action
		status  string // delivery status, for retries
		officer who
		editor  who
		admin   who
	}{
		{action: publishing.SubmitPost, officer: who{true, true}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.CreateSchedule, officer: who{true, true}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.EditPost, officer: who{true, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.CancelPost, officer: who{true, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.PauseResumeSchedule, officer: who{true, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.RetryDelivery, status: storage.DeliveryFailed, officer: who{true, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.RetryDelivery, status: storage.DeliveryUnconfirmed, officer: who{false, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.CancelDelivery, officer: who{true, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.ApprovePost, officer: who{false, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.RejectPost, officer: who{false, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.ManageChannels, officer: who{false, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.ManageSources, officer: who{false, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.ManageUsers, officer: who{false, false}, editor: who{false, false}, admin: who{true, true}},
		{action: publishing.ManageAgencies, officer: who{false, false}, editor: who{false, false}, admin: who{true, true}},
		{action: publishing.ManageTokens, officer: who{true, false}, editor: who{true, false}, admin: who{true, true}},
		{action: publishing.ManagePlans, officer: who{false, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.RecordActivity, officer: who{true, true}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.ManageVocabularies, officer: who{false, false}, editor: who{false, false}, admin: who{true, true}},
	}
	const me, someoneElse = 7, 8
	for _, tt := range tests {
		for role, want := range map[string]who{storage.RoleOfficer: tt.officer, storage.RoleEditor: tt.editor, storage.RoleAdmin: tt.admin} {
			for _, own := range []bool{true, false} {
				owner, allowed := int64(someoneElse), want.other
				if own {
					owner, allowed = me, want.own
				}
				name := fmt.Sprintf("%s %s/%s own=%v", tt.action, tt.status, role, own)
				t.Run(name, func(t *testing.T) {
					actor := storage.User{ID: me, Role: role}
					err := publishing.Allowed(actor, tt.action, publishing.Subject{OwnerID: owner, DeliveryStatus: tt.status})
					checkAllowed(t, err, allowed)
					// A disabled account may do nothing, whatever its role.
					disabled := time.Now()
					actor.DisabledAt = &disabled
					checkAllowed(t, publishing.Allowed(actor, tt.action, publishing.Subject{OwnerID: owner, DeliveryStatus: tt.status}), false)
				})
			}
		}
	}
}

func TestPolicyRefusesUnknownRolesAndActions(t *testing.T) {
	checkAllowed(t, publishing.Allowed(storage.User{ID: 1, Role: "owner"}, publishing.SubmitPost, publishing.Subject{}), false)
	checkAllowed(t, publishing.Allowed(storage.User{ID: 1, Role: storage.RoleAdmin}, "delete_everything", publishing.Subject{}), false)
	// An object with no owner is nobody's own, not the zero user's.
	checkAllowed(t, publishing.Allowed(storage.User{Role: storage.RoleOfficer}, publishing.EditPost, publishing.Subject{}), false)
}

func checkAllowed(t *testing.T, err error, want bool) {
	t.Helper()
	var na *publishing.NotAllowedError
	switch {
	case want && err != nil:
		t.Errorf("refused (%v), want allowed", err)
	case !want && err == nil:
		t.Error("allowed, want refused")
	case !want && (!errors.As(err, &na) || na.Reason == "" || !errors.Is(err, publishing.ErrNotAllowed)):
		t.Errorf("refusal %v is not a NotAllowedError with a reason", err)
	}
}

// TestPolicyScope: a role holds in the actor's agency and beneath it; an
// object anywhere else is "not found", whatever the role and action, so
// the answer reveals nothing. Agencies: R=1 with children A=2 and B=3; C=4
// beneath A.
func TestPolicyScope(t *testing.T) {
	const r, a = 1, 2
	lines := map[string][]int64{"R": {1}, "A": {1, 2}, "B": {1, 3}, "C under A": {1, 2, 4}}
	tests := []struct {
		actorAgency int64
		object      string
		inScope     bool
	}{
		{actorAgency: a, object: "A", inScope: true},
		{actorAgency: a, object: "C under A", inScope: true},
		{actorAgency: a, object: "B", inScope: false},
		{actorAgency: a, object: "R", inScope: false},
		{actorAgency: r, object: "A", inScope: true},
		{actorAgency: r, object: "B", inScope: true},
		{actorAgency: r, object: "C under A", inScope: true},
	}
	actions := []publishing.Action{publishing.View, publishing.EditPost, publishing.CancelPost, publishing.ApprovePost,
		publishing.RejectPost, publishing.RetryDelivery, publishing.CancelDelivery, publishing.PauseResumeSchedule, publishing.ManageChannels,
		publishing.ManageSources, publishing.ManageUsers, publishing.ManageTokens, publishing.ManagePlans, publishing.RecordActivity}
	for _, tt := range tests {
		for _, role := range []string{storage.RoleOfficer, storage.RoleEditor, storage.RoleAdmin} {
			for _, action := range actions {
				t.Run(fmt.Sprintf("%s of %d %s in %s", role, tt.actorAgency, action, tt.object), func(t *testing.T) {
					actor := storage.User{ID: 7, Role: role, AgencyID: tt.actorAgency}
					object := publishing.Subject{What: "post", OwnerID: 7, Agency: lines[tt.object]}
					err := publishing.Allowed(actor, action, object)
					unscoped := publishing.Allowed(actor, action, publishing.Subject{OwnerID: 7})
					var nf *publishing.NotFoundError
					switch {
					case tt.inScope && (err == nil) != (unscoped == nil):
						t.Errorf("in scope: %v, want what the role alone decides (%v)", err, unscoped)
					case !tt.inScope && (!errors.As(err, &nf) || err.Error() != "post not found"):
						t.Errorf("outside scope: %v, want exactly a missing post's answer", err)
					}
				})
			}
		}
	}
}

// An officer's post is approved by an editor of its agency or of one
// above it, never by its officer, nor by an editor of a sibling.
func TestPolicyApprovalUpTheTree(t *testing.T) {
	post := publishing.Subject{What: "post", OwnerID: 9, Agency: []int64{1, 2}}
	tests := []struct {
		name  string
		actor storage.User
		want  bool
	}{
		{"editor of the post's agency", storage.User{ID: 1, Role: storage.RoleEditor, AgencyID: 2}, true},
		{"editor of the root", storage.User{ID: 2, Role: storage.RoleEditor, AgencyID: 1}, true},
		{"admin of the root", storage.User{ID: 3, Role: storage.RoleAdmin, AgencyID: 1}, true},
		{"the officer who wrote it", storage.User{ID: 9, Role: storage.RoleOfficer, AgencyID: 2}, false},
		{"editor of a sibling", storage.User{ID: 4, Role: storage.RoleEditor, AgencyID: 3}, false},
		{"editor beneath the post's agency", storage.User{ID: 5, Role: storage.RoleEditor, AgencyID: 4}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := publishing.Allowed(tt.actor, publishing.ApprovePost, post)
			if (err == nil) != tt.want {
				t.Errorf("Allowed = %v, want allowed=%v", err, tt.want)
			}
		})
	}
}

// The lists are the installation's: only an admin of the root agency
// changes them; an admin below is refused (not told "not found": the
// lists are visible to everyone).
func TestPolicyVocabulariesNeedTheRootsAdmin(t *testing.T) {
	root := publishing.Subject{What: "vocabulary", Agency: []int64{1}}
	tests := []struct {
		actor storage.User
		want  bool
	}{
		{storage.User{ID: 1, Role: storage.RoleAdmin, AgencyID: 1}, true},
		{storage.User{ID: 2, Role: storage.RoleAdmin, AgencyID: 2}, false},
		{storage.User{ID: 3, Role: storage.RoleEditor, AgencyID: 1}, false},
		{storage.User{ID: 4, Role: storage.RoleOfficer, AgencyID: 1}, false},
	}
	for _, tt := range tests {
		checkAllowed(t, publishing.Allowed(tt.actor, publishing.ManageVocabularies, root), tt.want)
	}
}
