package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// mountApprovals adds the approvals pages' routes.
func (p *Pages) mountApprovals(add adder) {
	add(http.MethodGet, "/approvals", p.approvalsPage, p.signedIn)
	add(http.MethodPost, "/approvals/:id/approve", p.approve, p.signedIn, p.checkCSRF)
	add(http.MethodPost, "/approvals/:id/reject", p.reject, p.signedIn, p.checkCSRF)
}

// approvalsPage is Duyệt tin: the posts of the user's agency subtree that
// wait for approval, newest first, a page at a time.
func (p *Pages) approvalsPage(c echo.Context) error {
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	return p.renderApprovals(c, http.StatusOK, before, func(v *approvalsView) {
		v.Notice = approvalNotice(c.QueryParam("done"), c.QueryParam("post"))
	})
}

// renderApprovals reads and renders the queue page after before (0: the
// first); adjust changes the view first (a notice, a refusal).
func (p *Pages) renderApprovals(c echo.Context, status int, before int64, adjust func(*approvalsView)) error {
	u := currentUser(c)
	v, err := p.approvalsData(c.Request().Context(), u, max(before, 0))
	if err != nil {
		return p.failed(c, err)
	}
	adjust(&v)
	return p.render(c, status, "approvals", view{Title: "Duyệt tin", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

// approvalNotice confirms a decision after its redirect, from checked
// values only.
func approvalNotice(done, post string) string {
	id, err := strconv.ParseInt(post, 10, 64)
	if err != nil || id <= 0 {
		return ""
	}
	switch done {
	case "approved":
		return fmt.Sprintf("Đã duyệt tin số %d. Tin sẽ được gửi đi theo thời điểm đã hẹn.", id)
	case "rejected":
		return fmt.Sprintf("Đã từ chối tin số %d. Người soạn sẽ thấy lý do trong lịch sử của tin.", id)
	}
	return ""
}

// approve approves a waiting post through the application layer (the one
// approval rule and policy), then goes back to the queue.
func (p *Pages) approve(c echo.Context) error {
	return p.decide(c, "approved", func(u storage.User, id int64) error {
		_, _, err := p.pub.Approve(c.Request().Context(), u, id)
		return err
	})
}

// reject rejects a waiting post with the reason the form gives; the
// application layer requires one.
func (p *Pages) reject(c echo.Context) error {
	return p.decide(c, "rejected", func(u storage.User, id int64) error {
		_, _, err := p.pub.Reject(c.Request().Context(), u, id, c.FormValue("reason"))
		return err
	})
}

// decide runs one decision on the post in the path and answers: back to
// the queue with a confirmation, or the reason it was refused (nothing
// changed).
func (p *Pages) decide(c echo.Context, done string, act func(storage.User, int64) error) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return p.refusePostMissing(c)
	}
	before, _ := strconv.ParseInt(c.FormValue("before"), 10, 64)
	u := currentUser(c)
	err = act(u, id)
	if err == nil {
		p.log.Info("web: post "+done, "post_id", id, "user_id", u.ID)
		q := url.Values{"done": {done}, "post": {strconv.FormatInt(id, 10)}}
		if before > 0 {
			q.Set("before", strconv.FormatInt(before, 10))
		}
		return c.Redirect(http.StatusSeeOther, "/approvals?"+q.Encode())
	}
	var missing *publishing.NotFoundError
	var refused *publishing.NotAllowedError
	var state *publishing.StateError
	var bad *publishing.InvalidError
	unchanged := " Không có thay đổi nào được thực hiện."
	switch {
	case errors.As(err, &missing):
		return p.refusePostMissing(c)
	case errors.As(err, &refused):
		return p.message(c, http.StatusForbidden, "Không có quyền duyệt tin",
			"Chỉ Người duyệt hoặc Quản trị mới được duyệt hoặc từ chối tin."+unchanged)
	case errors.As(err, &state):
		p.log.Info("web: decision on a post no longer waiting", "post_id", id, "user_id", u.ID, "err", err)
		return p.renderApprovals(c, http.StatusConflict, before, func(v *approvalsView) {
			v.Error = fmt.Sprintf("Tin số %d không còn chờ duyệt: có thể đã được người khác duyệt, từ chối hoặc đã bị hủy.", id) + unchanged
		})
	case errors.As(err, &bad):
		msg := "Vui lòng ghi lý do từ chối để người soạn biết cần sửa gì."
		if strings.HasPrefix(bad.Message, "is longer") {
			msg = fmt.Sprintf("Lý do từ chối dài quá %d ký tự. Vui lòng rút gọn.", publishing.MaxRejectReason)
		}
		return p.renderApprovals(c, http.StatusUnprocessableEntity, before, func(v *approvalsView) {
			v.Error = fmt.Sprintf("Chưa từ chối được tin số %d. %s", id, msg) + unchanged
			v.refuseReason(id, msg, c.FormValue("reason"))
		})
	}
	return p.failed(c, err)
}

// refusePostMissing is the answer for a post that does not exist or lies
// outside the user's agencies: the two look the same.
func (p *Pages) refusePostMissing(c echo.Context) error {
	return p.message(c, http.StatusNotFound, "Không tìm thấy tin",
		"Không tìm thấy tin này, hoặc tin không thuộc cơ quan, đơn vị của bạn. Không có thay đổi nào được thực hiện.")
}
