package reports

import (
	"fmt"
	"strings"
)

// The document's sentences, written from the figures: what was done,
// what fell short, why (as far as the figures tell), and what to do.

func introText(r Report) string {
	subject := r.Agency.Name
	if r.PlanTitle != "" {
		plan := r.PlanTitle
		if r.PlanReference != "" {
			plan += " (" + r.PlanReference + ")"
		}
		return fmt.Sprintf("Thực hiện %s, %s báo cáo kết quả công tác tuyên truyền cải cách hành chính %s như sau:",
			plan, subject, r.Period.Label)
	}
	if len(r.Sections) > 0 {
		return fmt.Sprintf("%s báo cáo tổng hợp kết quả công tác tuyên truyền cải cách hành chính %s của %d cơ quan, đơn vị như sau:",
			subject, r.Period.Label, len(r.Sections))
	}
	return fmt.Sprintf("%s báo cáo kết quả công tác tuyên truyền cải cách hành chính %s như sau:", subject, r.Period.Label)
}

// summaryLines are the figures of one agency (or the totals) in words.
func summaryLines(name string, res Results) []string {
	var lines []string
	if res.Delivered == 0 {
		lines = append(lines, fmt.Sprintf("Trong kỳ báo cáo, %s chưa đăng tin, bài nào trên các kênh thông tin.", name))
	} else {
		s := fmt.Sprintf("Trong kỳ báo cáo, %s đã đăng %s tin, bài tuyên truyền về cải cách hành chính trên các kênh thông tin",
			name, formatCount(res.Delivered))
		if res.OnTimeRate != nil {
			s += fmt.Sprintf(", trong đó %s tin, bài đăng đúng giờ theo lịch (đạt %s)", formatCount(res.OnTime), formatRate(*res.OnTimeRate))
		}
		lines = append(lines, s+".")
	}
	if res.Failed > 0 || res.Unconfirmed > 0 {
		lines = append(lines, fmt.Sprintf("Có %s lượt đăng không thành công và %s lượt chưa xác nhận được kết quả từ nền tảng.",
			formatCount(res.Failed), formatCount(res.Unconfirmed)))
	}
	if res.Reach != nil {
		lines = append(lines, fmt.Sprintf("Tổng số lượt tiếp cận do các nền tảng cung cấp: %s lượt.", formatCount(*res.Reach)))
	} else {
		lines = append(lines, "Các nền tảng chưa cung cấp số liệu lượt tiếp cận (không có số liệu).")
	}
	if res.Records > 0 {
		lines = append(lines, fmt.Sprintf("Ngoài ra, đã ghi nhận %s hoạt động tuyên truyền trực tiếp (hội nghị, tập huấn, niêm yết, tờ rơi…) với tổng số lượng %s.",
			formatCount(res.Records), formatCount(res.RecordCount)))
	}
	if len(res.Activities) > 0 {
		met, below, untargeted := 0, 0, 0
		for _, a := range res.Activities {
			switch {
			case a.Target == nil || *a.Target <= 0:
				untargeted++
			case belowTarget(a):
				below++
			default:
				met++
			}
		}
		s := fmt.Sprintf("Kế hoạch có %d hoạt động: %d hoạt động đạt hoặc vượt chỉ tiêu, %d hoạt động chưa đạt chỉ tiêu", len(res.Activities), met, below)
		if untargeted > 0 {
			s += fmt.Sprintf(", %d hoạt động không đặt chỉ tiêu bằng số", untargeted)
		}
		lines = append(lines, s+".")
	}
	return lines
}

