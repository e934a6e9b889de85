package reports

import (
	"fmt"
	"strings"
)

// Sizes of the layout (Nghị định 30/2020/NĐ-CP, Phụ lục I).
var (
	bodyText     = runStyle{size: 14}
	bodyPara     = para{align: "both", firstLine: mm(12.7), after: 120, line: 264}
	headingLeft  = mm(70) // the heading's left column; the right takes the rest
	chartWidthMM = 160.0
)

// report writes the whole document body.
func (d *docx) report(r Report) error {
	d.heading(r)
	d.title(r)
	d.write(bodyPara.xml(run(introText(r), bodyText)))

	n := &numbering{}
	d.sectionHeading(n.roman() + " KẾT QUẢ THỰC HIỆN")
	if len(r.Sections) == 0 {
		if err := d.agencyResults(n, r, r.Agency.Name, r.Own); err != nil {
			return err
		}
	} else if err := d.provinceResults(n, r); err != nil {
		return err
	}

	d.sectionHeading(n.roman() + " TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN")
	d.subHeading(n.arabic() + " Tồn tại, hạn chế")
	d.lines(shortcomingLines(r))
	d.subHeading(n.arabic() + " Nguyên nhân")
	d.lines(causeLines(r))

	d.sectionHeading(n.roman() + " ĐỀ XUẤT, KIẾN NGHỊ")
	d.lines(proposalLines(r))
	d.write(bodyPara.xml(run(closingText(r), bodyText)))
	d.closing(r)
	return nil
}

// numbering counts the decree's section numbers: I., II., … then 1., 2.,
// … (restarting under each roman) then a), b), ….
type numbering struct{ major, minor, letter int }

func (n *numbering) roman() string {
	n.major++
	n.minor, n.letter = 0, 0
	return roman(n.major) + "."
}

func (n *numbering) arabic() string {
	n.minor++
	n.letter = 0
	return fmt.Sprintf("%d.", n.minor)
}

// vietnameseLetters are the item letters administrative documents use.
var itemLetters = []string{"a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m",
	"n", "o", "p", "q", "r", "s", "t", "u", "v", "x", "y"}

func (n *numbering) letterItem() string {
	n.letter++
	if n.letter <= len(itemLetters) {
		return itemLetters[n.letter-1] + ")"
	}
	return fmt.Sprintf("%d)", n.letter)
}

