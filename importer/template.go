package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/loa-vn/loa/storage"
)

// Sheet names of the template workbook.
const (
	postsSheet = "Tin bài"
	notesSheet = "Hướng dẫn"
)

// maxTemplateList bounds the channels and agencies the notes list.
const maxTemplateList = 500

// example is the template's example row, in columnOrder; its time is set
// when the template is made (a week ahead, so the row stays valid).
func example(channel string, at time.Time) []string {
	return []string{
		"Thông báo lịch tiếp công dân tháng 12/2026",
		"UBND xã thông báo lịch tiếp công dân định kỳ của Chủ tịch UBND xã.",
		"Chủ tịch UBND xã tiếp công dân vào sáng thứ Năm hằng tuần tại Bộ phận tiếp nhận và trả kết quả. Người dân mang theo giấy tờ tùy thân.",
		channel, "", "", "", at.Format("02/01/2006 15:04"), "", "", "", "", "",
	}
}

// notes explain each column, in columnOrder.
var notes = map[Column]string{
	ColTitle:       "Bắt buộc. Tiêu đề tin, như khi Soạn tin.",
	ColSummary:     "Không bắt buộc. Đoạn tóm tắt ngắn.",
	ColBody:        "Nội dung tin (chữ thường hoặc HTML đơn giản).",
	ColChannels:    "Tên hoặc mã số kênh trong phạm vi đơn vị của bạn, cách nhau bằng dấu chấm phẩy (;). Xem danh sách kênh bên dưới.",
	ColAgency:      "Thay cho cột Kênh (hoặc cùng với nó): mã đơn vị có các kênh sẽ nhận tin; để trống là đơn vị của bạn.",
	ColDescendants: "\"có\" để gửi cả tới kênh của các đơn vị trực thuộc; để trống hoặc \"không\" nếu chỉ đơn vị đó.",
	ColKinds:       "Loại kênh, cách nhau bằng dấu chấm phẩy: Trang thông tin điện tử, Zalo OA, Trang Facebook, Truyền thanh cơ sở, RSS/Atom; để trống là mọi loại.",
	ColTime:        "Ngày giờ đăng dd/mm/yyyy HH:mm (24 giờ, giờ Việt Nam), ví dụ 07/12/2026 07:30; để trống là Đăng ngay; ghi \"khung giờ tiếp theo\" để đăng vào khung giờ trống gần nhất của kênh.",
	ColActivity:    "Không bắt buộc. Mã hoạt động trong kế hoạch của đơn vị bạn cho năm đăng tin (ví dụ 2.4), hoặc mã số của hoạt động.",
	ColContentArea: "Không bắt buộc. Mã hoặc tên lĩnh vực trong danh mục bên dưới (ví dụ tthc).",
	ColAudience:    "Không bắt buộc. Mã hoặc tên đối tượng trong danh mục bên dưới (ví dụ nguoi_dan).",
	ColLink:        "Không bắt buộc. Địa chỉ bài gốc, bắt đầu bằng http:// hoặc https://.",
	ColImage:       "Không bắt buộc. Địa chỉ ảnh minh hoạ, bắt đầu bằng http:// hoặc https://.",
}

// templateScope is what the notes list: the user's channels and agencies.
func (s *Service) templateScope(ctx context.Context, u storage.User) ([]storage.Channel, []storage.Agency, error) {
	chs, err := s.store.ListChannels(ctx, u.AgencyID)
	if err != nil {
		return nil, nil, fmt.Errorf("import: template channels: %w", err)
	}
	as, err := s.store.ListAgencies(ctx, u.AgencyID)
	if err != nil {
		return nil, nil, fmt.Errorf("import: template agencies: %w", err)
	}
	return chs[:min(len(chs), maxTemplateList)], as[:min(len(as), maxTemplateList)], nil
}

func (s *Service) exampleRow(chs []storage.Channel, now time.Time) []string {
	name := "Tên kênh"
	for _, ch := range chs {
		if ch.Status != storage.ChannelDisabled {
			name = ch.Name
			break
		}
	}
	day := now.In(s.loc).AddDate(0, 0, 7)
	at := time.Date(day.Year(), day.Month(), day.Day(), 7, 30, 0, 0, s.loc)
	return example(name, at)
}

func headers() []string {
	out := make([]string, len(columnOrder))
	for i, c := range columnOrder {
		out[i] = c.Label()
	}
	return out
}

// TemplateFile is the template in format (FormatXLSX or FormatCSV) as a
// download: its bytes, media type and file name.
type TemplateFile struct {
	Data      []byte
	MediaType string
	Name      string
}

// Template builds the template file in format; anything but FormatXLSX is CSV.
func (s *Service) Template(ctx context.Context, u storage.User, now time.Time, format string) (TemplateFile, error) {
	f := TemplateFile{MediaType: "text/csv; charset=utf-8", Name: "mau-nhap-tin-bai." + FormatCSV}
	var err error
	if format == FormatXLSX {
		f.MediaType, f.Name = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "mau-nhap-tin-bai."+FormatXLSX
		f.Data, err = s.TemplateXLSX(ctx, u, now)
	} else {
		f.Data, err = s.TemplateCSV(ctx, u, now)
	}
	return f, err
}

