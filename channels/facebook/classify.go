package facebook

import (
	"fmt"
	"time"

	"github.com/loa-vn/loa/channels"
)

// errClass groups Graph error codes by what can be done about them.
type errClass int

const (
	classUnknown    errClass = iota
	classTransient           // 1, 2
	classThrottled           // 4, 17, 32, 341, 613, 80001
	classPolicy              // 368
	classAuth                // 190 (any subcode), 102
	classPermission          // 3, 10, 200–299
	classParameter           // 100
	classDuplicate           // 506
)

func classify(code int) errClass {
	switch code {
	case 1, 2:
		return classTransient
	case 4, 17, 32, 341, 613, 80001:
		return classThrottled
	case 368:
		return classPolicy
	case 190, 102:
		return classAuth
	case 3, 10:
		return classPermission
	case 100:
		return classParameter
	case 506:
		return classDuplicate
	}
	if code >= 200 && code <= 299 {
		return classPermission
	}
	return classUnknown
}

// failure turns a response that is not a success into the worker's error
// class. action says what was attempted ("publish the post").
func (f *Facebook) failure(action string, r *response) *channels.Error {
	if r.graphErr == nil {
		return f.statusFailure(action, r)
	}
	ce := f.graphFailure(action, r)
	return ce.WithStatus(r.status)
}

func (f *Facebook) graphFailure(action string, r *response) *channels.Error {
	ge := r.graphErr
	desc := f.describe(ge)
	switch classify(ge.Code) {
	case classTransient:
		return channels.Retryable(fmt.Errorf("facebook: could not %s: Graph is temporarily unavailable (%s); Loa will retry", action, desc), 0)
	case classThrottled:
		wait := f.throttlePause(r, fmt.Sprintf("Graph rate-limited the app or the Page (code %d)", ge.Code))
		return channels.Retryable(fmt.Errorf("facebook: could not %s: Graph rate limit reached (%s); Loa will retry in %s", action, desc, wait.Round(time.Second)), wait)
	case classPolicy:
		f.pauseFor(f.policyWait, "Facebook temporarily blocked the Page for a policy reason (code 368)")
		return channels.Retryable(fmt.Errorf("facebook: could not %s: Facebook temporarily blocked this Page for a policy reason (%s); Loa will retry in %s; check the Page's Support Inbox", action, desc, f.policyWait), f.policyWait)
	case classAuth:
		ce := channels.Permanent(fmt.Errorf("facebook: could not %s: the page token is invalid or expired (%s); re-authorise the Page and save a new page token in the channel settings", action, desc))
		ce.NeedsReauth = true
		return ce
	case classPermission:
		return channels.Permanent(fmt.Errorf("facebook: could not %s: the page token lacks a permission (%s); re-authorise with pages_manage_posts and pages_read_engagement by a person with a task on the Page", action, desc))
	case classParameter:
		return channels.Permanent(fmt.Errorf("facebook: could not %s: Graph rejected a parameter (%s); check the post's link, image URL and text, and the channel's page_id", action, desc))
	case classDuplicate:
		return channels.Permanent(fmt.Errorf("facebook: could not %s: Facebook refused a duplicate post (%s): the text is identical to a recent post on this Page; change the text before posting again", action, desc))
	}
	return channels.Permanent(fmt.Errorf("facebook: could not %s: Graph error %s; look the code up in Facebook's Graph API error reference", action, desc))
}

// throttlePause pauses publishing for as long as the usage headers say,
// or for the default throttling pause, and returns that wait.
func (f *Facebook) throttlePause(r *response, reason string) time.Duration {
	wait := r.usage.wait(f.throttleWait)
	if wait <= 0 {
		wait = f.throttleWait
	}
	f.pauseFor(wait, reason)
	return wait
}

// statusFailure classifies an answer that is not Graph's error envelope,
// such as a proxy's HTML error page.
func (f *Facebook) statusFailure(action string, r *response) *channels.Error {
	if r.status >= 500 {
		return channels.Retryable(fmt.Errorf("facebook: could not %s: Graph answered HTTP %d without a Graph error (%s); Loa will retry", action, r.status, f.bodySnippet(r)), 0).WithStatus(r.status)
	}
	return channels.Permanent(fmt.Errorf("facebook: could not %s: Graph answered HTTP %d without a Graph error (%s); check the channel's api_base_url", action, r.status, f.bodySnippet(r))).WithStatus(r.status)
}
