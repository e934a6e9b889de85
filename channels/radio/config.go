package radio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/content"
)

// Config limits and defaults.
const (
	DefaultSyllablesPerMinute = 190
	MinSyllablesPerMinute     = 60
	MaxSyllablesPerMinute     = 400
	DefaultVoice              = "vi"
	MaxAirTimes               = 12

	maxStationRunes      = 200
	maxAbbreviations     = 500
	maxAbbreviationRunes = 50
	maxExpansionRunes    = 300
	maxVoiceLen          = 40
)

// Config is the normalised configuration of a radio channel. Nothing in it
// is secret.
type Config struct {
	// Station is read aloud in the opening and closing lines.
	Station string `json:"station"`
	// AirTimes are the daily broadcasts, "HH:MM" local time, sorted.
	AirTimes []string `json:"air_times"`
	// SyllablesPerMinute sets the estimated durations and the speech rate.
	SyllablesPerMinute int `json:"syllables_per_minute"`
	// Abbreviations add to or override BuiltinAbbreviations.
	Abbreviations map[string]string `json:"abbreviations"`
	// Voice is the espeak-ng voice of the audio file.
	Voice string `json:"voice"`
}

// ParseConfig strictly decodes and normalises a radio channel config. Every
// failure is a *channels.ConfigError naming the field, so the admin UI can
// point at it.
func ParseConfig(raw json.RawMessage) (Config, error) {
	fields, err := channels.DecodeConfig(raw, "station", "air_times", "syllables_per_minute", "abbreviations", "voice")
	if err != nil {
		return Config{}, err
	}
	var c Config
	if c.Station, err = parseStation(fields); err != nil {
		return Config{}, err
	}
	if c.AirTimes, err = parseAirTimes(fields["air_times"]); err != nil {
		return Config{}, err
	}
	if c.SyllablesPerMinute, err = parseRate(fields["syllables_per_minute"]); err != nil {
		return Config{}, err
	}
	if c.Abbreviations, err = parseAbbreviations(fields["abbreviations"]); err != nil {
		return Config{}, err
	}
	if c.Voice, err = parseVoice(fields); err != nil {
		return Config{}, err
	}
	return c, nil
}

