package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// mountSources adds the feed sources pages' routes: the list, the form for
// a new source, a source's page with its poll log, "Lấy tin ngay" and
// pause/resume — all through the application layer.
func (p *Pages) mountSources(add adder) {
	add(http.MethodGet, "/sources", p.sourceList, p.signedIn)
	add(http.MethodGet, "/sources/new", p.sourceNew, p.signedIn)
	add(http.MethodPost, "/sources", p.sourceCreate, p.signedIn, p.checkCSRF)
	add(http.MethodGet, "/sources/:id", p.sourceShow, p.signedIn)
	add(http.MethodPost, "/sources/:id/poll", p.sourcePoll, p.signedIn, p.checkCSRF)
	add(http.MethodPost, "/sources/:id/status", p.sourceStatus, p.signedIn, p.checkCSRF)
}

// sourcePage bounds the sources listed on one page.
const sourcePage = 50

type sourceRow struct {
	ID         int64
	Name       string
	URL        string
	Agency     string
	Status     string
	StatusText string
	Mode       string
	LastPoll   string
	NextPoll   string
	LastError  string
	Failures   int
}

type sourceListView struct {
	Rows      []sourceRow
	Total     int
	MayManage bool
	Zone      string
	Page      int
	PrevPage  int
	NextPage  int
}

func sourceStatusLabel(status string) string {
	switch status {
	case storage.SourceActive:
		return "Đang hoạt động"
	case storage.SourcePaused:
		return "Tạm dừng"
	}
	return "Không rõ"
}

func sourceModeLabel(mode string) string {
	if mode == storage.SourceAuto {
		return "Tự động đăng"
	}
	return "Chờ duyệt trước khi đăng"
}

