package reports

import (
	"testing"
	"time"
)

// The fixtures below are the reports the writers' tests write: the
// quarter's report of plan 004 (Sở Thông tin và Truyền thông Bình Định,
// activities 2.1–2.7) and a province report of three communes with their
// totals. They are filled by hand, the way the computation would fill
// them, with figures chosen so every column has something to show: one
// activity above target, some below, one with no reach reported.

func fixtureLoc(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatalf("load location: %v", err)
	}
	return loc
}

func fixturePtr[T any](v T) *T { return &v }

// fixtureActivity fills the derived figures the way the computation does.
func fixtureActivity(a ActivityResult) ActivityResult {
	a.Done = a.Delivered + a.Records
	if a.Delivered > 0 {
		a.OnTimeRate = fixturePtr(float64(a.OnTime) / float64(a.Delivered))
	}
	if a.Target != nil && *a.Target > 0 {
		a.Progress = fixturePtr(float64(a.Done) / float64(*a.Target))
	}
	return a
}

// fixtureTotals sums activities into Results (the totals line).
func fixtureTotals(acts []ActivityResult, matrix []MatrixCell, monthly []MonthCount) Results {
	res := Results{Activities: acts, Matrix: matrix, Monthly: monthly}
	var reach int64
	reached := false
	for _, a := range acts {
		res.Delivered += a.Delivered
		res.Failed += a.Failed
		res.Unconfirmed += a.Unconfirmed
		res.OnTime += a.OnTime
		res.Records += a.Records
		res.RecordCount += a.Records
		if a.Reach != nil {
			reach += *a.Reach
			reached = true
		}
	}
	if res.Delivered > 0 {
		res.OnTimeRate = fixturePtr(float64(res.OnTime) / float64(res.Delivered))
	}
	if reached {
		res.Reach = &reach
	}
	return res
}

