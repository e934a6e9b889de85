package reports

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the workbook (Excel allows 31 characters).
const (
	sheetSummary = "Tổng hợp"
	sheetMatrix  = "Hình thức, nội dung, đối tượng"
	sheetMonthly = "Theo tháng"
)

// WriteXLSX writes the report as an Excel workbook: the title block and
// totals with the per-activity table ("Tổng hợp"), the counts by form ×
// content area × audience, the monthly counts with native charts
// (deliveries per month per form, progress per activity), and for a
// province report one sheet per agency. A report over the writers'
// limits is refused with ErrTooLarge before anything is written.
func WriteXLSX(w io.Writer, r Report) error {
	if err := checkReport(r); err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxWriter{f: f, r: r}
	if err := x.write(); err != nil {
		return fmt.Errorf("reports: writing xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("reports: writing xlsx: %w", err)
	}
	return nil
}

type xlsxStyles struct {
	agency, agencyBold, title, subtitle, note, section  int
	head, text, number, percent, totalText, totalNumber int
}

type xlsxWriter struct {
	f     *excelize.File
	r     Report
	st    xlsxStyles
	names map[string]bool
}

func (x *xlsxWriter) write() error {
	if err := x.styles(); err != nil {
		return err
	}
	x.names = map[string]bool{sheetSummary: true, sheetMatrix: true, sheetMonthly: true}
	if err := x.f.SetSheetName("Sheet1", sheetSummary); err != nil {
		return err
	}
	if err := x.agencySheet(sheetSummary, x.r.Agency, x.r.Own, true); err != nil {
		return err
	}
	if _, err := x.f.NewSheet(sheetMatrix); err != nil {
		return err
	}
	if err := x.matrixSheet(x.r.Own.Matrix); err != nil {
		return err
	}
	if _, err := x.f.NewSheet(sheetMonthly); err != nil {
		return err
	}
	if err := x.monthlySheet(x.r.Own); err != nil {
		return err
	}
	for _, s := range x.r.Sections {
		name := x.sheetName(s.Agency.Name)
		if _, err := x.f.NewSheet(name); err != nil {
			return err
		}
		if err := x.agencySheet(name, s.Agency, s.Results, false); err != nil {
			return err
		}
	}
	x.f.SetActiveSheet(0)
	return nil
}

// sheetName makes an agency's name a valid, unique sheet name.
func (x *xlsxWriter) sheetName(agency string) string {
	base := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) || r < 0x20 {
			return ' '
		}
		return r
	}, cleanText(agency))
	base = strings.TrimSpace(base)
	if base == "" {
		base = "Cơ quan"
	}
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s (%d)", truncateRunes(base, 31-len(fmt.Sprintf(" (%d)", i))), i)
		}
		name = strings.TrimSpace(truncateRunes(name, 31))
		if !x.names[strings.ToLower(name)] && !x.names[name] {
			x.names[strings.ToLower(name)] = true
			return name
		}
	}
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func (x *xlsxWriter) styles() error {
	font := func(bold, italic bool, size float64) *excelize.Font {
		return &excelize.Font{Family: "Times New Roman", Size: size, Bold: bold, Italic: italic, Color: "000000"}
	}
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	left := &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}
	centre := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	right := &excelize.Alignment{Horizontal: "right", Vertical: "top"}
	pct := "0.0%"
	count := "#,##0"
	specs := []struct {
		id *int
		s  excelize.Style
	}{
		{&x.st.agency, excelize.Style{Font: font(false, false, 12), Alignment: centre}},
		{&x.st.agencyBold, excelize.Style{Font: font(true, false, 12), Alignment: centre}},
		{&x.st.title, excelize.Style{Font: font(true, false, 14), Alignment: centre}},
		{&x.st.subtitle, excelize.Style{Font: font(false, true, 12), Alignment: centre}},
		{&x.st.note, excelize.Style{Font: font(false, true, 11), Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&x.st.section, excelize.Style{Font: font(true, false, 12)}},
		{&x.st.head, excelize.Style{Font: font(true, false, 11), Alignment: centre, Border: border,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&x.st.text, excelize.Style{Font: font(false, false, 11), Alignment: left, Border: border}},
		{&x.st.number, excelize.Style{Font: font(false, false, 11), Alignment: right, Border: border, CustomNumFmt: &count}},
		{&x.st.percent, excelize.Style{Font: font(false, false, 11), Alignment: right, Border: border, CustomNumFmt: &pct}},
		{&x.st.totalText, excelize.Style{Font: font(true, false, 11), Alignment: left, Border: border}},
		{&x.st.totalNumber, excelize.Style{Font: font(true, false, 11), Alignment: right, Border: border, CustomNumFmt: &count}},
	}
	for _, sp := range specs {
		id, err := x.f.NewStyle(&sp.s)
		if err != nil {
			return err
		}
		*sp.id = id
	}
	return nil
}

// cell is one value with its style; a nil value leaves the cell empty
// but styled (the table's border).
type cell struct {
	v     any
	style int
}

func (x *xlsxWriter) put(sheet string, col, row int, c cell) error {
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	switch v := c.v.(type) {
	case nil:
	case string:
		if err := x.f.SetCellStr(sheet, name, cleanText(v)); err != nil {
			return err
		}
	default:
		if err := x.f.SetCellValue(sheet, name, v); err != nil {
			return err
		}
	}
	if c.style != 0 {
		return x.f.SetCellStyle(sheet, name, name, c.style)
	}
	return nil
}

func (x *xlsxWriter) putRow(sheet string, row int, cells ...cell) error {
	for i, c := range cells {
		if err := x.put(sheet, i+1, row, c); err != nil {
			return err
		}
	}
	return nil
}

// line writes a text across columns A..last, merged.
func (x *xlsxWriter) line(sheet string, row, last int, text string, style int) error {
	if err := x.put(sheet, 1, row, cell{text, style}); err != nil {
		return err
	}
	end, err := excelize.CoordinatesToCellName(last, row)
	if err != nil {
		return err
	}
	return x.f.MergeCell(sheet, fmt.Sprintf("A%d", row), end)
}

// titleBlock writes the agency, "BÁO CÁO", the summary line and the
// period's exact dates; it returns the next free row.
func (x *xlsxWriter) titleBlock(sheet string, ag Agency, width int) (int, error) {
	row := 1
	if ag.ParentName != "" {
		if err := x.line(sheet, row, 4, strings.ToUpper(ag.ParentName), x.st.agency); err != nil {
			return 0, err
		}
		row++
	}
	if err := x.line(sheet, row, 4, strings.ToUpper(ag.Name), x.st.agencyBold); err != nil {
		return 0, err
	}
	row += 2
	lines := []struct {
		text  string
		style int
	}{
		{"BÁO CÁO", x.st.title},
		{textReportTitle + " " + x.r.Period.Label, x.st.title},
		{"Kỳ báo cáo " + periodDates(x.r.Period) + " (" + cutoffText(x.r.Period) + ")", x.st.subtitle},
	}
	if x.r.PlanTitle != "" {
		plan := "Thực hiện " + x.r.PlanTitle
		if x.r.PlanReference != "" {
			plan += " (" + x.r.PlanReference + ")"
		}
		lines = append(lines, struct {
			text  string
			style int
		}{plan, x.st.subtitle})
	}
	for _, l := range lines {
		if err := x.line(sheet, row, width, l.text, l.style); err != nil {
			return 0, err
		}
		row++
	}
	if !x.r.GeneratedAt.IsZero() {
		at := x.r.GeneratedAt.In(x.r.Period.From.Location())
		if err := x.put(sheet, 1, row, cell{"Số liệu tổng hợp lúc " + formatDateTime(at), x.st.note}); err != nil {
			return 0, err
		}
		row++
	}
	return row + 1, nil
}

// agencySheet writes one agency's (or the totals') title block, figures,
// the province's per-agency table when asked, and the activity table.
func (x *xlsxWriter) agencySheet(sheet string, ag Agency, res Results, top bool) error {
	widths := []float64{8, 40, 26, 20, 22, 16, 11, 11, 9, 9, 11, 11, 9, 14}
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := x.f.SetColWidth(sheet, col, col, wd); err != nil {
			return err
		}
	}
	row, err := x.titleBlock(sheet, ag, len(activityHeadings))
	if err != nil {
		return err
	}
	num := 1
	heading := func(text string) error {
		err := x.put(sheet, 1, row, cell{fmt.Sprintf("%s. %s", roman(num), text), x.st.section})
		num++
		row++
		return err
	}
	if err := heading("TỔNG HỢP CHUNG"); err != nil {
		return err
	}
	if row, err = x.totals(sheet, row, res); err != nil {
		return err
	}
	if top && len(x.r.Sections) > 0 {
		if err := heading("KẾT QUẢ THEO CƠ QUAN, ĐƠN VỊ"); err != nil {
			return err
		}
		if row, err = x.sectionTable(sheet, row); err != nil {
			return err
		}
	}
	if len(res.Activities) > 0 {
		if err := heading("KẾT QUẢ THỰC HIỆN THEO HOẠT ĐỘNG"); err != nil {
			return err
		}
		if _, err = x.activityTable(sheet, row, res.Activities); err != nil {
			return err
		}
	}
	return x.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: intPtr(9), Orientation: strPtr("landscape")})
}

