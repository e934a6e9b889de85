package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// Form actions: the values of the compose form's buttons (name="action"),
// Vietnamese like everything a reader's tools may show.
const (
	actionPreview = "xem-truoc"
	actionDraft   = "luu-nhap"
	actionSubmit  = "gui-duyet"
	actionSave    = "luu-thay-doi"
)

// mountCompose adds the compose pages' routes: Soạn tin (new post), a
// post's page (status, deliveries, history, edit, cancel) and the preview
// fragment the script asks for while the user types.
func (p *Pages) mountCompose(add adder) {
	add(http.MethodGet, "/posts/new", p.composePage, p.signedIn)
	add(http.MethodPost, "/posts", p.composeNew, p.signedIn, p.checkCSRF)
	add(http.MethodPost, "/posts/preview", p.composePreview, p.signedIn, p.checkCSRF)
	add(http.MethodGet, "/posts/:id", p.postPage, p.signedIn)
	add(http.MethodPost, "/posts/:id", p.postChange, p.signedIn, p.checkCSRF)
	add(http.MethodPost, "/posts/:id/cancel", p.postCancel, p.signedIn, p.checkCSRF)
}

// composePage is the empty Soạn tin form.
func (p *Pages) composePage(c echo.Context) error {
	u := currentUser(c)
	v, err := p.composeData(c, u, composeForm{When: whenNow, Channels: map[int64]bool{}})
	if err != nil {
		return p.failed(c, err)
	}
	return p.renderCompose(c, http.StatusOK, v)
}

