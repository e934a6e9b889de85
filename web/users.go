package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/admin"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// mountUsers adds the users pages' routes: admins manage the users of
// their agency and the agencies below it.
func (p *Pages) mountUsers(add adder) {
	may := p.allowedTo(publishing.ManageUsers)
	add(http.MethodGet, "/users", p.usersPage, p.signedIn, may)
	add(http.MethodGet, "/users/new", p.newUserPage, p.signedIn, may)
	add(http.MethodPost, "/users", p.createUser, p.signedIn, p.checkCSRF, may)
	add(http.MethodGet, "/users/:id", p.userPage, p.signedIn, may)
	add(http.MethodPost, "/users/:id", p.updateUser, p.signedIn, p.checkCSRF, may)
	add(http.MethodPost, "/users/:id/link", p.newUserLink, p.signedIn, p.checkCSRF, may)
	add(http.MethodPost, "/users/:id/disable", p.setUserDisabled(true), p.signedIn, p.checkCSRF, may)
	add(http.MethodPost, "/users/:id/enable", p.setUserDisabled(false), p.signedIn, p.checkCSRF, may)
}

// usersPerPage bounds the users list; more are paged.
const usersPerPage = 50

// admin is the administration of users and agencies: the API server's
// own, so the pages share its rules and its bounded password hashers.
func (p *Pages) admin() *admin.Service { return p.logins.Admin() }

type userRow struct {
	ID          int64
	Name        string
	Role        string
	Agency      string
	Disabled    bool
	HasPassword bool
	Created     string
}

type usersView struct {
	Users      []userRow
	Total      int
	Page       int
	Prev, Next int
	Notice     string
}

