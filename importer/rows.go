package importer

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// layout is where each column is in the file and how its header is written.
type layout struct {
	index   map[Column]int
	headers map[Column]string
	// ignored are the headers of columns the importer does not read.
	ignored []string
}

// readLayout maps the header row to columns; a file without a title
// column, or without any column saying where posts go, is refused.
func readLayout(header []string) (layout, error) {
	l := layout{index: map[Column]int{}, headers: map[Column]string{}}
	for i, h := range header {
		h = strings.TrimSpace(h)
		c, ok := columnFor(h)
		switch {
		case h == "":
			continue
		case !ok:
			l.ignored = append(l.ignored, h)
			continue
		case c == colNumber:
			continue
		}
		if _, dup := l.index[c]; dup {
			return l, &FileError{Code: CodeDuplicateColumn, Column: c.Label(),
				Message: fmt.Sprintf("two columns are %q; keep one", c.Label())}
		}
		l.index[c], l.headers[c] = i, h
	}
	if _, ok := l.index[ColTitle]; !ok {
		return l, &FileError{Code: CodeMissingColumn, Column: ColTitle.Label(),
			Message: fmt.Sprintf("the header row has no %q column", ColTitle.Label())}
	}
	if !l.has(ColChannels) && !l.has(ColAgency) && !l.has(ColKinds) {
		return l, &FileError{Code: CodeMissingColumn, Column: ColChannels.Label(),
			Message: fmt.Sprintf("the header row has neither a %q column nor %q and %q columns",
				ColChannels.Label(), ColAgency.Label(), ColKinds.Label())}
	}
	return l, nil
}

func (l layout) has(c Column) bool { _, ok := l.index[c]; return ok }

// header is the column's header as the file writes it.
func (l layout) header(c Column) string {
	if h, ok := l.headers[c]; ok {
		return h
	}
	return c.Label()
}

// scope is what the rows' names and codes may refer to: the channels and
// agencies of the importing user's agency and those beneath it.
type scope struct {
	// channels maps a channel's name, in lower case, to its ids; byFold
	// does so without diacritics.
	channels, byFold map[string][]int64
	agencies         map[string]int64
	// activities maps a year and an activity's code in the plans of the
	// user's agency that year to the activities' ids.
	activities map[activityKey][]int64
	// terms maps a list's kind and a term's folded code or label to its code.
	terms map[string]map[string]string
}

type activityKey struct {
	year int
	code string
}

// maxActivities bounds the activities of one year's plans the scope holds.
const maxActivities = 2000

func loadScope(ctx context.Context, store *storage.Store, u storage.User, today time.Time) (scope, error) {
	sc := scope{channels: map[string][]int64{}, byFold: map[string][]int64{}, agencies: map[string]int64{},
		activities: map[activityKey][]int64{}, terms: map[string]map[string]string{}}
	chs, err := store.ListChannels(ctx, u.AgencyID)
	if err != nil {
		return sc, fmt.Errorf("import: channels in scope: %w", err)
	}
	for _, ch := range chs {
		lower := strings.ToLower(norm.NFC.String(strings.Join(strings.Fields(ch.Name), " ")))
		sc.channels[lower] = append(sc.channels[lower], ch.ID)
		sc.byFold[foldText(ch.Name)] = append(sc.byFold[foldText(ch.Name)], ch.ID)
	}
	as, err := store.ListAgencies(ctx, u.AgencyID)
	if err != nil {
		return sc, fmt.Errorf("import: agencies in scope: %w", err)
	}
	for _, a := range as {
		sc.agencies[a.Code] = a.ID
	}
	for _, kind := range []string{storage.VocabContentArea, storage.VocabAudience} {
		terms, err := store.ListVocab(ctx, kind, false)
		if err != nil {
			return sc, fmt.Errorf("import: %s list: %w", kind, err)
		}
		sc.terms[kind] = map[string]string{}
		for _, t := range terms {
			sc.terms[kind][foldText(t.Code)], sc.terms[kind][foldText(t.Label)] = t.Code, t.Code
		}
	}
	// Posts go out this year, the next, or (a few days ahead at New Year) either.
	for year := today.Year(); year <= today.Year()+1; year++ {
		acts, err := store.AgencyActivities(ctx, u.AgencyID, year, maxActivities)
		if err != nil {
			return sc, fmt.Errorf("import: activities of %d: %w", year, err)
		}
		for _, a := range acts {
			k := activityKey{year, strings.ToLower(strings.TrimSpace(a.Code))}
			sc.activities[k] = append(sc.activities[k], a.ID)
		}
	}
	return sc, nil
}

