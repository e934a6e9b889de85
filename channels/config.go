package channels

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ConfigFields are the members of a channel config object, each still
// undecoded, so that every field can be checked on its own and named in
// the error.
type ConfigFields map[string]json.RawMessage

// DecodeConfig decodes raw as a JSON object and refuses members not in
// known: an unknown member is usually a typo that would otherwise silently
// drop a setting. Failures are *ConfigError.
func DecodeConfig(raw json.RawMessage, known ...string) (ConfigFields, error) {
	var fields ConfigFields
	// JSON null decodes without error into a nil map; it is not an object either.
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, &ConfigError{Message: "must be a JSON object"}
	}
	// Sorted so the same config always reports the same field.
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(known, name) {
			return nil, &ConfigError{Field: name, Message: "unknown field"}
		}
	}
	return fields, nil
}

// String returns the trimmed string under name; absent and null give "".
func (f ConfigFields) String(name string) (string, error) {
	var s *string
	if err := f.decode(name, &s); err != nil {
		return "", &ConfigError{Field: name, Message: "must be a string"}
	}
	if s == nil {
		return "", nil
	}
	return strings.TrimSpace(*s), nil
}

// Bool returns the bool under name; absent and null give false.
func (f ConfigFields) Bool(name string) (bool, error) {
	var b *bool
	if err := f.decode(name, &b); err != nil {
		return false, &ConfigError{Field: name, Message: "must be true or false"}
	}
	return b != nil && *b, nil
}

// decode unmarshals the member name into dst, leaving dst as it is when the
// member is absent.
func (f ConfigFields) decode(name string, dst any) error {
	raw, ok := f[name]
	if !ok {
		return nil
	}
	return json.Unmarshal(raw, dst)
}

// NormaliseWith turns a kind's config parser into its Kind.Validate: the
// stored config is the parsed value encoded again, so it holds the trimmed
// values and filled defaults, in the field order of the parsed type.
func NormaliseWith[T any](parse func(json.RawMessage) (T, error)) func(json.RawMessage) (json.RawMessage, error) {
	return func(raw json.RawMessage) (json.RawMessage, error) {
		cfg, err := parse(raw)
		if err != nil {
			return nil, err
		}
		out, err := json.Marshal(cfg)
		if err != nil {
			return nil, fmt.Errorf("channels: encode config: %w", err)
		}
		return out, nil
	}
}
