package web

// mountDeliveries adds the deliveries pages' routes.
func (p *Pages) mountDeliveries(add adder) {}