func (p *Pages) renderCompose(c echo.Context, status int, v composeView) error {
	u := currentUser(c)
	v.CSRF = currentSession(c).CSRFToken
	return p.render(c, status, "compose", view{Title: "Soạn tin", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

// composeNew handles the new post form: preview, save as draft or submit.
func (p *Pages) composeNew(c echo.Context) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	errs := map[string]string{}
	f := readComposeForm(c, errs)
	d := f.draft(u, f.publishAt(p.loc, errs))
	v, err := p.composeData(c, u, f)
	if err != nil {
		return p.failed(c, err)
	}
	v.Errors = errs
	if len(errs) > 0 {
		return p.renderCompose(c, http.StatusUnprocessableEntity, v)
	}
	switch c.FormValue("action") {
	case actionDraft:
		post, err := p.pub.SaveDraft(ctx, u, 0, d)
		if err != nil {
			return p.composeRefused(c, err, v)
		}
		p.log.Info("web: draft saved", "post_id", post.ID, "user_id", u.ID)
		return c.Redirect(http.StatusSeeOther, postURL(post.ID, "draft"))
	case actionSubmit:
		post, _, err := p.pub.Submit(ctx, u, d)
		if err != nil {
			return p.composeRefused(c, err, v)
		}
		p.log.Info("web: post submitted", "post_id", post.ID, "user_id", u.ID, "status", post.Status)
		return c.Redirect(http.StatusSeeOther, postURL(post.ID, "submit"))
	}
	if err := p.previewInto(c, u, nil, nil, d, &v); err != nil {
		return p.composeRefused(c, err, v)
	}
	return p.renderCompose(c, http.StatusOK, v)
}

// composeRefused re-renders the form with the layer's refusal next to the
// field it concerns (422), or answers a refusal that is no form error.
func (p *Pages) composeRefused(c echo.Context, err error, v composeView) error {
	if !composeFieldError(err, v.Errors) {
		return p.refused(c, err)
	}
	v.Previews, v.Previewed = nil, false
	if v.PostID != 0 {
		return p.renderPost(c, http.StatusUnprocessableEntity, v.PostID, &v, "")
	}
	return p.renderCompose(c, http.StatusUnprocessableEntity, v)
}

// composeFieldError puts an *InvalidError of the layer into errs, in Vietnamese.
func composeFieldError(err error, errs map[string]string) bool {
	var inv *publishing.InvalidError
	if !errors.As(err, &inv) {
		return false
	}
	errs[composeField(inv.Field)] = vietnameseError(inv)
	return true
}

// refused answers the layer's refusals that are not about a field: a post
// outside the user's agencies is not found, like a missing one.
func (p *Pages) refused(c echo.Context, err error) error {
	var notFound *publishing.NotFoundError
	var state *publishing.StateError
	switch {
	case errors.As(err, &notFound), errors.Is(err, storage.ErrNotFound):
		return p.message(c, http.StatusNotFound, "Không tìm thấy tin",
			"Không tìm thấy tin này: tin không tồn tại hoặc không thuộc đơn vị của bạn. Hãy kiểm tra lại đường dẫn.")
	case errors.Is(err, publishing.ErrNotAllowed):
		return p.message(c, http.StatusForbidden, "Không được phép",
			"Bạn không có quyền thực hiện việc này với tin này: chuyên viên chỉ sửa, hủy tin của chính mình. Hãy nhờ Người duyệt nếu cần.")
	case errors.As(err, &state):
		return p.message(c, http.StatusConflict, "Không thực hiện được",
			"Tin này đã bắt đầu gửi, đã được gửi duyệt hoặc đã bị hủy, nên không thay đổi được nữa. Hãy tải lại trang tin để xem trạng thái mới.")
	}
	return p.failed(c, err)
}

func postURL(id int64, done string) string {
	u := "/posts/" + strconv.FormatInt(id, 10)
	if done != "" {
		u += "?done=" + done
	}
	return u
}

// postChange handles a post's edit form: for a draft, preview, save or
// submit it; for a post past its draft, preview or save the change.
func (p *Pages) postChange(c echo.Context) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	post, ds, err := p.loadPost(ctx, u, postID(c))
	if err != nil {
		return p.refused(c, err)
	}
	errs := map[string]string{}
	f := readComposeForm(c, errs)
	d := f.draft(u, f.publishAt(p.loc, errs))
	v, err := p.postForm(c, u, post)
	if err != nil {
		return p.failed(c, err)
	}
	v.Form, v.Errors, v.Channels = f, errs, checked(v.Channels, f)
	if len(errs) > 0 {
		return p.renderPost(c, http.StatusUnprocessableEntity, post.ID, &v, "")
	}
	done, err := p.changePost(c, u, post, d, c.FormValue("action"))
	if err != nil {
		return p.composeRefused(c, err, v)
	}
	if done != "" {
		return c.Redirect(http.StatusSeeOther, postURL(post.ID, done))
	}
	if err := p.previewInto(c, u, &post, ds, d, &v); err != nil {
		return p.composeRefused(c, err, v)
	}
	return p.renderPost(c, http.StatusOK, post.ID, &v, "")
}

// changePost does what the form's action asks to post; done names it for
// the page after the redirect, "" when it only asked for a preview.
func (p *Pages) changePost(c echo.Context, u storage.User, post storage.Post, d publishing.Draft, action string) (string, error) {
	ctx := c.Request().Context()
	var err error
	switch {
	case post.Status == storage.PostDraft && action == actionDraft:
		_, err = p.pub.SaveDraft(ctx, u, post.ID, d)
		return "draft", err
	case post.Status == storage.PostDraft && action == actionSubmit:
		_, _, err = p.pub.SubmitDraft(ctx, u, post.ID, d)
		return "submit", err
	case post.Status != storage.PostDraft && action == actionSave:
		_, _, err = p.pub.Edit(ctx, u, post.ID, func(cur storage.Post) (storage.PostEdit, error) {
			return p.pub.PostEdit(ctx, cur, d.Fields, false)
		})
		return "edit", err
	}
	return "", nil
}

func checked(chs []targetChoice, f composeForm) []targetChoice {
	for i := range chs {
		chs[i].Checked = f.Channels[chs[i].ID]
	}
	return chs
}

// previewInto fills v with the previews of d: for a new post or a draft,
// as Submit would send it; for a post past its draft, its deliveries with
// the changed text.
func (p *Pages) previewInto(c echo.Context, u storage.User, post *storage.Post, ds []storage.Delivery, d publishing.Draft, v *composeView) error {
	if post == nil || post.Status == storage.PostDraft {
		if post != nil {
			d.AgencyID = post.AgencyID
		}
		return p.previewDraft(c, u, d, v)
	}
	changed, err := p.pub.Clean(d.Fields)
	if err != nil {
		return err
	}
	changed.ID, changed.AgencyID, changed.CreatedBy = post.ID, post.AgencyID, post.CreatedBy
	p.previewDeliveries(c, changed, ds, v)
	return nil
}

// postCancel cancels a post (or drops a draft) through the layer.
func (p *Pages) postCancel(c echo.Context) error {
	u := currentUser(c)
	post, _, err := p.pub.Cancel(c.Request().Context(), u, postID(c))
	if err != nil {
		return p.refused(c, err)
	}
	p.log.Info("web: post canceled", "post_id", post.ID, "user_id", u.ID)
	return c.Redirect(http.StatusSeeOther, postURL(post.ID, "cancel"))
}

// composePreview answers the script's request for the previews of the
// form as it stands: the previews' HTML, or the form's errors (422).
func (p *Pages) composePreview(c echo.Context) error {
	u := currentUser(c)
	errs := map[string]string{}
	f := readComposeForm(c, errs)
	d := f.draft(u, f.publishAt(p.loc, errs))
	v := composeView{Errors: errs}
	status := http.StatusOK
	var post *storage.Post
	var ds []storage.Delivery
	if raw := c.FormValue("post_id"); raw != "" && len(errs) == 0 {
		id, _ := strconv.ParseInt(raw, 10, 64)
		got, gotDs, err := p.loadPost(c.Request().Context(), u, id)
		if err != nil {
			return p.refused(c, err)
		}
		post, ds = &got, gotDs
	}
	if len(errs) == 0 {
		if err := p.previewInto(c, u, post, ds, d, &v); err != nil && !composeFieldError(err, errs) {
			return p.refused(c, err)
		}
	}
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	var b strings.Builder
	if err := p.pages["compose"].ExecuteTemplate(&b, "compose-previews", v); err != nil {
		return p.failed(c, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTML(status, b.String())
}
