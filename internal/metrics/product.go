package metrics

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// product holds the product's own instruments. They write straight to the
// Prometheus registry (no report interval), so a scrape right after an
// activity sees its effect.
type product struct {
	grants, revocations, problems *prometheus.CounterVec
	heldRevocations, unmapped     *prometheus.GaugeVec
	unlisted                      *prometheus.GaugeVec
	workers                       prometheus.Gauge
	entrataCalls, brivoCalls      *prometheus.CounterVec
	lastSync, lastAudit           *ageCollector
}

func (p *product) init(reg prometheus.Registerer, opts Options) error {
	ns := opts.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: name, Help: help}, labels)
	}
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: name, Help: help}, labels)
	}
	p.grants = counter("grants_total", "Brivo access grants applied (user created or access window, group or suspension change that gives access).", "property")
	p.revocations = counter("revocations_total", "Brivo access revocations applied (suspension, group removal, window shortened).", "property")
	p.problems = counter("problems_total", "Entrata records that could not be turned into access (reported, not guessed).", "property")
	p.heldRevocations = gauge("held_revocations", "Revocations held by the mass-revocation guard, awaiting approve-revocations.", "property")
	p.unmapped = gauge("unmapped_units", "Units with no Brivo group (neither mapped nor found by name).", "property")
	p.unlisted = gauge("audit_unlisted_users", "Residents the last audit did not find under the property tag (a blind audit): found by external id, tag repaired.", "property")
	p.workers = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "live_workers",
		Help: "Workers holding a lease of the Brivo budget (BRIVO_REQUESTS_PER_SECOND), as the BrivoBudget workflow last answered this one."})
	p.entrataCalls = counter("entrata_calls_total", "Entrata API calls by service, method and outcome.", "service", "method", "outcome")
	p.brivoCalls = counter("brivo_calls_total", "Brivo API calls by HTTP method, path template, outcome and purpose (transition, new-resident, audit-read, audit-repair, ...).", "method", "path", "outcome", "purpose")
	p.lastSync = newAgeCollector(now,
		prometheus.NewDesc(ns+"_seconds_since_last_sync", "Seconds since the property's last successful reconciliation.", []string{"property"}, nil),
		prometheus.NewDesc(ns+"_last_sync_timestamp_seconds", "Unix time of the property's last successful reconciliation.", []string{"property"}, nil))
	p.lastAudit = newAgeCollector(now,
		prometheus.NewDesc(ns+"_oldest_unverified_seconds", "Age of the property's oldest unverified Brivo record: seconds since its last audit began reading Brivo. Above SYNC_AUDIT_INTERVAL, audits are falling behind the Brivo budget.", []string{"property"}, nil),
		prometheus.NewDesc(ns+"_last_audit_timestamp_seconds", "Unix time at which the property's last completed audit began reading Brivo.", []string{"property"}, nil))
	for _, c := range []prometheus.Collector{p.grants, p.revocations, p.problems, p.heldRevocations, p.unmapped, p.unlisted, p.workers, p.entrataCalls, p.brivoCalls, p.lastSync, p.lastAudit} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Grants counts n access grants applied for a property.
func (m *Metrics) Grants(propertyID string, n int) {
	if m != nil && n >= 0 {
		// A zero still creates the property's series, so a scrape shows
		// 0 rather than nothing for a property with nothing to do yet.
		m.grants.WithLabelValues(propertyID).Add(float64(n))
	}
}

// Revocations counts n access revocations applied for a property.
func (m *Metrics) Revocations(propertyID string, n int) {
	if m != nil && n >= 0 {
		// A zero still creates the property's series, so a scrape shows
		// 0 rather than nothing for a property with nothing to do yet.
		m.revocations.WithLabelValues(propertyID).Add(float64(n))
	}
}

