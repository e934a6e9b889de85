package reports

import (
	"strings"
	"time"

	"github.com/loa-vn/loa/storage"
)

// Defaults of the document's parts Loa holds no data for yet; the person
// filing the report completes them in the exported document.
var (
	defaultRecipients = []string{"Sở Nội vụ", "Lưu: VT"}
	defaultSigner     = Signer{Position: []string{"THỦ TRƯỞNG CƠ QUAN"}}
)

// assemble makes the report from the tallies: a single agency's own
// figures, or for an agency with agencies below it one section per agency
// (the agency itself first, when it has a plan or figures of its own) and
// the compiled totals of those sections in Own.
func (s *Service) assemble(agencies []storage.Agency, agencyPlans map[int64]storage.Plan, tallies map[int64]*tally,
	p Period, months []time.Time, lb labels) Report {
	top, now := agencies[0], s.now()
	local := now.In(s.loc)
	rep := Report{Agency: agencyOf(top), Period: p, Number: "…/BC-" + strings.ToUpper(top.Code),
		IssuedOn:    time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.loc),
		Recipients:  append([]string(nil), defaultRecipients...),
		Signer:      Signer{Position: append([]string(nil), defaultSigner.Position...)},
		GeneratedAt: now}
	if pl, ok := agencyPlans[top.ID]; ok {
		rep.PlanTitle, rep.PlanReference = pl.Title, pl.Reference
	}
	if len(agencies) == 1 {
		rep.Own = tallies[top.ID].results(months, lb)
		return rep
	}
	for i, a := range agencies {
		t := tallies[a.ID]
		if i == 0 && t.empty() {
			continue
		}
		rep.Sections = append(rep.Sections, Section{Agency: agencyOf(a), Results: t.results(months, lb)})
	}
	rep.Own = sumSections(rep.Sections, months, lb)
	return rep
}

func agencyOf(a storage.Agency) Agency {
	out := Agency{ID: a.ID, Name: a.Name}
	if n := len(a.Names); n >= 2 {
		out.ParentName = a.Names[n-2]
	}
	return out
}

// sumSections compiles the sections' results: every count summed, the
// rates recomputed from the sums, the tables merged cell by cell. The
// activities are each section's own (plans differ between agencies), so
// the totals have none.
func sumSections(secs []Section, months []time.Time, lb labels) Results {
	var r Results
	matrix := map[MatrixCell]int64{}
	monthly := map[int]map[string]int64{}
	index := make(map[int64]int, len(months))
	for i, m := range months {
		index[m.Unix()] = i
	}
	for _, sec := range secs {
		x := sec.Results
		r.Delivered += x.Delivered
		r.Failed += x.Failed
		r.Unconfirmed += x.Unconfirmed
		r.Other += x.Other
		r.OnTime += x.OnTime
		r.Records += x.Records
		r.RecordCount += x.RecordCount
		r.Reach = addReach(r.Reach, x.Reach)
		for _, c := range x.Matrix {
			n := c.Count
			c.Count = 0
			matrix[c] += n
		}
		for _, mc := range x.Monthly {
			i := index[mc.Month.Unix()] // every section has the same months
			if monthly[i] == nil {
				monthly[i] = map[string]int64{}
			}
			monthly[i][mc.Form] += mc.Count
		}
	}
	r.OnTimeRate = rate(r.OnTime, r.Delivered)
	r.Matrix = matrixOf(matrix, lb)
	r.Monthly = monthlyOf(monthly, months, lb)
	return r
}

// addReach sums reach where any was reported: nil stays nil (absent is
// not 0).
func addReach(sum, x *int64) *int64 {
	if x == nil {
		return sum
	}
	v := *x
	if sum != nil {
		v += *sum
	}
	return &v
}
