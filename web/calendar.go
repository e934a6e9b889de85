package web

// mountCalendar adds the calendar pages' routes.
func (p *Pages) mountCalendar(add adder) {}
