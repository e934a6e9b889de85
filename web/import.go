package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/importer"
	"github.com/loa-vn/loa/publishing"
)

// Import form actions (name="action").
const (
	importCheck = "kiem-tra"
	importRun   = "nhap"
)

// importOverhead is what a multipart form may add around the file.
const importOverhead = 64 << 10

// maxShownIssues bounds the problems the report page lists.
const maxShownIssues = 500

// mountImport adds Nhập tin từ tệp: the upload form, its check or import,
// and the template files.
func (p *Pages) mountImport(add adder) {
	add(http.MethodGet, "/posts/import", p.importPage, p.signedIn)
	add(http.MethodPost, "/posts/import", p.importPost, p.signedIn, p.importBodyLimit, p.checkCSRF)
	add(http.MethodGet, "/posts/import/template.xlsx", p.importTemplate(importer.FormatXLSX), p.signedIn)
	add(http.MethodGet, "/posts/import/template.csv", p.importTemplate(importer.FormatCSV), p.signedIn)
	p.logins.AllowUpload("/posts/import", p.importer().Limits().MaxBytes+importOverhead)
}

func (p *Pages) importer() *importer.Service { return p.logins.Importer() }

// importView is the import page: the form, and after a check or a refused
// import, the report; after an import, what it made.
type importView struct {
	CSRF    string
	MaxMB   int64
	MaxRows string
	// Error is a refusal of the whole file, in Vietnamese.
	Error  string
	Report *importReportView
	Done   *importDoneView
}

type importReportView struct {
	FileName string
	Rows     string
	BadRows  string
	Valid    bool
	// Tried is set when the user asked to import (nothing was).
	Tried   bool
	Issues  []importIssueRow
	More    string
	Ignored string
}

type importIssueRow struct {
	Row    int
	Column string
	Reason string
}

type importDoneView struct {
	Posts, Deliveries, Pending string
	HasPending                 bool
}

func (p *Pages) importData(c echo.Context) importView {
	lim := p.importer().Limits()
	return importView{CSRF: currentSession(c).CSRFToken, MaxMB: lim.MaxBytes >> 20, MaxRows: thousands(lim.MaxRows)}
}

func (p *Pages) renderImport(c echo.Context, status int, v importView) error {
	u := currentUser(c)
	return p.render(c, status, "import", view{Title: "Nhập tin từ tệp", User: &u, CSRF: v.CSRF, Data: v})
}

// importPage is the upload form, or what the last import made.
func (p *Pages) importPage(c echo.Context) error {
	v := p.importData(c)
	if c.QueryParam("done") == "1" {
		n := func(key string) int { i, _ := strconv.Atoi(c.QueryParam(key)); return max(i, 0) }
		v.Done = &importDoneView{Posts: thousands(n("posts")), Deliveries: thousands(n("deliveries")),
			Pending: thousands(n("pending")), HasPending: n("pending") > 0}
	}
	return p.renderImport(c, http.StatusOK, v)
}

// importBodyLimit refuses, before the form is read, a body larger than
// the import allows; browsers send its length. One without a length is
// cut off at the limit (and then lacks its token).
func (p *Pages) importBodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		limit := p.importer().Limits().MaxBytes + importOverhead
		if c.Request().ContentLength > limit {
			v := p.importData(c)
			v.Error = importFileMessage(&importer.FileError{Code: importer.CodeFileTooLarge, Limit: p.importer().Limits().MaxBytes})
			return p.renderImport(c, http.StatusRequestEntityTooLarge, v)
		}
		c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, limit)
		return next(c)
	}
}

