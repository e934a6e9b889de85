package api

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/storage"
)

type recordRequest struct {
	ActivityID  *int64 `json:"activity_id"`
	Date        string `json:"date"`
	Form        string `json:"form"`
	Description string `json:"description"`
	Count       *int64 `json:"count"`
}

type attachmentView struct {
	ID          int64  `json:"id"`
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

type recordView struct {
	ID          int64           `json:"id"`
	ActivityID  int64           `json:"activity_id"`
	AgencyID    int64           `json:"agency_id"`
	Date        string          `json:"date"`
	Form        string          `json:"form"`
	Description string          `json:"description"`
	Count       int64           `json:"count"`
	Attachment  *attachmentView `json:"attachment,omitempty"`
	CreatedBy   int64           `json:"created_by"`
	CreatedAt   time.Time       `json:"created_at"`
}

func viewRecord(r storage.ActivityRecord, att *storage.AttachmentInfo) recordView {
	v := recordView{ID: r.ID, ActivityID: r.ActivityID, AgencyID: r.AgencyID, Date: r.OccurredOn, Form: r.Form,
		Description: r.Description, Count: r.Count, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
	if att != nil {
		v.Attachment = &attachmentView{ID: att.ID, FileName: att.FileName, ContentType: att.ContentType, Size: att.Size,
			URL: "/api/v1/attachments/" + strconv.FormatInt(att.ID, 10)}
	}
	return v
}

// createRecord records offline work: a JSON body, or a multipart form with
// the same fields and an optional "attachment" file (PDF, JPEG or PNG, at
// most 10 MiB).
func (s *Server) createRecord(c echo.Context) error {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	var in plans.RecordInput
	var err error
	if mt == echo.MIMEMultipartForm {
		in, err = recordFromForm(c)
	} else {
		in, err = recordFromJSON(c)
	}
	if err != nil {
		return err
	}
	r, err := s.plans.Record(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	var info *storage.AttachmentInfo
	if r.AttachmentID != nil {
		infos, err := s.store.AttachmentInfos(c.Request().Context(), []int64{*r.AttachmentID})
		if err != nil {
			return err
		}
		a := infos[*r.AttachmentID]
		info = &a
	}
	return c.JSON(http.StatusCreated, viewRecord(r, info))
}

func recordFromJSON(c echo.Context) (plans.RecordInput, error) {
	var req recordRequest
	if err := decodeJSON(c, &req); err != nil {
		return plans.RecordInput{}, err
	}
	in := plans.RecordInput{Date: req.Date, Form: req.Form, Description: req.Description, Count: 1}
	if req.ActivityID == nil {
		return in, invalid("activity_id", "is required")
	}
	in.ActivityID = *req.ActivityID
	if req.Count != nil {
		in.Count = *req.Count
	}
	return in, nil
}

// recordFromForm reads the multipart form; its text fields pass the same
// string checks as a JSON body's.
func recordFromForm(c echo.Context) (plans.RecordInput, error) {
	form, err := c.MultipartForm()
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return plans.RecordInput{}, echo.ErrStatusRequestEntityTooLarge
		}
		return plans.RecordInput{}, badRequest("malformed_form", "the multipart form could not be read")
	}
	defer form.RemoveAll()
	fields := map[string]string{}
	for _, k := range []string{"activity_id", "date", "form", "description", "count"} {
		if v := form.Value[k]; len(v) > 0 {
			fields[k] = v[0]
		}
	}
	raw, _ := json.Marshal(fields)
	if err := checkStrings(raw); err != nil {
		return plans.RecordInput{}, err
	}
	in := plans.RecordInput{Date: fields["date"], Form: fields["form"], Description: fields["description"], Count: 1}
	if in.ActivityID, err = strconv.ParseInt(fields["activity_id"], 10, 64); err != nil {
		return in, invalid("activity_id", "is required: an activity id")
	}
	if v, ok := fields["count"]; ok && v != "" {
		if in.Count, err = strconv.ParseInt(v, 10, 64); err != nil {
			return in, invalid("count", "must be a whole number")
		}
	}
	files := form.File["attachment"]
	if len(files) == 0 {
		return in, nil
	}
	if len(files) > 1 {
		return in, invalid("attachment", "send one file")
	}
	f, err := files[0].Open()
	if err != nil {
		return in, badRequest("malformed_form", "the attachment could not be read")
	}
	defer f.Close()
	up, err := plans.ReadUpload(f, files[0].Filename)
	if err != nil {
		return in, err
	}
	in.Attachment = &up
	return in, nil
}

// listRecords lists an activity's records: ?activity_id= is required.
func (s *Server) listRecords(c echo.Context) error {
	id, err := strconv.ParseInt(c.QueryParam("activity_id"), 10, 64)
	if err != nil || id <= 0 {
		return invalid("activity_id", "is required: an activity id")
	}
	rs, atts, err := s.plans.Records(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return err
	}
	items := make([]recordView, len(rs))
	for i, r := range rs {
		var info *storage.AttachmentInfo
		if r.AttachmentID != nil {
			a := atts[*r.AttachmentID]
			info = &a
		}
		items[i] = viewRecord(r, info)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// getAttachment sends an attachment to anyone in its agency or above.
func (s *Server) getAttachment(c echo.Context) error {
	id, err := pathID(c, "id", "attachment")
	if err != nil {
		return err
	}
	a, err := s.plans.Attachment(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return err
	}
	return SendAttachment(c, a)
}

// SendAttachment answers with a's bytes as a download (for the API and
// the pages alike): never rendered inline, so a crafted file cannot run
// as a page of Loa's origin.
func SendAttachment(c echo.Context, a storage.Attachment) error {
	h := c.Response().Header()
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.FileName}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, a.ContentType, a.Data)
}