// sourceList is Nguồn tin: the feed sources of the user's agency and below.
func (p *Pages) sourceList(c echo.Context) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	srcs, err := p.store.ListSources(ctx, u.AgencyID)
	if err != nil {
		return p.failed(c, err)
	}
	names, err := p.agencyNames(ctx, u.AgencyID)
	if err != nil {
		return p.failed(c, err)
	}
	page := pageParam(c)
	v := sourceListView{Total: len(srcs), MayManage: mayManage(u, publishing.ManageSources), Zone: zoneLabel(p.loc, p.now()), Page: page}
	from, to := pageBounds(page, sourcePage, len(srcs))
	if page > 1 {
		v.PrevPage = page - 1
	}
	if to < len(srcs) {
		v.NextPage = page + 1
	}
	for _, src := range srcs[from:to] {
		v.Rows = append(v.Rows, p.sourceRow(src, names))
	}
	return p.render(c, http.StatusOK, "sources", view{Title: "Nguồn tin", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

func (p *Pages) sourceRow(src storage.Source, names map[int64]string) sourceRow {
	row := sourceRow{ID: src.ID, Name: src.Name, URL: src.URL, Agency: names[src.AgencyID], Status: src.Status,
		StatusText: sourceStatusLabel(src.Status), Mode: sourceModeLabel(src.Mode), LastError: pollErrorText(src.LastError, 0),
		Failures: src.Failures}
	if src.LastPolledAt != nil {
		row.LastPoll = localTime(*src.LastPolledAt, p.loc)
	}
	if src.Status == storage.SourceActive {
		row.NextPoll = localTime(src.NextPollAt, p.loc)
	}
	return row
}

type pollRow struct {
	At        string
	Outcome   string
	OK        bool
	HTTP      int
	ItemsSeen int
	ItemsNew  int
	Error     string
}

type itemRow struct {
	Title   string
	Link    string
	Seen    string
	PostID  int64
	Skipped string
}

type sourceDetailView struct {
	sourceRow
	Every      string
	MaxAgeDays int
	Template   templateView
	Channels   []string
	Polls      []pollRow
	Items      []itemRow
	ItemsTotal int64
	MayManage  bool
	Notice     string
	Zone       string
}

const shownPolls, shownItems = 20, 50

// sourceShow is a source's page: its settings, poll log and recent items.
func (p *Pages) sourceShow(c echo.Context) error {
	u := currentUser(c)
	v, err := p.sourceDetail(c, u)
	if err != nil {
		return p.appRefusal(c, err, "nguồn tin")
	}
	switch {
	case c.QueryParam("da-luu") != "":
		v.Notice = "Đã lưu nguồn tin."
	case c.QueryParam("da-lay") != "":
		v.Notice = "Đã lấy tin xong; kết quả ở dòng đầu của nhật ký lấy tin."
	case c.QueryParam("trang-thai") != "":
		v.Notice = "Đã đổi trạng thái nguồn tin."
	}
	return p.render(c, http.StatusOK, "sources_detail", view{Title: "Nguồn tin: " + v.Name, User: &u,
		CSRF: currentSession(c).CSRFToken, Data: v})
}

// loadSource returns the source in the path if u may see it; one outside
// u's agencies is a *publishing.NotFoundError like a missing one.
func (p *Pages) loadSource(ctx context.Context, c echo.Context, u storage.User) (storage.Source, error) {
	id, ok := idOf(c)
	if !ok {
		return storage.Source{}, &publishing.NotFoundError{What: "source"}
	}
	src, err := p.store.GetSource(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return src, &publishing.NotFoundError{What: "source"}
	}
	if err != nil {
		return src, err
	}
	return src, p.pub.Authorize(ctx, u, publishing.View, "source", src.AgencyID, 0)
}

func (p *Pages) sourceDetail(c echo.Context, u storage.User) (sourceDetailView, error) {
	ctx := c.Request().Context()
	src, err := p.loadSource(ctx, c, u)
	if err != nil {
		return sourceDetailView{}, err
	}
	names, err := p.agencyNames(ctx, u.AgencyID)
	if err != nil {
		return sourceDetailView{}, err
	}
	v := sourceDetailView{sourceRow: p.sourceRow(src, names), Every: everyLabel(src.PollEvery), MaxAgeDays: src.MaxAgeDays,
		Template: templateOf(src), MayManage: mayManage(u, publishing.ManageSources), Zone: zoneLabel(p.loc, p.now())}
	for _, id := range src.Targets.ChannelIDs {
		if ch, err := p.store.GetChannel(ctx, id); err == nil {
			v.Channels = append(v.Channels, ch.Name+" ("+kindLabel(ch.Kind)+")")
		}
	}
	polls, err := p.store.RecentPolls(ctx, src.ID, shownPolls)
	if err != nil {
		return v, err
	}
	for _, pl := range polls {
		v.Polls = append(v.Polls, pollRow{At: localTime(pl.At, p.loc), Outcome: pollOutcomeLabel(pl.Outcome),
			OK: pl.Outcome != storage.PollError, HTTP: pl.HTTPStatus, ItemsSeen: pl.ItemsSeen, ItemsNew: pl.ItemsNew,
			Error: pollErrorText(pl.Error, pl.HTTPStatus)})
	}
	items, total, err := p.store.RecentSourceItems(ctx, src.ID, shownItems)
	if err != nil {
		return v, err
	}
	v.ItemsTotal = total
	for _, it := range items {
		v.Items = append(v.Items, itemRow{Title: it.Title, Link: it.Link, Seen: localTime(it.FirstSeenAt, p.loc),
			PostID: it.PostID, Skipped: skippedText(it.Skipped)})
	}
	return v, nil
}

// sourcePoll is "Lấy tin ngay": the source is polled at once
// (publishing.Service.PollNow) and its page shows the log.
func (p *Pages) sourcePoll(c echo.Context) error {
	u := currentUser(c)
	id, ok := idOf(c)
	if !ok {
		return p.notInScope(c, "nguồn tin")
	}
	poll, err := p.pub.PollNow(c.Request().Context(), u, id)
	var busy *publishing.StateError
	if errors.As(err, &busy) {
		return p.message(c, http.StatusConflict, "Nguồn tin đang được lấy",
			"Nguồn tin này đang được lấy tin ngay lúc này. Vui lòng đợi ít phút rồi tải lại trang.")
	}
	if err != nil {
		return p.appRefusal(c, err, "nguồn tin")
	}
	p.log.Info("web: source polled", "source_id", id, "user_id", u.ID, "outcome", poll.Outcome, "items_new", poll.ItemsNew)
	return c.Redirect(http.StatusSeeOther, "/sources/"+strconv.FormatInt(id, 10)+"?da-lay=1")
}

// sourceStatus pauses or resumes a source.
func (p *Pages) sourceStatus(c echo.Context) error {
	u := currentUser(c)
	id, ok := idOf(c)
	if !ok {
		return p.notInScope(c, "nguồn tin")
	}
	status := c.FormValue("status")
	if status != storage.SourceActive && status != storage.SourcePaused {
		return p.message(c, http.StatusUnprocessableEntity, "Trạng thái không hợp lệ",
			"Chỉ có thể tạm dừng hoặc tiếp tục nguồn tin. Không có thay đổi nào được thực hiện.")
	}
	if err := p.pub.SetSourceStatus(c.Request().Context(), u, id, status); err != nil {
		return p.appRefusal(c, err, "nguồn tin")
	}
	p.log.Info("web: source status changed", "source_id", id, "user_id", u.ID, "status", status)
	return c.Redirect(http.StatusSeeOther, "/sources/"+strconv.FormatInt(id, 10)+"?trang-thai=1")
}