func intPtr(i int) *int       { return &i }
func strPtr(s string) *string { return &s }

// totals writes the delivery and record figures as label / value rows.
func (x *xlsxWriter) totals(sheet string, row int, res Results) (int, error) {
	var rate, reach cell
	rate = cell{nil, x.st.percent}
	if res.OnTimeRate != nil {
		rate.v = *res.OnTimeRate
	}
	reach = cell{textNoData, x.st.text}
	if res.Reach != nil {
		reach = cell{*res.Reach, x.st.number}
	}
	rows := []struct {
		label string
		value cell
	}{
		{"Đã đăng", cell{res.Delivered, x.st.number}},
		{"Không thành công", cell{res.Failed, x.st.number}},
		{"Chưa xác nhận", cell{res.Unconfirmed, x.st.number}},
		{"Khác (chờ đăng, đã hủy)", cell{res.Other, x.st.number}},
		{"Đúng giờ (trong vòng 5 phút)", cell{res.OnTime, x.st.number}},
		{"Tỷ lệ đúng giờ", rate},
		{"Lượt tiếp cận", reach},
		{"Hoạt động trực tiếp đã ghi nhận", cell{res.Records, x.st.number}},
		{"Số lượng theo các hoạt động trực tiếp", cell{res.RecordCount, x.st.number}},
	}
	for _, r := range rows {
		if err := x.putRow(sheet, row, cell{nil, x.st.text}, cell{r.label, x.st.text}, r.value); err != nil {
			return 0, err
		}
		row++
	}
	return row + 1, nil
}

