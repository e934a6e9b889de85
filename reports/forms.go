package reports

// TEMPORARY until the plans lane's publishing.Forms lands: the forms of
// the plan (issue 10) in their order, with their Vietnamese labels, and
// the form a channel kind publishes as. Replaced by publishing's at merge.

var formOrder = []struct{ code, label string }{
	{"website", "Trang thông tin điện tử"},
	{"zalo_oa", "Zalo OA"},
	{"facebook_page", "Trang Facebook"},
	{"radio", "Truyền thanh cơ sở"},
	{"rss", "RSS/Atom"},
	{"hoi_nghi", "Hội nghị, hội thảo, giao ban"},
	{"tap_huan", "Tập huấn"},
	{"cuoc_thi", "Cuộc thi"},
	{"to_roi", "Tờ rơi, pa nô, áp phích"},
	{"niem_yet", "Niêm yết tại bộ phận một cửa"},
	{"bao_dai", "Báo, đài của tỉnh"},
	{"khac", "Khác"},
}

func formOfKind(kind string) string {
	switch kind {
	case "wordpress", "webhook":
		return "website"
	case "zalo_oa", "facebook_page", "radio", "rss":
		return kind
	}
	return "khac"
}

func formLabel(code string) string {
	for _, f := range formOrder {
		if f.code == code {
			return f.label
		}
	}
	return code
}
