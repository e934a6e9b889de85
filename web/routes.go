package web

// Route is one of the pages' routes as mounted: an HTTP method and an
// Echo path such as "/posts/:id".
type Route struct{ Method, Path string }

// Routes lists the pages' routes once mounted (api.New with
// Options.Pages), so a test can visit every page without a list of its
// own that would miss the next one.
func (p *Pages) Routes() []Route {
	out := make([]Route, len(p.routes))
	for i, r := range p.routes {
		out[i] = Route(r)
	}
	return out
}
