package content

import (
	"sync"
	"testing"
)

// TestSanitizersAreSafeForConcurrentUse: the policies are built once and
// shared; under -race, concurrent cleaning would report a data race.
func TestSanitizersAreSafeForConcurrentUse(t *testing.T) {
	const in = `<p onclick="x()">Thủ tục <a href="https://dichvucong.gov.vn">công</a><script>x()</script></p>`
	want := SanitizeHTML(in)
	wantPlain := PlainText(in)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if got := SanitizeHTML(in); got != want {
					t.Errorf("SanitizeHTML = %q, want %q", got, want)
					return
				}
				if got := PlainText(in); got != wantPlain {
					t.Errorf("PlainText = %q, want %q", got, wantPlain)
					return
				}
			}
		}()
	}
	wg.Wait()
}