var sectionHeadings = []string{"STT", "Cơ quan, đơn vị", "Số hoạt động", "Đã thực hiện",
	"Đã đăng", "Không thành công", "Chưa xác nhận", "Đúng giờ", "Tỷ lệ đúng giờ",
	"Lượt tiếp cận", "Hoạt động trực tiếp"}

// sectionTable is the province's one row per agency plus the totals.
func (x *xlsxWriter) sectionTable(sheet string, row int) (int, error) {
	if err := x.headRow(sheet, row, sectionHeadings); err != nil {
		return 0, err
	}
	row++
	rowOf := func(no cell, name string, res Results, acts, done int64, text, number int) []cell {
		rate := cell{nil, x.st.percent}
		if res.OnTimeRate != nil {
			rate.v = *res.OnTimeRate
		}
		reach := cell{textNoData, text}
		if res.Reach != nil {
			reach = cell{*res.Reach, number}
		}
		return []cell{no, {name, text}, {acts, number}, {done, number},
			{res.Delivered, number}, {res.Failed, number}, {res.Unconfirmed, number},
			{res.OnTime, number}, rate, reach, {res.Records, number}}
	}
	// Each agency has its own plan: the totals row counts their
	// activities and what was done for them.
	var acts, done int64
	for i, s := range x.r.Sections {
		n, d := int64(len(s.Results.Activities)), doneOf(s.Results)
		acts += n
		done += d
		if err := x.putRow(sheet, row, rowOf(cell{i + 1, x.st.number}, s.Agency.Name, s.Results, n, d, x.st.text, x.st.number)...); err != nil {
			return 0, err
		}
		row++
	}
	total := rowOf(cell{nil, x.st.totalText}, "Tổng cộng", x.r.Own, acts, done, x.st.totalText, x.st.totalNumber)
	if err := x.putRow(sheet, row, total...); err != nil {
		return 0, err
	}
	return row + 2, nil
}