// maxListValues bounds the values one cell's list may hold; the publishing
// rules' own caps are lower, this only keeps parsing bounded.
const maxListValues = 200

// rowReader turns a file's rows into drafts.
type rowReader struct {
	layout layout
	scope  scope
	user   storage.User
	loc    *time.Location
	format string
	lim    Limits
	// today is the local date of the import, whose year is a post's
	// when it goes out now.
	today time.Time
}

// parsedRow is a row as a draft, or the problems that kept it from being one.
type parsedRow struct {
	num    int
	draft  publishing.Draft
	issues []Issue
}

func (r *rowReader) read(tr tableRow) parsedRow {
	pr := parsedRow{num: tr.num}
	cell := func(c Column) string {
		i, ok := r.layout.index[c]
		if !ok || i >= len(tr.cells) {
			return ""
		}
		return tr.cells[i]
	}
	for _, c := range columnOrder {
		if v := cell(c); len(v) > r.lim.MaxCellBytes {
			pr.issue(r.layout, c, CodeCellTooLong, fmt.Sprintf("the cell is longer than %d bytes", r.lim.MaxCellBytes), "")
		}
	}
	if len(pr.issues) > 0 {
		return pr
	}
	pr.draft.Fields = publishing.Fields{Title: cell(ColTitle), Summary: cell(ColSummary), Body: cell(ColBody),
		Link: strings.TrimSpace(cell(ColLink)), ImageURL: strings.TrimSpace(cell(ColImage))}
	pr.draft.Fields.PublishAt = r.publishAt(&pr, cell(ColTime))
	pr.draft.ChannelIDs = r.channels(&pr, cell(ColChannels))
	pr.draft.Selector = r.selector(&pr, cell(ColAgency), cell(ColDescendants), cell(ColKinds))
	pr.draft.Fields.ContentArea = r.term(storage.VocabContentArea, cell(ColContentArea))
	pr.draft.Fields.AudienceCode = r.term(storage.VocabAudience, cell(ColAudience))
	pr.draft.Fields.ActivityID = r.activity(&pr, cell(ColActivity))
	return pr
}

// term is the code of the kind's list a cell names by code or label; any
// other value is passed on as written, for CheckClassification to refuse.
func (r *rowReader) term(kind, raw string) string {
	v := strings.TrimSpace(raw)
	if code, ok := r.scope.terms[kind][foldText(v)]; ok {
		return code
	}
	return v
}

// activity reads the activity cell: the code of an activity of the plans
// of the user's agency for the year the post goes out ("2.4"), or an
// activity's id; CheckClassification decides whether the id is theirs.
func (r *rowReader) activity(pr *parsedRow, raw string) int64 {
	v := strings.ToLower(strings.TrimSpace(raw))
	if v == "" {
		return 0
	}
	year := r.today.Year()
	if at, err := time.Parse(time.RFC3339, pr.draft.Fields.PublishAt); err == nil {
		year = at.In(r.loc).Year()
	}
	ids := r.scope.activities[activityKey{year, v}]
	switch {
	case len(ids) == 1:
		return ids[0]
	case len(ids) > 1:
		pr.issue(r.layout, ColActivity, CodeAmbiguousActivity,
			fmt.Sprintf("%d activities of your plans for %d have code %q; write the activity's id", len(ids), year, raw), raw)
		return 0
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
		return id
	}
	pr.issue(r.layout, ColActivity, CodeUnknownActivity,
		fmt.Sprintf("no activity with code %q in your agency's plans for %d", raw, year), raw)
	return 0
}

func (pr *parsedRow) issue(l layout, c Column, code, msg, value string) {
	if len([]rune(value)) > 100 {
		value = string([]rune(value)[:100])
	}
	pr.issues = append(pr.issues, Issue{Row: pr.num, Column: l.header(c), Field: c, Code: code,
		Message: string(c) + ": " + msg, Value: value})
}

