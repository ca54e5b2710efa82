package activities

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// Application error types the workflows react to.
const (
	// ErrTypePlanNotCached: the worker that runs ApplyPlan does not hold the
	// plan; the workflow fetches again.
	ErrTypePlanNotCached = "PlanNotCached"
	ErrTypeRateLimited   = "RateLimited"
	ErrTypePermanent     = "PermanentAPIError"
)

func permanent(typ string, err error) error {
	return temporal.NewNonRetryableApplicationError(err.Error(), typ, nil)
}

// entrataError turns an Entrata client error into the error Temporal should
// see: rate limits retry after the server's reset time, permanent errors are
// not retried, everything else follows the retry policy.
func entrataError(call string, err error) error {
	err = fmt.Errorf("entrata %s: %w", call, err)
	if d, ok := entrata.RetryAfter(err); ok {
		return temporal.NewApplicationErrorWithOptions(err.Error(), ErrTypeRateLimited,
			temporal.ApplicationErrorOptions{NextRetryDelay: d})
	}
	if entrata.IsPermanent(err) {
		return permanent(ErrTypePermanent, err)
	}
	return err
}

// brivoError does the same for Brivo client errors.
func brivoError(call string, err error) error {
	err = fmt.Errorf("brivo %s: %w", call, err)
	if d, ok := brivo.RetryAfter(err); ok && brivo.IsRetryable(err) {
		return temporal.NewApplicationErrorWithOptions(err.Error(), ErrTypeRateLimited,
			temporal.ApplicationErrorOptions{NextRetryDelay: d})
	}
	if brivo.IsPermanent(err) {
		return permanent(ErrTypePermanent, err)
	}
	return err
}

// errPlanNotCached is returned when ApplyPlan finds no plan for the property.
func errPlanNotCached(propertyID string) error {
	return temporal.NewNonRetryableApplicationError(
		"plan for property "+propertyID+" is not in this worker's memory", ErrTypePlanNotCached, nil)
}

// isAccountWide reports whether a Brivo error stops the whole batch (bad
// credentials, an API that is down) rather than just one resident's change.
func isAccountWide(err error) bool {
	var gl *brivo.GroupLimitError
	if errors.As(err, &gl) || errors.Is(err, brivo.ErrNoPassesLeft) || errors.Is(err, errNotKept) {
		return false
	}
	var er *brivo.ErrorResponse
	if errors.As(err, &er) {
		// 400/404/409 concern one record; auth, rate limits and 5xx do not.
		return er.StatusCode == 401 || er.StatusCode == 403 || er.StatusCode == 429 || er.StatusCode >= 500
	}
	return true // transport errors
}