func (x *xlsxWriter) headRow(sheet string, row int, headings []string) error {
	for i, h := range headings {
		if err := x.put(sheet, i+1, row, cell{h, x.st.head}); err != nil {
			return err
		}
	}
	return x.f.SetRowHeight(sheet, row, 32)
}

// activityTable writes the per-activity table; it returns the next row.
func (x *xlsxWriter) activityTable(sheet string, row int, acts []ActivityResult) (int, error) {
	if err := x.headRow(sheet, row, activityHeadings); err != nil {
		return 0, err
	}
	row++
	for _, a := range acts {
		target := cell{a.TargetText, x.st.text}
		if a.Target != nil {
			target = cell{*a.Target, x.st.number}
		}
		progress := cell{nil, x.st.percent}
		if a.Progress != nil {
			progress.v = *a.Progress
		}
		onTime := cell{nil, x.st.percent}
		if a.OnTimeRate != nil {
			onTime.v = *a.OnTimeRate
		}
		reach := cell{textNoData, x.st.text}
		if a.Reach != nil {
			reach = cell{*a.Reach, x.st.number}
		}
		err := x.putRow(sheet, row,
			cell{a.Code, x.st.text}, cell{a.Title, x.st.text}, cell{a.ContentArea, x.st.text},
			cell{a.Audience, x.st.text}, cell{strings.Join(a.Forms, ", "), x.st.text},
			cell{a.Timing, x.st.text}, target, cell{a.Done, x.st.number}, progress,
			cell{a.Delivered, x.st.number}, cell{a.Failed, x.st.number},
			cell{a.Unconfirmed, x.st.number}, onTime, reach)
		if err != nil {
			return 0, err
		}
		row++
	}
	return row + 1, nil
}

var matrixHeadings = []string{"Hình thức", "Nội dung", "Đối tượng", "Số tin, bài"}

func (x *xlsxWriter) matrixSheet(cells []MatrixCell) error {
	sheet := sheetMatrix
	for i, wd := range []float64{28, 48, 32, 12} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := x.f.SetColWidth(sheet, col, col, wd); err != nil {
			return err
		}
	}
	if err := x.line(sheet, 1, 4, "Số tin, bài đã đăng theo hình thức, nội dung và đối tượng", x.st.title); err != nil {
		return err
	}
	if err := x.line(sheet, 2, 4, "Kỳ báo cáo "+periodDates(x.r.Period), x.st.subtitle); err != nil {
		return err
	}
	if err := x.headRow(sheet, 4, matrixHeadings); err != nil {
		return err
	}
	row := 5
	var total int64
	orUnsorted := func(s string) string {
		if s == "" {
			return textUnsorted
		}
		return s
	}
	for _, c := range cells {
		err := x.putRow(sheet, row, cell{orUnsorted(c.Form), x.st.text}, cell{orUnsorted(c.ContentArea), x.st.text},
			cell{orUnsorted(c.Audience), x.st.text}, cell{c.Count, x.st.number})
		if err != nil {
			return err
		}
		total += c.Count
		row++
	}
	return x.putRow(sheet, row, cell{"Tổng cộng", x.st.totalText}, cell{nil, x.st.totalText},
		cell{nil, x.st.totalText}, cell{total, x.st.totalNumber})
}