// usersPage lists the users of the admin's subtree, oldest first, paged.
func (p *Pages) usersPage(c echo.Context) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	users, err := p.admin().Users(ctx, u, u.AgencyID)
	if err != nil {
		return p.adminFailed(c, err)
	}
	names, err := p.agencyNames(c.Request().Context(), u.AgencyID)
	if err != nil {
		return p.adminFailed(c, err)
	}
	page := listPage(c, len(users), usersPerPage)
	v := usersView{Total: len(users), Page: page, Notice: adminNotices[c.QueryParam("da")]}
	from := (page - 1) * usersPerPage
	for _, x := range users[from:min(from+usersPerPage, len(users))] {
		v.Users = append(v.Users, p.userRow(x, names))
	}
	if page > 1 {
		v.Prev = page - 1
	}
	if from+usersPerPage < len(users) {
		v.Next = page + 1
	}
	return p.render(c, http.StatusOK, "users", view{Title: "Người dùng", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

func (p *Pages) userRow(x storage.User, names map[int64]string) userRow {
	return userRow{ID: x.ID, Name: x.Name, Role: x.Role, Agency: names[x.AgencyID], Disabled: x.DisabledAt != nil,
		HasPassword: x.PasswordHash != "", Created: localTime(x.CreatedAt, p.loc)}
}

// listPage is the ?trang= page of a list of n items, within 1..last.
func listPage(c echo.Context, n, per int) int {
	page, err := strconv.Atoi(c.QueryParam("trang"))
	last := max(1, (n+per-1)/per)
	if err != nil || page < 1 {
		return 1
	}
	return min(page, last)
}

// adminNotices are the confirmations a page shows after a form
// redirected to it (?da=...).
var adminNotices = map[string]string{
	"luu":         "Đã lưu thay đổi.",
	"vo-hieu-hoa": "Đã vô hiệu hóa tài khoản. Mọi phiên đăng nhập và khóa API của người này đã chấm dứt.",
	"kich-hoat":   "Đã kích hoạt lại tài khoản. Người dùng cần đăng nhập lại.",
	"tao":         "Đã tạo cơ quan, đơn vị.",
	"tao-lich":    "Đã tạo lịch định kỳ.",
	"tam-dung":    "Đã tạm dừng lịch. Các tin định kỳ chưa gửi đã được hủy.",
	"tiep-tuc":    "Đã cho lịch chạy tiếp. Các tin định kỳ sắp tới đã được tạo lại.",
}

// agencyOption is an agency in a form's list, indented by its depth
// below the user's own agency.
type agencyOption struct {
	ID       int64
	Name     string
	Depth    int
	Disabled bool
	Selected bool
}

// maxDepthClass is the deepest indentation shown.
const maxDepthClass = 8

// agencyOptions are the agencies of u's subtree, parents first.
func (p *Pages) agencyOptions(c echo.Context, u storage.User, selected int64) ([]agencyOption, error) {
	as, err := p.admin().Agencies(c.Request().Context(), u, u.AgencyID)
	if err != nil {
		return nil, err
	}
	out := make([]agencyOption, 0, len(as))
	for _, a := range as {
		out = append(out, agencyOption{ID: a.ID, Name: a.Name, Depth: min(len(a.Names)-len(as[0].Names), maxDepthClass),
			Disabled: a.DisabledAt != nil, Selected: a.ID == selected})
	}
	return out, nil
}

// userForm is the user form, with the values typed and the errors to
// show next to each field.
type userForm struct {
	Name     string
	Role     string
	Agencies []agencyOption
	Errors   map[string]string
}

func (p *Pages) newUserPage(c echo.Context) error {
	u := currentUser(c)
	return p.renderUserForm(c, http.StatusOK, userForm{Role: storage.RoleOfficer}, u.AgencyID)
}

func (p *Pages) renderUserForm(c echo.Context, status int, f userForm, agency int64) error {
	u := currentUser(c)
	opts, err := p.agencyOptions(c, u, agency)
	if err != nil {
		return p.adminFailed(c, err)
	}
	f.Agencies = opts
	return p.render(c, status, "users_new", view{Title: "Thêm người dùng", User: &u, CSRF: currentSession(c).CSRFToken, Data: f})
}

// createUser creates a user without a password and shows a one-time link
// for the admin to pass on: the admin never knows the user's password.
func (p *Pages) createUser(c echo.Context) error {
	u := currentUser(c)
	name, role := c.FormValue("name"), c.FormValue("role")
	agency, _ := strconv.ParseInt(c.FormValue("agency_id"), 10, 64)
	created, err := p.admin().CreateUser(c.Request().Context(), u, admin.NewUser{Name: &name, Role: &role, AgencyID: &agency})
	if msgs, ok := userErrors(err); ok {
		return p.renderUserForm(c, http.StatusUnprocessableEntity, userForm{Name: keepTyped(name), Role: role, Errors: msgs}, agency)
	}
	if err != nil {
		return p.adminFailed(c, err)
	}
	p.log.Info("web: user created", "user_id", created.ID, "by", u.ID)
	return p.showUserLink(c, created, true)
}

// keepTyped keeps a typed value for the form again, unless it is too
// long to be worth showing back.
func keepTyped(s string) string {
	if len(s) > 1000 {
		return ""
	}
	return s
}

type userLinkView struct {
	User    userRow
	Link    string
	Expires string
	New     bool
}

// showUserLink makes a set-password link for x and shows it once; the
// page is not cached and the link is never stored, only its hash.
func (p *Pages) showUserLink(c echo.Context, x storage.User, created bool) error {
	u := currentUser(c)
	path, err := NewSetupLink(c.Request().Context(), p.store, x.ID)
	if err != nil {
		return p.failed(c, err)
	}
	names, err := p.agencyNames(c.Request().Context(), u.AgencyID)
	if err != nil {
		return p.adminFailed(c, err)
	}
	title := "Liên kết đặt mật khẩu"
	if created {
		title = "Đã tạo người dùng"
	}
	return p.render(c, http.StatusOK, "users_link", view{Title: title, User: &u, CSRF: currentSession(c).CSRFToken,
		Data: userLinkView{User: p.userRow(x, names), Link: c.Scheme() + "://" + c.Request().Host + path,
			Expires: localTime(p.now().Add(SetupLinkTTL), p.loc) + " (" + zoneLabel(p.loc, p.now()) + ")", New: created}})
}

type userPageView struct {
	User   userRow
	Self   bool
	Form   userForm
	Notice string
}

// loadUser is the user in the path, if in the admin's subtree.
func (p *Pages) loadUser(c echo.Context) (storage.User, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return storage.User{}, &publishing.NotFoundError{What: "user"}
	}
	return p.admin().User(c.Request().Context(), currentUser(c), id, publishing.ManageUsers)
}

func (p *Pages) userPage(c echo.Context) error {
	x, err := p.loadUser(c)
	if err != nil {
		return p.adminFailed(c, err)
	}
	return p.renderUser(c, http.StatusOK, x, userForm{Name: x.Name, Role: x.Role}, adminNotices[c.QueryParam("da")])
}

func (p *Pages) renderUser(c echo.Context, status int, x storage.User, f userForm, notice string) error {
	u := currentUser(c)
	names, err := p.agencyNames(c.Request().Context(), u.AgencyID)
	if err != nil {
		return p.adminFailed(c, err)
	}
	return p.render(c, status, "users_show", view{Title: "Người dùng: " + x.Name, User: &u, CSRF: currentSession(c).CSRFToken,
		Data: userPageView{User: p.userRow(x, names), Self: x.ID == u.ID, Form: f, Notice: notice}})
}

// updateUser renames the user or changes their role.
func (p *Pages) updateUser(c echo.Context) error {
	x, err := p.loadUser(c)
	if err != nil {
		return p.adminFailed(c, err)
	}
	name, role := c.FormValue("name"), c.FormValue("role")
	_, err = p.admin().UpdateUser(c.Request().Context(), currentUser(c), x.ID, admin.UserChange{Name: &name, Role: &role})
	if msgs, ok := userErrors(err); ok {
		return p.renderUser(c, http.StatusUnprocessableEntity, x, userForm{Name: keepTyped(name), Role: role, Errors: msgs}, "")
	}
	if err != nil {
		return p.adminFailed(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/users/"+strconv.FormatInt(x.ID, 10)+"?da=luu")
}

// newUserLink gives the user a new set-password link, for a forgotten
// password or a first link that expired.
func (p *Pages) newUserLink(c echo.Context) error {
	x, err := p.loadUser(c)
	if err != nil {
		return p.adminFailed(c, err)
	}
	if x.DisabledAt != nil {
		return p.renderUser(c, http.StatusUnprocessableEntity, x, userForm{Name: x.Name, Role: x.Role,
			Errors: map[string]string{"link": "Tài khoản đang bị vô hiệu hóa: hãy kích hoạt lại trước khi tạo liên kết đặt mật khẩu."}}, "")
	}
	p.log.Info("web: set-password link made", "user_id", x.ID, "by", currentUser(c).ID)
	return p.showUserLink(c, x, false)
}

// setUserDisabled disables a user (ending their sessions and tokens) or
// enables them again.
func (p *Pages) setUserDisabled(disabled bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		x, err := p.loadUser(c)
		if err != nil {
			return p.adminFailed(c, err)
		}
		_, err = p.admin().UpdateUser(c.Request().Context(), currentUser(c), x.ID, admin.UserChange{Disabled: &disabled})
		if msgs, ok := userErrors(err); ok {
			return p.renderUser(c, http.StatusUnprocessableEntity, x, userForm{Name: x.Name, Role: x.Role, Errors: msgs}, "")
		}
		if err != nil {
			return p.adminFailed(c, err)
		}
		done := map[bool]string{true: "vo-hieu-hoa", false: "kich-hoat"}[disabled]
		return c.Redirect(http.StatusSeeOther, "/users/"+strconv.FormatInt(x.ID, 10)+"?da="+done)
	}
}

// userErrors turns the layer's refusal of a user form into Vietnamese
// messages by field; ok is false for any other error.
func userErrors(err error) (map[string]string, bool) {
	switch {
	case err == nil:
		return nil, false
	case errors.Is(err, admin.ErrNameTaken):
		return map[string]string{"name": "Đã có người dùng mang tên này (không phân biệt chữ hoa, chữ thường). Vui lòng chọn tên khác."}, true
	case errors.Is(err, admin.ErrSelfLockout):
		return map[string]string{"role": "Bạn không thể tự hạ vai trò hoặc tự vô hiệu hóa tài khoản của mình. Hãy nhờ một quản trị viên khác."}, true
	}
	field, msg, ok := fieldOf(err)
	if !ok {
		return nil, false
	}
	switch field {
	case "name":
		if strings.Contains(msg, "required") {
			return map[string]string{"name": "Vui lòng nhập họ tên."}, true
		}
		return map[string]string{"name": "Họ tên cần từ 1 đến 100 ký tự, không chứa ký tự điều khiển."}, true
	case "role":
		return map[string]string{"role": "Vui lòng chọn vai trò: Chuyên viên, Người duyệt hoặc Quản trị."}, true
	case "agency_id":
		return map[string]string{"agency_id": "Cơ quan, đơn vị đã chọn không tồn tại, đã ngừng hoạt động hoặc nằm ngoài phạm vi quản lý của bạn."}, true
	}
	return map[string]string{"name": "Thông tin chưa hợp lệ. Vui lòng kiểm tra rồi thử lại."}, true
}

// fieldOf is the field and reason of an error refusing a field.
func fieldOf(err error) (field, msg string, ok bool) {
	var bad *publishing.InvalidError
	var tree *storage.AgencyError
	switch {
	case errors.As(err, &bad):
		return bad.Field, bad.Message, true
	case errors.As(err, &tree):
		return tree.Field, tree.Reason, true
	}
	return "", "", false
}

// allowedTo lets through users the policy allows to do action at all
// (here: admins); others get a Vietnamese 403 and nothing changes. The
// layer decides again for each object, by agency.
func (p *Pages) allowedTo(action publishing.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := publishing.Allowed(currentUser(c), action, publishing.Subject{}); err != nil {
				return p.adminFailed(c, err)
			}
			return next(c)
		}
	}
}

