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

// mountAgencies adds the agencies pages' routes: admins see the tree of
// their agency and those below it, create agencies beneath and rename them.
func (p *Pages) mountAgencies(add adder) {
	may := p.allowedTo(publishing.ManageAgencies)
	add(http.MethodGet, "/agencies", p.agenciesPage, p.signedIn, may)
	add(http.MethodGet, "/agencies/new", p.newAgencyPage, p.signedIn, may)
	add(http.MethodPost, "/agencies", p.createAgency, p.signedIn, p.checkCSRF, may)
	add(http.MethodGet, "/agencies/:id", p.agencyPage, p.signedIn, may)
	add(http.MethodPost, "/agencies/:id", p.renameAgency, p.signedIn, p.checkCSRF, may)
}

// agencyNode is an agency in the tree, with how many channels and users
// it has itself (not counting those below it).
type agencyNode struct {
	ID       int64
	Name     string
	Code     string
	Disabled bool
	Channels int
	Users    int
	Children []*agencyNode
}

type agenciesView struct {
	Root   *agencyNode
	Total  int
	Notice string
}

func (p *Pages) agenciesPage(c echo.Context) error {
	u := currentUser(c)
	root, total, err := p.agencyTree(c, u)
	if err != nil {
		return p.adminFailed(c, err)
	}
	return p.render(c, http.StatusOK, "agencies", view{Title: "Cơ quan, đơn vị", User: &u, CSRF: currentSession(c).CSRFToken,
		Data: agenciesView{Root: root, Total: total, Notice: adminNotices[c.QueryParam("da")]}})
}

// agencyTree builds u's subtree with its counts; the store lists parents
// before children, so each parent is in the tree before its children.
func (p *Pages) agencyTree(c echo.Context, u storage.User) (*agencyNode, int, error) {
	ctx := c.Request().Context()
	as, err := p.admin().Agencies(ctx, u, u.AgencyID)
	if err != nil {
		return nil, 0, err
	}
	channels, err := p.store.ListChannels(ctx, u.AgencyID)
	if err != nil {
		return nil, 0, err
	}
	users, err := p.admin().Users(ctx, u, u.AgencyID)
	if err != nil {
		return nil, 0, err
	}
	nodes := make(map[int64]*agencyNode, len(as))
	var root *agencyNode
	for _, a := range as {
		n := &agencyNode{ID: a.ID, Name: a.Name, Code: a.Code, Disabled: a.DisabledAt != nil}
		nodes[a.ID] = n
		if parent := nodes[parentOf(a)]; parent != nil {
			parent.Children = append(parent.Children, n)
		} else if root == nil {
			root = n
		}
	}
	for _, ch := range channels {
		if n := nodes[ch.AgencyID]; n != nil {
			n.Channels++
		}
	}
	for _, x := range users {
		if n := nodes[x.AgencyID]; n != nil {
			n.Users++
		}
	}
	return root, len(as), nil
}

func parentOf(a storage.Agency) int64 {
	if a.ParentID == nil {
		return 0
	}
	return *a.ParentID
}

// agencyForm is the create or rename form with the values typed and the
// errors to show next to each field.
type agencyForm struct {
	ID      int64
	Name    string
	Code    string
	Parents []agencyOption
	Errors  map[string]string
}

func (p *Pages) newAgencyPage(c echo.Context) error {
	parent, _ := strconv.ParseInt(c.QueryParam("parent"), 10, 64)
	if parent == 0 {
		parent = currentUser(c).AgencyID
	}
	return p.renderAgencyForm(c, http.StatusOK, agencyForm{}, parent)
}

func (p *Pages) renderAgencyForm(c echo.Context, status int, f agencyForm, parent int64) error {
	u := currentUser(c)
	opts, err := p.agencyOptions(c, u, parent)
	if err != nil {
		return p.adminFailed(c, err)
	}
	f.Parents = opts
	return p.render(c, status, "agencies_new", view{Title: "Thêm cơ quan, đơn vị", User: &u, CSRF: currentSession(c).CSRFToken, Data: f})
}

