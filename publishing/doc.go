// Package publishing owns the rules for publishing a post: who may do what
// to it (Allowed), when it must wait for an editor's approval, how it is
// submitted, approved, rejected, edited, canceled and retried, how schedule
// occurrences and feed items become posts through the same path, and how
// its deliveries are queued once the database has them. The API, the
// schedule materializer and the feed poller all call it; it is named for
// the one thing Loa does with a post, which none of them should decide on
// its own.
package publishing