func isNull(raw json.RawMessage) bool {
	return raw == nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// parseString reads the string under name in NFC, so that text typed on
// different keyboards compares and counts the same.
func parseString(fields channels.ConfigFields, name string) (string, error) {
	s, err := fields.String(name)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(content.NFC(s)), nil
}

func parseStation(fields channels.ConfigFields) (string, error) {
	s, err := parseString(fields, "station")
	switch {
	case err != nil:
		return "", err
	case s == "":
		return "", &channels.ConfigError{Field: "station", Message: "is required, e.g. Đài truyền thanh xã Tân Phú"}
	case utf8.RuneCountInString(s) > maxStationRunes:
		return "", &channels.ConfigError{Field: "station", Message: fmt.Sprintf("must be at most %d characters", maxStationRunes)}
	case strings.ContainsFunc(s, unicode.IsControl):
		return "", &channels.ConfigError{Field: "station", Message: "must be one line without control characters"}
	}
	return s, nil
}

func parseAirTimes(raw json.RawMessage) ([]string, error) {
	var list []string
	if isNull(raw) {
		return nil, &channels.ConfigError{Field: "air_times", Message: `is required: list the daily broadcast times, e.g. ["06:00","17:00"]`}
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, &channels.ConfigError{Field: "air_times", Message: `must be a list of "HH:MM" strings`}
	}
	if len(list) == 0 || len(list) > MaxAirTimes {
		return nil, &channels.ConfigError{Field: "air_times", Message: fmt.Sprintf("must list 1 to %d broadcast times", MaxAirTimes)}
	}
	out := make([]string, 0, len(list))
	for i, s := range list {
		t, ok := normaliseClock(s)
		if !ok {
			return nil, &channels.ConfigError{Field: fmt.Sprintf("air_times[%d]", i), Message: fmt.Sprintf(`%q is not a 24-hour time "HH:MM"`, s)}
		}
		if slices.Contains(out, t) {
			return nil, &channels.ConfigError{Field: fmt.Sprintf("air_times[%d]", i), Message: fmt.Sprintf("%s is listed twice", t)}
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return out, nil
}

// normaliseClock accepts "H:MM" or "HH:MM" (00:00–23:59) and returns "HH:MM".
func normaliseClock(s string) (string, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !allDigits(h) || !allDigits(m) {
		return "", false
	}
	hour, _ := strconv.Atoi(h)
	minute, _ := strconv.Atoi(m)
	if hour > 23 || minute > 59 {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d", hour, minute), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func parseRate(raw json.RawMessage) (int, error) {
	if isNull(raw) {
		return DefaultSyllablesPerMinute, nil
	}
	// Decoded as any: a json.Number target would also accept the string "190".
	var value any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&value); err != nil {
		return 0, &channels.ConfigError{Field: "syllables_per_minute", Message: "must be a whole number"}
	}
	n, isNumber := value.(json.Number)
	v, err := strconv.Atoi(n.String())
	if !isNumber || err != nil {
		return 0, &channels.ConfigError{Field: "syllables_per_minute", Message: "must be a whole number"}
	}
	if v < MinSyllablesPerMinute || v > MaxSyllablesPerMinute {
		return 0, &channels.ConfigError{Field: "syllables_per_minute", Message: fmt.Sprintf("must be between %d and %d (broadcast reading is about %d)", MinSyllablesPerMinute, MaxSyllablesPerMinute, DefaultSyllablesPerMinute)}
	}
	return v, nil
}

func parseAbbreviations(raw json.RawMessage) (map[string]string, error) {
	out := map[string]string{}
	if isNull(raw) {
		return out, nil
	}
	var m map[string]*string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, &channels.ConfigError{Field: "abbreviations", Message: "must be an object mapping each abbreviation to its reading"}
	}
	if len(m) > maxAbbreviations {
		return nil, &channels.ConfigError{Field: "abbreviations", Message: fmt.Sprintf("must have at most %d entries", maxAbbreviations)}
	}
	for _, rawKey := range slices.Sorted(maps.Keys(m)) {
		key := strings.TrimSpace(content.NFC(rawKey))
		if err := checkAbbreviation(rawKey, key, m[rawKey]); err != nil {
			return nil, err
		}
		if _, dup := out[key]; dup {
			return nil, &channels.ConfigError{Field: "abbreviations", Message: fmt.Sprintf("%q is listed twice", key)}
		}
		out[key] = strings.TrimSpace(content.NFC(*m[rawKey]))
	}
	return out, nil
}

func checkAbbreviation(rawKey, key string, reading *string) error {
	field := "abbreviations." + rawKey
	switch {
	case !hasAlnum(key):
		return &channels.ConfigError{Field: field, Message: "the abbreviation must contain a letter or digit"}
	case utf8.RuneCountInString(key) > maxAbbreviationRunes:
		return &channels.ConfigError{Field: field, Message: fmt.Sprintf("the abbreviation must be at most %d characters", maxAbbreviationRunes)}
	case strings.ContainsFunc(key, unicode.IsControl):
		return &channels.ConfigError{Field: field, Message: "the abbreviation must not contain control characters"}
	case reading == nil || strings.TrimSpace(*reading) == "":
		return &channels.ConfigError{Field: field, Message: "needs a reading; to keep an abbreviation as written, map it to itself"}
	case utf8.RuneCountInString(*reading) > maxExpansionRunes:
		return &channels.ConfigError{Field: field, Message: fmt.Sprintf("the reading must be at most %d characters", maxExpansionRunes)}
	case strings.ContainsFunc(*reading, unicode.IsControl):
		return &channels.ConfigError{Field: field, Message: "the reading must be one line without control characters"}
	}
	return nil
}

// parseVoice accepts an espeak-ng voice name such as "vi" or
// "vi-vn-x-south". It becomes a command-line argument, so it must not
// start with "-" (it would be read as an option).
func parseVoice(fields channels.ConfigFields) (string, error) {
	v, err := parseString(fields, "voice")
	if err != nil {
		return "", err
	}
	if v == "" {
		return DefaultVoice, nil
	}
	if !validVoice(v) {
		return "", &channels.ConfigError{Field: "voice", Message: "must be an espeak-ng voice name such as vi, vi-vn-x-central or vi-vn-x-south"}
	}
	return v, nil
}

func validVoice(v string) bool {
	if v == "" || len(v) > maxVoiceLen || v[0] == '-' {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '+') {
			return false
		}
	}
	return true
}