// adminFailed answers a refusal of the layer: outside the user's agencies
// or missing is 404, not allowed is 403, anything else a system error.
func (p *Pages) adminFailed(c echo.Context, err error) error {
	var missing *publishing.NotFoundError
	switch {
	case errors.As(err, &missing), errors.Is(err, storage.ErrNotFound):
		return p.message(c, http.StatusNotFound, "Không tìm thấy",
			"Không tìm thấy mục này, hoặc mục này nằm ngoài phạm vi cơ quan, đơn vị của bạn. Vui lòng kiểm tra lại đường dẫn.")
	case errors.Is(err, publishing.ErrNotAllowed):
		return p.message(c, http.StatusForbidden, "Không có quyền",
			"Tài khoản của bạn không có quyền thực hiện việc này, nên không có thay đổi nào được thực hiện. Nếu cần, hãy liên hệ quản trị viên.")
	}
	return p.failed(c, err)
}

// roleNames are the roles in Vietnamese (ui.md), lowest first.
var roleNames = []struct{ Role, Name string }{
	{storage.RoleOfficer, "Chuyên viên"}, {storage.RoleEditor, "Người duyệt"}, {storage.RoleAdmin, "Quản trị"},
}

// roleName is a role in Vietnamese.
func roleName(role string) string {
	for _, r := range roleNames {
		if r.Role == role {
			return r.Name
		}
	}
	return role
}

// formError is an error shown next to a form field; ID is the field's.
type formError struct{ ID, Text string }

// fieldError picks the error of field id out of a form's errors.
func fieldError(id string, errs map[string]string) formError {
	return formError{ID: id, Text: errs[id]}
}

// indent marks an agency's depth in a list where markup cannot indent it
// (an <option>).
func indent(depth int) string {
	return strings.Repeat("— ", depth)
}
