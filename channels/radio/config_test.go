package radio

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/loa-vn/loa/channels"
)

func TestParseConfigNormalises(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want Config
	}{
		{
			name: "minimal, defaults filled, times sorted",
			raw:  `{"station":"  Đài truyền thanh xã Tân Phú ","air_times":["17:00","6:00"]}`,
			want: Config{Station: "Đài truyền thanh xã Tân Phú", AirTimes: []string{"06:00", "17:00"}, SyllablesPerMinute: 190, Abbreviations: map[string]string{}, Voice: "vi"},
		},
		{
			name: "everything set",
			raw: `{"station":"Đài xã A","air_times":["11:30"],"syllables_per_minute":220,
				"abbreviations":{" BCĐ ":" Ban Chỉ đạo ","UBND":"Ủy ban nhân dân xã A"},"voice":"vi-vn-x-south"}`,
			want: Config{Station: "Đài xã A", AirTimes: []string{"11:30"}, SyllablesPerMinute: 220,
				Abbreviations: map[string]string{"BCĐ": "Ban Chỉ đạo", "UBND": "Ủy ban nhân dân xã A"}, Voice: "vi-vn-x-south"},
		},
		{
			name: "nulls mean defaults",
			raw:  `{"station":"Đài xã A","air_times":["06:00"],"syllables_per_minute":null,"abbreviations":null,"voice":null}`,
			want: Config{Station: "Đài xã A", AirTimes: []string{"06:00"}, SyllablesPerMinute: 190, Abbreviations: map[string]string{}, Voice: "vi"},
		},
		{
			name: "station normalised to NFC",
			raw:  `{"station":"\u0110a\u0300i xa\u0303 A","air_times":["06:00"]}`,
			want: Config{Station: "Đài xã A", AirTimes: []string{"06:00"}, SyllablesPerMinute: 190, Abbreviations: map[string]string{}, Voice: "vi"},
		},
		{
			name: "twelve air times, limits of the rate",
			raw:  `{"station":"Đài xã A","air_times":["0:00","1:00","2:00","3:00","4:00","5:00","6:00","7:00","8:00","9:00","10:00","23:59"],"syllables_per_minute":60}`,
			want: Config{Station: "Đài xã A", AirTimes: []string{"00:00", "01:00", "02:00", "03:00", "04:00", "05:00", "06:00", "07:00", "08:00", "09:00", "10:00", "23:59"},
				SyllablesPerMinute: 60, Abbreviations: map[string]string{}, Voice: "vi"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig(json.RawMessage(tt.raw))
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestValidateReturnsNormalisedJSON(t *testing.T) {
	out, err := Kind().Validate(json.RawMessage(`{"air_times":["17:00","06:00"],"station":"Đài xã A","abbreviations":{"B":"bê"}}`))
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	want := `{"station":"Đài xã A","air_times":["06:00","17:00"],"syllables_per_minute":190,"abbreviations":{"B":"bê"},"voice":"vi"}`
	if string(out) != want {
		t.Errorf("Validate = %s\nwant %s", out, want)
	}
	// Validating the normalised form again changes nothing.
	again, err := Kind().Validate(out)
	if err != nil || string(again) != want {
		t.Errorf("second Validate = %s, %v", again, err)
	}
}

func TestParseConfigErrors(t *testing.T) {
	base := func(extra string) string {
		return `{"station":"Đài xã A","air_times":["06:00"]` + extra + `}`
	}
	thirteen := `["00:00","01:00","02:00","03:00","04:00","05:00","06:00","07:00","08:00","09:00","10:00","11:00","12:00"]`
	tests := []struct {
		name  string
		raw   string
		field string
	}{
		{"not JSON", `{`, ""},
		{"array", `[]`, ""},
		{"null", `null`, ""},
		{"unknown field", base(`,"stations":"x"`), "stations"},
		{"station missing", `{"air_times":["06:00"]}`, "station"},
		{"station blank", `{"station":"  ","air_times":["06:00"]}`, "station"},
		{"station not a string", `{"station":5,"air_times":["06:00"]}`, "station"},
		{"station too long", `{"station":"` + strings.Repeat("a", 201) + `","air_times":["06:00"]}`, "station"},
		{"station with a line break", `{"station":"Đài\nxã","air_times":["06:00"]}`, "station"},
		{"air times missing", `{"station":"Đài xã A"}`, "air_times"},
		{"air times null", `{"station":"Đài xã A","air_times":null}`, "air_times"},
		{"air times empty", `{"station":"Đài xã A","air_times":[]}`, "air_times"},
		{"air times a string", `{"station":"Đài xã A","air_times":"06:00"}`, "air_times"},
		{"air times numbers", `{"station":"Đài xã A","air_times":[6]}`, "air_times"},
		{"thirteen air times", `{"station":"Đài xã A","air_times":` + thirteen + `}`, "air_times"},
		{"hour out of range", `{"station":"Đài xã A","air_times":["24:00"]}`, "air_times[0]"},
		{"minute out of range", `{"station":"Đài xã A","air_times":["06:00","06:60"]}`, "air_times[1]"},
		{"one-digit minutes", `{"station":"Đài xã A","air_times":["6:0"]}`, "air_times[0]"},
		{"seconds", `{"station":"Đài xã A","air_times":["06:00:00"]}`, "air_times[0]"},
		{"12-hour clock", `{"station":"Đài xã A","air_times":["6:00 PM"]}`, "air_times[0]"},
		{"duplicate after normalising", `{"station":"Đài xã A","air_times":["06:00","6:00"]}`, "air_times[1]"},
		{"rate too low", base(`,"syllables_per_minute":59`), "syllables_per_minute"},
		{"rate too high", base(`,"syllables_per_minute":401`), "syllables_per_minute"},
		{"rate zero", base(`,"syllables_per_minute":0`), "syllables_per_minute"},
		{"rate fractional", base(`,"syllables_per_minute":190.5`), "syllables_per_minute"},
		{"rate a string", base(`,"syllables_per_minute":"190"`), "syllables_per_minute"},
		{"abbreviations a list", base(`,"abbreviations":[]`), "abbreviations"},
		{"abbreviation reading not a string", base(`,"abbreviations":{"X":5}`), "abbreviations"},
		{"abbreviation without letters", base(`,"abbreviations":{" - ":"x"}`), "abbreviations. - "},
		{"abbreviation reading empty", base(`,"abbreviations":{"X":" "}`), "abbreviations.X"},
		{"abbreviation reading null", base(`,"abbreviations":{"X":null}`), "abbreviations.X"},
		{"abbreviation too long", base(`,"abbreviations":{"` + strings.Repeat("X", 51) + `":"x"}`), "abbreviations." + strings.Repeat("X", 51)},
		{"abbreviation reading too long", base(`,"abbreviations":{"X":"` + strings.Repeat("x", 301) + `"}`), "abbreviations.X"},
		{"abbreviation reading with a line break", base(`,"abbreviations":{"X":"a\nb"}`), "abbreviations.X"},
		{"abbreviation twice after trimming", base(`,"abbreviations":{"UBND":"a"," UBND":"b"}`), "abbreviations"},
		{"voice an option", base(`,"voice":"-w"`), "voice"},
		{"voice with a space", base(`,"voice":"vi vn"`), "voice"},
		{"voice a number", base(`,"voice":5`), "voice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig(json.RawMessage(tt.raw))
			var ce *channels.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error = %v, want a *channels.ConfigError", err)
			}
			if ce.Field != tt.field {
				t.Errorf("Field = %q, want %q (%v)", ce.Field, tt.field, err)
			}
			if ce.Message == "" {
				t.Error("Message is empty")
			}
			if _, verr := Kind().Validate(json.RawMessage(tt.raw)); fmt.Sprint(verr) != fmt.Sprint(err) {
				t.Errorf("Validate error %v differs from ParseConfig error %v", verr, err)
			}
		})
	}
}

func TestTooManyAbbreviations(t *testing.T) {
	m := map[string]string{}
	for i := range 501 {
		m[fmt.Sprintf("K%d", i)] = "x"
	}
	abbr, _ := json.Marshal(m)
	_, err := ParseConfig(json.RawMessage(`{"station":"Đài xã A","air_times":["06:00"],"abbreviations":` + string(abbr) + `}`))
	var ce *channels.ConfigError
	if !errors.As(err, &ce) || ce.Field != "abbreviations" {
		t.Fatalf("error = %v, want a ConfigError on abbreviations", err)
	}
}