// heading is the two-column block without borders: the agencies and the
// number on the left, the national heading and the place and date on
// the right.
func (d *docx) heading(r Report) {
	centre := para{align: "center"}
	var left []string
	if r.Agency.ParentName != "" {
		left = append(left, centre.xml(run(strings.ToUpper(r.Agency.ParentName), runStyle{size: 13})))
	}
	left = append(left,
		centre.xml(run(strings.ToUpper(r.Agency.Name), runStyle{size: 13, bold: true})),
		shortRule(headingLeft, mm(20)),
		para{align: "center", before: 60}.xml(run("Số: "+r.Number, runStyle{size: 13})))
	motto := "Độc lập - Tự do - Hạnh phúc"
	right := []string{
		centre.xml(run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", runStyle{size: 12, bold: true})),
		centre.xml(run(motto, runStyle{size: 13, bold: true})),
		// The rule under the motto is as long as the motto (about 58 mm
		// in Times New Roman 13 bold).
		shortRule(textWidth-headingLeft, mm(58)),
		para{align: "center", before: 60}.xml(run(issuedLine(r.Place, r.IssuedOn, reportYear(r)), runStyle{size: 14, italic: true})),
	}
	d.write(table([]int{headingLeft, textWidth - headingLeft}, [][]tcell{{{paras: left}, {paras: right}}}, false, false))
}

// shortRule is an empty paragraph whose top border, centred in a column
// of width col, is length long.
func shortRule(col, length int) string {
	side := max((col-length)/2, 0)
	return para{left: side, right: side, before: 40, ruleTop: true, line: 240}.xml(run("", runStyle{size: 4}))
}

// title is "BÁO CÁO", the summary line with the period, a short rule, and
// the period's exact dates.
func (d *docx) title(r Report) {
	centre := para{align: "center", keepNext: true}
	d.write(
		para{align: "center", before: 360, keepNext: true}.xml(run("BÁO CÁO", runStyle{size: 14, bold: true})),
		centre.xml(run(textReportTitle+" "+r.Period.Label, runStyle{size: 14, bold: true})),
		shortRule(textWidth, mm(40)),
		para{align: "center", after: 240}.xml(run("(Kỳ báo cáo "+periodDates(r.Period)+"; "+cutoffText(r.Period)+")", runStyle{size: 13, italic: true})),
	)
}

func (d *docx) sectionHeading(text string) {
	p := bodyPara
	p.keepNext = true
	p.before = 120
	d.write(p.xml(run(text, runStyle{size: 14, bold: true})))
}

func (d *docx) subHeading(text string) {
	p := bodyPara
	p.keepNext = true
	d.write(p.xml(run(text, runStyle{size: 14, bold: true})))
}

// lines writes each line as a body paragraph.
func (d *docx) lines(lines []string) {
	for _, l := range lines {
		d.write(bodyPara.xml(run(l, bodyText)))
	}
}

// agencyResults writes one agency's results under the current roman
// section: the summary, the activity table and a paragraph per activity,
// the form × content area × audience table, and the charts.
func (d *docx) agencyResults(n *numbering, r Report, name string, res Results) error {
	d.subHeading(n.arabic() + " Kết quả chung")
	d.lines(summaryLines(name, res))
	if len(res.Activities) > 0 {
		d.subHeading(n.arabic() + " Kết quả thực hiện từng hoạt động của kế hoạch")
		d.activityTable(res)
		d.activityItems(n, res.Activities)
	}
	if len(res.Matrix) > 0 {
		d.subHeading(n.arabic() + " Kết quả theo hình thức, nội dung và đối tượng")
		d.matrixTable(res.Matrix)
	}
	return d.charts(n, res)
}

// provinceResults writes the totals and the per-agency table, then one
// numbered part per agency with its own activities.
func (d *docx) provinceResults(n *numbering, r Report) error {
	d.subHeading(n.arabic() + " Kết quả chung")
	d.lines(summaryLines(r.Agency.Name+" và các cơ quan, đơn vị trực thuộc", r.Own))
	d.sectionTable(r)
	if err := d.charts(n, r.Own); err != nil {
		return err
	}
	for _, s := range r.Sections {
		d.subHeading(n.arabic() + " " + s.Agency.Name)
		d.lines(summaryLines(s.Agency.Name, s.Results))
		if len(s.Results.Activities) > 0 {
			d.activityTable(s.Results)
			d.activityItems(n, s.Results.Activities)
		}
	}
	return nil
}

func (d *docx) activityItems(n *numbering, acts []ActivityResult) {
	for _, a := range acts {
		lead := n.letterItem() + " Hoạt động " + a.Code + ". " + a.Title + ": "
		d.write(bodyPara.xml(run(lead, runStyle{size: 14, italic: true}), run(activityText(a), bodyText)))
	}
}

// Table cells: 10 pt (tables may be smaller than the body), single spaced.
var (
	cellHead   = runStyle{size: 10, bold: true}
	cellText   = runStyle{size: 10}
	cellTotal  = runStyle{size: 10, bold: true}
	cellLeft   = para{align: "left"}
	cellCentre = para{align: "center"}
	cellRight  = para{align: "right"}
)

func headCells(headings []string) []tcell {
	cells := make([]tcell, len(headings))
	for i, h := range headings {
		cells[i] = tcell{paras: []string{cellCentre.xml(run(h, cellHead))}, shade: true}
	}
	return cells
}

func textCell(s string, st runStyle) tcell { return tcell{paras: []string{cellLeft.xml(run(s, st))}} }
func numCell(s string, st runStyle) tcell  { return tcell{paras: []string{cellRight.xml(run(s, st))}} }

// docxActivityHeadings are the document's activity table columns: the
// workbook's, less those the paragraph under the table says.
var docxActivityHeadings = []string{"Mã", "Hoạt động", "Hình thức", "Chỉ tiêu", "Đã thực hiện",
	"Tỷ lệ", "Đã đăng", "Không thành công", "Đúng giờ", "Lượt tiếp cận"}

var docxActivityWidths = []int{480, 2100, 1250, 680, 760, 820, 640, 800, 820, 1005}

func (d *docx) activityTable(res Results) {
	rows := [][]tcell{headCells(docxActivityHeadings)}
	var done, delivered, failed int64
	for _, a := range res.Activities {
		rows = append(rows, []tcell{
			textCell(a.Code, cellText), textCell(a.Title, cellText), textCell(strings.Join(a.Forms, ", "), cellText),
			numCell(targetText(a), cellText), numCell(formatCount(a.Done), cellText), numCell(formatOptRate(a.Progress), cellText),
			numCell(formatCount(a.Delivered), cellText), numCell(formatCount(a.Failed), cellText),
			numCell(formatOptRate(a.OnTimeRate), cellText), numCell(formatReach(a.Reach), cellText),
		})
		done += a.Done
		delivered += a.Delivered
		failed += a.Failed
	}
	rows = append(rows, []tcell{
		textCell("", cellTotal), textCell("Tổng cộng", cellTotal), textCell("", cellTotal), textCell("", cellTotal),
		numCell(formatCount(done), cellTotal), textCell("", cellTotal), numCell(formatCount(delivered), cellTotal),
		numCell(formatCount(failed), cellTotal), numCell(formatOptRate(res.OnTimeRate), cellTotal),
		numCell(formatReach(res.Reach), cellTotal),
	})
	d.write(table(docxActivityWidths, rows, true, true), para{after: 120}.xml())
}

func (d *docx) matrixTable(cells []MatrixCell) {
	rows := [][]tcell{headCells([]string{"Hình thức", "Nội dung", "Đối tượng", "Số tin, bài"})}
	var total int64
	or := func(s string) string {
		if s == "" {
			return textUnsorted
		}
		return s
	}
	for _, c := range cells {
		rows = append(rows, []tcell{textCell(or(c.Form), cellText), textCell(or(c.ContentArea), cellText),
			textCell(or(c.Audience), cellText), numCell(formatCount(c.Count), cellText)})
		total += c.Count
	}
	rows = append(rows, []tcell{textCell("Tổng cộng", cellTotal), textCell("", cellTotal), textCell("", cellTotal),
		numCell(formatCount(total), cellTotal)})
	d.write(table([]int{2200, 3855, 2300, 1000}, rows, true, true), para{after: 120}.xml())
}

// sectionTable is the province's row per agency plus the totals.
func (d *docx) sectionTable(r Report) {
	rows := [][]tcell{headCells([]string{"STT", "Cơ quan, đơn vị", "Đã thực hiện", "Đã đăng",
		"Không thành công", "Chưa xác nhận", "Đúng giờ", "Lượt tiếp cận", "Hoạt động trực tiếp"})}
	var done int64
	for i, s := range r.Sections {
		res := s.Results
		done += doneOf(res)
		rows = append(rows, []tcell{numCell(fmt.Sprint(i+1), cellText), textCell(s.Agency.Name, cellText),
			numCell(formatCount(doneOf(res)), cellText), numCell(formatCount(res.Delivered), cellText),
			numCell(formatCount(res.Failed), cellText), numCell(formatCount(res.Unconfirmed), cellText),
			numCell(formatOptRate(res.OnTimeRate), cellText), numCell(formatReach(res.Reach), cellText),
			numCell(formatCount(res.Records), cellText)})
	}
	o := r.Own
	rows = append(rows, []tcell{textCell("", cellTotal), textCell("Tổng cộng", cellTotal),
		numCell(formatCount(done), cellTotal), numCell(formatCount(o.Delivered), cellTotal),
		numCell(formatCount(o.Failed), cellTotal), numCell(formatCount(o.Unconfirmed), cellTotal),
		numCell(formatOptRate(o.OnTimeRate), cellTotal), numCell(formatReach(o.Reach), cellTotal),
		numCell(formatCount(o.Records), cellTotal)})
	d.write(table([]int{560, 2595, 880, 800, 900, 900, 880, 1020, 820}, rows, true, true), para{after: 120}.xml())
}

// charts writes the monthly and progress charts with their captions.
func (d *docx) charts(n *numbering, res Results) error {
	monthly, err := monthlyChart(buildMonthly(res.Monthly))
	if err != nil {
		return err
	}
	progress, err := progressChart(res.Activities)
	if err != nil {
		return err
	}
	if monthly == nil && progress == nil {
		return nil
	}
	d.subHeading(n.arabic() + " Biểu đồ")
	num := 0
	for _, c := range []struct {
		png     []byte
		caption string
	}{
		{monthly, "Số tin, bài đã đăng theo tháng và hình thức"},
		{progress, "Tiến độ thực hiện các hoạt động so với chỉ tiêu"},
	} {
		if c.png == nil {
			continue
		}
		num++
		w, h, err := pngSize(c.png)
		if err != nil {
			return err
		}
		d.write(para{align: "center", before: 120, keepNext: true}.xml(d.picture(c.png, w, h, chartWidthMM, c.caption)),
			para{align: "center", after: 120}.xml(run(fmt.Sprintf("Biểu đồ %d. %s", num, c.caption), runStyle{size: 12, italic: true})))
	}
	return nil
}

// closing is the two-column block: "Nơi nhận" and the recipients on the
// left, the signer's position, room for the signature and seal, and the
// name on the right.
func (d *docx) closing(r Report) {
	left := []string{para{before: 120}.xml(run("Nơi nhận:", runStyle{size: 12, bold: true, italic: true}))}
	for i, rcp := range r.Recipients {
		end := ";"
		if i == len(r.Recipients)-1 {
			end = "."
		}
		left = append(left, cellLeft.xml(run("- "+strings.TrimRight(rcp, ";. ")+end, runStyle{size: 11})))
	}
	right := []string{}
	for i, pos := range r.Signer.Position {
		p := para{align: "center", keepNext: true}
		if i == 0 {
			p.before = 120
		}
		right = append(right, p.xml(run(strings.ToUpper(pos), runStyle{size: 14, bold: true})))
	}
	for range 4 {
		right = append(right, para{keepNext: true}.xml())
	}
	right = append(right, para{align: "center"}.xml(run(r.Signer.Name, runStyle{size: 14, bold: true})))
	d.write(table([]int{mm(80), textWidth - mm(80)}, [][]tcell{{{paras: left}, {paras: right}}}, false, false))
}
