package web

// mountSources adds the sources pages' routes.
func (p *Pages) mountSources(add adder) {}
