package publishing

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/recurrence"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/sources"
	"github.com/loa-vn/loa/storage"
)

// Limits of a feed source.
const (
	MinPollEvery      = 5 * time.Minute
	MaxPollEvery      = 7 * 24 * time.Hour
	DefaultPollEvery  = time.Hour
	DefaultMaxAgeDays = 30
	maxSourceAgeDays  = 3650
	maxSourceName     = 200
)

// SourceInput is a feed source as a person enters it; nil members take
// their defaults.
type SourceInput struct {
	AgencyID   *int64
	Name       *string
	URL        *string
	PollEvery  *string
	Mode       *string
	Template   *sources.Template
	ChannelIDs []int64
	Variants   map[string]content.Variant
	DigestRule string
	MaxAgeDays *int
	// ContentArea, AudienceCode and ActivityID classify the posts the
	// source makes ("", "", 0 for none).
	ContentArea, AudienceCode string
	ActivityID                int64
}

// CreateSource checks in, seals the credentials inside its URL, and
// registers it for by through Service.CreateSource (policy, agency,
// targets). Errors are *InvalidError naming the field.
func (a *ChannelAdmin) CreateSource(ctx context.Context, by storage.User, in SourceInput) (storage.Source, error) {
	src, err := a.sourceFrom(in)
	if err != nil {
		return src, err
	}
	if in.AgencyID != nil && *in.AgencyID <= 0 {
		return src, invalid("agency_id", "must be an agency id")
	}
	if in.AgencyID != nil {
		src.AgencyID = *in.AgencyID
	}
	err = a.pub.CreateSource(ctx, by, &src)
	return src, err
}

func (a *ChannelAdmin) sourceFrom(in SourceInput) (storage.Source, error) {
	name, err := requiredText("name", in.Name, maxSourceName)
	if err != nil {
		return storage.Source{}, err
	}
	var url string
	if in.URL != nil {
		url = strings.TrimSpace(*in.URL)
	}
	if err := a.guard.CheckURL(url); err != nil {
		return storage.Source{}, &InvalidError{Field: "url", Message: err.Error(), Err: err}
	}
	masked, sealed, err := a.sealFeedURL(url)
	if err != nil {
		return storage.Source{}, err
	}
	every, err := pollEvery(in.PollEvery)
	if err != nil {
		return storage.Source{}, err
	}
	mode := storage.SourceReview
	if in.Mode != nil && *in.Mode != "" {
		mode = *in.Mode
	}
	if mode != storage.SourceReview && mode != storage.SourceAuto {
		return storage.Source{}, invalid("mode", "must be review (posts wait for approval) or auto (posts are scheduled at once)")
	}
	tmpl, err := sourceTemplate(in.Template)
	if err != nil {
		return storage.Source{}, err
	}
	targets, err := Targets(in.ChannelIDs, in.Variants)
	if err != nil {
		return storage.Source{}, err
	}
	digest, err := digestRule(in.DigestRule, a.pub.now())
	if err != nil {
		return storage.Source{}, err
	}
	cls, err := Classify(in.ContentArea, in.AudienceCode, in.ActivityID)
	if err != nil {
		return storage.Source{}, err
	}
	maxAge := DefaultMaxAgeDays
	if in.MaxAgeDays != nil {
		if maxAge = *in.MaxAgeDays; maxAge < 0 || maxAge > maxSourceAgeDays {
			return storage.Source{}, invalid("max_age_days", "must be between 0 (no limit) and 3650")
		}
	}
	return storage.Source{Name: name, URL: masked, URLSealed: sealed, PollEvery: int64(every / time.Second), Mode: mode,
		Template: tmpl, Targets: targets, DigestRule: digest, MaxAgeDays: maxAge, Classification: cls}, nil
}

// sealFeedURL keeps the credentials inside a feed URL like other secrets:
// the URL is stored masked, and whole only sealed (nil when it has none).
func (a *ChannelAdmin) sealFeedURL(raw string) (masked string, sealed []byte, err error) {
	masked = secrets.MaskURL(raw)
	if masked == raw {
		return raw, nil, nil
	}
	sealed, err = a.box.Seal([]byte(raw))
	return masked, sealed, err
}

func pollEvery(raw *string) (time.Duration, error) {
	if raw == nil {
		return DefaultPollEvery, nil
	}
	d, err := time.ParseDuration(*raw)
	if err != nil || d < MinPollEvery || d > MaxPollEvery {
		return 0, invalid("poll_every", "must be a duration from 5m to 168h, such as 15m or 1h")
	}
	return d, nil
}

func sourceTemplate(t *sources.Template) (sources.Template, error) {
	var tmpl sources.Template
	if t != nil {
		tmpl = *t
	}
	if _, err := sources.ParseTemplate(tmpl); err != nil {
		var fe content.FieldError
		if errors.As(err, &fe) {
			return sources.Template{}, &InvalidError{Field: "template." + fe.Field,
				Message: strings.TrimPrefix(fe.Message, fe.Field+": "), Err: err}
		}
		return sources.Template{}, &InvalidError{Field: "template", Message: err.Error(), Err: err}
	}
	return tmpl, nil
}

func digestRule(raw string, now time.Time) (string, error) {
	rule := strings.TrimSpace(raw)
	if rule == "" {
		return "", nil
	}
	if _, err := recurrence.Compile(recurrence.Spec{Rule: rule, StartsAt: now}); err != nil {
		return "", &InvalidError{Field: "digest.rule", Message: err.Error(), Err: err}
	}
	return rule, nil
}
