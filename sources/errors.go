// Package sources turns RSS and Atom feeds published by government agencies
// into Loa posts: it fetches feeds politely (conditional GET, bounded size
// and time), parses them with gofeed, cleans up what Vietnamese government
// feeds get wrong (padded titles and links, HTML in descriptions, relative
// links, NFD text), gives every item a stable de-duplication key, renders
// items through admin-written templates and builds weekly digests.
//
// Nothing here touches the database: the caller stores validators, keys and
// errors.
package sources

// Kinds of FetchError. They are stable strings so the caller can store them
// and choose a back-off per kind.
const (
	KindHTTPStatus = "http_status" // the server answered with a non-2xx status
	KindTooLarge   = "too_large"   // the body is larger than FetcherOptions.MaxBytes
	KindTimeout    = "timeout"     // the server did not answer or finish in time
	KindNetwork    = "network"     // DNS, connection, TLS or address problems
	KindBlocked    = "blocked"     // the outbound guard refused the address (LOA_ALLOW_PRIVATE_TARGETS)
	KindNotAFeed   = "not_a_feed"  // a web page or empty document instead of a feed
	KindParse      = "parse"       // something that claims to be a feed but cannot be read
)

// FetchError is every failure of a feed source, from the network to the XML.
// Message is a short plain English sentence meant for an administrator: it
// never contains the feed URL, which may carry credentials.
type FetchError struct {
	Kind    string
	Status  int // HTTP status code, only for KindHTTPStatus
	Message string
	err     error
}

func (e *FetchError) Error() string {
	return e.Message
}

// Unwrap gives access to the underlying cause (for example a
// *tls.CertificateVerificationError) for logs and errors.As.
func (e *FetchError) Unwrap() error {
	return e.err
}