// TemplateCSV is the template as CSV in UTF-8 with a byte order mark (so
// Excel reads its diacritics): the header row and one example row.
func (s *Service) TemplateCSV(ctx context.Context, u storage.User, now time.Time) ([]byte, error) {
	chs, _, err := s.templateScope(ctx, u)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("\xEF\xBB\xBF")
	w := csv.NewWriter(&b)
	_ = w.Write(headers())
	_ = w.Write(s.exampleRow(chs, now))
	w.Flush()
	return b.Bytes(), w.Error()
}

// TemplateXLSX is the template workbook: a "Tin bài" sheet with the
// header row and one example row (times typed as text, so Excel keeps
// dd/mm/yyyy), and a "Hướng dẫn" sheet explaining each column and listing
// the user's channels and agencies.
func (s *Service) TemplateXLSX(ctx context.Context, u storage.User, now time.Time) ([]byte, error) {
	chs, as, err := s.templateScope(ctx, u)
	if err != nil {
		return nil, err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := s.postsTemplate(f, chs, now); err != nil {
		return nil, fmt.Errorf("import: template sheet: %w", err)
	}
	if err := s.notesTemplate(ctx, f, chs, as); err != nil {
		return nil, fmt.Errorf("import: template notes: %w", err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("import: write template: %w", err)
	}
	return buf.Bytes(), nil
}

func (s *Service) postsTemplate(f *excelize.File, chs []storage.Channel, now time.Time) error {
	if err := f.SetSheetName("Sheet1", postsSheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": typed times stay text
	if err != nil {
		return err
	}
	timeCol, _ := excelize.ColumnNumberToName(indexOf(ColTime) + 1)
	last, _ := excelize.ColumnNumberToName(len(columnOrder))
	if err := f.SetColStyle(postsSheet, timeCol, text); err != nil {
		return err
	}
	h := headers()
	if err := f.SetSheetRow(postsSheet, "A1", &h); err != nil {
		return err
	}
	ex := s.exampleRow(chs, now)
	for i, v := range ex { // as strings: no cell is a formula or a number
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		if err := f.SetCellStr(postsSheet, cell, v); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(postsSheet, "A1", last+"1", bold); err != nil {
		return err
	}
	if err := f.SetColWidth(postsSheet, "A", last, 24); err != nil {
		return err
	}
	return f.SetPanes(postsSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func indexOf(c Column) int {
	for i, col := range columnOrder {
		if col == c {
			return i
		}
	}
	return -1
}

func (s *Service) notesTemplate(ctx context.Context, f *excelize.File, chs []storage.Channel, as []storage.Agency) error {
	if _, err := f.NewSheet(notesSheet); err != nil {
		return err
	}
	lim := s.lim
	rows := [][]string{
		{"Nhập tin bài hàng loạt"},
		{"Mỗi dòng của trang \"Tin bài\" là một tin. Dòng đầu là tên cột; giữ nguyên tên cột. Thay dòng ví dụ bằng tin của bạn."},
		{fmt.Sprintf("Giới hạn: tệp tối đa %d MB, tối đa %d dòng tin, %d cột. Có thể lưu thành .xlsx hoặc CSV UTF-8.",
			lim.MaxBytes>>20, lim.MaxRows, lim.MaxColumns)},
		{"Khi bấm Kiểm tra tệp, mọi dòng được kiểm tra như khi Soạn tin; nếu có dòng lỗi thì không tin nào được nhập."},
		{},
		{"Cột", "Cách ghi"},
	}
	for _, c := range columnOrder {
		rows = append(rows, []string{c.Label(), notes[c]})
	}
	rows = append(rows, []string{}, []string{"Kênh của bạn", "Mã số", "Loại", "Trạng thái"})
	for _, ch := range chs {
		state := "Đang hoạt động"
		if ch.Status == storage.ChannelDisabled {
			state = "Đã tắt"
		}
		rows = append(rows, []string{ch.Name, fmt.Sprint(ch.ID), ch.Kind, state})
	}
	for _, list := range []struct{ kind, title string }{
		{storage.VocabContentArea, "Lĩnh vực"}, {storage.VocabAudience, "Đối tượng"}} {
		terms, err := s.store.ListVocab(ctx, list.kind, false)
		if err != nil {
			return err
		}
		rows = append(rows, []string{}, []string{list.title, "Mã"})
		for _, t := range terms[:min(len(terms), maxTemplateList)] {
			rows = append(rows, []string{t.Label, t.Code})
		}
	}
	rows = append(rows, []string{}, []string{"Đơn vị của bạn", "Mã đơn vị"})
	for _, a := range as {
		rows = append(rows, []string{strings.Join(a.Names, " › "), a.Code})
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(notesSheet, cell, v); err != nil {
				return err
			}
		}
	}
	return f.SetColWidth(notesSheet, "A", "B", 40)
}
