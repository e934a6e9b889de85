package secrets

import (
	"net/url"
	"strings"
)

// Mask stands in for a secret in API responses; sending it back in an
// update keeps the stored secret.
const Mask = "********"

// MaskURL returns raw with the credentials inside it (https://user:pass@host)
// masked: the password becomes Mask (https://user:********@host/…), and a
// lone token, having no password, is masked whole (https://********@host/…).
// A URL without credentials is returned as it is.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") {
			return Mask // unreadable, and it may hold credentials
		}
		return raw
	}
	if u.User == nil {
		return raw
	}
	masked := Mask
	if _, ok := u.User.Password(); ok {
		masked = url.User(u.User.Username()).String() + ":" + Mask
	}
	u.User = nil
	return strings.Replace(u.String(), "//", "//"+masked+"@", 1)
}

// URLCredentials returns the user name and password inside raw, empty
// when it has none.
func URLCredentials(raw string) (user, password string) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return "", ""
	}
	password, _ = u.User.Password()
	return u.User.Username(), password
}

// WithoutURLCredentials returns raw without the credentials inside it: the
// address they are sent to.
func WithoutURLCredentials(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// RestoreURLCredentials returns sent, a URL that came back from a client,
// with masked credentials (as MaskURL shows them) replaced by those inside
// stored; restored tells whether it did. A URL whose credentials are not
// masked is returned as it is: the client entered them.
func RestoreURLCredentials(sent, stored string) (out string, restored bool) {
	u, err := url.Parse(sent)
	if err != nil || u.User == nil {
		return sent, false
	}
	password, hasPassword := u.User.Password()
	if hasPassword && password != Mask || !hasPassword && u.User.Username() != Mask {
		return sent, false
	}
	old, err := url.Parse(stored)
	if err != nil || old.User == nil {
		return sent, false // nothing to restore; the mask stays and fails later checks
	}
	if oldPassword, ok := old.User.Password(); hasPassword && ok {
		u.User = url.UserPassword(u.User.Username(), oldPassword)
	} else if hasPassword {
		u.User = url.User(u.User.Username())
	} else {
		u.User = old.User
	}
	return u.String(), true
}
