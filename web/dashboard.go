package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// listLimit bounds each list on the dashboard; nextLimit the "next"
// list, which looks nextDays ahead; windowScan how many deliveries of a
// window are read (sent and canceled ones included) to find those.
const (
	listLimit  = 50
	nextLimit  = 10
	nextDays   = 30
	windowScan = 1000
)

// goingOut are the statuses of deliveries that are still to go out.
var goingOut = map[string]bool{storage.DeliveryScheduled: true, storage.DeliveryRetrying: true, storage.DeliverySending: true}

type deliveryRow struct {
	ID      int64
	PostID  int64
	Title   string
	Channel string
	Status  string
	When    string
}

type channelRow struct {
	ID     int64
	Name   string
	Reason string
}

type postRow struct {
	ID    int64
	Title string
	When  string
}

// agencyRow is one agency below the user's on Tổng quan, with its own
// counts and links to the lists behind them.
type agencyRow struct {
	ID    int64
	Name  string
	Depth int
	storage.AgencySummary
}

// agencyRowsShown bounds the agencies listed on Tổng quan; the others
// with something to do are counted.
const agencyRowsShown = 100

type dashboardView struct {
	// Agencies are the agencies below the user's with something that needs
	// someone; Calm counts those with nothing, More those not shown.
	Agencies    []agencyRow
	Calm, More  int
	HasBelow    bool
	TodayDate   string
	Zone        string
	Today       []deliveryRow
	Next        []deliveryRow
	Failed      []deliveryRow
	Reauth      []channelRow
	Approvals   []postRow
	MayApprove  bool
	ListLimit   int
	TodayHeader string
}

// dashboard is Tổng quan: what goes out today and next, what failed or is
// unconfirmed, channels to re-authorise and posts to approve, all within
// the user's agency and the agencies below it.
func (p *Pages) dashboard(c echo.Context) error {
	u := currentUser(c)
	v, err := p.dashboardData(c, u)
	if err != nil {
		return p.failed(c, err)
	}
	return p.render(c, http.StatusOK, "dashboard", view{Title: "Tổng quan", User: &u,
		CSRF: currentSession(c).CSRFToken, Data: v})
}

func (p *Pages) dashboardData(c echo.Context, u storage.User) (dashboardView, error) {
	ctx := c.Request().Context()
	now := p.now()
	v := dashboardView{Zone: zoneLabel(p.loc, now), ListLimit: listLimit,
		TodayHeader: localDate(now, p.loc), TodayDate: now.In(p.loc).Format("02/01/2006")}
	channels, err := p.store.ListChannels(ctx, u.AgencyID)
	if err != nil {
		return v, err
	}
	names := map[int64]string{}
	for _, ch := range channels {
		names[ch.ID] = ch.Name
		if ch.Status == storage.ChannelNeedsReauth {
			v.Reauth = append(v.Reauth, channelRow{ID: ch.ID, Name: ch.Name, Reason: ch.StatusReason})
		}
	}
	var decide []storage.Delivery
	for _, st := range []string{storage.DeliveryFailed, storage.DeliveryUnconfirmed} {
		ds, err := p.store.ListDeliveries(ctx, storage.DeliveryFilter{Agency: u.AgencyID, Status: st, Limit: listLimit})
		if err != nil {
			return v, err
		}
		decide = append(decide, ds...)
	}
	titles, err := p.store.PostTitles(ctx, postIDs(decide))
	if err != nil {
		return v, err
	}
	row := func(d storage.Delivery, title string) deliveryRow {
		return deliveryRow{ID: d.ID, PostID: d.PostID, Title: title, Channel: names[d.ChannelID],
			Status: d.Status, When: localTime(d.ScheduledAt, p.loc)}
	}
	for _, d := range decide {
		v.Failed = append(v.Failed, row(d, titles[d.PostID]))
	}
	endOfToday := startOfDay(now, p.loc).AddDate(0, 0, 1)
	for _, w := range []struct {
		from, to time.Time
		rows     *[]deliveryRow
		max      int
	}{{now, endOfToday, &v.Today, listLimit}, {endOfToday, endOfToday.AddDate(0, 0, nextDays), &v.Next, nextLimit}} {
		entries, err := p.store.DeliveriesBetween(ctx, u.AgencyID, w.from, w.to, windowScan)
		if err != nil {
			return v, err
		}
		for _, e := range entries {
			if goingOut[e.Delivery.Status] && len(*w.rows) < w.max {
				*w.rows = append(*w.rows, row(e.Delivery, e.Post.Title))
			}
		}
	}
	if err := p.agencyRows(c, u, now, endOfToday, &v); err != nil {
		return v, err
	}
	v.MayApprove = publishing.Allowed(u, publishing.ApprovePost, publishing.Subject{}) == nil
	if v.MayApprove {
		posts, err := p.store.ListPosts(ctx, storage.PostFilter{Agency: u.AgencyID, Status: storage.PostPendingApproval, Limit: listLimit})
		if err != nil {
			return v, err
		}
		for _, post := range posts {
			v.Approvals = append(v.Approvals, postRow{ID: post.ID, Title: post.Title, When: localTime(post.CreatedAt, p.loc)})
		}
	}
	return v, nil
}

// agencyRows fills, for a user whose agency has agencies below it, each
// one's own counts of what goes out today, what needs a decision, channels
// to re-authorise and posts to approve, in tree order.
func (p *Pages) agencyRows(c echo.Context, u storage.User, from, to time.Time, v *dashboardView) error {
	ctx := c.Request().Context()
	top := u.AgencyID
	if top == 0 {
		root, err := p.store.RootAgency(ctx)
		if err != nil {
			return err
		}
		top = root.ID
	}
	agencies, err := p.store.ListAgencies(ctx, top)
	if err != nil {
		return err
	}
	if len(agencies) < 2 {
		return nil
	}
	v.HasBelow = true
	sums, err := p.store.AgencySummaries(ctx, top, from, to)
	if err != nil {
		return err
	}
	base := strings.Count(agencies[0].Path, "/")
	for _, a := range agencies[1:] {
		sum := sums[a.ID]
		switch {
		case sum == nil:
			v.Calm++
		case len(v.Agencies) == agencyRowsShown:
			v.More++
		default:
			v.Agencies = append(v.Agencies, agencyRow{ID: a.ID, Name: a.Name,
				Depth: strings.Count(a.Path, "/") - base, AgencySummary: *sum})
		}
	}
	return nil
}

func postIDs(lists ...[]storage.Delivery) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, ds := range lists {
		for _, d := range ds {
			if !seen[d.PostID] {
				seen[d.PostID] = true
				ids = append(ids, d.PostID)
			}
		}
	}
	return ids
}

// startOfDay is local midnight of t's day in loc.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}
