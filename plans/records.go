package plans

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// Attachment limits: a scanned attendance list, not an archive.
const (
	MaxAttachmentBytes = 10 << 20
	maxFileName        = 200
	// UploadBodyBytes bounds a request carrying an attachment: the file
	// and the record's few fields with multipart's framing.
	UploadBodyBytes = MaxAttachmentBytes + 64<<10
)

// RuleBadType names the refusal of a file that is not a PDF, JPEG or PNG.
const RuleBadType = "bad_type"

// TooLargeError refuses an attachment over MaxAttachmentBytes.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("attachment: larger than %d MiB", e.Limit>>20)
}

// Upload is a file as received, read whole by ReadUpload.
type Upload struct {
	FileName string
	Data     []byte
}

// ReadUpload reads a file of at most MaxAttachmentBytes from r; a longer
// one is a *TooLargeError, read no further than one byte past the limit.
func ReadUpload(r io.Reader, name string) (Upload, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxAttachmentBytes+1))
	if err != nil {
		return Upload{}, fmt.Errorf("plans: read attachment: %w", err)
	}
	if len(data) > MaxAttachmentBytes {
		return Upload{}, &TooLargeError{Limit: MaxAttachmentBytes}
	}
	return Upload{FileName: name, Data: data}, nil
}

// RecordInput is offline work as a person enters it.
type RecordInput struct {
	ActivityID int64
	// Date is the day it happened, YYYY-MM-DD or dd/mm/yyyy, local.
	Date        string
	Form        string
	Description string
	Count       int64
	Attachment  *Upload
}

// Record stores offline work done for an activity, with its attachment,
// for anyone in the activity's agency or above.
func (s *Service) Record(ctx context.Context, actor storage.User, in RecordInput) (storage.ActivityRecord, error) {
	a, err := s.activity(ctx, actor, publishing.RecordActivity, in.ActivityID, "activity_id")
	if err != nil {
		return storage.ActivityRecord{}, err
	}
	r := storage.ActivityRecord{ActivityID: a.ID, AgencyID: a.AgencyID, CreatedBy: actor.ID, Count: in.Count}
	day, ok := ParseDay(in.Date)
	today := s.now().In(s.loc)
	switch {
	case !ok:
		return r, invalidf("date", "must be a date such as 2026-03-15")
	case day.Year() < minYear || day.After(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)):
		return r, &publishing.InvalidError{Field: "date", Rule: publishing.RuleTooFar, Message: "must not be in the future"}
	}
	r.OccurredOn = day.Format(dayLayout)
	if _, ok := LookupForm(strings.TrimSpace(in.Form)); !ok {
		return r, &publishing.InvalidError{Field: "form", Rule: publishing.RuleUnknownCode,
			Message: fmt.Sprintf("%q is not a form code", truncate(in.Form, 40))}
	}
	r.Form = strings.TrimSpace(in.Form)
	if r.Description, err = optionalText("description", in.Description, maxDescription); err != nil {
		return r, err
	}
	if in.Count < 0 || in.Count > maxRecordCount {
		return r, invalidf("count", "must be from 0 to 10000000")
	}
	att, err := checkAttachment(in.Attachment)
	if err != nil {
		return r, err
	}
	if err := s.store.CreateActivityRecord(ctx, &r, att, publishing.ActorName(actor)); err != nil {
		return r, fmt.Errorf("plans: record: %w", err)
	}
	s.log.Info("activity record created", "record_id", r.ID, "activity_id", r.ActivityID, "attachment", att != nil)
	return r, nil
}

