package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// deliveriesPage is how many deliveries one page of the log shows;
// attemptsShown how many of each delivery's latest attempts.
const (
	deliveriesPage = 25
	attemptsShown  = 10
)

// mountDeliveries adds the deliveries pages' routes.
func (p *Pages) mountDeliveries(add adder) {
	add(http.MethodGet, "/deliveries", p.deliveriesList, p.signedIn)
	add(http.MethodPost, "/deliveries/retry", p.deliveriesRetry, p.signedIn, p.checkCSRF)
	add(http.MethodPost, "/deliveries/cancel", p.deliveriesCancel, p.signedIn, p.checkCSRF)
}

// deliveryFilterForm is the filter form as typed, kept to show it again.
type deliveryFilterForm struct {
	Agency, Channel, Status, From, To, Post, Delivery string
}

// filterKeys are the query keys of the filter form, in order.
var filterKeys = []string{"agency", "channel", "status", "from", "to", "post", "delivery"}

func readFilterForm(q url.Values) deliveryFilterForm {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return deliveryFilterForm{Agency: get("agency"), Channel: get("channel"), Status: get("status"),
		From: get("from"), To: get("to"), Post: get("post"), Delivery: get("delivery")}
}

// values are the filters as a query, without empty ones.
func (f deliveryFilterForm) values() url.Values {
	v := url.Values{}
	for i, s := range []string{f.Agency, f.Channel, f.Status, f.From, f.To, f.Post, f.Delivery} {
		if s != "" {
			v.Set(filterKeys[i], s)
		}
	}
	return v
}

// parse turns the form into a store filter, or field errors in Vietnamese.
func (f deliveryFilterForm) parse(loc *time.Location) (storage.DeliveryFilter, map[string]string) {
	var out storage.DeliveryFilter
	errs := map[string]string{}
	ids := []struct {
		raw, field, msg string
		dst             *int64
	}{
		{f.Agency, "agency", "Cơ quan, đơn vị không hợp lệ.", &out.Agency},
		{f.Channel, "channel", "Kênh không hợp lệ.", &out.ChannelID},
		{f.Post, "post", "Mã tin phải là một số nguyên dương, ví dụ 12.", &out.PostID},
		{f.Delivery, "delivery", "Mã lượt gửi phải là một số nguyên dương, ví dụ 40.", &out.ID},
	}
	for _, id := range ids {
		if id.raw == "" {
			continue
		}
		n, err := strconv.ParseInt(id.raw, 10, 64)
		if err != nil || n <= 0 {
			errs[id.field] = id.msg
			continue
		}
		*id.dst = n
	}
	if f.Status != "" {
		if known := deliveryStatus(f.Status) != f.Status; !known || f.Status == storage.PostRejected || f.Status == "draft" {
			errs["status"] = "Trạng thái không hợp lệ: hãy chọn trong danh sách."
		} else {
			out.Status = f.Status
		}
	}
	for _, d := range []struct {
		raw, field string
		dst        *time.Time
		next       bool
	}{{f.From, "from", &out.From, false}, {f.To, "to", &out.To, true}} {
		if d.raw == "" {
			continue
		}
		day, err := time.ParseInLocation("02/01/2006", d.raw, loc)
		if err != nil {
			errs[d.field] = "Ngày phải viết theo dạng ngày/tháng/năm, ví dụ 07/12/2026."
			continue
		}
		if d.next { // "to" includes its whole day
			day = day.AddDate(0, 0, 1)
		}
		*d.dst = day
	}
	if !out.From.IsZero() && !out.To.IsZero() && !out.From.Before(out.To) {
		errs["to"] = "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu."
	}
	return out, errs
}

// attemptRow is one attempt as the log shows it.
type attemptRow struct {
	Number  int
	When    string
	Outcome string
	Bad     bool
	HTTP    int
	Reason  string
	Raw     string
}

// logRow is one delivery of the log.
type logRow struct {
	ID          int64
	PostID      int64
	Title       string
	Channel     string
	ChannelKind string
	Status      string
	Scheduled   string
	Delivered   string
	Link        string
	// Reach lists what the platform reported; empty when it reported nothing.
	Reach     []reachRow
	Attempts  []attemptRow
	More      int
	CanRetry  bool
	CanCancel bool
}

