package web

// mountUsers adds the users pages' routes.
func (p *Pages) mountUsers(add adder) {}
