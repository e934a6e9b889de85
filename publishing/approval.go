package publishing

import "github.com/loa-vn/loa/storage"

// NeedsApproval is the approval rule, for every post whoever or whatever
// makes it (a person, a schedule occurrence, a feed item, a digest): content
// on official channels waits for an editor's approval unless its author is,
// at the time the post is made, an active editor or admin. Editors' and
// admins' own posts are approved by their author; a schedule or source
// outlives neither its author's demotion nor their leaving.
func NeedsApproval(author storage.User) bool {
	return author.DisabledAt != nil || !isEditor(author)
}

// isEditor says whether u holds the editor role or a higher one.
func isEditor(u storage.User) bool {
	return u.Role == storage.RoleEditor || u.Role == storage.RoleAdmin
}
