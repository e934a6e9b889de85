package publishing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/storage"
)

// ChannelAdmin applies the rules for what connects Loa to outside
// addresses: channels (configs checked by their kind, secrets sealed and
// never shown, endpoints through the outbound guard, changes merged by
// Kind.MergeConfig) and feed sources (their URLs guarded and sealed). The
// API's handlers and the web pages both call it, so there is one copy of
// each rule.
type ChannelAdmin struct {
	pub       *Service
	store     *storage.Store
	registry  *channels.Registry
	box       *secrets.Box
	guard     *outbound.Guard
	set       *adapters.ChannelSet
	publicURL string
}

// ChannelAdminOptions are a ChannelAdmin's dependencies.
type ChannelAdminOptions struct {
	// Publishing decides the policy and the agency of new channels.
	Publishing *Service
	Store      *storage.Store
	Registry   *channels.Registry
	Box        *secrets.Box
	// Guard checks endpoint and feed URLs when they are saved.
	Guard *outbound.Guard
	// Channels builds the adapters that test connections and make editions.
	Channels *adapters.ChannelSet
	// PublicURL is LOA_PUBLIC_URL, where public feeds are served.
	PublicURL string
}

// NewChannelAdmin builds a ChannelAdmin; a nil Guard allows no private range.
func NewChannelAdmin(o ChannelAdminOptions) *ChannelAdmin {
	a := &ChannelAdmin{pub: o.Publishing, store: o.Store, registry: o.Registry, box: o.Box, guard: o.Guard,
		set: o.Channels, publicURL: o.PublicURL}
	if a.guard == nil {
		a.guard = outbound.New(outbound.Options{})
	}
	if a.registry == nil {
		a.registry, _ = channels.NewRegistry()
	}
	return a
}

// Kind is the registered kind name, if any.
func (a *ChannelAdmin) Kind(name string) (channels.Kind, bool) { return a.registry.Lookup(name) }

// KindNames lists the registered kinds in order.
func (a *ChannelAdmin) KindNames() []string { return a.registry.Names() }

// ChannelInput is a channel as a person enters it. On a change, nil
// members (and an empty Config) are left as they are.
type ChannelInput struct {
	Name *string
	// Kind is set on creation only.
	Kind *string
	// Config is the kind's config object; on a change, a partial one
	// merged by Kind.MergeConfig (masked or absent secrets kept).
	Config json.RawMessage
	// Status is active or disabled; not on creation.
	Status *string
	// Slots are local "HH:MM" posting times.
	Slots *[]string
	// AgencyID is the channel's agency; on creation nil means by's own.
	// A channel never moves between agencies.
	AgencyID *int64
}

// maxChannelName bounds a channel's name, in characters.
const maxChannelName = 200

// CreateChannel stores a new active channel for by.
func (a *ChannelAdmin) CreateChannel(ctx context.Context, by storage.User, in ChannelInput) (storage.Channel, error) {
	if err := Allowed(by, ManageChannels, Subject{}); err != nil {
		return storage.Channel{}, err
	}
	if in.Status != nil {
		return storage.Channel{}, invalid("status", "cannot be set when creating a channel")
	}
	name, err := requiredText("name", in.Name, maxChannelName)
	if err != nil {
		return storage.Channel{}, err
	}
	kind, err := a.kindOf(in.Kind)
	if err != nil {
		return storage.Channel{}, err
	}
	var requested int64
	if in.AgencyID != nil {
		if *in.AgencyID <= 0 {
			return storage.Channel{}, invalid("agency_id", "must be an agency id")
		}
		requested = *in.AgencyID
	}
	agency, err := a.pub.AgencyFor(ctx, by, requested)
	if err != nil {
		return storage.Channel{}, err
	}
	ch := storage.Channel{Name: name, Kind: kind.Name, Status: storage.ChannelActive, AgencyID: agency}
	if in.Slots != nil {
		if ch.Slots, err = CleanSlots(*in.Slots); err != nil {
			return storage.Channel{}, err
		}
	}
	if err := a.sealConfig(&ch, kind, in.Config); err != nil {
		return storage.Channel{}, err
	}
	if err := a.store.CreateChannel(ctx, &ch, ActorName(by)); err != nil {
		return storage.Channel{}, channelConflict(err)
	}
	return ch, nil
}