// importPost checks the uploaded file, or imports it when every row is
// valid; the import's result is shown after a redirect.
func (p *Pages) importPost(c echo.Context) error {
	v := p.importData(c)
	name, data, err := p.readImportFile(c)
	if err != nil {
		return p.importRefused(c, v, err)
	}
	ctx, u := c.Request().Context(), currentUser(c)
	if c.FormValue("action") != importRun {
		rep, err := p.importer().Check(ctx, u, data)
		if err != nil {
			return p.importRefused(c, v, err)
		}
		v.Report = reportView(name, rep, false)
		status := http.StatusOK
		if !rep.Valid() {
			status = http.StatusUnprocessableEntity
		}
		return p.renderImport(c, status, v)
	}
	res, err := p.importer().Import(ctx, u, data)
	if errors.Is(err, importer.ErrInvalidRows) {
		v.Report = reportView(name, res.Report, true)
		return p.renderImport(c, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return p.importRefused(c, v, err)
	}
	p.log.Info("web: posts imported", "user_id", u.ID, "posts", len(res.PostIDs), "deliveries", res.Deliveries,
		"duration_ms", res.Duration.Milliseconds())
	q := url.Values{"done": {"1"}, "posts": {strconv.Itoa(len(res.PostIDs))},
		"deliveries": {strconv.Itoa(res.Deliveries)}, "pending": {strconv.Itoa(res.PendingApproval)}}
	return c.Redirect(http.StatusSeeOther, "/posts/import?"+q.Encode())
}

// uploadProblem is a form without a readable file, said in Vietnamese.
type uploadProblem string

func (u uploadProblem) Error() string { return string(u) }

// readImportFile reads the form's file, at most the import's MaxBytes.
func (p *Pages) readImportFile(c echo.Context) (string, []byte, error) {
	max := p.importer().Limits().MaxBytes
	tooLarge := &importer.FileError{Code: importer.CodeFileTooLarge, Limit: max}
	fh, err := c.FormFile("file")
	if err != nil {
		return "", nil, uploadProblem("Hãy chọn tệp tin bài (.xlsx hoặc .csv) rồi bấm lại.")
	}
	if fh.Size > max {
		return "", nil, tooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, uploadProblem("Không đọc được tệp đã gửi; hãy chọn lại tệp rồi thử lại.")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil || int64(len(data)) > max {
		return "", nil, tooLarge
	}
	return fh.Filename, data, nil
}

// importRefused shows a refusal of the whole file on the form.
func (p *Pages) importRefused(c echo.Context, v importView, err error) error {
	var fe *importer.FileError
	var problem uploadProblem
	switch {
	case errors.As(err, &problem):
		v.Error = string(problem)
		return p.renderImport(c, http.StatusUnprocessableEntity, v)
	case errors.As(err, &fe):
		v.Error = importFileMessage(fe)
		status := http.StatusUnprocessableEntity
		switch fe.Code {
		case importer.CodeFileTooLarge, importer.CodeUnzipTooLarge:
			status = http.StatusRequestEntityTooLarge
		case importer.CodeBusy:
			status = http.StatusTooManyRequests
		}
		return p.renderImport(c, status, v)
	case errors.Is(err, publishing.ErrNotAllowed):
		return p.message(c, http.StatusForbidden, "Không được phép", "Tài khoản của bạn không được đăng tin, nên không nhập được tin từ tệp.")
	}
	return p.failed(c, err)
}

func reportView(name string, rep importer.Report, tried bool) *importReportView {
	v := &importReportView{FileName: name, Rows: thousands(rep.Rows), BadRows: thousands(rep.BadRows()), Valid: rep.Valid(),
		Tried: tried, Ignored: strings.Join(rep.Ignored, ", ")}
	for i, is := range rep.Issues {
		if i == maxShownIssues {
			v.More = thousands(len(rep.Issues) - i)
			break
		}
		v.Issues = append(v.Issues, importIssueRow{Row: is.Row, Column: is.Column, Reason: importIssueMessage(is)})
	}
	return v
}

// importTemplate serves the template file, listing the user's channels.
func (p *Pages) importTemplate(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		f, err := p.importer().Template(c.Request().Context(), currentUser(c), p.now(), format)
		if err != nil {
			return p.failed(c, err)
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+f.Name+`"`)
		return c.Blob(http.StatusOK, f.MediaType, f.Data)
	}
}

// thousands writes n with "." between thousands, as Vietnamese does.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

// importFileMessage says in Vietnamese why a whole file was refused.
func importFileMessage(e *importer.FileError) string {
	mb := func() string { return strconv.FormatInt(max(e.Limit>>20, 1), 10) }
	switch e.Code {
	case importer.CodeFileTooLarge:
		return "Tệp lớn hơn " + mb() + " MB nên không được nhận; hãy chia thành nhiều tệp nhỏ hơn."
	case importer.CodeFileEmpty:
		return "Tệp rỗng; hãy chọn tệp có dữ liệu."
	case importer.CodeUnsupported:
		return "Tệp Excel dạng cũ (.xls) không được hỗ trợ; hãy mở tệp bằng Excel và lưu thành .xlsx hoặc CSV UTF-8."
	case importer.CodeNotUTF8:
		return "Tệp không phải .xlsx hoặc CSV mã UTF-8; hãy lưu lại thành .xlsx hoặc CSV UTF-8 rồi thử lại."
	case importer.CodeBadCSV:
		return fmt.Sprintf("Tệp CSV bị lỗi định dạng ở dòng %d (thường do thiếu dấu ngoặc kép); hãy sửa rồi thử lại.", e.Row)
	case importer.CodeBadXLSX:
		return "Không đọc được tệp Excel, có thể tệp bị hỏng; hãy mở bằng Excel, lưu lại thành .xlsx rồi thử lại."
	case importer.CodeUnzipTooLarge:
		return "Tệp Excel chứa quá nhiều dữ liệu (tối đa " + mb() + " MB sau khi giải nén); hãy chia thành nhiều tệp."
	case importer.CodeTooManyRows:
		return "Tệp có quá " + thousands(int(e.Limit)) + " dòng tin; hãy chia thành nhiều tệp."
	case importer.CodeTooManyColumns:
		return fmt.Sprintf("Dòng %d có quá %d cột; hãy xoá các cột thừa hoặc dùng tệp mẫu.", e.Row, e.Limit)
	case importer.CodeMissingColumn:
		if e.Column == importer.ColTitle.Label() {
			return "Dòng đầu của tệp thiếu cột “Tiêu đề”; hãy dùng tệp mẫu."
		}
		return "Dòng đầu của tệp cần cột “Kênh”, hoặc các cột “Đơn vị” và “Loại kênh”; hãy dùng tệp mẫu."
	case importer.CodeDuplicateColumn:
		return "Cột “" + e.Column + "” có hai lần; hãy giữ một."
	case importer.CodeNoRows:
		return "Tệp không có dòng tin nào bên dưới dòng tên cột."
	case importer.CodeBusy:
		return "Đang có nhiều lượt nhập tin khác; hãy thử lại sau ít phút."
	case importer.CodeTimeout:
		return "Xử lý tệp mất quá nhiều thời gian nên đã dừng; chưa có tin nào được nhập. Hãy chia thành nhiều tệp nhỏ hơn."
	}
	return "Không đọc được tệp; hãy kiểm tra lại tệp rồi thử lại."
}

// importIssueMessage says in Vietnamese what is wrong with a row. A
// publishing rule's refusal is said as Soạn tin says it.
func importIssueMessage(is importer.Issue) string {
	var inv *publishing.InvalidError
	switch is.Code {
	case importer.CodeCellTooLong:
		return "Ô quá dài; hãy rút gọn."
	case importer.CodeBadTime:
		return "Thời gian “" + is.Value + "” không đúng dạng ngày/tháng/năm giờ:phút, ví dụ 07/12/2026 07:30; để trống là Đăng ngay, hoặc ghi “khung giờ tiếp theo”."
	case importer.CodeUnknownChannel:
		return "Không có kênh tên “" + is.Value + "” trong phạm vi đơn vị của bạn; xem danh sách kênh trong tệp mẫu."
	case importer.CodeAmbiguousChannel:
		return "Có nhiều kênh cùng tên “" + is.Value + "”; hãy ghi mã số kênh (xem trong tệp mẫu)."
	case importer.CodeUnknownAgency:
		return "Không có đơn vị mã “" + is.Value + "” trong phạm vi đơn vị của bạn."
	case importer.CodeBadYesNo:
		return "Hãy ghi “có” hoặc “không”."
	case importer.CodeTooManyValues:
		return "Ô có quá nhiều giá trị; hãy bớt lại."
	case importer.CodeUnknownActivity:
		return "Không có hoạt động mã “" + is.Value + "” trong kế hoạch của đơn vị bạn cho năm đăng tin."
	case importer.CodeAmbiguousActivity:
		return "Có nhiều hoạt động cùng mã “" + is.Value + "” trong kế hoạch năm đăng tin; hãy ghi mã số của hoạt động."
	case importer.CodeNotAllowed:
		return "Bạn không có quyền đăng tin này."
	case publishing.RuleUnknownCode:
		return "Mã trong ô này không có trong danh mục; xem danh mục trong tệp mẫu."
	case publishing.RuleForeignActivity:
		return "Hoạt động này không thuộc kế hoạch của đơn vị bạn."
	}
	if errors.As(is.Err, &inv) {
		return vietnameseError(inv)
	}
	return "Dòng này không hợp lệ; hãy kiểm tra lại."
}