// fixturePlan004 is the 2027 Q1 report (decree cut-off: 15/12/2026 –
// 14/03/2027) on the seed plan 004's activities 2.1–2.7.
func fixturePlan004(t testing.TB) Report {
	loc := fixtureLoc(t)
	acts := []ActivityResult{
		fixtureActivity(ActivityResult{ID: 1, Code: "2.1",
			Title:       "Triển khai trong công chức, viên chức, người lao động",
			ContentArea: "Chủ trương, chính sách của Đảng, Nhà nước về CCHC", Audience: "Cán bộ, công chức, viên chức",
			Forms: []string{"Hội nghị, hội thảo, giao ban", "Trang thông tin điện tử"}, Timing: "Cả năm",
			Unit: "Văn phòng Sở", Target: fixturePtr[int64](4), Delivered: 2, OnTime: 2, Records: 1,
			ByForm: map[string]int64{"website": 2, "hoi_nghi": 1}}),
		fixtureActivity(ActivityResult{ID: 2, Code: "2.2",
			Title:       "Rà soát các thủ tục hành chính trên lĩnh vực thông tin và truyền thông",
			ContentArea: "Cải cách thủ tục hành chính, cơ chế một cửa, một cửa liên thông", Audience: "Người dân, doanh nghiệp",
			Forms: []string{"Trang thông tin điện tử", "Niêm yết tại bộ phận một cửa"}, Timing: "Cả năm",
			Unit:   "Văn phòng Sở; Phòng Bưu chính viễn thông và Công nghệ thông tin",
			Target: fixturePtr[int64](12), Delivered: 12, Failed: 1, OnTime: 11, Records: 2,
			Reach: fixturePtr[int64](3120), ByForm: map[string]int64{"website": 12, "niem_yet": 2}}),
		fixtureActivity(ActivityResult{ID: 3, Code: "2.3",
			Title:       "Hướng dẫn các sở, ban, ngành, UBND các huyện, thị xã, thành phố liên kết Cổng dịch vụ công trực tuyến của tỉnh",
			ContentArea: "Dịch vụ công trực tuyến", Audience: "Cán bộ, công chức, viên chức",
			Forms: []string{"Trang thông tin điện tử", "Tập huấn"}, Timing: "Cả năm",
			Unit:   "Phòng Thông tin - Báo chí - Xuất bản",
			Target: fixturePtr[int64](6), Delivered: 5, OnTime: 5, Records: 1, Reach: fixturePtr[int64](842),
			ByForm: map[string]int64{"website": 5, "tap_huan": 1}}),
		fixtureActivity(ActivityResult{ID: 4, Code: "2.4",
			Title:       "Phối hợp thực hiện chuyên mục “Công dân hỏi – Giám đốc Sở trả lời”",
			ContentArea: "Cải cách thủ tục hành chính, cơ chế một cửa, một cửa liên thông", Audience: "Người dân, doanh nghiệp",
			Forms: []string{"Báo, đài của tỉnh"}, Timing: "Cả năm", Unit: "Phòng BCVT&CNTT",
			Target: fixturePtr[int64](3), Records: 1, ByForm: map[string]int64{"bao_dai": 1}}),
		fixtureActivity(ActivityResult{ID: 5, Code: "2.5",
			Title:       "Chỉ đạo, hướng dẫn công tác thông tin tuyên truyền về CCHC trên hệ thống Đài Truyền thanh cơ sở",
			ContentArea: "Tầm quan trọng, mục tiêu của CCHC", Audience: "Người dân, doanh nghiệp",
			Forms: []string{"Truyền thanh cơ sở"}, Timing: "Cả năm", Unit: "Phòng TT-BC-XB",
			Target: fixturePtr[int64](24), Delivered: 28, Unconfirmed: 2, OnTime: 27,
			ByForm: map[string]int64{"radio": 28}}),
		fixtureActivity(ActivityResult{ID: 6, Code: "2.6",
			Title:       "Duy trì chuyên mục, chuyên trang về CCHC",
			ContentArea: "Chính quyền điện tử, chính quyền số", Audience: "Người dân, doanh nghiệp",
			Forms: []string{"Trang thông tin điện tử", "Zalo OA", "Trang Facebook"}, Timing: "Thường xuyên",
			Unit:   "Các cơ quan báo, đài của tỉnh",
			Target: fixturePtr[int64](60), Delivered: 52, Failed: 3, Unconfirmed: 1, OnTime: 49,
			Reach: fixturePtr[int64](18450), ByForm: map[string]int64{"website": 20, "zalo_oa": 18, "facebook_page": 14}}),
		fixtureActivity(ActivityResult{ID: 7, Code: "2.7",
			Title:       "Tổ chức hội nghị, hội thảo, cuộc thi, tập huấn chuyên đề cho đội ngũ cán bộ làm công tác thông tin cơ sở",
			ContentArea: "Kết quả, tồn tại, hạn chế của công tác CCHC", Audience: "Cán bộ, công chức, viên chức",
			Forms: []string{"Hội nghị, hội thảo, giao ban", "Cuộc thi", "Tập huấn"}, Timing: "Quý III",
			Unit: "Phòng TT-BC-XB chủ trì, Văn phòng Sở phối hợp", Target: fixturePtr[int64](2)}),
	}
	matrix := []MatrixCell{
		{Form: "Trang thông tin điện tử", ContentArea: "Cải cách thủ tục hành chính, cơ chế một cửa, một cửa liên thông", Audience: "Người dân, doanh nghiệp", Count: 12},
		{Form: "Trang thông tin điện tử", ContentArea: "Chính quyền điện tử, chính quyền số", Audience: "Người dân, doanh nghiệp", Count: 20},
		{Form: "Trang thông tin điện tử", ContentArea: "Dịch vụ công trực tuyến", Audience: "Cán bộ, công chức, viên chức", Count: 5},
		{Form: "Trang thông tin điện tử", ContentArea: "Chủ trương, chính sách của Đảng, Nhà nước về CCHC", Audience: "Cán bộ, công chức, viên chức", Count: 2},
		{Form: "Zalo OA", ContentArea: "Chính quyền điện tử, chính quyền số", Audience: "Người dân, doanh nghiệp", Count: 18},
		{Form: "Trang Facebook", ContentArea: "Chính quyền điện tử, chính quyền số", Audience: "Người dân, doanh nghiệp", Count: 14},
		{Form: "Truyền thanh cơ sở", ContentArea: "Tầm quan trọng, mục tiêu của CCHC", Audience: "Người dân, doanh nghiệp", Count: 28},
	}
	month := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, loc) }
	monthly := []MonthCount{
		{Month: month(2026, 12), Form: "Trang thông tin điện tử", Count: 6},
		{Month: month(2026, 12), Form: "Truyền thanh cơ sở", Count: 4},
		{Month: month(2027, 1), Form: "Trang thông tin điện tử", Count: 14},
		{Month: month(2027, 1), Form: "Zalo OA", Count: 8},
		{Month: month(2027, 1), Form: "Truyền thanh cơ sở", Count: 10},
		{Month: month(2027, 1), Form: "Trang Facebook", Count: 6},
		{Month: month(2027, 2), Form: "Trang thông tin điện tử", Count: 12},
		{Month: month(2027, 2), Form: "Zalo OA", Count: 6},
		{Month: month(2027, 2), Form: "Truyền thanh cơ sở", Count: 9},
		{Month: month(2027, 2), Form: "Trang Facebook", Count: 5},
		{Month: month(2027, 3), Form: "Trang thông tin điện tử", Count: 7},
		{Month: month(2027, 3), Form: "Zalo OA", Count: 4},
		{Month: month(2027, 3), Form: "Truyền thanh cơ sở", Count: 5},
		{Month: month(2027, 3), Form: "Trang Facebook", Count: 3},
	}
	return Report{
		Agency: Agency{ID: 4, Name: "Sở Thông tin và Truyền thông", ParentName: "Ủy ban nhân dân tỉnh Bình Định"},
		Period: Period{Key: "2027-Q1", Cutoff: "decree", Label: "quý I năm 2027",
			From: time.Date(2026, 12, 15, 0, 0, 0, 0, loc), To: time.Date(2027, 3, 15, 0, 0, 0, 0, loc)},
		Number:        "      /BC-STTTT",
		Place:         "Bình Định",
		IssuedOn:      time.Date(2027, 3, 20, 0, 0, 0, 0, loc),
		PlanTitle:     "Kế hoạch truyền thông về cải cách hành chính nhà nước trên địa bàn tỉnh Bình Định năm 2027",
		PlanReference: "Kế hoạch số 05/KH-STTTT ngày 10/01/2027",
		Own:           fixtureTotals(acts, matrix, monthly),
		Recipients:    []string{"Sở Nội vụ (để b/cáo)", "Lãnh đạo Sở", "Các phòng, trung tâm thuộc Sở", "Lưu: VT, TTBCXB"},
		Signer:        Signer{Position: []string{"KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"}, Name: "Phạm Ngọc Thái"},
		GeneratedAt:   time.Date(2027, 3, 15, 1, 30, 0, 0, time.UTC),
	}
}

