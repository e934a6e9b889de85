package publishing

import (
	"errors"
	"slices"

	"github.com/loa-vn/loa/storage"
)

// Action is something a person asks Loa to do.
type Action string

// The actions the policy decides.
const (
	// View is reading an object: anyone whose agency is the object's or
	// above it may.
	View                Action = "view"
	SubmitPost          Action = "submit_post"
	EditPost            Action = "edit_post"
	CancelPost          Action = "cancel_post"
	ApprovePost         Action = "approve_post"
	RejectPost          Action = "reject_post"
	RetryDelivery       Action = "retry_delivery"
	CancelDelivery      Action = "cancel_delivery"
	CreateSchedule      Action = "create_schedule"
	PauseResumeSchedule Action = "pause_resume_schedule"
	ManageChannels      Action = "manage_channels" // create, change, test
	ManageSources       Action = "manage_sources"  // create, poll now, pause, resume
	ManageUsers         Action = "manage_users"
	ManageAgencies      Action = "manage_agencies" // create, rename, move, disable
	ManageTokens        Action = "manage_tokens"   // list, create, revoke a user's tokens
	ManagePlans         Action = "manage_plans"    // create and change an agency's plans and activities
	// RecordActivity is entering offline work done for a plan activity.
	RecordActivity Action = "record_activity"
	// ManageVocabularies is changing the installation's content areas and
	// audiences; the subject's agency is the root's.
	ManageVocabularies Action = "manage_vocabularies"
)

// Subject is what an action is done to, as far as the policy needs to know.
type Subject struct {
	// What names the kind of object ("post", "channel"), for the not-found
	// answer to an actor outside its agency.
	What string
	// Agency is the object's agency and every agency above it, root first
	// (Service.Subject fills it). Nil when the action concerns no object
	// yet (the API's coarse gate by role).
	Agency []int64
	// OwnerID is the user the object belongs to: a post's or schedule's
	// author, a token's user. Zero when the action concerns no one's object.
	OwnerID int64
	// DeliveryStatus is the status of a delivery being retried.
	DeliveryStatus string
}

// ErrNotAllowed means the actor may not do the action; a *NotAllowedError
// says why.
var ErrNotAllowed = errors.New("not allowed")

// NotAllowedError is ErrNotAllowed with a reason a person can act on.
type NotAllowedError struct{ Reason string }

func (e *NotAllowedError) Error() string        { return e.Reason }
func (e *NotAllowedError) Is(target error) bool { return target == ErrNotAllowed }

func refuse(reason string) error { return &NotAllowedError{Reason: reason} }

// Allowed is the authorization policy: nil if actor may do action to
// object, else a *NotAllowedError. A user's role holds in their agency and
// every agency beneath it: an object whose agency is neither is a
// *NotFoundError, exactly as if it did not exist, whatever the role and
// action. Officers write posts and schedules and act on their own; editors
// also act on anyone's, approve and reject, and manage channels, sources
// and plans; admins also manage users and anyone's tokens, and admins of
// the root agency the installation's lists (content areas, audiences).
// Anyone records offline work for a plan activity. An unconfirmed
// delivery, which the platform may already have published, is retried only
// by an editor, who answers for a second copy.
func Allowed(actor storage.User, action Action, object Subject) error {
	own := object.OwnerID != 0 && object.OwnerID == actor.ID
	editor, admin := isEditor(actor), actor.Role == storage.RoleAdmin
	if actor.DisabledAt != nil || !knownRole(actor.Role) {
		return refuse("this account may not act in Loa")
	}
	if action == ManageVocabularies {
		// The lists are the whole installation's: only an admin of the
		// root agency changes them, and everyone may know they exist.
		if !admin || object.Agency != nil && !slices.Contains(object.Agency, actor.AgencyID) {
			return refuse("only an admin of the top agency may change the lists")
		}
		return nil
	}
	if object.Agency != nil && !slices.Contains(object.Agency, actor.AgencyID) {
		return &NotFoundError{What: object.What}
	}
	switch action {
	case View, SubmitPost, CreateSchedule, RecordActivity:
		return nil
	case EditPost:
		return ownOrEditor(own, editor, "officers can edit only their own posts")
	case CancelPost:
		return ownOrEditor(own, editor, "officers can cancel only their own posts")
	case CancelDelivery:
		return ownOrEditor(own, editor, "officers may cancel deliveries of their own posts only")
	case PauseResumeSchedule:
		return ownOrEditor(own, editor, "officers can pause or resume only their own schedules")
	case RetryDelivery:
		if object.DeliveryStatus == storage.DeliveryUnconfirmed && !editor {
			return refuse("only an editor may retry an unconfirmed delivery: the platform may already have it, and a retry could publish it twice")
		}
		return ownOrEditor(own, editor, "officers may retry deliveries of their own posts only")
	case ApprovePost, RejectPost, ManageChannels, ManageSources, ManagePlans:
		if !editor {
			return refuse("this needs the editor role or higher")
		}
		return nil
	case ManageUsers, ManageAgencies:
		if !admin {
			return refuse("this needs the admin role or higher")
		}
		return nil
	case ManageTokens:
		if !own && !admin {
			return refuse("you can manage only your own tokens")
		}
		return nil
	}
	return refuse("unknown action " + string(action))
}

func ownOrEditor(own, editor bool, reason string) error {
	if own || editor {
		return nil
	}
	return refuse(reason)
}

func knownRole(role string) bool {
	return role == storage.RoleOfficer || role == storage.RoleEditor || role == storage.RoleAdmin
}
