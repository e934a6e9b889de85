package web

// mountAgencies adds the agencies pages' routes.
func (p *Pages) mountAgencies(add adder) {}