// checkAttachment refuses a file over the limit or of a type other than
// PDF, JPEG or PNG, as its bytes say (whatever its name or the client
// claims).
func checkAttachment(u *Upload) (*storage.Attachment, error) {
	if u == nil {
		return nil, nil
	}
	if len(u.Data) > MaxAttachmentBytes {
		return nil, &TooLargeError{Limit: MaxAttachmentBytes}
	}
	if len(u.Data) == 0 {
		return nil, invalidf("attachment", "is empty")
	}
	ct := sniff(u.Data)
	if ct == "" {
		return nil, &publishing.InvalidError{Field: "attachment", Rule: RuleBadType, Message: "must be a PDF, JPEG or PNG file"}
	}
	sum := sha256.Sum256(u.Data)
	return &storage.Attachment{FileName: fileName(u.FileName, ct), ContentType: ct, Size: int64(len(u.Data)),
		Data: u.Data, SHA256: hex.EncodeToString(sum[:])}, nil
}

// sniff is the file's type if it is one kept: PDF, JPEG or PNG.
func sniff(data []byte) string {
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		return "application/pdf"
	}
	switch ct := http.DetectContentType(data); ct {
	case "image/jpeg", "image/png":
		return ct
	}
	return ""
}

// fileName keeps the base of a client's file name, printable and short,
// with the extension of its real type.
func fileName(raw, contentType string) string {
	base := filepath.Base(strings.ReplaceAll(raw, "\\", "/"))
	base = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' {
			return -1
		}
		return r
	}, base)
	ext := map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[contentType]
	base = strings.TrimSpace(strings.TrimSuffix(base, filepath.Ext(base)))
	if base == "" || base == "." {
		base = "tep-dinh-kem"
	}
	return truncate(base, maxFileName) + ext
}

// Records returns the records of an activity, latest first, with their
// attachments' names and sizes, for anyone in scope.
func (s *Service) Records(ctx context.Context, actor storage.User, activityID int64) ([]storage.ActivityRecord, map[int64]storage.AttachmentInfo, error) {
	if _, err := s.activity(ctx, actor, publishing.View, activityID, "activity_id"); err != nil {
		return nil, nil, err
	}
	rs, err := s.store.ListActivityRecords(ctx, activityID, maxRecordsListed)
	if err != nil {
		return nil, nil, fmt.Errorf("plans: records: %w", err)
	}
	var ids []int64
	for _, r := range rs {
		if r.AttachmentID != nil {
			ids = append(ids, *r.AttachmentID)
		}
	}
	atts, err := s.store.AttachmentInfos(ctx, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("plans: attachments: %w", err)
	}
	return rs, atts, nil
}

// Activity returns activity id and its plan for anyone in scope.
func (s *Service) Activity(ctx context.Context, actor storage.User, id int64) (storage.PlanActivity, error) {
	a, err := s.store.GetActivity(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return a, &publishing.NotFoundError{What: "activity"}
	}
	if err != nil {
		return a, err
	}
	return a, s.authorize(ctx, actor, publishing.View, "activity", a.AgencyID)
}

// activity returns activity id if actor may do action to it; a missing
// or out-of-scope one is an invalid field of the request.
func (s *Service) activity(ctx context.Context, actor storage.User, action publishing.Action, id int64, field string) (storage.PlanActivity, error) {
	a, err := s.store.GetActivity(ctx, id)
	if err == nil {
		err = s.authorize(ctx, actor, action, "activity", a.AgencyID)
	}
	var missing *publishing.NotFoundError
	if errors.Is(err, storage.ErrNotFound) || errors.As(err, &missing) || id <= 0 {
		return a, &publishing.InvalidError{Field: field, Rule: publishing.RuleForeignActivity,
			Message: fmt.Sprintf("activity %d does not exist", id)}
	}
	return a, err
}

// Attachment returns attachment id with its bytes, for anyone whose
// agency is the attachment's or above it.
func (s *Service) Attachment(ctx context.Context, actor storage.User, id int64) (storage.Attachment, error) {
	a, err := s.store.GetAttachment(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return a, &publishing.NotFoundError{What: "attachment"}
	}
	if err != nil {
		return a, err
	}
	if err := s.authorize(ctx, actor, publishing.View, "attachment", a.AgencyID); err != nil {
		return storage.Attachment{}, err
	}
	return a, nil
}
