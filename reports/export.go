package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// Formats a report is exported in.
const (
	FormatXLSX = "xlsx"
	FormatDOCX = "docx"
	FormatCSV  = "csv"
)

// Rules an export's InvalidError may name.
const (
	RuleBadFormat = "bad_format"
	RuleTooLarge  = "too_large"
)

var contentTypes = map[string]string{
	FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	FormatDOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	FormatCSV:  "text/csv; charset=utf-8",
}

// File is an exported report.
type File struct {
	// Name is the file's Vietnamese name; ASCIIName the same for clients
	// that cannot read Content-Disposition's filename*.
	Name, ASCIIName string
	ContentType     string
	Body            []byte
}

// ContentDisposition is the header that downloads f under its name: an
// ASCII filename and the UTF-8 filename* (RFC 6266, RFC 8187).
func (f File) ContentDisposition() string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, f.ASCIIName, encodeRFC8187(f.Name))
}

// CheckFormat refuses a format that is not one of the exports.
func CheckFormat(format string) error {
	if _, ok := contentTypes[format]; !ok {
		return &publishing.InvalidError{Field: "format", Rule: RuleBadFormat, Message: `must be "xlsx", "docx" or "csv"`}
	}
	return nil
}

// Export makes the report r asks for, as Compute does, and writes it in
// format. A report over the writers' limits is an InvalidError (too
// large), nothing written.
func (s *Service) Export(ctx context.Context, actor storage.User, r Request, format string) (File, error) {
	if err := CheckFormat(format); err != nil {
		return File{}, err
	}
	var f File
	err := s.run(ctx, actor, r, func(ctx context.Context, sc scope, p Period) error {
		rep, err := s.compute(ctx, sc, p)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		switch format {
		case FormatXLSX:
			err = WriteXLSX(&buf, rep)
		case FormatDOCX:
			err = WriteDOCX(&buf, rep)
		case FormatCSV:
			err = s.writeCSV(ctx, &buf, sc)
		}
		if errors.Is(err, ErrTooLarge) {
			return &publishing.InvalidError{Field: "format", Rule: RuleTooLarge, Err: err,
				Message: "the report is too large for a file: choose a shorter period or an agency lower down"}
		}
		if err != nil {
			return err
		}
		f = File{Name: fileName(rep, format), ASCIIName: asciiFileName(rep, format),
			ContentType: contentTypes[format], Body: buf.Bytes()}
		return nil
	})
	return f, err
}

// writeCSV lists the deliveries and records behind the report: at most
// one more row than the CSV writer takes, so it refuses what is too long.
func (s *Service) writeCSV(ctx context.Context, buf *bytes.Buffer, sc scope) error {
	lines, err := s.store.DeliveryLines(ctx, sc.filter, MaxCSVRows+1)
	if err != nil {
		return err
	}
	recs, err := s.store.RecordLines(ctx, sc.filter, MaxCSVRows+1-len(lines))
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(sc.agencies))
	for _, a := range sc.agencies {
		names[a.ID] = a.Name
	}
	lb := sc.labels
	rows := make([]DeliveryRow, len(lines))
	for i, l := range lines {
		rows[i] = DeliveryRow{Agency: names[l.AgencyID], ActivityCode: l.ActivityCode, ActivityTitle: l.ActivityTitle,
			Form: plans.FormLabel(plans.FormOfChannel(l.Kind)), Channel: l.Channel, ContentArea: lb.label(lb.area, l.ContentArea),
			Audience: lb.label(lb.audience, l.Audience), Title: l.Title, ScheduledAt: l.ScheduledAt.In(s.loc),
			Status: StatusLabel(l.Status), OnTime: l.OnTime(), URL: l.URL}
		if l.DeliveredAt != nil {
			rows[i].DeliveredAt = l.DeliveredAt.In(s.loc)
		}
	}
	records := make([]RecordRow, len(recs))
	for i, r := range recs {
		day, _ := time.ParseInLocation(time.DateOnly, r.OccurredOn, s.loc)
		records[i] = RecordRow{Agency: names[r.AgencyID], ActivityCode: r.ActivityCode, ActivityTitle: r.ActivityTitle,
			Form: plans.FormLabel(r.Form), Date: day, Description: r.Description, Count: r.Count}
	}
	return WriteCSV(buf, rows, records)
}

// statusLabels are the Vietnamese names of delivery and post statuses
// (ui.md), for the files here and for the pages (package web).
var statusLabels = map[string]string{
	"pending_approval": "Chờ duyệt", "draft": "Bản nháp", "scheduled": "Đã hẹn giờ",
	"sending": "Đang gửi", "delivered": "Đã đăng", "retrying": "Đang thử lại",
	"failed": "Không thành công", "unconfirmed": "Chưa xác nhận (cần kiểm tra)",
	"canceled": "Đã hủy", "rejected": "Bị từ chối",
}

// StatusLabel is a delivery's or post's status in Vietnamese; an unknown
// one is returned as it is.
func StatusLabel(s string) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return s
}

// fileName is "Báo cáo quý I năm 2027 - UBND xã An Hòa.xlsx", without
// the characters file systems refuse.
func fileName(r Report, format string) string {
	name := "Báo cáo " + r.Period.Label + " - " + r.Agency.Name
	name = strings.Map(func(c rune) rune {
		if c < 0x20 || c == 0x7f || strings.ContainsRune(`/\:*?"<>|`, c) {
			return '-'
		}
		return c
	}, name)
	if runes := []rune(name); len(runes) > 150 {
		name = string(runes[:150])
	}
	return name + "." + format
}

// asciiFileName is "bao-cao-2027-Q1-decree-12.xlsx": the period's key,
// cut-off and the agency's id.
func asciiFileName(r Report, format string) string {
	key := strings.Map(func(c rune) rune {
		if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' {
			return c
		}
		return '_'
	}, r.Period.Key)
	return "bao-cao-" + key + "-" + r.Period.Cutoff + "-" + strconv.FormatInt(r.Agency.ID, 10) + "." + format
}

// encodeRFC8187 percent-encodes s as an ext-value's value: UTF-8, every
// byte but attr-char encoded.
func encodeRFC8187(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