func (a *ChannelAdmin) kindOf(name *string) (channels.Kind, error) {
	names := strings.Join(a.registry.Names(), ", ")
	if name == nil || *name == "" {
		return channels.Kind{}, invalid("kind", "is required; one of "+names)
	}
	kind, ok := a.registry.Lookup(*name)
	if !ok {
		return channels.Kind{}, invalid("kind", fmt.Sprintf("unknown channel kind %q; one of %s", *name, names))
	}
	return kind, nil
}

// requiredText cleans a short plain-text field: markup removed, NFC,
// required, at most max characters.
func requiredText(field string, raw *string, max int) (string, error) {
	var text string
	if raw != nil {
		text = strings.TrimSpace(content.PlainText(*raw))
	}
	switch {
	case text == "":
		return "", invalid(field, "is required")
	case utf8.RuneCountInString(text) > max:
		return "", invalid(field, fmt.Sprintf("is longer than %d characters", max))
	}
	return text, nil
}

// Channel returns the channel id if by may do action to it; one outside
// by's agencies is a *NotFoundError like a missing one.
func (a *ChannelAdmin) Channel(ctx context.Context, by storage.User, id int64, action Action) (storage.Channel, error) {
	ch, err := a.store.GetChannel(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return ch, &NotFoundError{What: "channel"}
	}
	if err != nil {
		return ch, err
	}
	return ch, a.pub.Authorize(ctx, by, action, "channel", ch.AgencyID, 0)
}

// UpdateChannel renames a channel, changes its config (secrets sent back
// masked or left out keep their stored value), its slots, or sets it
// active or disabled. The change is applied to the stored row under its
// lock, so credentials an adapter rotated meanwhile are not overwritten by
// a stale form.
func (a *ChannelAdmin) UpdateChannel(ctx context.Context, by storage.User, id int64, in ChannelInput) (storage.Channel, error) {
	if _, err := a.Channel(ctx, by, id, ManageChannels); err != nil {
		return storage.Channel{}, err
	}
	if in.AgencyID != nil {
		return storage.Channel{}, invalid("agency_id", "cannot be changed; create the object in the other agency instead")
	}
	ch, err := a.store.EditChannel(ctx, id, ActorName(by), func(ch *storage.Channel) error {
		return a.applyChange(ch, in)
	})
	if errors.Is(err, storage.ErrNotFound) {
		return ch, &NotFoundError{What: "channel"}
	}
	if err != nil {
		return ch, channelConflict(err)
	}
	return ch, nil
}

func (a *ChannelAdmin) applyChange(ch *storage.Channel, in ChannelInput) error {
	if in.Kind != nil && *in.Kind != ch.Kind {
		return invalid("kind", "cannot be changed; create a new channel instead")
	}
	if in.Name != nil {
		name, err := requiredText("name", in.Name, maxChannelName)
		if err != nil {
			return err
		}
		ch.Name = name
	}
	if in.Status != nil {
		if *in.Status != storage.ChannelActive && *in.Status != storage.ChannelDisabled {
			return invalid("status", "must be active or disabled")
		}
		ch.Status, ch.StatusReason = *in.Status, ""
	}
	if in.Slots != nil {
		slots, err := CleanSlots(*in.Slots)
		if err != nil {
			return err
		}
		ch.Slots = slots
	}
	if len(in.Config) > 0 {
		return a.mergeConfig(ch, in.Config)
	}
	return nil
}

// channelConflict names what a duplicate channel collides with.
func channelConflict(err error) error {
	if errors.Is(err, storage.ErrConflict) {
		return &StateError{Code: "conflict", Message: "a channel with this name or feed slug already exists", Err: err}
	}
	return err
}

