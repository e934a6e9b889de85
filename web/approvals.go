package web

// mountApprovals adds the approvals pages' routes.
func (p *Pages) mountApprovals(add adder) {}