type deliveriesView struct {
	Form     deliveryFilterForm
	Errors   map[string]string
	Agencies []option
	Channels []option
	Statuses []option
	Rows     []logRow
	Zone     string
	// Query is the current list (filters and page), for the actions to return to.
	Query    string
	Next     string
	Previous string
	Summary  string
	Problem  string
	MaxPick  int
	Any      bool
}

func (p *Pages) deliveriesList(c echo.Context) error {
	q := c.QueryParams()
	return p.renderLog(c, q, http.StatusOK, summaryText(q.Get("kq")), false)
}

// renderLog shows the log for the query q, with a summary or, when bad,
// an error notice (status 422).
func (p *Pages) renderLog(c echo.Context, q url.Values, status int, summary string, bad bool) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	form := readFilterForm(q)
	f, errs := form.parse(p.loc)
	v := deliveriesView{Form: form, Errors: errs, Zone: zoneLabel(p.loc, p.now()), MaxPick: publishing.MaxSelection}
	if bad {
		v.Problem = summary
	} else {
		v.Summary = summary
	}
	if err := p.filterOptions(ctx, u, &v, f); err != nil {
		return p.failed(c, err)
	}
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	} else if err := p.fillDeliveries(ctx, u, &v, f, q); err != nil {
		return p.failed(c, err)
	}
	return p.render(c, status, "deliveries", view{Title: "Nhật ký gửi", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

// fillDeliveries reads the page of the log f and the cursor in q select.
func (p *Pages) fillDeliveries(ctx context.Context, u storage.User, v *deliveriesView, f storage.DeliveryFilter, q url.Values) error {
	f.BeforeID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	f.BeforeID = max(f.BeforeID, 0)
	if f.BeforeID == 0 {
		f.AfterID, _ = strconv.ParseInt(q.Get("after"), 10, 64)
		f.AfterID = max(f.AfterID, 0)
	}
	ds, more, err := p.logPage(ctx, u, &f)
	if err != nil {
		return err
	}
	base := v.Form.values()
	page := func(key string, id int64) string {
		w := copyValues(base)
		w.Set(key, strconv.FormatInt(id, 10))
		return "/deliveries?" + w.Encode()
	}
	if len(ds) > 0 {
		if more || f.AfterID > 0 {
			v.Next = page("before", ds[len(ds)-1].ID)
		}
		if more && f.AfterID > 0 || f.BeforeID > 0 {
			v.Previous = page("after", ds[0].ID)
		}
	}
	cur := copyValues(base)
	switch {
	case f.BeforeID > 0:
		cur.Set("before", strconv.FormatInt(f.BeforeID, 10))
	case f.AfterID > 0:
		cur.Set("after", strconv.FormatInt(f.AfterID, 10))
	}
	v.Query = cur.Encode()
	v.Rows, err = p.logRows(ctx, u, ds)
	v.Any = len(v.Rows) > 0
	return err
}

// logPage reads one page at f's cursor, and whether there is more beyond
// it (older, or newer when paging back). Paging back to fewer than a
// page means the newest page: that is read instead, whole.
func (p *Pages) logPage(ctx context.Context, u storage.User, f *storage.DeliveryFilter) ([]storage.Delivery, bool, error) {
	f.Limit = deliveriesPage + 1
	ds, err := p.pub.ListDeliveries(ctx, u, *f)
	if err != nil {
		return nil, false, err
	}
	more := len(ds) > deliveriesPage
	switch {
	case f.AfterID > 0 && !more:
		f.AfterID = 0
		return p.logPage(ctx, u, f)
	case more && f.AfterID > 0:
		ds = ds[1:] // the extra one is the newest
	case more:
		ds = ds[:deliveriesPage]
	}
	return ds, more, nil
}

func copyValues(v url.Values) url.Values {
	w := url.Values{}
	for k, vs := range v {
		w[k] = append([]string(nil), vs...)
	}
	return w
}

// filterOptions fills the agency, channel and status choices, all within
// the user's agency and those below it.
func (p *Pages) filterOptions(ctx context.Context, u storage.User, v *deliveriesView, f storage.DeliveryFilter) error {
	agencies, err := p.store.ListAgencies(ctx, u.AgencyID)
	if err != nil {
		return err
	}
	for _, a := range agencies {
		v.Agencies = append(v.Agencies, option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name, Selected: a.ID == f.Agency})
	}
	chs, err := p.store.ListChannels(ctx, u.AgencyID)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		v.Channels = append(v.Channels, option{Value: strconv.FormatInt(ch.ID, 10),
			Label: ch.Name + " · " + kindLabel(ch.Kind), Selected: ch.ID == f.ChannelID})
	}
	for _, s := range []string{storage.DeliveryPendingApproval, storage.DeliveryScheduled, storage.DeliverySending,
		storage.DeliveryDelivered, storage.DeliveryRetrying, storage.DeliveryFailed, storage.DeliveryUnconfirmed, storage.DeliveryCanceled} {
		v.Statuses = append(v.Statuses, option{Value: s, Label: deliveryStatus(s), Selected: s == f.Status})
	}
	return nil
}

