// Package entrata is a client for the Entrata property-management API, the
// source of everything the product knows about residents.
//
// It speaks both hosts Entrata runs: the gateway
// (https://apis.entrata.com/ext/orgs/{org}/v1, X-Api-Key, auth.type=apikey)
// and the legacy per-client host (https://{domain}.entrata.com/api/v1, HTTP
// Basic, auth.type=basic). Every call is one POST of a JSON envelope to
// base+"/"+service and goes through one request path (Client.do), one
// response check (checkResponse) and typed errors (*ErrorResponse,
// *RateLimitError, *AuthError, *TransportError) usable with errors.As.
//
// Decoding is lenient about Entrata's quirks (string/number flips, 0/1, "0"/"1"
// and "t"/"f" flags, XML-shaped wrappers holding one object or an array,
// "@attributes", PascalCase results, units keyed by id) and strict about
// meaning: a lease whose required fields are missing or impossible comes back
// as a RecordProblem naming the record, the field and the reason, while the
// rest of the page still decodes.
//
// Secrets (the API key, the password) never appear in error strings, log
// lines or String output; neither do residents' names, e-mails or phones.
package entrata