// monthlySheet writes the months × forms table with a stacked column
// chart, and each activity's progress with a bar chart.
func (x *xlsxWriter) monthlySheet(res Results) error {
	sheet := sheetMonthly
	mt := buildMonthly(res.Monthly)
	if err := x.f.SetColWidth(sheet, "A", "A", 14); err != nil {
		return err
	}
	if err := x.put(sheet, 1, 1, cell{"Số tin, bài đã đăng theo tháng và hình thức", x.st.section}); err != nil {
		return err
	}
	heads := append([]string{"Tháng"}, mt.Forms...)
	heads = append(heads, "Tổng cộng")
	if err := x.headRow(sheet, 3, heads); err != nil {
		return err
	}
	for i, m := range mt.Months {
		row := 4 + i
		cells := []cell{{monthLabel(m), x.st.text}}
		var sum int64
		for _, n := range mt.Counts[i] {
			cells = append(cells, cell{n, x.st.number})
			sum += n
		}
		cells = append(cells, cell{sum, x.st.totalNumber})
		if err := x.putRow(sheet, row, cells...); err != nil {
			return err
		}
	}
	chartRow := 4 + len(mt.Months) + 1
	if len(mt.Months) > 0 && len(mt.Forms) > 0 {
		var series []excelize.ChartSeries
		last := 3 + len(mt.Months)
		for j := range mt.Forms {
			col, _ := excelize.ColumnNumberToName(j + 2)
			series = append(series, excelize.ChartSeries{
				Name:       fmt.Sprintf("%s!$%s$3", quoteSheet(sheet), col),
				Categories: fmt.Sprintf("%s!$A$4:$A$%d", quoteSheet(sheet), last),
				Values:     fmt.Sprintf("%s!$%s$4:$%s$%d", quoteSheet(sheet), col, col, last),
			})
		}
		err := x.f.AddChart(sheet, fmt.Sprintf("A%d", chartRow), &excelize.Chart{
			Type:      excelize.ColStacked,
			Series:    series,
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Số tin, bài đã đăng theo tháng và hình thức"}}},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 720, Height: 360},
		})
		if err != nil {
			return err
		}
	}
	return x.progressBlock(sheet, chartRow+20, res.Activities)
}

// progressBlock writes each activity's progress (those with a target)
// and a bar chart of it.
func (x *xlsxWriter) progressBlock(sheet string, row int, acts []ActivityResult) error {
	if err := x.put(sheet, 1, row, cell{"Tiến độ thực hiện theo hoạt động (tỷ lệ so với chỉ tiêu)", x.st.section}); err != nil {
		return err
	}
	row += 2
	if err := x.headRow(sheet, row, []string{"Mã", "Hoạt động", "Chỉ tiêu", "Đã thực hiện", "Tỷ lệ"}); err != nil {
		return err
	}
	if err := x.f.SetColWidth(sheet, "B", "B", 40); err != nil {
		return err
	}
	first := row + 1
	for _, a := range acts {
		if a.Progress == nil || a.Target == nil {
			continue
		}
		row++
		err := x.putRow(sheet, row, cell{a.Code, x.st.text}, cell{a.Title, x.st.text},
			cell{*a.Target, x.st.number}, cell{a.Done, x.st.number}, cell{*a.Progress, x.st.percent})
		if err != nil {
			return err
		}
	}
	if row < first {
		return nil
	}
	return x.f.AddChart(sheet, fmt.Sprintf("G%d", first-1), &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{
			Name:       fmt.Sprintf("%s!$E$%d", quoteSheet(sheet), first-1),
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", quoteSheet(sheet), first, row),
			Values:     fmt.Sprintf("%s!$E$%d:$E$%d", quoteSheet(sheet), first, row),
		}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Tiến độ thực hiện theo hoạt động"}}},
		Legend:    excelize.ChartLegend{Position: "none"},
		Dimension: excelize.ChartDimension{Width: 600, Height: 360},
	})
}

// quoteSheet quotes a sheet name for a formula reference.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// roman is the section numeral (I, II, …) the decree uses.
func roman(n int) string {
	numerals := []struct {
		v int
		s string
	}{{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"},
		{50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}
	var b strings.Builder
	for _, r := range numerals {
		for n >= r.v {
			b.WriteString(r.s)
			n -= r.v
		}
	}
	return b.String()
}
