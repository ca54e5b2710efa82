package brivosim

import (
	"net/http"
	"strings"
)

// apiHandler serves one API route. params holds the values of the
// template's {placeholders}. The server's mutex is held while it runs.
type apiHandler func(w http.ResponseWriter, r *http.Request, params map[string]string)

// route is one method + path template under /v1/api, e.g. "GET /users/{id}".
type route struct {
	method   string
	template string
	segs     []string
	handler  apiHandler
}

// router matches paths against templates. It tells a path it does not know
// (404) from a known path called with the wrong verb (Brivo's 596).
type router struct {
	routes []route
}

func (rt *router) handle(method, template string, h apiHandler) {
	rt.routes = append(rt.routes, route{
		method:   method,
		template: template,
		segs:     splitPath(template),
		handler:  h,
	})
}

func splitPath(p string) []string {
	return strings.Split(strings.Trim(p, "/"), "/")
}

// match finds the best route for method and path. It returns the route, the
// placeholder values, and whether the path matched any template at all (so a
// nil route with known=true means a wrong verb). The template with the most
// literal segments wins, so /credentials/formats beats /credentials/{id}.
func (rt *router) match(method, path string) (r *route, params map[string]string, known bool) {
	segs := splitPath(path)
	bestScore := -1
	var bestAny *route
	for i := range rt.routes {
		cand := &rt.routes[i]
		p, score, ok := matchSegs(cand.segs, segs)
		if !ok {
			continue
		}
		known = true
		if bestAny == nil {
			bestAny = cand
		}
		if cand.method == method && score > bestScore {
			r, params, bestScore = cand, p, score
		}
	}
	if r == nil && bestAny != nil {
		// Report the wrong-verb call under the template it hit.
		return nil, nil, true
	}
	return r, params, known
}

// templateFor names the path template a request hit, for call counting; an
// unknown path is counted under its raw path.
func (rt *router) templateFor(path string) string {
	segs := splitPath(path)
	best, bestScore := "", -1
	for i := range rt.routes {
		if _, score, ok := matchSegs(rt.routes[i].segs, segs); ok && score > bestScore {
			best, bestScore = rt.routes[i].template, score
		}
	}
	if best == "" {
		return path
	}
	return best
}

func matchSegs(tmpl, segs []string) (map[string]string, int, bool) {
	if len(tmpl) != len(segs) {
		return nil, 0, false
	}
	params := map[string]string{}
	score := 0
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if segs[i] == "" {
				return nil, 0, false
			}
			params[t[1:len(t)-1]] = segs[i]
			continue
		}
		if t != segs[i] {
			return nil, 0, false
		}
		score++
	}
	return params, score, true
}