// sealConfig validates config for kind and stores it sealed on ch.
func (a *ChannelAdmin) sealConfig(ch *storage.Channel, kind channels.Kind, config json.RawMessage) error {
	if len(config) == 0 || string(config) == "null" {
		return invalid("config", "is required")
	}
	clean, err := kind.CheckConfig(config)
	if err != nil {
		return configError(err)
	}
	return a.storeConfig(ch, kind, clean)
}

// mergeConfig applies a partial config to the stored one; the rules
// (masked secrets kept, endpoint moves need the secrets again) are the
// kind's MergeConfig.
func (a *ChannelAdmin) mergeConfig(ch *storage.Channel, patch json.RawMessage) error {
	kind, ok := a.registry.Lookup(ch.Kind)
	if !ok {
		return invalid("kind", "this channel's kind is no longer supported")
	}
	plain, err := a.box.Open(ch.ConfigSealed)
	if err != nil {
		return err
	}
	clean, err := kind.MergeConfig(plain, patch)
	if err != nil {
		return configError(err)
	}
	return a.storeConfig(ch, kind, clean)
}

// configError maps a config the kind refused to an *InvalidError naming
// its field, keeping the *channels.ConfigError as its cause.
func configError(err error) error {
	var cfgErr *channels.ConfigError
	if errors.As(err, &cfgErr) {
		field := "config"
		if cfgErr.Field != "" {
			field += "." + cfgErr.Field
		}
		return &InvalidError{Field: field, Message: cfgErr.Message, Err: cfgErr}
	}
	return &InvalidError{Field: "config", Message: err.Error(), Err: err}
}

// storeConfig seals clean, a config the kind has normalised, on ch, once
// the outbound guard accepts its endpoints.
func (a *ChannelAdmin) storeConfig(ch *storage.Channel, kind channels.Kind, clean json.RawMessage) error {
	if err := a.checkEndpoints(kind, clean); err != nil {
		return err
	}
	sealed, err := a.box.Seal(clean)
	if err != nil {
		return fmt.Errorf("publishing: seal channel config: %w", err)
	}
	ch.ConfigSealed = sealed
	ch.FeedSlug = nil
	if kind.FeedSlug != nil {
		if slug := kind.FeedSlug(clean); slug != "" {
			ch.FeedSlug = &slug
		}
	}
	return nil
}

// checkEndpoints refuses endpoint URLs the outbound guard would refuse to
// connect to, so a literal private address shows when the channel is saved
// rather than at its first delivery.
func (a *ChannelAdmin) checkEndpoints(kind channels.Kind, config json.RawMessage) error {
	var fields map[string]any
	if err := json.Unmarshal(config, &fields); err != nil {
		return fmt.Errorf("publishing: decode config: %w", err)
	}
	for _, name := range kind.EndpointFields {
		if raw, ok := fields[name].(string); ok && raw != "" {
			if err := a.guard.CheckURL(raw); err != nil {
				return &InvalidError{Field: "config." + name, Message: err.Error(), Err: err}
			}
		}
	}
	return nil
}

// MaskedConfig is ch's config with every secret masked (channels.SecretMask,
// credentials inside endpoint URLs masked): what may be shown. A kind no
// longer registered shows as an empty object.
func (a *ChannelAdmin) MaskedConfig(ch storage.Channel) (json.RawMessage, error) {
	kind, ok := a.registry.Lookup(ch.Kind)
	if !ok {
		return json.RawMessage(`{}`), nil
	}
	plain, err := a.box.Open(ch.ConfigSealed)
	if err != nil {
		return nil, fmt.Errorf("publishing: open config of channel %d: %w", ch.ID, err)
	}
	return kind.MaskSecrets(plain)
}

// FeedURLs are the public RSS and Atom addresses of a channel served as a
// feed; ok is false for every other channel.
func (a *ChannelAdmin) FeedURLs(ch storage.Channel) (rssURL, atomURL string, ok bool) {
	if ch.FeedSlug == nil {
		return "", "", false
	}
	base := a.publicURL + "/feeds/" + *ch.FeedSlug
	return base + ".rss", base + ".atom", true
}
