package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/importer"
)

// uploadOverhead is what a multipart body may add around the file.
const uploadOverhead = 64 << 10

// importPath is the bulk import's route.
const importPath = "/api/v1/posts/import"

// mountImport adds the bulk import's routes: POST the file (multipart
// field "file", or the file itself as the body) to check it with
// ?dry_run=true or to import it; GET the template in either format.
func (s *Server) mountImport(v1 *echo.Group, officer []echo.MiddlewareFunc) {
	v1.POST("/posts/import", s.importPosts, officer...)
	v1.GET("/posts/import/template.xlsx", s.importTemplate(importer.FormatXLSX), officer...)
	v1.GET("/posts/import/template.csv", s.importTemplate(importer.FormatCSV), officer...)
	s.AllowUpload(importPath, s.importer.Limits().MaxBytes+uploadOverhead)
}

type importIssueJSON struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Value   string `json:"value,omitempty"`
}

type importReportJSON struct {
	Format         string            `json:"format"`
	Rows           int               `json:"rows"`
	Valid          bool              `json:"valid"`
	BadRows        int               `json:"bad_rows"`
	Errors         []importIssueJSON `json:"errors"`
	IgnoredColumns []string          `json:"ignored_columns"`
}

type importResultJSON struct {
	Format          string  `json:"format"`
	Rows            int     `json:"rows"`
	Imported        int     `json:"imported"`
	Deliveries      int     `json:"deliveries"`
	PendingApproval int     `json:"pending_approval"`
	PostIDs         []int64 `json:"post_ids"`
	DurationMS      int64   `json:"duration_ms"`
}

func viewReport(r importer.Report) importReportJSON {
	v := importReportJSON{Format: r.Format, Rows: r.Rows, Valid: r.Valid(), BadRows: r.BadRows(),
		Errors: make([]importIssueJSON, len(r.Issues)), IgnoredColumns: r.Ignored}
	if v.IgnoredColumns == nil {
		v.IgnoredColumns = []string{}
	}
	for i, is := range r.Issues {
		v.Errors[i] = importIssueJSON{Row: is.Row, Column: is.Column, Field: string(is.Field), Code: is.Code,
			Message: is.Message, Value: is.Value}
	}
	return v
}

func (s *Server) importPosts(c echo.Context) error {
	dryRun, err := strconv.ParseBool(c.QueryParam("dry_run"))
	if c.QueryParam("dry_run") != "" && err != nil {
		return badRequest("invalid_query", "dry_run must be true or false")
	}
	data, err := s.readUpload(c)
	if err != nil {
		return err
	}
	ctx, u := c.Request().Context(), currentUser(c)
	if dryRun {
		rep, err := s.importer.Check(ctx, u, data)
		if err != nil {
			return importError(err)
		}
		return c.JSON(http.StatusOK, viewReport(rep))
	}
	res, err := s.importer.Import(ctx, u, data)
	if errors.Is(err, importer.ErrInvalidRows) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_rows", Field: "file", Message: invalidRows(res.Report)}
	}
	if err != nil {
		return importError(err)
	}
	return c.JSON(http.StatusCreated, importResultJSON{Format: res.Format, Rows: res.Rows, Imported: len(res.PostIDs),
		Deliveries: res.Deliveries, PendingApproval: res.PendingApproval, PostIDs: res.PostIDs,
		DurationMS: res.Duration.Milliseconds()})
}

// maxNamedRows is how many bad rows an import's refusal names; the dry
// run lists them all.
const maxNamedRows = 5

// invalidRows says which rows of rep are bad and why, the first few.
func invalidRows(rep importer.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "file: %d of %d rows are invalid; nothing was imported", rep.BadRows(), rep.Rows)
	for i, is := range rep.Issues {
		if i == maxNamedRows {
			b.WriteString("; ... (POST with dry_run=true lists them all)")
			break
		}
		fmt.Fprintf(&b, "; row %d", is.Row)
		if is.Column != "" {
			fmt.Fprintf(&b, " (%s)", is.Column)
		}
		b.WriteString(": " + is.Message)
	}
	return b.String()
}

// importError maps the importer's refusal of a file to a status.
func importError(err error) error {
	var fe *importer.FileError
	if !errors.As(err, &fe) {
		return err
	}
	status, field := http.StatusUnprocessableEntity, "file"
	var retry time.Duration
	switch fe.Code {
	case importer.CodeFileTooLarge, importer.CodeUnzipTooLarge:
		status = http.StatusRequestEntityTooLarge
	case importer.CodeBusy:
		status, field, retry = http.StatusTooManyRequests, "", 30*time.Second
	}
	// The field is named in the message too, as every 422 does.
	return &Error{Status: status, Code: fe.Code, Field: field, Message: field + ": " + fe.Message, RetryAfter: retry, Err: fe.Err}
}

// readUpload reads the file: the multipart field "file", or else the whole
// body; at most the importer's MaxBytes.
func (s *Server) readUpload(c echo.Context) ([]byte, error) {
	max := s.importer.Limits().MaxBytes
	tooLarge := importError(&importer.FileError{Code: importer.CodeFileTooLarge, Limit: max,
		Message: fmt.Sprintf("the file is larger than %d bytes", max)})
	req := c.Request()
	if req.ContentLength > max+uploadOverhead {
		return nil, tooLarge
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, max+uploadOverhead)
	var src io.Reader = req.Body
	if mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); mt == echo.MIMEMultipartForm {
		part, err := filePart(req)
		if err != nil {
			return nil, uploadError(err, tooLarge)
		}
		src = part
	}
	data, err := io.ReadAll(io.LimitReader(src, max+1))
	if err != nil {
		return nil, uploadError(err, tooLarge)
	}
	if int64(len(data)) > max {
		return nil, tooLarge
	}
	return data, nil
}

// filePart is the part named "file" of a multipart body.
func filePart(req *http.Request) (io.Reader, error) {
	mr, err := req.MultipartReader()
	if err != nil {
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, badRequest("missing_file", `the multipart body has no "file" part`)
		}
		if err != nil {
			return nil, err
		}
		if part.FormName() == "file" {
			return part, nil
		}
	}
}

func uploadError(err error, tooLarge error) error {
	var maxErr *http.MaxBytesError
	var apiErr *Error
	switch {
	case errors.As(err, &maxErr):
		return tooLarge
	case errors.As(err, &apiErr):
		return apiErr
	}
	return badRequest("unreadable_body", "the uploaded file could not be read")
}

// importTemplate serves the template in format, with the user's channels
// and agencies in its notes.
func (s *Server) importTemplate(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		f, err := s.importer.Template(c.Request().Context(), currentUser(c), s.now(), format)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+f.Name+`"`)
		return c.Blob(http.StatusOK, f.MediaType, f.Data)
	}
}
