package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/loa-vn/loa/content"
)

// FuzzCheckStrings: checkStrings never panics on a valid JSON body, and a
// body it accepts holds no string or key that content.CheckText refuses or
// that is over the ceiling.
func FuzzCheckStrings(f *testing.F) {
	for _, seed := range []string{
		`{"title":"x","variants":{"1":{"title":"a\u202Eb"}},"channel_ids":[1,2]}`,
		`{"a":[[],{},"\ud800",["\udc00\ud800"],"\ud83d\ude00"],"b\u0000":null}`,
		`["body",{"body":"a\nb\tc","title":"a\nb"}]`,
		`"\\u0000"`, `{"k":"\\\ud800"}`, `{}`, `[]`, `1`, `null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		if checkStrings(body) != nil {
			return
		}
		// Numbers stay json.Number: 1E700 is valid JSON but no float64.
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		walkAll(t, v)
	})
}

func walkAll(t *testing.T, v any) {
	check := func(s string) {
		if len(s) > maxRequestString || content.CheckText("f", s, true) != nil {
			t.Fatalf("accepted a refused string %+q", s)
		}
	}
	switch v := v.(type) {
	case string:
		check(v)
	case []any:
		for _, e := range v {
			walkAll(t, e)
		}
	case map[string]any:
		for k, e := range v {
			check(k)
			walkAll(t, e)
		}
	}
}
