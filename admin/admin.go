// Package admin administers Loa's users and agencies: creating, changing
// and disabling users, the password rule, and the agency tree (create,
// rename, re-code, move, disable). The API and the web pages both call it,
// so there is one copy of each rule; who may act is the policy's
// (publishing.Allowed), asked through the publishing.Service it is given.
package admin

import (
	"context"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// Hasher hashes a new password; the API's bounded password hashers are
// one (each hash holds 64 MiB, so their number is capped in one place).
type Hasher interface {
	Hash(ctx context.Context, password string) (string, error)
}

// Options are the Service's dependencies.
type Options struct {
	Store      *storage.Store
	Publishing *publishing.Service
	Hasher     Hasher
}

// Service applies the administration rules. It is safe for concurrent use.
type Service struct {
	store  *storage.Store
	pub    *publishing.Service
	hasher Hasher
}

// New builds a Service.
func New(o Options) *Service {
	return &Service{store: o.Store, pub: o.Publishing, hasher: o.Hasher}
}

// Errors a person can act on, besides *publishing.InvalidError (a field
// breaks a rule), *publishing.NotFoundError (missing or outside the actor's
// agencies) and *publishing.NotAllowedError (the policy refuses).
var (
	ErrNameTaken = &publishing.StateError{Code: "conflict",
		Message: "a user with this name (ignoring case and Unicode form) already exists"}
	ErrCodeTaken   = &publishing.StateError{Code: "conflict", Message: "an agency with this code already exists"}
	ErrSelfLockout = &publishing.StateError{Code: "self_lockout",
		Message: "you cannot demote or disable yourself; ask another admin"}
)

func invalid(field, msg string) error { return &publishing.InvalidError{Field: field, Message: msg} }

// requiredText is publishing.RequiredText for a field that may be absent.
func requiredText(field string, raw *string, max int) (string, error) {
	var s string
	if raw != nil {
		s = *raw
	}
	return publishing.RequiredText(field, s, max)
}
