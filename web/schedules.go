package web

// mountSchedules adds the schedules pages' routes.
func (p *Pages) mountSchedules(add adder) {}
