package web

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/storage"
)

// cfgPrefix starts the form names of config fields ("cfg_base_url").
const cfgPrefix = "cfg_"

// fieldView is one config field of the form, as rendered.
type fieldView struct {
	configField
	ID    string
	Name  string
	Value string
	// Checked is a bool field's state.
	Checked bool
	// Secret fields are write-only: never filled in; Stored says one is kept.
	Secret bool
	Stored bool
	Error  string
}

// IsBool and the others let the template pick the input for the type.
func (f fieldView) IsBool() bool   { return f.Type == fieldBool }
func (f fieldView) IsSelect() bool { return f.Type == fieldSelect }
func (f fieldView) IsNumber() bool { return f.Type == fieldNumber }
func (f fieldView) IsURL() bool    { return f.Type == fieldURL }

// channelForm is what the channel form and page show.
type channelForm struct {
	ID int64
	// Heading is the stored name, which a refused rename does not change.
	Heading      string
	Kind         string
	KindLabel    string
	Name         string
	AgencyID     int64
	Agencies     []option
	Slots        string
	Status       string
	StatusLabel  string
	StatusReason string
	Fields       []fieldView
	Errors       map[string]string
	Problem      string
	Notice       string
	ReadOnly     bool
	HasSecrets   bool
	HasAdvanced  bool
	FeedRSS      string
	FeedAtom     string
	Check        *checkView
	Radio        bool
	Editions     []editionRow
}

// checkView is the result of "Kiểm tra kết nối", in Vietnamese.
type checkView struct {
	OK      bool
	Checked bool
	Account string
	Reason  string
	Reauth  bool
}

// Advanced fields are rendered apart from the others.
func (f channelForm) MainFields() []fieldView     { return f.pick(false) }
func (f channelForm) AdvancedFields() []fieldView { return f.pick(true) }

func (f channelForm) pick(advanced bool) []fieldView {
	var out []fieldView
	for _, fv := range f.Fields {
		if fv.Advanced == advanced {
			out = append(out, fv)
		}
	}
	return out
}

// formFields lays out kind's config fields with the values of config (the
// stored config, secrets masked; nil on a new channel) or of a posted form.
func formFields(kind channels.Kind, masked map[string]any, posted map[string]string) []fieldView {
	var out []fieldView
	for _, cf := range kindFields[kind.Name] {
		fv := fieldView{configField: cf, ID: "f-" + cf.Key, Name: cfgPrefix + cf.Key,
			Secret: slices.Contains(kind.SecretFields, cf.Key)}
		if fv.Secret {
			fv.Stored = masked[cf.Key] == channels.SecretMask
			out = append(out, fv)
			continue
		}
		if posted != nil {
			fv.Value = posted[cf.Key]
			fv.Checked = fv.Value == "true"
		} else {
			fv.Value, fv.Checked = shownValue(masked[cf.Key])
		}
		out = append(out, fv)
	}
	return out
}

// shownValue is a stored config value as the form shows it.
func shownValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, false
	case bool:
		return strconv.FormatBool(v), v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), false
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", "), false
	}
	return "", false
}

// configFromForm builds the config object the form describes, and the
// values to show again should it be refused (secrets left out). On a new
// channel (patch false) empty fields are left out so the kind's defaults
// and required-field rules apply; on a change, an empty secret keeps the
// stored one and an empty number returns to its default.
func configFromForm(c echo.Context, kind channels.Kind, patch bool) (json.RawMessage, map[string]string, error) {
	config := map[string]any{}
	shown := map[string]string{}
	for _, cf := range kindFields[kind.Name] {
		raw := strings.TrimSpace(c.FormValue(cfgPrefix + cf.Key))
		secret := slices.Contains(kind.SecretFields, cf.Key)
		if !secret {
			shown[cf.Key] = raw
		}
		switch {
		case cf.Type == fieldBool:
			config[cf.Key] = raw == "true"
			shown[cf.Key] = strconv.FormatBool(raw == "true")
		case raw == "" && (secret || !patch):
			// left out: stored secret kept, or the kind's default on creation
		case cf.Type == fieldNumber && raw == "":
			config[cf.Key] = nil
		case cf.Type == fieldNumber:
			if n, err := strconv.Atoi(raw); err == nil {
				config[cf.Key] = n
			} else {
				config[cf.Key] = raw // the kind refuses it, naming the field
			}
		case cf.Type == fieldList:
			config[cf.Key] = splitList(raw)
		default:
			config[cf.Key] = raw
		}
	}
	out, err := json.Marshal(config)
	return out, shown, err
}

// splitList reads "06:00, 17:00" (commas, semicolons or spaces) as a list.
func splitList(raw string) []string {
	parts := strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	if parts == nil {
		return []string{}
	}
	return parts
}

// maskedConfig decodes a masked config for the form.
func maskedConfig(raw json.RawMessage) map[string]any {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return map[string]any{}
	}
	return m
}

// agencyOptions are the agencies a new channel may go in: u's and below.
func agencyOptions(as []storage.Agency) []option {
	out := make([]option, 0, len(as))
	for _, a := range as {
		out = append(out, option{Value: strconv.FormatInt(a.ID, 10), Label: strings.Join(a.Names, " › ")})
	}
	return out
}
