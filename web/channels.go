package web

// mountChannels adds the channels pages' routes.
func (p *Pages) mountChannels(add adder) {}
