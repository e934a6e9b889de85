package channels

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/loa-vn/loa/secrets"
)

// MaxSecretBytes is the longest value a secret field may hold.
const MaxSecretBytes = 4096

// CheckConfig checks a config a person entered: every secret field within
// MaxSecretBytes, then the kind's Validate. It returns the normalised config.
func (k Kind) CheckConfig(config json.RawMessage) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(config, &fields) == nil {
		for _, name := range k.SecretFields {
			var s string
			if json.Unmarshal(fields[name], &s) == nil && len(s) > MaxSecretBytes {
				return nil, &ConfigError{Field: name, Message: fmt.Sprintf("must be at most %d bytes", MaxSecretBytes)}
			}
		}
	}
	return k.Validate(config)
}

// MergeConfig applies patch, a partial config sent by a client, to stored,
// the channel's normalised config, and returns the normalised result.
// Members of patch sent back masked (SecretMask, or a URL whose
// credentials MaskSecrets masked) keep their stored value.
//
// A credential only ever goes to the address it was entered for: a patch
// that moves an endpoint field to another address (scheme, host, port or
// path; not mere normalisation such as a trailing slash) must re-enter
// every stored secret, and the credentials inside the moved URL itself.
// Otherwise it is refused with a *ConfigError naming the secret, and
// nothing changes. RenewedFields not entered in the same patch are dropped,
// so that a token obtained from the old address is not sent to the new one.
func (k Kind) MergeConfig(stored, patch json.RawMessage) (json.RawMessage, error) {
	var changes map[string]json.RawMessage
	if err := json.Unmarshal(patch, &changes); err != nil || changes == nil {
		return nil, &ConfigError{Message: "must be a JSON object"}
	}
	if before, err := k.Validate(stored); err == nil {
		stored = before // compare like with like, should the stored form be older
	}
	var old map[string]json.RawMessage
	if err := json.Unmarshal(stored, &old); err != nil {
		return nil, fmt.Errorf("channels: decode stored config: %w", err)
	}
	merged := maps.Clone(old)
	entered := make(map[string]bool, len(changes))
	restored := make(map[string]bool)
	for name, v := range changes {
		if isMask(v) {
			continue
		}
		if slices.Contains(k.EndpointFields, name) {
			v, restored[name] = restoreURL(v, old[name])
		}
		merged[name], entered[name] = v, true
	}
	clean, next, err := k.checkMerged(merged)
	if err != nil {
		return nil, err
	}
	moved := k.movedEndpoints(old, next)
	if len(moved) == 0 {
		return clean, nil
	}
	if err := k.requireReentered(old, moved, entered, restored); err != nil {
		return nil, err
	}
	dropped := false
	for _, name := range k.RenewedFields {
		if _, ok := next[name]; ok && !entered[name] {
			delete(next, name)
			dropped = true
		}
	}
	if dropped {
		clean, _, err = k.checkMerged(next)
	}
	return clean, err
}

// checkMerged runs CheckConfig on a decoded config and returns the
// result both encoded and decoded.
func (k Kind) checkMerged(fields map[string]json.RawMessage) (json.RawMessage, map[string]json.RawMessage, error) {
	raw, err := json.Marshal(fields)
	if err != nil {
		return nil, nil, fmt.Errorf("channels: encode config: %w", err)
	}
	clean, err := k.CheckConfig(raw)
	if err != nil {
		return nil, nil, err
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(clean, &out); err != nil {
		return nil, nil, fmt.Errorf("channels: decode normalised config: %w", err)
	}
	return clean, out, nil
}

// movedEndpoints names the endpoint fields whose address differs between
// two normalised configs, credentials inside the URLs left aside.
func (k Kind) movedEndpoints(old, next map[string]json.RawMessage) []string {
	var moved []string
	for _, name := range k.EndpointFields {
		if secrets.WithoutURLCredentials(stringOf(old[name])) != secrets.WithoutURLCredentials(stringOf(next[name])) {
			moved = append(moved, name)
		}
	}
	return moved
}

// requireReentered refuses a move of endpoints unless every stored secret,
// and the credentials inside each moved URL, were entered anew.
func (k Kind) requireReentered(old map[string]json.RawMessage, moved []string, entered, restored map[string]bool) error {
	changed := strings.Join(moved, " and ")
	for _, name := range moved {
		if restored[name] {
			return &ConfigError{Field: name, Message: fmt.Sprintf(
				"re-enter the user name and password inside %s: they are only sent to the address they were entered for, and the address changed", name)}
		}
	}
	for _, name := range k.SecretFields {
		if entered[name] || slices.Contains(k.RenewedFields, name) || stringOf(old[name]) == "" {
			continue
		}
		return &ConfigError{Field: name, Message: fmt.Sprintf(
			"re-enter %s: it is only sent to the address it was entered for, and %s changed", name, changed)}
	}
	return nil
}

// restoreURL puts the stored credentials back into a URL sent with them
// masked; restored tells whether it did.
func restoreURL(sent, stored json.RawMessage) (json.RawMessage, bool) {
	var s string
	if json.Unmarshal(sent, &s) != nil {
		return sent, false
	}
	out, restored := secrets.RestoreURLCredentials(s, stringOf(stored))
	if !restored {
		return sent, false
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return sent, false
	}
	return raw, true
}

func isMask(v json.RawMessage) bool {
	var s string
	return json.Unmarshal(v, &s) == nil && s == SecretMask
}

// stringOf is the string a config member holds; "" for anything else.
func stringOf(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}