// fixtureProvince is a root with three communes, each with its own plan's
// three activities; the totals are the sum of the sections.
func fixtureProvince(t testing.TB) Report {
	r := fixturePlan004(t)
	loc := fixtureLoc(t)
	commune := func(id int64, name string, website, radio, zalo, records, failed int64, reach *int64) Section {
		acts := []ActivityResult{
			fixtureActivity(ActivityResult{ID: id*10 + 1, Code: "1", Title: "Đăng tin về cải cách thủ tục hành chính trên Trang thông tin điện tử xã",
				ContentArea: "Cải cách thủ tục hành chính, cơ chế một cửa, một cửa liên thông", Audience: "Người dân, doanh nghiệp",
				Forms: []string{"Trang thông tin điện tử"}, Timing: "Thường xuyên", Unit: "Văn phòng HĐND và UBND xã",
				Target: fixturePtr[int64](10), Delivered: website, Failed: failed, OnTime: website, Reach: reach}),
			fixtureActivity(ActivityResult{ID: id*10 + 2, Code: "2", Title: "Phát sóng chuyên mục CCHC trên hệ thống truyền thanh xã",
				ContentArea: "Tầm quan trọng, mục tiêu của CCHC", Audience: "Người dân, doanh nghiệp",
				Forms: []string{"Truyền thanh cơ sở", "Zalo OA"}, Timing: "Cả năm", Unit: "Công chức Văn hóa - Xã hội",
				Target: fixturePtr[int64](12), Delivered: radio + zalo, OnTime: radio + zalo - 1}),
			fixtureActivity(ActivityResult{ID: id*10 + 3, Code: "3", Title: "Niêm yết thủ tục hành chính tại bộ phận một cửa",
				ContentArea: "Cải cách thủ tục hành chính, cơ chế một cửa, một cửa liên thông", Audience: "Người dân, doanh nghiệp",
				Forms: []string{"Niêm yết tại bộ phận một cửa"}, Timing: "Quý I", Unit: "Bộ phận một cửa",
				TargetText: "Khi có quyết định công bố", Records: records}),
		}
		matrix := []MatrixCell{
			{Form: "Trang thông tin điện tử", ContentArea: "Cải cách thủ tục hành chính, cơ chế một cửa, một cửa liên thông", Audience: "Người dân, doanh nghiệp", Count: website},
			{Form: "Truyền thanh cơ sở", ContentArea: "Tầm quan trọng, mục tiêu của CCHC", Audience: "Người dân, doanh nghiệp", Count: radio},
			{Form: "Zalo OA", ContentArea: "Tầm quan trọng, mục tiêu của CCHC", Audience: "Người dân, doanh nghiệp", Count: zalo},
		}
		monthly := []MonthCount{
			{Month: time.Date(2027, 1, 1, 0, 0, 0, 0, loc), Form: "Trang thông tin điện tử", Count: website},
			{Month: time.Date(2027, 2, 1, 0, 0, 0, 0, loc), Form: "Truyền thanh cơ sở", Count: radio},
			{Month: time.Date(2027, 2, 1, 0, 0, 0, 0, loc), Form: "Zalo OA", Count: zalo},
		}
		return Section{Agency: Agency{ID: id, Name: name, ParentName: "Ủy ban nhân dân tỉnh Bình Định"},
			Results: fixtureTotals(acts, matrix, monthly)}
	}
	r.Sections = []Section{
		commune(11, "Ủy ban nhân dân xã An Bình", 8, 10, 3, 4, 1, fixturePtr[int64](950)),
		commune(12, "Ủy ban nhân dân xã Tân Lập", 11, 12, 2, 2, 0, nil),
		commune(13, "Ủy ban nhân dân xã Phước Sơn", 4, 6, 0, 1, 2, fixturePtr[int64](120)),
	}
	var acts []ActivityResult
	var matrix []MatrixCell
	var monthly []MonthCount
	for _, s := range r.Sections {
		acts = append(acts, s.Results.Activities...)
		matrix = append(matrix, s.Results.Matrix...)
		monthly = append(monthly, s.Results.Monthly...)
	}
	r.Agency = Agency{ID: 1, Name: "Ủy ban nhân dân tỉnh Bình Định"}
	r.Number = "      /BC-UBND"
	r.PlanTitle, r.PlanReference = "", ""
	r.Own = fixtureTotals(acts, matrix, monthly)
	// The compiled totals carry no activity list of their own: each
	// commune's plan is its own.
	r.Own.Activities = nil
	r.Recipients = []string{"Sở Nội vụ (để b/cáo)", "UBND các xã", "Lưu: VT"}
	r.Signer = Signer{Position: []string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"}, Name: "Nguyễn Văn An"}
	return r
}
