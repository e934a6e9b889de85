package importer

import "fmt"

// Codes of a refusal of the whole file (FileError.Code).
const (
	CodeFileTooLarge    = "file_too_large"
	CodeFileEmpty       = "file_empty"
	CodeUnsupported     = "unsupported_format"
	CodeNotUTF8         = "not_utf8"
	CodeBadCSV          = "bad_csv"
	CodeBadXLSX         = "bad_xlsx"
	CodeUnzipTooLarge   = "unzip_too_large"
	CodeTooManyRows     = "too_many_rows"
	CodeTooManyColumns  = "too_many_columns"
	CodeMissingColumn   = "missing_column"
	CodeDuplicateColumn = "duplicate_column"
	CodeNoRows          = "no_rows"
	CodeBusy            = "busy"
	CodeTimeout         = "timeout"
)

// FileError refuses the whole file: nothing of it was checked further
// and nothing imported. Limit is the cap it broke, when it broke one;
// Column the header at fault and Row the row (or CSV line), when one is.
type FileError struct {
	Code    string
	Message string
	Limit   int64
	Column  string
	Row     int
	Err     error
}

func (e *FileError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("import: %s: %v", e.Message, e.Err)
	}
	return "import: " + e.Message
}

func (e *FileError) Unwrap() error { return e.Err }

// Codes of a row's problem (Issue.Code) found by the importer itself; the
// publishing rules' refusals carry their own (see Issue).
const (
	CodeCellTooLong       = "cell_too_long"
	CodeBadTime           = "bad_time"
	CodeUnknownChannel    = "unknown_channel"
	CodeAmbiguousChannel  = "ambiguous_channel"
	CodeUnknownAgency     = "unknown_agency"
	CodeBadYesNo          = "bad_yes_no"
	CodeTooManyValues     = "too_many_values"
	CodeUnknownActivity   = "unknown_activity"
	CodeAmbiguousActivity = "ambiguous_activity"
	// CodeInvalidField is a publishing rule's refusal without a rule name.
	CodeInvalidField = "invalid_field"
	// CodeNotAllowed is the policy refusing the row's post.
	CodeNotAllowed = "not_allowed"
)

// Issue is one problem of one row. Row is the row's number in the sheet
// (the header is row 1); Column is its header as the file writes it.
// Message is in English; pages say Code (or, for a publishing rule, Err)
// in Vietnamese.
type Issue struct {
	Row     int
	Column  string
	Field   Column
	Code    string
	Message string
	// Value is the part of the cell at fault, when it helps to name it (a
	// channel name), at most 100 characters.
	Value string
	// Err is the publishing layer's refusal, when the row broke a post rule.
	Err error
}
