package facebook

import (
	"net/http"
	"testing"
	"time"
)

func TestParseUsage(t *testing.T) {
	const def = 5 * time.Minute
	tests := []struct {
		name     string
		app      string
		business string
		want     time.Duration // usage.wait(def)
	}{
		{name: "no headers"},
		{name: "app usage low", app: `{"call_count":28,"total_cputime":25,"total_time":25}`},
		{name: "app call count full", app: `{"call_count":100,"total_cputime":25,"total_time":25}`, want: def},
		{name: "app total time over", app: `{"call_count":1,"total_cputime":1,"total_time":120}`, want: def},
		{name: "app fractional under", app: `{"call_count":99.9}`},
		{name: "app malformed", app: `{"call_count":100`},
		{name: "app wrong type", app: `{"call_count":"100"}`},
		{name: "app not an object", app: `100`},
		{name: "business low", business: `{"104857600123456":[{"type":"pages","call_count":10,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}`},
		{name: "business full without estimate", business: `{"1":[{"type":"pages","call_count":100}]}`, want: def},
		{name: "business estimate", business: `{"1":[{"type":"pages","call_count":40,"estimated_time_to_regain_access":15}]}`, want: 15 * time.Minute},
		{name: "largest estimate of several", business: `{"1":[{"type":"pages","estimated_time_to_regain_access":3}],"2":[{"type":"ads_management","estimated_time_to_regain_access":9},{"type":"pages"}]}`, want: 9 * time.Minute},
		{name: "estimate capped at a day", business: `{"1":[{"estimated_time_to_regain_access":1e12}]}`, want: 24 * time.Hour},
		{name: "negative estimate", business: `{"1":[{"estimated_time_to_regain_access":-5}]}`},
		{name: "business malformed", business: `{"1":[{"call_count":`},
		{name: "business old flat shape", business: `{"1":{"call_count":100}}`},
		{name: "estimate wins over app usage", app: `{"call_count":100}`, business: `{"1":[{"estimated_time_to_regain_access":2}]}`, want: 2 * time.Minute},
		{name: "malformed business keeps app usage", app: `{"call_count":100}`, business: `nonsense`, want: def},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.app != "" {
				h.Set("X-App-Usage", tt.app)
			}
			if tt.business != "" {
				h.Set("X-Business-Use-Case-Usage", tt.business)
			}
			if got := parseUsage(h).wait(def); got != tt.want {
				t.Errorf("wait = %s, want %s", got, tt.want)
			}
		})
	}
}
