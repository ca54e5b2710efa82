// Package entratasim is an in-memory Entrata that behaves the way the real
// API does, quirks included, for tests, benchmarks and the demo sandbox.
//
// A *Server (New) is an http.Handler, used unchanged by tests (httptest)
// and by a binary (ListenAndServe). It serves
//
//	POST {anything}/ext/orgs/{org}/v1/{service}   gateway: X-Api-Key, auth.type "apikey"
//	POST {anything}/api/v1/{service}              legacy:  HTTP Basic, auth.type "basic"
//
// for the services status (getStatus), properties (getProperties),
// propertyunits (getPropertyUnits) and leases (getLeases r2,
// getExpiringLeases), over a portfolio of properties, units with unit
// spaces, and leases with customers and intervals, all behind one mutex.
//
// Output follows the real API: PascalCase getProperties, XML-shaped
// wrappers that hold a lone object instead of a one-item array (customers,
// lease intervals, unit spaces, and the lease list of a one-lease page),
// lease ids as strings and customer ids as numbers, unitId and
// isMonthToMonth flipping between string and number, MM/DD/YYYY dates,
// "t"/"f" flags, requestId echoed as a string, x-ratelimit-limit,
// -remaining and -reset on every response from real per-service windows
// that count down (HTTP 429 when one is used up), page_no/per_page paging
// with X-Total-Count and Link, getLeases defaulting to Current and Notice.
//
// Errors use Entrata's envelope {"response":{"requestId":..,"error":{"code":..,"message":..}}}:
// bad credentials HTTP 401 code 401; a bad or missing param HTTP 200 code
// 301 ("Invalid parameter: propertyId is required."); an unknown method
// HTTP 200 code 302; a rate limit HTTP 429 code 429. Codes other than 301
// are the simulator's choice: the real ones are not documented.
//
// # Control API
//
// JSON over HTTP under /_sim/, which cannot collide with Entrata's paths.
// Dates are "YYYY-MM-DD" (or MM/DD/YYYY). Errors answer {"error": "..."}.
//
//	GET    /_sim/portfolio                       the portfolio (Portfolio as JSON)
//	POST   /_sim/portfolio                       load/replace it (same JSON)
//	POST   /_sim/generate                        {"seed":1,"properties":3,"units":40}
//	POST   /_sim/leases/{propertyId}             upsert one lease (entrata.Lease JSON); returns it with ids
//	DELETE /_sim/leases/{propertyId}/{leaseId}   delete a lease
//	POST   /_sim/notice                          {"propertyId","leaseId","date"}   notice to move out on date
//	POST   /_sim/withdraw-notice                 {"propertyId","leaseId"}
//	POST   /_sim/renew                           {"propertyId","leaseId","start","end"}
//	POST   /_sim/transfer                        {"propertyId","leaseId","toUnitId","date"} -> {"leaseId": new id}
//	POST   /_sim/cancel-customer                 {"propertyId","leaseId","customerId"}
//	POST   /_sim/customers                       {"propertyId","leaseId","customer":{...}} -> {"customerId"}
//	POST   /_sim/move-in                         {"propertyId","leaseId"}          Future -> Current
//	POST   /_sim/move-out                        {"propertyId","leaseId","date"}   -> Past
//	POST   /_sim/faults                          {"service":"leases","fault":{"failNext":2,"status":503}}
//	DELETE /_sim/faults                          clear every fault
//	GET    /_sim/calls                           {"leases/getLeases": 3, ...}
//	POST   /_sim/empty                           {"propertyId":"100","empty":true}  getLeases answers no leases
//	POST   /_sim/now                             {"offset":"48h"}  shift the simulated clock
//
// Fault fields: failNext, status (500 or 503), errorEnvelopeNext, errorCode,
// latency (nanoseconds), exhaustRateLimit, malformedNext; see Fault.
package entratasim
