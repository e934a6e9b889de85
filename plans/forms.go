// Package plans is the application layer of communication plans: the
// installation's lists (content areas, audiences), agencies' yearly plans
// and their activities, the forms activities take, and the offline work
// recorded against them. The API and the pages both call it; the policy
// and agency scope are publishing's.
package plans

// Form is a way an activity reaches people: published through a channel
// Loa delivers to, or offline (a conference, leaflets) and recorded.
type Form struct {
	Code    string
	Label   string // Vietnamese
	Offline bool
}

// Form codes.
const (
	FormWebsite      = "website"
	FormZaloOA       = "zalo_oa"
	FormFacebookPage = "facebook_page"
	FormRadio        = "radio"
	FormRSS          = "rss"
	FormConference   = "hoi_nghi"
	FormTraining     = "tap_huan"
	FormContest      = "cuoc_thi"
	FormLeaflet      = "to_roi"
	FormOneStopDesk  = "niem_yet"
	FormPressRadioTV = "bao_dai"
	FormOther        = "khac"
)

// Forms lists every form in the order plans and reports show them.
func Forms() []Form {
	return []Form{
		{FormWebsite, "Trang thông tin điện tử", false},
		{FormZaloOA, "Zalo OA", false},
		{FormFacebookPage, "Trang Facebook", false},
		{FormRadio, "Truyền thanh cơ sở", false},
		{FormRSS, "RSS/Atom", false},
		{FormConference, "Hội nghị, hội thảo, giao ban", true},
		{FormTraining, "Tập huấn", true},
		{FormContest, "Cuộc thi", true},
		{FormLeaflet, "Tờ rơi, pa nô, áp phích", true},
		{FormOneStopDesk, "Niêm yết tại bộ phận một cửa", true},
		{FormPressRadioTV, "Báo, đài của tỉnh", true},
		{FormOther, "Hình thức khác", true},
	}
}

// LookupForm returns the form with code.
func LookupForm(code string) (Form, bool) {
	for _, f := range Forms() {
		if f.Code == code {
			return f, true
		}
	}
	return Form{}, false
}

// FormLabel is the Vietnamese label of a form code; an unknown code is
// shown as it is.
func FormLabel(code string) string {
	if f, ok := LookupForm(code); ok {
		return f.Label
	}
	return code
}

// FormOfChannel is the form a delivery to a channel of kind counts as:
// the agency website for WordPress and webhook channels, the kind itself
// for Zalo OA, Facebook pages, commune radio and RSS, and FormOther for a
// kind plans do not name.
func FormOfChannel(kind string) string {
	switch kind {
	case "wordpress", "webhook":
		return FormWebsite
	case FormZaloOA, FormFacebookPage, FormRadio, FormRSS:
		return kind
	}
	return FormOther
}