// activityText is what the plan asked of one activity and what was done.
func activityText(a ActivityResult) string {
	var plan []string
	if len(a.Forms) > 0 {
		plan = append(plan, "hình thức: "+strings.Join(a.Forms, ", "))
	}
	if a.ContentArea != "" {
		plan = append(plan, "nội dung: "+a.ContentArea)
	}
	if a.Audience != "" {
		plan = append(plan, "đối tượng: "+a.Audience)
	}
	if a.Timing != "" {
		plan = append(plan, "thời gian: "+a.Timing)
	}
	if a.Unit != "" {
		plan = append(plan, "đơn vị thực hiện: "+a.Unit)
	}
	if t := targetText(a); t != "" {
		plan = append(plan, "chỉ tiêu: "+t)
	}
	var b strings.Builder
	if len(plan) > 0 {
		b.WriteString("Kế hoạch (" + strings.Join(plan, "; ") + "). ")
	}
	b.WriteString("Kết quả: đã thực hiện " + formatCount(a.Done))
	if a.Target != nil && a.Progress != nil {
		fmt.Fprintf(&b, "/%s, đạt %s chỉ tiêu", formatCount(*a.Target), formatRate(*a.Progress))
	}
	var parts []string
	parts = append(parts, formatCount(a.Delivered)+" tin, bài đã đăng")
	if a.Records > 0 {
		parts = append(parts, fmt.Sprintf("%s từ %s hoạt động trực tiếp đã ghi nhận", formatCount(a.Done-a.Delivered), formatCount(a.Records)))
	}
	b.WriteString(" (gồm " + strings.Join(parts, " và ") + ")")
	if a.Failed > 0 {
		fmt.Fprintf(&b, "; %s lượt đăng không thành công", formatCount(a.Failed))
	}
	if a.Unconfirmed > 0 {
		fmt.Fprintf(&b, "; %s lượt chưa xác nhận", formatCount(a.Unconfirmed))
	}
	if a.OnTimeRate != nil {
		fmt.Fprintf(&b, "; tỷ lệ đăng đúng giờ %s", formatRate(*a.OnTimeRate))
	}
	b.WriteString("; lượt tiếp cận: ")
	if a.Reach != nil {
		b.WriteString(formatCount(*a.Reach))
	} else {
		b.WriteString("không có số liệu")
	}
	b.WriteString(".")
	return b.String()
}

// agencyParts are the report's agencies with their results: the one
// agency, or each section of a province report.
func agencyParts(r Report) []Section {
	if len(r.Sections) == 0 {
		return []Section{{Agency: r.Agency, Results: r.Own}}
	}
	return r.Sections
}

// shortcomingLines list the activities below target, those with nothing
// done, failed and unconfirmed deliveries, and missing reach.
func shortcomingLines(r Report) []string {
	var lines []string
	province := len(r.Sections) > 0
	for _, s := range agencyParts(r) {
		prefix := "- "
		if province {
			prefix = "- " + s.Agency.Name + ": "
		}
		for _, a := range s.Results.Activities {
			switch {
			case belowTarget(a):
				line := fmt.Sprintf("%shoạt động %s (%s) mới đạt %s/%s chỉ tiêu (%s)", prefix, a.Code, a.Title,
					formatCount(a.Done), formatCount(*a.Target), formatRate(*a.Progress))
				if a.Timing != "" {
					line += "; thời gian thực hiện theo kế hoạch: " + a.Timing
				}
				lines = append(lines, line+".")
			case a.Done == 0 && (a.Target == nil || *a.Target <= 0):
				lines = append(lines, fmt.Sprintf("%shoạt động %s (%s) chưa có kết quả trong kỳ báo cáo.", prefix, a.Code, a.Title))
			}
		}
		if s.Results.Failed > 0 {
			lines = append(lines, fmt.Sprintf("%scòn %s lượt đăng tin, bài không thành công.", prefix, formatCount(s.Results.Failed)))
		}
		if s.Results.Unconfirmed > 0 {
			lines = append(lines, fmt.Sprintf("%s%s lượt đăng chưa xác nhận được kết quả từ nền tảng.", prefix, formatCount(s.Results.Unconfirmed)))
		}
	}
	if r.Own.Reach == nil {
		lines = append(lines, "- Chưa có số liệu lượt tiếp cận từ các nền tảng để đánh giá hiệu quả tuyên truyền.")
	}
	if len(lines) == 0 {
		return []string{"Trong kỳ báo cáo, các hoạt động của kế hoạch đều đạt chỉ tiêu; không có lượt đăng không thành công."}
	}
	return capitalizeLines(lines)
}

