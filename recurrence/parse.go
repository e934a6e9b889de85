package recurrence

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// parsedRule is a rule string after parsing, before the Spec is merged in.
type parsedRule struct {
	opt rrule.ROption
	raw string
	// keys holds each part name the rule gave, with its value, so Compile can
	// tell "COUNT absent" from "COUNT=0" and see UNTIL even when it is zero.
	keys map[string]string
}

func loadZone(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultTimezone
	}
	// "Local" is whatever zone the server runs in; a schedule must not
	// change meaning when it moves to another host.
	if name == "Local" {
		return nil, unknownZone(name, nil)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, unknownZone(name, err)
	}
	return loc, nil
}

func unknownZone(name string, cause error) *FieldError {
	return newFieldError("timezone", fmt.Sprintf("timezone: unknown time zone %q", name), cause)
}

// parseRule reads one RRULE line. Names and values are case-insensitive
// (RFC 5545 section 3.1); an "RRULE:" prefix is accepted. Floating UNTIL
// values are read in loc.
func parseRule(raw string, loc *time.Location) (parsedRule, error) {
	if len(raw) > MaxRuleBytes {
		return parsedRule{}, newFieldError("rule", fmt.Sprintf("rule: at most %d characters", MaxRuleBytes), nil)
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return parsedRule{}, newFieldError("rule", "rule is required", nil)
	}
	text := strings.TrimPrefix(strings.ToUpper(raw), "RRULE:")
	if strings.ContainsAny(text, "\r\n") {
		return parsedRule{}, newFieldError("rule", "rule: give a single RRULE line", nil)
	}
	// RRULE values never contain spaces, so stray ones typed around ";" or
	// "=" can go.
	text = strings.Join(strings.Fields(text), "")
	keys, err := ruleKeys(text)
	if err != nil {
		return parsedRule{}, err
	}
	opt, err := rrule.StrToROptionInLocation(text, loc)
	if err != nil {
		return parsedRule{}, ruleError(err)
	}
	// The library quietly reads INTERVAL=0 as 1; RFC 5545 wants a positive
	// integer, and a silent fix would hide the user's mistake.
	if _, ok := keys["INTERVAL"]; ok && opt.Interval < 1 {
		return parsedRule{}, newFieldError("rule", "rule: INTERVAL must be at least 1", nil)
	}
	return parsedRule{opt: *opt, raw: raw, keys: keys}, nil
}

// ruleKeys checks what the library lets through: a part given twice (RFC
// 5545 forbids it; the library keeps the last), DTSTART inside the rule
// (StartsAt is the only start) and a missing FREQ.
func ruleKeys(text string) (map[string]string, error) {
	keys := make(map[string]string)
	for part := range strings.SplitSeq(text, ";") {
		name, value, _ := strings.Cut(part, "=")
		if _, dup := keys[name]; dup {
			return nil, newFieldError("rule", fmt.Sprintf("rule: %s is given twice", name), nil)
		}
		keys[name] = value
	}
	if _, ok := keys["DTSTART"]; ok {
		return nil, newFieldError("rule", "rule: DTSTART is not allowed; use starts_at", nil)
	}
	if _, ok := keys["FREQ"]; !ok {
		return nil, newFieldError("rule", "rule: FREQ is required", nil)
	}
	return keys, nil
}

// checkBounds validates ends_at and count, and how they combine with UNTIL
// and COUNT inside the rule: each bound may come from one place only, and
// RFC 5545 forbids an end and a count together.
func checkBounds(s Spec, p parsedRule) error {
	if err := checkSpecBounds(s); err != nil {
		return err
	}
	ruleCount, hasRuleCount := p.keys["COUNT"]
	_, hasRuleUntil := p.keys["UNTIL"]
	switch {
	case hasRuleUntil && s.EndsAt != nil:
		return newFieldError("rule", "rule: UNTIL conflicts with ends_at; give only one", nil)
	case hasRuleCount && s.Count != 0:
		return newFieldError("rule", "rule: COUNT conflicts with count; give only one", nil)
	case (hasRuleUntil || s.EndsAt != nil) && (hasRuleCount || s.Count != 0):
		return newFieldError("rule", "rule: give an end (UNTIL or ends_at) or a count (COUNT or count), not both", nil)
	}
	if hasRuleCount {
		if err := checkRuleCount(ruleCount); err != nil {
			return err
		}
	}
	if hasRuleUntil && !p.opt.Until.After(s.StartsAt) {
		return newFieldError("rule", "rule: UNTIL must be after starts_at", nil)
	}
	return nil
}

func checkSpecBounds(s Spec) error {
	if s.EndsAt != nil && s.Count != 0 {
		return newFieldError("ends_at", "give ends_at or count, not both", nil)
	}
	if s.Count != 0 && !countInRange(s.Count) {
		return newFieldError("count", fmt.Sprintf("count must be between 1 and %d", MaxCount), nil)
	}
	if s.EndsAt != nil && !s.EndsAt.After(s.StartsAt) {
		return newFieldError("ends_at", "ends_at must be after starts_at", nil)
	}
	return nil
}

// checkRuleCount reads COUNT itself because the library turns COUNT=0 or a
// negative COUNT into "no count", which would make a bounded rule endless.
func checkRuleCount(value string) error {
	n, err := strconv.Atoi(value)
	if err != nil || !countInRange(n) {
		return newFieldError("rule", fmt.Sprintf("rule: COUNT must be between 1 and %d", MaxCount), err)
	}
	return nil
}

// ruleError reports an error from the rrule library against the rule field.
func ruleError(err error) *FieldError {
	wrapped := fmt.Errorf("rule: %w", err)
	return newFieldError("rule", wrapped.Error(), wrapped)
}

func countInRange(n int) bool { return n >= 1 && n <= MaxCount }
