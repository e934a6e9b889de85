package channels

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/vntime"
)

// Env is what the running service lends to adapters when it builds them.
// One built channel serves concurrent Publish calls: adapters must be safe
// for concurrent use.
type Env struct {
	HTTPClient *http.Client
	// PublicBaseURL is where Loa's public pages and feeds are reachable, without trailing slash.
	PublicBaseURL string
	Logger        *slog.Logger
	// ChannelID is the stored channel being built (0 when checking a config not yet saved).
	ChannelID int64
	// Location is the zone for local times (LOA_TIMEZONE).
	Location *time.Location
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Clock returns env.Now or time.Now.
func (e Env) Clock() func() time.Time {
	if e.Now != nil {
		return e.Now
	}
	return time.Now
}

// Zone returns env.Location or Asia/Ho_Chi_Minh's fixed UTC+7.
func (e Env) Zone() *time.Location {
	if e.Location != nil {
		return e.Location
	}
	return vntime.Fixed()
}

// Kind describes one adapter kind: how its configuration is checked, which
// parts of it are secret, and how a channel of this kind is built.
type Kind struct {
	Name string
	// SecretFields are top-level config keys that are never returned or logged.
	SecretFields []string
	// EndpointFields are top-level config keys holding the URLs Loa sends
	// the secrets to. A credential only ever goes to the host it was
	// entered for, so these are checked by the outbound guard, changing
	// one is refused unless the secrets are entered again (MergeConfig),
	// and credentials inside them (https://user:pass@host) are masked.
	EndpointFields []string
	// RenewedFields are config keys the adapter obtains itself from an
	// endpoint (an access token renewed by refresh, its expiry). When an
	// endpoint changes they are dropped unless entered in the same change,
	// rather than demanded like SecretFields.
	RenewedFields []string
	// Validate checks a channel's config and returns it normalised (trimmed,
	// defaults filled). Failures are *ConfigError naming the field.
	Validate func(config json.RawMessage) (json.RawMessage, error)
	// FeedSlug returns the public slug a channel of this kind is served under,
	// or "" when the kind serves nothing publicly. May be nil.
	FeedSlug func(config json.RawMessage) string
	// New builds a channel from a config that Validate accepted.
	New func(config json.RawMessage, env Env) (Channel, error)
}

// ConfigError names the config field that is wrong and why.
type ConfigError struct {
	Field   string
	Message string
}

func (e *ConfigError) Error() string {
	if e.Field == "" {
		return "config: " + e.Message
	}
	return fmt.Sprintf("config.%s: %s", e.Field, e.Message)
}

// Registry holds the kinds this service can publish to.
type Registry struct {
	kinds map[string]Kind
}

// NewRegistry refuses duplicate or incomplete kinds, so that a wiring mistake
// stops the service at start rather than at the first delivery.
func NewRegistry(kinds ...Kind) (*Registry, error) {
	r := &Registry{kinds: make(map[string]Kind, len(kinds))}
	for _, k := range kinds {
		if k.Name == "" || k.Validate == nil || k.New == nil {
			return nil, fmt.Errorf("channels: kind %q is incomplete", k.Name)
		}
		if _, dup := r.kinds[k.Name]; dup {
			return nil, fmt.Errorf("channels: kind %q is already registered", k.Name)
		}
		r.kinds[k.Name] = k
	}
	return r, nil
}

// Lookup returns the kind registered under name.
func (r *Registry) Lookup(name string) (Kind, bool) {
	k, ok := r.kinds[name]
	return k, ok
}

// Names lists the registered kinds in order.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.kinds))
	for n := range r.kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// MaskSecrets returns config with every secret field replaced by a fixed
// mask, and the credentials inside endpoint URLs masked (see
// secrets.MaskURL), so a response shows that a secret is set without
// revealing it.
func (k Kind) MaskSecrets(config json.RawMessage) (json.RawMessage, error) {
	var fields map[string]any
	if err := json.Unmarshal(config, &fields); err != nil {
		return nil, fmt.Errorf("channels: decode config: %w", err)
	}
	for _, name := range k.SecretFields {
		if v, ok := fields[name]; ok && v != "" && v != nil {
			fields[name] = SecretMask
		}
	}
	for _, name := range k.EndpointFields {
		if s, ok := fields[name].(string); ok {
			fields[name] = secrets.MaskURL(s)
		}
	}
	return json.Marshal(fields)
}

// SecretMask stands in for a secret in API responses; sending it back in an
// update keeps the stored secret.
const SecretMask = secrets.Mask