// causeLines say what the figures can tell about why.
func causeLines(r Report) []string {
	var below, failed, unconfirmed, noReach bool
	for _, s := range agencyParts(r) {
		for _, a := range s.Results.Activities {
			below = below || belowTarget(a)
		}
		failed = failed || s.Results.Failed > 0
		unconfirmed = unconfirmed || s.Results.Unconfirmed > 0
		noReach = noReach || s.Results.Reach == nil
	}
	var lines []string
	if below {
		lines = append(lines, "- Chỉ tiêu của kế hoạch được giao cho cả năm hoặc cho một quý cụ thể, trong khi số liệu chỉ tính trong kỳ báo cáo; một số hoạt động có thời gian thực hiện vào các kỳ sau nên chưa phát sinh đủ kết quả.")
	}
	if failed {
		lines = append(lines, "- Một số lượt đăng không thành công do nền tảng từ chối hoặc không phản hồi khi đăng (kết nối kênh hết hạn, nội dung không hợp lệ với nền tảng).")
	}
	if unconfirmed {
		lines = append(lines, "- Một số nền tảng chưa trả về xác nhận kết quả đăng tin, bài.")
	}
	if noReach {
		lines = append(lines, "- Một số nền tảng (trang thông tin điện tử, truyền thanh cơ sở) không cung cấp số liệu lượt tiếp cận.")
	}
	if len(lines) == 0 {
		return []string{"Không có tồn tại, hạn chế cần nêu nguyên nhân trong kỳ báo cáo."}
	}
	return lines
}

// proposalLines are the proposals that follow from the shortcomings.
func proposalLines(r Report) []string {
	var codes []string
	var failed bool
	province := len(r.Sections) > 0
	for _, s := range agencyParts(r) {
		for _, a := range s.Results.Activities {
			if belowTarget(a) {
				if province {
					codes = append(codes, a.Code+" ("+s.Agency.Name+")")
				} else {
					codes = append(codes, a.Code)
				}
			}
		}
		failed = failed || s.Results.Failed > 0
	}
	var lines []string
	if len(codes) > 0 {
		lines = append(lines, "- Tiếp tục đẩy mạnh thực hiện các hoạt động chưa đạt chỉ tiêu (hoạt động "+strings.Join(codes, ", ")+") trong thời gian tới, bảo đảm hoàn thành kế hoạch năm.")
	}
	if failed {
		lines = append(lines, "- Kiểm tra, khắc phục kết nối các kênh có lượt đăng không thành công và đăng lại các tin, bài chưa đến được người dân, doanh nghiệp.")
	}
	if r.Own.Reach == nil {
		lines = append(lines, "- Kết nối số liệu lượt tiếp cận từ các nền tảng để đánh giá hiệu quả công tác tuyên truyền.")
	}
	lines = append(lines, "- Đề nghị cơ quan cấp trên tiếp tục quan tâm hướng dẫn, cung cấp tài liệu và hỗ trợ kinh phí cho công tác tuyên truyền cải cách hành chính.")
	return lines
}

func closingText(r Report) string {
	return fmt.Sprintf("Trên đây là báo cáo kết quả công tác tuyên truyền cải cách hành chính %s của %s./.", r.Period.Label, r.Agency.Name)
}

// capitalizeLines makes the word after "- " start with a capital.
func capitalizeLines(lines []string) []string {
	for i, l := range lines {
		rest, ok := strings.CutPrefix(l, "- ")
		if !ok || rest == "" {
			continue
		}
		r := []rune(rest)
		lines[i] = "- " + strings.ToUpper(string(r[0])) + string(r[1:])
	}
	return lines
}