// Problems counts n Entrata records of a property that could not be turned
// into access.
func (m *Metrics) Problems(propertyID string, n int) {
	if m != nil && n >= 0 {
		// A zero still creates the property's series, so a scrape shows
		// 0 rather than nothing for a property with nothing to do yet.
		m.problems.WithLabelValues(propertyID).Add(float64(n))
	}
}

// HeldRevocations sets how many revocations the mass-revocation guard is
// holding for a property.
func (m *Metrics) HeldRevocations(propertyID string, n int) {
	if m != nil {
		m.heldRevocations.WithLabelValues(propertyID).Set(float64(n))
	}
}

// UnmappedUnits sets how many of a property's units have no Brivo group.
func (m *Metrics) UnmappedUnits(propertyID string, n int) {
	if m != nil {
		m.unmapped.WithLabelValues(propertyID).Set(float64(n))
	}
}

// Workers sets the number of live workers sharing the Brivo budget.
func (m *Metrics) Workers(n int) {
	if m != nil {
		m.workers.Set(float64(n))
	}
}

// UnlistedUsers sets how many residents a property's last audit did not
// find under its tag.
func (m *Metrics) UnlistedUsers(propertyID string, n int) {
	if m != nil {
		m.unlisted.WithLabelValues(propertyID).Set(float64(n))
	}
}

// EntrataCall counts one Entrata call: service ("leases"), method
// ("getLeases") and outcome ("ok", "rate_limited", "error", ...).
func (m *Metrics) EntrataCall(service, method, outcome string) {
	if m != nil {
		m.entrataCalls.WithLabelValues(service, method, outcome).Inc()
	}
}

// BrivoCall counts one Brivo call. Numeric path segments are replaced by
// "{id}" so the label stays low-cardinality: "/users/42/groups" is
// counted as "/users/{id}/groups". purpose says why the call was made.
func (m *Metrics) BrivoCall(method, path, outcome, purpose string) {
	if m != nil {
		m.brivoCalls.WithLabelValues(method, PathTemplate(path), outcome, purpose).Inc()
	}
}

// SyncSucceeded records a property's last successful reconciliation. The
// gauges last_sync_timestamp_seconds and seconds_since_last_sync are
// computed from it on every scrape.
func (m *Metrics) SyncSucceeded(propertyID string, at time.Time) {
	if m != nil {
		m.lastSync.set(propertyID, at)
	}
}

// AuditCompleted records that a property's audit, begun at started, read
// back every record it owns: the oldest unverified record is as old as that.
func (m *Metrics) AuditCompleted(propertyID string, started time.Time) {
	if m != nil {
		m.lastAudit.set(propertyID, started)
	}
}

// PathTemplate strips the query and replaces numeric path segments with
// "{id}".
func PathTemplate(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if _, err := strconv.ParseUint(s, 10, 64); err == nil {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// ageCollector keeps one instant per property and derives its age at scrape
// time, so the age is never stale.
type ageCollector struct {
	now       func() time.Time
	ageDesc   *prometheus.Desc
	stampDesc *prometheus.Desc
	mu        sync.Mutex
	last      map[string]time.Time
}

func newAgeCollector(now func() time.Time, ageDesc, stampDesc *prometheus.Desc) *ageCollector {
	return &ageCollector{now: now, ageDesc: ageDesc, stampDesc: stampDesc, last: map[string]time.Time{}}
}

func (c *ageCollector) set(propertyID string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at.After(c.last[propertyID]) {
		c.last[propertyID] = at
	}
}

// Describe implements prometheus.Collector.
func (c *ageCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.ageDesc
	ch <- c.stampDesc
}

// Collect implements prometheus.Collector.
func (c *ageCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, at := range c.last {
		age := max(now.Sub(at).Seconds(), 0)
		ch <- prometheus.MustNewConstMetric(c.ageDesc, prometheus.GaugeValue, age, id)
		ch <- prometheus.MustNewConstMetric(c.stampDesc, prometheus.GaugeValue, float64(at.UnixNano())/1e9, id)
	}
}
