package channels

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestDecodeConfigRefuses(t *testing.T) {
	tests := []struct {
		name        string
		raw         string
		wantField   string
		wantMessage string
	}{
		{name: "invalid JSON", raw: `{"a":`, wantField: "", wantMessage: "must be a JSON object"},
		{name: "array", raw: `["a"]`, wantField: "", wantMessage: "must be a JSON object"},
		{name: "string", raw: `"a"`, wantField: "", wantMessage: "must be a JSON object"},
		{name: "null", raw: ` null `, wantField: "", wantMessage: "must be a JSON object"},
		{name: "empty", raw: ``, wantField: "", wantMessage: "must be a JSON object"},
		{name: "unknown field", raw: `{"a":"x","method":"PUT"}`, wantField: "method", wantMessage: "unknown field"},
		{name: "first unknown field in order", raw: `{"zz":1,"a":"x","mm":2,"bb":3}`, wantField: "bb", wantMessage: "unknown field"},
		{name: "known names are case-sensitive", raw: `{"A":"x"}`, wantField: "A", wantMessage: "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeConfig(json.RawMessage(tt.raw), "a", "b")
			assertConfigError(t, err, tt.wantField, tt.wantMessage)
		})
	}
}

func TestConfigFieldsString(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    string
		wantErr bool
	}{
		{name: "absent", raw: `{}`, want: ""},
		{name: "null", raw: `{"s":null}`, want: ""},
		{name: "trimmed", raw: `{"s":"  a b \n"}`, want: "a b"},
		{name: "number", raw: `{"s":5}`, wantErr: true},
		{name: "bool", raw: `{"s":true}`, wantErr: true},
		{name: "list", raw: `{"s":["a"]}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields, err := DecodeConfig(json.RawMessage(tt.raw), "s")
			if err != nil {
				t.Fatalf("DecodeConfig: %v", err)
			}
			got, err := fields.String("s")
			if tt.wantErr {
				assertConfigError(t, err, "s", "must be a string")
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("String = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestConfigFieldsBool(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    bool
		wantErr bool
	}{
		{name: "absent", raw: `{}`, want: false},
		{name: "null", raw: `{"b":null}`, want: false},
		{name: "true", raw: `{"b":true}`, want: true},
		{name: "false", raw: `{"b":false}`, want: false},
		{name: "string", raw: `{"b":"true"}`, wantErr: true},
		{name: "number", raw: `{"b":1}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields, err := DecodeConfig(json.RawMessage(tt.raw), "b")
			if err != nil {
				t.Fatalf("DecodeConfig: %v", err)
			}
			got, err := fields.Bool("b")
			if tt.wantErr {
				assertConfigError(t, err, "b", "must be true or false")
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Bool = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestNormaliseWith(t *testing.T) {
	type cfg struct {
		B string `json:"b"`
		A string `json:"a"`
	}
	parse := func(raw json.RawMessage) (cfg, error) {
		fields, err := DecodeConfig(raw, "a", "b")
		if err != nil {
			return cfg{}, err
		}
		a, err := fields.String("a")
		if err != nil {
			return cfg{}, err
		}
		b, err := fields.String("b")
		return cfg{B: b, A: a}, err
	}
	validate := NormaliseWith(parse)
	tests := []struct {
		name      string
		raw       string
		want      string
		wantField string
	}{
		{name: "encoded in the type's field order, trimmed", raw: `{"a":" x ","b":"<y>"}`, want: `{"b":"\u003cy\u003e","a":"x"}`},
		{name: "absent fields encoded empty", raw: `{}`, want: `{"b":"","a":""}`},
		{name: "parse error passed through", raw: `{"a":1}`, wantField: "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := validate(json.RawMessage(tt.raw))
			if tt.wantField != "" {
				assertConfigError(t, err, tt.wantField, "must be a string")
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("validate = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
	if _, err := NormaliseWith(func(json.RawMessage) (func(), error) { return func() {}, nil })(nil); err == nil {
		t.Error("NormaliseWith hid an encoding failure")
	}
}

func assertConfigError(t *testing.T, err error, field, message string) {
	t.Helper()
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v (%T), want *ConfigError", err, err)
	}
	if ce.Field != field || ce.Message != message {
		t.Errorf("ConfigError = {%q, %q}, want {%q, %q}", ce.Field, ce.Message, field, message)
	}
}
