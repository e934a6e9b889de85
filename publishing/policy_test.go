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
		{action: publishing.ApprovePost, officer: who{false, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.RejectPost, officer: who{false, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.ManageChannels, officer: who{false, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.ManageSources, officer: who{false, false}, editor: who{true, true}, admin: who{true, true}},
		{action: publishing.ManageUsers, officer: who{false, false}, editor: who{false, false}, admin: who{true, true}},
		{action: publishing.ManageAgencies, officer: who{false, false}, editor: who{false, false}, admin: who{true, true}},
		{action: publishing.ManageTokens, officer: who{true, false}, editor: who{true, false}, admin: who{true, true}},
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
