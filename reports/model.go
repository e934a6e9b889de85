// Package reports computes an agency's (or a province subtree's) periodic
// report on its communication plan from the deliveries and activity
// records Loa holds, and writes it as JSON, .xlsx, .docx and CSV.
//
// model.go is the contract between the computation (which fills a Report)
// and the writers (which only read one): a writer never queries anything.
package reports

import "time"

// Report is one report as filed: for one agency, or for a province
// subtree with one Section per agency below and the compiled totals.
type Report struct {
	Agency Agency
	Period Period
	// Number is the document number line's text after "Số: ", e.g.
	// "…/BC-STTTT"; the writer prints "Số: " + Number.
	Number string
	// Place and IssuedOn make "Bình Định, ngày 20 tháng 3 năm 2027".
	Place    string
	IssuedOn time.Time
	// Plan is the plan the report follows ("" when none).
	PlanTitle, PlanReference string
	// Own is the agency's own results; for a province subtree it is the
	// compiled totals of every section.
	Own Results
	// Sections are the agencies below, each with its own results, in
	// tree order; empty for a single agency's report.
	Sections []Section
	// Recipients are the "Nơi nhận" lines without "- " and ";".
	Recipients []string
	Signer     Signer
	// GeneratedAt is when the figures were read.
	GeneratedAt time.Time
}

// Agency names the reporting agency and the one above it (for the heading).
type Agency struct {
	ID         int64
	Name       string
	ParentName string
}

// Period is the reporting period with its exact dates (inclusive), in
// LOA_TIMEZONE.
type Period struct {
	// Key is as requested: "2027-Q1", "2027-H1", "2027", or "from..to".
	Key string
	// Cutoff is "decree" (Nghị định 09/2019, Art. 12) or "calendar".
	Cutoff string
	// Label is Vietnamese, lower case, for the title: "quý I năm 2027",
	// "6 tháng đầu năm 2027", "năm 2027", "từ ngày 01/01/2027 đến ngày 15/02/2027".
	Label    string
	From, To time.Time // local midnight of the first day; local midnight after the last day (exclusive)
}

// Signer closes the report: Position lines in capitals ("KT. GIÁM ĐỐC",
// "PHÓ GIÁM ĐỐC") and the name.
type Signer struct {
	Position []string
	Name     string
}

// Section is one agency's part of a province report.
type Section struct {
	Agency  Agency
	Results Results
}

// Results are the figures of one agency (or the totals of several).
type Results struct {
	Activities []ActivityResult
	// Matrix counts published items by form × content area × audience.
	Matrix []MatrixCell
	// Monthly counts delivered items per month and form (for the chart).
	Monthly []MonthCount
	// Deliveries are the period's deliveries by outcome.
	Delivered, Failed, Unconfirmed, Other int64
	// OnTime is delivered within 5 minutes of schedule; OnTimeRate is
	// OnTime/Delivered, nil when nothing was delivered.
	OnTime     int64
	OnTimeRate *float64
	// Reach sums the reach read from platforms; nil when none reported.
	Reach *int64
	// Records counts offline activity records and their declared counts.
	Records, RecordCount int64
}

// ActivityResult is one plan activity: what was planned and what was done.
type ActivityResult struct {
	ID          int64
	Code        string // "2.4"
	Title       string
	ContentArea string   // Vietnamese label
	Audience    string   // Vietnamese label
	Forms       []string // Vietnamese labels
	Timing      string   // Vietnamese: "Thường xuyên", "Quý II", "Từ 01/03/2027 đến 30/04/2027"
	Unit        string
	// Target is the planned count (nil when the plan gives none);
	// TargetText the plan's own words for it.
	Target     *int64
	TargetText string
	// Done counts what was done in the period: published items
	// (delivered) plus offline records' counts.
	Done int64
	// ByForm counts done items per form code.
	ByForm                         map[string]int64
	Delivered, Failed, Unconfirmed int64
	OnTime                         int64
	OnTimeRate                     *float64
	Reach                          *int64
	Records                        int64
	// Progress is Done/Target, nil without a target.
	Progress *float64
}

// MatrixCell is a count of published items of one form, content area and
// audience (Vietnamese labels; "Chưa phân loại" for none).
type MatrixCell struct {
	Form, ContentArea, Audience string
	Count                       int64
}

// MonthCount is the delivered items of one form in one month.
type MonthCount struct {
	Month time.Time // local first day of the month
	Form  string    // Vietnamese label
	Count int64
}
