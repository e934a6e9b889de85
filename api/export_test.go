package api

// RouteTable lists "METHOD path" for every route of a server built with o,
// so the isolation matrix fails on a route it does not cover.
func RouteTable(o Options) []string {
	var out []string
	for _, r := range New(o).echo.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}
