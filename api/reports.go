package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/reports"
)

// report answers GET /api/v1/reports?agency_id=&period=&cutoff=[&format=]:
// the report as JSON, or with format=xlsx|docx|csv the file.
func (s *Server) report(c echo.Context) error {
	agency, err := queryID(c, "agency_id")
	if err != nil {
		return err
	}
	req := reports.Request{AgencyID: agency, Period: c.QueryParam("period"), Cutoff: c.QueryParam("cutoff")}
	ctx, actor := c.Request().Context(), currentUser(c)
	if format := c.QueryParam("format"); format != "" && format != "json" {
		f, err := s.reports.Export(ctx, actor, req, format)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, f.ContentDisposition())
		return c.Blob(http.StatusOK, f.ContentType, f.Body)
	}
	rep, err := s.reports.Compute(ctx, actor, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, reportJSON(rep))
}

// The report as JSON: snake_case keys, dates as yyyy-mm-dd in
// LOA_TIMEZONE, instants as RFC 3339, absent figures as null.
type reportOut struct {
	Agency        agencyRef    `json:"agency"`
	Period        periodOut    `json:"period"`
	Number        string       `json:"number"`
	Place         string       `json:"place"`
	IssuedOn      string       `json:"issued_on"`
	PlanTitle     string       `json:"plan_title"`
	PlanReference string       `json:"plan_reference"`
	Own           resultsOut   `json:"own"`
	Sections      []sectionOut `json:"sections"`
	Recipients    []string     `json:"recipients"`
	Signer        signerOut    `json:"signer"`
	GeneratedAt   time.Time    `json:"generated_at"`
}

type agencyRef struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	ParentName string `json:"parent_name"`
}

type periodOut struct {
	Key      string    `json:"key"`
	Cutoff   string    `json:"cutoff"`
	Label    string    `json:"label"`
	FirstDay string    `json:"first_day"`
	LastDay  string    `json:"last_day"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
}

type signerOut struct {
	Position []string `json:"position"`
	Name     string   `json:"name"`
}

type sectionOut struct {
	Agency  agencyRef  `json:"agency"`
	Results resultsOut `json:"results"`
}

type resultsOut struct {
	Activities  []activityOut `json:"activities"`
	Matrix      []matrixOut   `json:"matrix"`
	Monthly     []monthOut    `json:"monthly"`
	Delivered   int64         `json:"delivered"`
	Failed      int64         `json:"failed"`
	Unconfirmed int64         `json:"unconfirmed"`
	Other       int64         `json:"other"`
	OnTime      int64         `json:"on_time"`
	OnTimeRate  *float64      `json:"on_time_rate"`
	Reach       *int64        `json:"reach"`
	Records     int64         `json:"records"`
	RecordCount int64         `json:"record_count"`
}

type activityOut struct {
	ID          int64            `json:"id"`
	Code        string           `json:"code"`
	Title       string           `json:"title"`
	ContentArea string           `json:"content_area"`
	Audience    string           `json:"audience"`
	Forms       []string         `json:"forms"`
	Timing      string           `json:"timing"`
	Unit        string           `json:"unit"`
	Target      *int64           `json:"target"`
	TargetText  string           `json:"target_text"`
	Done        int64            `json:"done"`
	ByForm      map[string]int64 `json:"by_form"`
	Delivered   int64            `json:"delivered"`
	Failed      int64            `json:"failed"`
	Unconfirmed int64            `json:"unconfirmed"`
	OnTime      int64            `json:"on_time"`
	OnTimeRate  *float64         `json:"on_time_rate"`
	Reach       *int64           `json:"reach"`
	Records     int64            `json:"records"`
	Progress    *float64         `json:"progress"`
}

type matrixOut struct {
	Form        string `json:"form"`
	ContentArea string `json:"content_area"`
	Audience    string `json:"audience"`
	Count       int64  `json:"count"`
}

type monthOut struct {
	Month string `json:"month"` // yyyy-mm
	Form  string `json:"form"`
	Count int64  `json:"count"`
}

func reportJSON(r reports.Report) reportOut {
	out := reportOut{Agency: agencyRefOf(r.Agency), Number: r.Number, Place: r.Place,
		PlanTitle: r.PlanTitle, PlanReference: r.PlanReference, Own: resultsJSON(r.Own),
		Sections: make([]sectionOut, 0, len(r.Sections)), Recipients: nonNil(r.Recipients),
		Signer: signerOut{Position: nonNil(r.Signer.Position), Name: r.Signer.Name}, GeneratedAt: r.GeneratedAt.UTC(),
		Period: periodOut{Key: r.Period.Key, Cutoff: r.Period.Cutoff, Label: r.Period.Label,
			FirstDay: r.Period.From.Format(time.DateOnly), LastDay: r.Period.LastDay().Format(time.DateOnly),
			From: r.Period.From, To: r.Period.To}}
	if !r.IssuedOn.IsZero() {
		out.IssuedOn = r.IssuedOn.Format(time.DateOnly)
	}
	for _, s := range r.Sections {
		out.Sections = append(out.Sections, sectionOut{Agency: agencyRefOf(s.Agency), Results: resultsJSON(s.Results)})
	}
	return out
}

func agencyRefOf(a reports.Agency) agencyRef {
	return agencyRef{ID: a.ID, Name: a.Name, ParentName: a.ParentName}
}

func resultsJSON(r reports.Results) resultsOut {
	out := resultsOut{Activities: make([]activityOut, 0, len(r.Activities)), Matrix: make([]matrixOut, 0, len(r.Matrix)),
		Monthly: make([]monthOut, 0, len(r.Monthly)), Delivered: r.Delivered, Failed: r.Failed,
		Unconfirmed: r.Unconfirmed, Other: r.Other, OnTime: r.OnTime, OnTimeRate: r.OnTimeRate, Reach: r.Reach,
		Records: r.Records, RecordCount: r.RecordCount}
	for _, a := range r.Activities {
		out.Activities = append(out.Activities, activityOut{ID: a.ID, Code: a.Code, Title: a.Title,
			ContentArea: a.ContentArea, Audience: a.Audience, Forms: nonNil(a.Forms), Timing: a.Timing, Unit: a.Unit,
			Target: a.Target, TargetText: a.TargetText, Done: a.Done, ByForm: a.ByForm, Delivered: a.Delivered,
			Failed: a.Failed, Unconfirmed: a.Unconfirmed, OnTime: a.OnTime, OnTimeRate: a.OnTimeRate, Reach: a.Reach,
			Records: a.Records, Progress: a.Progress})
	}
	for _, c := range r.Matrix {
		out.Matrix = append(out.Matrix, matrixOut{Form: c.Form, ContentArea: c.ContentArea, Audience: c.Audience, Count: c.Count})
	}
	for _, m := range r.Monthly {
		out.Monthly = append(out.Monthly, monthOut{Month: m.Month.Format("2006-01"), Form: m.Form, Count: m.Count})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
