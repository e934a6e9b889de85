package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// DeliveryRow is one delivery behind a report, as the CSV lists it.
// Texts are Vietnamese labels; times are in LOA_TIMEZONE.
type DeliveryRow struct {
	Agency        string
	ActivityCode  string
	ActivityTitle string
	Form          string // "Trang thông tin điện tử", "Zalo OA", …
	Channel       string // the channel's name
	ContentArea   string
	Audience      string
	Title         string // the post's title
	ScheduledAt   time.Time
	DeliveredAt   time.Time // zero when not delivered
	Status        string    // "Đã đăng", "Không thành công", "Chưa xác nhận", …
	OnTime        bool
	Reach         *int64 // nil when the platform reported none
	URL           string
}

// RecordRow is one offline activity record behind a report.
type RecordRow struct {
	Agency        string
	ActivityCode  string
	ActivityTitle string
	Form          string // "Hội nghị, hội thảo, giao ban", …
	Date          time.Time
	Description   string
	Count         int64
}

var csvHeadings = []string{"Loại", "Cơ quan, đơn vị", "Mã hoạt động", "Hoạt động", "Hình thức", "Kênh",
	"Nội dung", "Đối tượng", "Tiêu đề / mô tả", "Thời gian dự kiến", "Thời gian thực hiện", "Kết quả",
	"Đúng giờ", "Số lượng", "Lượt tiếp cận", "Đường dẫn"}

// WriteCSV writes the deliveries and the activity records behind a
// report as one CSV for Excel: UTF-8 with a byte-order mark, a heading
// row, one row per delivery then per record. A cell that a spreadsheet
// would take for a formula (starting with = + - @ or a tab, once
// control characters are dropped) is prefixed with '. More than MaxCSVRows rows in all are
// refused with ErrTooLarge before anything is written.
func WriteCSV(w io.Writer, deliveries []DeliveryRow, records []RecordRow) error {
	if n := len(deliveries) + len(records); n > MaxCSVRows {
		return fmt.Errorf("%w: %d rows (at most %d)", ErrTooLarge, n, MaxCSVRows)
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("reports: writing csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	write := func(cells []string) error {
		for i, c := range cells {
			cells[i] = csvCell(c)
		}
		return cw.Write(cells)
	}
	if err := write(append([]string(nil), csvHeadings...)); err != nil {
		return fmt.Errorf("reports: writing csv: %w", err)
	}
	for _, d := range deliveries {
		delivered := ""
		if !d.DeliveredAt.IsZero() {
			delivered = formatDateTime(d.DeliveredAt)
		}
		onTime := "Không"
		if d.OnTime {
			onTime = "Có"
		}
		reach := textNoData
		if d.Reach != nil {
			reach = strconv.FormatInt(*d.Reach, 10)
		}
		scheduled := ""
		if !d.ScheduledAt.IsZero() {
			scheduled = formatDateTime(d.ScheduledAt)
		}
		err := write([]string{"Đăng tin", d.Agency, d.ActivityCode, d.ActivityTitle, d.Form, d.Channel,
			d.ContentArea, d.Audience, d.Title, scheduled, delivered, d.Status, onTime, "1", reach, d.URL})
		if err != nil {
			return fmt.Errorf("reports: writing csv: %w", err)
		}
	}
	for _, r := range records {
		date := ""
		if !r.Date.IsZero() {
			date = formatDate(r.Date)
		}
		err := write([]string{"Hoạt động trực tiếp", r.Agency, r.ActivityCode, r.ActivityTitle, r.Form, "",
			"", "", r.Description, "", date, "Đã thực hiện", "", strconv.FormatInt(r.Count, 10), "", ""})
		if err != nil {
			return fmt.Errorf("reports: writing csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("reports: writing csv: %w", err)
	}
	return nil
}

// csvCell cleans a cell, caps it at Excel's cell size, and neutralises
// what a spreadsheet would run as a formula.
func csvCell(s string) string {
	s = cleanText(s) // first, so no dropped character hides a leading "="
	if s != "" && strings.ContainsRune("=+-@\t", rune(s[0])) {
		s = "'" + s
	}
	return truncateRunes(s, maxCSVCellRunes)
}