// publishAt reads the time cell: empty for now, "khung giờ tiếp theo" for
// the channels' next free slot, a local "dd/mm/yyyy HH:mm", or (in a
// workbook) a date cell.
func (r *rowReader) publishAt(pr *parsedRow, raw string) string {
	v := strings.TrimSpace(raw)
	switch foldText(v) {
	case "", "dang ngay", "ngay", "now":
		return ""
	case "khung gio tiep theo", "next slot":
		return publishing.NextSlotTime
	}
	for _, layout := range []string{"2/1/2006 15:04", "2/1/2006 15:04:05", "2/1/2006 15h04", "2-1-2006 15:04"} {
		if at, err := time.ParseInLocation(layout, strings.Join(strings.Fields(v), " "), r.loc); err == nil {
			return at.Format(time.RFC3339)
		}
	}
	if serial, err := strconv.ParseFloat(v, 64); err == nil && r.format == FormatXLSX && serial > 1 {
		if wall, err := excelize.ExcelDateToTime(serial, false); err == nil {
			wall = wall.Add(30 * time.Second).Truncate(time.Minute) // a serial's float error is below a second
			at := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, r.loc)
			return at.Format(time.RFC3339)
		}
	}
	pr.issue(r.layout, ColTime, CodeBadTime,
		"is not a local time dd/mm/yyyy HH:mm (such as 07/12/2026 07:30), empty for now, or \"khung giờ tiếp theo\"", v)
	return ""
}

// list splits a cell's list on ";" and new lines.
func list(raw string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(raw, func(r rune) bool { return r == ';' || r == '\n' || r == '\r' }) {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// channels reads the channels cell: ids, or names of channels in scope.
func (r *rowReader) channels(pr *parsedRow, raw string) []int64 {
	parts := list(raw)
	if len(parts) > maxListValues {
		pr.issue(r.layout, ColChannels, CodeTooManyValues, fmt.Sprintf("lists more than %d channels", maxListValues), "")
		return nil
	}
	var ids []int64
	for _, p := range parts {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			ids = append(ids, id)
			continue
		}
		found := r.scope.channels[strings.ToLower(norm.NFC.String(strings.Join(strings.Fields(p), " ")))]
		if len(found) == 0 {
			found = r.scope.byFold[foldText(p)]
		}
		switch len(found) {
		case 0:
			pr.issue(r.layout, ColChannels, CodeUnknownChannel, fmt.Sprintf("no channel named %q in your agencies", p), p)
			return nil
		case 1:
			ids = append(ids, found[0])
		default:
			pr.issue(r.layout, ColChannels, CodeAmbiguousChannel,
				fmt.Sprintf("%d channels are named %q; write their ids instead", len(found), p), p)
			return nil
		}
	}
	return ids
}

// selector reads the target selector's cells; nil when all are empty. An
// empty agency is the user's own.
func (r *rowReader) selector(pr *parsedRow, agency, descendants, kinds string) *storage.Selector {
	agency, descendants = strings.TrimSpace(agency), strings.TrimSpace(descendants)
	if agency == "" && descendants == "" && strings.TrimSpace(kinds) == "" {
		return nil
	}
	sel := &storage.Selector{AgencyID: r.user.AgencyID}
	if agency != "" {
		id, ok := r.scope.agencies[strings.ToLower(agency)]
		if !ok {
			pr.issue(r.layout, ColAgency, CodeUnknownAgency, fmt.Sprintf("no agency with code %q in your agencies", agency), agency)
			return nil
		}
		sel.AgencyID = id
	}
	switch foldText(descendants) {
	case "", "khong", "k", "no", "false", "0":
	case "co", "c", "x", "yes", "true", "1":
		sel.Descendants = true
	default:
		pr.issue(r.layout, ColDescendants, CodeBadYesNo, "is neither \"có\" nor \"không\"", descendants)
		return nil
	}
	parts := list(strings.ReplaceAll(kinds, ",", ";"))
	if len(parts) > maxListValues {
		pr.issue(r.layout, ColKinds, CodeTooManyValues, fmt.Sprintf("lists more than %d kinds", maxListValues), "")
		return nil
	}
	for _, p := range parts {
		sel.Kinds = append(sel.Kinds, kindsNamed(p)...)
	}
	return sel
}

// kindsNamed is the channel kinds a kind's code or Vietnamese label names;
// anything else is passed on as written, for the target check to refuse.
func kindsNamed(s string) []string {
	switch foldText(s) {
	case "wordpress", "trang thong tin dien tu (wordpress)":
		return []string{"wordpress"}
	case "webhook", "trang thong tin dien tu (webhook)":
		return []string{"webhook"}
	case "website", "trang thong tin dien tu":
		return []string{"wordpress", "webhook"}
	case "zalo oa", "zalo":
		return []string{"zalo_oa"}
	case "facebook page", "facebook", "trang facebook":
		return []string{"facebook_page"}
	case "radio", "truyen thanh co so", "truyen thanh":
		return []string{"radio"}
	case "rss", "rss/atom", "atom":
		return []string{"rss"}
	}
	return []string{strings.ToLower(s)}
}
