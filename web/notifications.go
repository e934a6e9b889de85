package web

// mountNotifications adds the notifications pages' routes.
func (p *Pages) mountNotifications(add adder) {}
