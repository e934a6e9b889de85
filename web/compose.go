package web

// mountCompose adds the compose pages' routes.
func (p *Pages) mountCompose(add adder) {}
