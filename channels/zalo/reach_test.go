package zalo

import (
	"context"
	"strings"
	"testing"

	"github.com/loa-vn/loa/channels"
)

func TestReadReach(t *testing.T) {
	tests := []struct {
		name            string
		prepare         func(s *setup, id string) string // returns the id to read
		want            int64
		wantUnavailable string
		wantClass       channels.Class
	}{
		{name: "views reported", prepare: func(s *setup, id string) string { s.f.setViews(id, 1234); return id }, want: 1234},
		{name: "zero views is a real zero", prepare: func(s *setup, id string) string { s.f.setViews(id, 0); return id }, want: 0},
		{name: "no total_view is absent", prepare: func(_ *setup, id string) string { return id },
			wantUnavailable: "carries no total_view"},
		{name: "unknown article", prepare: func(*setup, string) string { return "art999" },
			wantUnavailable: "Zalo error -201"},
		{name: "rate limit is an error", prepare: func(s *setup, id string) string {
			s.f.script("getdetail", zaloError(-32, "Rate limit"))
			return id
		}, wantClass: channels.ClassRetryable},
		{name: "platform 500 is an error", prepare: func(s *setup, id string) string {
			s.f.script("getdetail", answer(500, nil, "Internal Server Error"))
			return id
		}, wantClass: channels.ClassRetryable},
		{name: "refused token after refresh is an error", prepare: func(s *setup, id string) string {
			s.f.script("getdetail", zaloError(-216, "Access token is invalid"), zaloError(-216, "Access token is invalid"))
			return id
		}, wantClass: channels.ClassPermanent},
		{name: "empty id never reaches Zalo", prepare: func(*setup, string) string { return "" },
			wantUnavailable: "not an article id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t, nil)
			id := s.f.addArticle("Thông báo lịch tiếp công dân", testNow())
			read := tt.prepare(s, id)
			got, err := s.channel(t, nil).ReadReach(context.Background(), read)
			if tt.wantClass != 0 {
				if err == nil || channels.ClassOf(err) != tt.wantClass {
					t.Fatalf("ReadReach = %+v, %v; want a %s error", got, err, tt.wantClass)
				}
				if strings.Contains(err.Error(), "SECRET") {
					t.Errorf("error leaks a credential: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadReach: %v", err)
			}
			if tt.wantUnavailable != "" {
				if !strings.Contains(got.Unavailable, tt.wantUnavailable) || len(got.Metrics) != 0 {
					t.Errorf("ReadReach = %+v, want unavailable %q and no metrics", got, tt.wantUnavailable)
				}
				return
			}
			v, ok := got.Metrics[channels.MetricViews]
			if got.Unavailable != "" || !ok || v != tt.want || len(got.Metrics) != 1 {
				t.Errorf("ReadReach = %+v, want views %d", got, tt.want)
			}
		})
	}
}

// TestReadReachSendsTheToken: the detail request carries the access_token
// header and the article id in the query, nothing else.
func TestReadReachSendsTheToken(t *testing.T) {
	s := newSetup(t, nil)
	id := s.f.addArticle("Tin", testNow())
	s.f.setViews(id, 5)
	if _, err := s.channel(t, nil).ReadReach(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if got := s.f.events.all(); len(got) != 1 || got[0] != "zalo:getdetail:"+accessToken(0) {
		t.Errorf("events = %v, want one getdetail with the access token", got)
	}
}