// createAgency creates an agency beneath one in the admin's subtree.
func (p *Pages) createAgency(c echo.Context) error {
	name, code := c.FormValue("name"), strings.TrimSpace(c.FormValue("code"))
	parent, _ := strconv.ParseInt(c.FormValue("parent_id"), 10, 64)
	a, err := p.admin().CreateAgency(c.Request().Context(), currentUser(c), admin.NewAgency{Name: &name, Code: &code, ParentID: parent})
	if msgs, ok := agencyErrors(err); ok {
		return p.renderAgencyForm(c, http.StatusUnprocessableEntity, agencyForm{Name: keepTyped(name), Code: keepTyped(code), Errors: msgs}, parent)
	}
	if err != nil {
		return p.adminFailed(c, err)
	}
	p.log.Info("web: agency created", "agency_id", a.ID, "by", currentUser(c).ID)
	return c.Redirect(http.StatusSeeOther, "/agencies/"+strconv.FormatInt(a.ID, 10)+"?da=tao")
}

type agencyPageView struct {
	Path     string
	Node     *agencyNode
	Parent   string
	Form     agencyForm
	Notice   string
	Disabled bool
}

// loadAgency is the agency in the path, if in the admin's subtree.
func (p *Pages) loadAgency(c echo.Context) (storage.Agency, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return storage.Agency{}, &publishing.NotFoundError{What: "agency"}
	}
	return p.admin().Agency(c.Request().Context(), currentUser(c), id)
}

func (p *Pages) agencyPage(c echo.Context) error {
	a, err := p.loadAgency(c)
	if err != nil {
		return p.adminFailed(c, err)
	}
	return p.renderAgency(c, http.StatusOK, a, agencyForm{Name: a.Name, Code: a.Code}, adminNotices[c.QueryParam("da")])
}

func (p *Pages) renderAgency(c echo.Context, status int, a storage.Agency, f agencyForm, notice string) error {
	u := currentUser(c)
	root, _, err := p.agencyTree(c, u)
	if err != nil {
		return p.adminFailed(c, err)
	}
	f.ID = a.ID
	v := agencyPageView{Path: strings.Join(a.Names, " / "), Node: findNode(root, a.ID), Form: f, Notice: notice,
		Disabled: a.DisabledAt != nil}
	if len(a.Names) > 1 {
		v.Parent = a.Names[len(a.Names)-2]
	}
	return p.render(c, status, "agencies_show", view{Title: a.Name, User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

func findNode(n *agencyNode, id int64) *agencyNode {
	if n == nil || n.ID == id {
		return n
	}
	for _, child := range n.Children {
		if found := findNode(child, id); found != nil {
			return found
		}
	}
	return nil
}

// renameAgency changes an agency's name and code.
func (p *Pages) renameAgency(c echo.Context) error {
	a, err := p.loadAgency(c)
	if err != nil {
		return p.adminFailed(c, err)
	}
	name, code := c.FormValue("name"), strings.TrimSpace(c.FormValue("code"))
	_, err = p.admin().UpdateAgency(c.Request().Context(), currentUser(c), a.ID, admin.AgencyChange{Name: &name, Code: &code})
	if msgs, ok := agencyErrors(err); ok {
		return p.renderAgency(c, http.StatusUnprocessableEntity, a, agencyForm{Name: keepTyped(name), Code: keepTyped(code), Errors: msgs}, "")
	}
	if err != nil {
		return p.adminFailed(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/agencies/"+strconv.FormatInt(a.ID, 10)+"?da=luu")
}

// agencyErrors turns the layer's refusal of an agency form into
// Vietnamese messages by field; ok is false for any other error.
func agencyErrors(err error) (map[string]string, bool) {
	if err == nil {
		return nil, false
	}
	if errors.Is(err, admin.ErrCodeTaken) {
		return map[string]string{"code": "Mã này đã được dùng cho một cơ quan, đơn vị khác. Vui lòng chọn mã khác."}, true
	}
	field, msg, ok := fieldOf(err)
	if !ok {
		return nil, false
	}
	switch field {
	case "name":
		if strings.Contains(msg, "required") {
			return map[string]string{"name": "Vui lòng nhập tên cơ quan, đơn vị."}, true
		}
		return map[string]string{"name": "Tên cần từ 1 đến 200 ký tự, không chứa ký tự điều khiển."}, true
	case "code":
		return map[string]string{"code": "Mã cần từ 1 đến 64 ký tự gồm chữ thường không dấu, chữ số và dấu gạch ngang, bắt đầu bằng chữ hoặc số, ví dụ: xa-dong-tam."}, true
	case "parent_id", "agency_id":
		return map[string]string{"parent_id": "Cơ quan cấp trên đã chọn không tồn tại, đã ngừng hoạt động hoặc nằm ngoài phạm vi quản lý của bạn."}, true
	}
	return map[string]string{"name": "Thông tin chưa hợp lệ. Vui lòng kiểm tra rồi thử lại."}, true
}