// logRows builds the rows of ds: post titles, channels, attempts with
// their reasons, and which actions the user may take on each.
func (p *Pages) logRows(ctx context.Context, u storage.User, ds []storage.Delivery) ([]logRow, error) {
	ids := make([]int64, len(ds))
	var postIDs, chIDs []int64
	for i, d := range ds {
		ids[i], postIDs, chIDs = d.ID, append(postIDs, d.PostID), append(chIDs, d.ChannelID)
	}
	posts, err := p.store.PostsByID(ctx, postIDs)
	if err != nil {
		return nil, err
	}
	chs, err := p.store.ChannelsByID(ctx, chIDs)
	if err != nil {
		return nil, err
	}
	attempts, err := p.store.AttemptsOf(ctx, ids, attemptsShown)
	if err != nil {
		return nil, err
	}
	reach, err := p.store.ReachByDelivery(ctx, ids)
	if err != nil {
		return nil, err
	}
	subjects := map[int64]publishing.Subject{}
	rows := make([]logRow, len(ds))
	for i, d := range ds {
		sub, ok := subjects[d.AgencyID]
		if !ok {
			if sub, err = p.pub.Subject(ctx, "delivery", d.AgencyID, 0); err != nil {
				return nil, err
			}
			subjects[d.AgencyID] = sub
		}
		rows[i] = p.logRow(u, d, posts[d.PostID], chs[d.ChannelID], attempts[d.ID], sub)
		rows[i].Reach = reachRows(reach[d.ID], p.loc)
	}
	return rows, nil
}

func (p *Pages) logRow(u storage.User, d storage.Delivery, post storage.Post, ch storage.Channel, as []storage.Attempt, sub publishing.Subject) logRow {
	r := logRow{ID: d.ID, PostID: d.PostID, Title: post.Title, Channel: ch.Name, ChannelKind: kindLabel(ch.Kind),
		Status: d.Status, Scheduled: localTime(d.ScheduledAt, p.loc), More: max(d.Attempts-len(as), 0)}
	if d.DeliveredAt != nil {
		r.Delivered = localTime(*d.DeliveredAt, p.loc)
	}
	if d.Status == storage.DeliveryDelivered && (strings.HasPrefix(d.ExternalURL, "https://") || strings.HasPrefix(d.ExternalURL, "http://")) {
		r.Link = d.ExternalURL
	}
	for _, a := range as {
		r.Attempts = append(r.Attempts, attemptRow{Number: a.Number, When: localTime(a.StartedAt, p.loc),
			Outcome: attemptOutcome(a.Outcome), Bad: a.Outcome != storage.OutcomeDelivered && a.Outcome != storage.OutcomeSending,
			HTTP: a.HTTPStatus, Reason: explainReason(a.Error, a.HTTPStatus), Raw: redactReason(a.Error)})
	}
	sub.OwnerID, sub.DeliveryStatus = post.CreatedBy, d.Status
	r.CanRetry = (d.Status == storage.DeliveryFailed || d.Status == storage.DeliveryUnconfirmed) &&
		publishing.Allowed(u, publishing.RetryDelivery, sub) == nil
	r.CanCancel = slices.Contains(storage.Cancelable, d.Status) && publishing.Allowed(u, publishing.CancelDelivery, sub) == nil
	return r
}
