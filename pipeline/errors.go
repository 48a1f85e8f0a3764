package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/fetch"
)

// StageError is a failed attempt with the facts a user needs: a message for
// error_message and details for error_details.
type StageError struct {
	Message string
	Details gnd.ErrorDetails
	Err     error
}

func (e *StageError) Error() string { return e.Message }
func (e *StageError) Unwrap() error { return e.Err }

// Permanent marks err as one that cannot succeed on retry (an invalid spec,
// an unsupported source type).
func Permanent(err error) error {
	var se *StageError
	if errors.As(err, &se) {
		se.Details.Retryable = false
		return se
	}
	return &StageError{Message: err.Error(), Err: err, Details: gnd.ErrorDetails{Retryable: false}}
}

// Classify turns any stage error into a *StageError for the given stage.
// Fetch errors keep their URL and status code; errors are retryable unless
// marked otherwise.
func Classify(stage gnd.Stage, err error) *StageError {
	var se *StageError
	if errors.As(err, &se) {
		if se.Details.Stage == "" {
			se.Details.Stage = stage
		}
		return se
	}
	out := &StageError{Message: err.Error(), Err: err, Details: gnd.ErrorDetails{Stage: stage, Retryable: true, Cause: err.Error()}}
	var status *fetch.StatusError
	var tooLarge *fetch.TooLargeError
	switch {
	case errors.As(err, &status):
		out.Message = status.Error()
		out.Details.URL, out.Details.StatusCode, out.Details.Retryable = status.URL, status.StatusCode, status.Retryable()
		out.Details.Cause = ""
	case errors.As(err, &tooLarge):
		out.Details.URL, out.Details.Retryable = tooLarge.URL, false
	case errors.Is(err, fetch.ErrBlockedAddress), errors.Is(err, fetch.ErrTooManyRedirects):
		out.Details.Retryable = false
	case errors.Is(err, context.DeadlineExceeded):
		out.Message = fmt.Sprintf("%s timed out: %v", stage, err)
	}
	return out
}

// errUnsupported is the error of a source type that has no pipeline yet.
func errUnsupported(s *gnd.Source) error {
	return &StageError{
		Message: fmt.Sprintf("Source type %q is not supported yet: this server cannot sync it", s.Key()),
		Details: gnd.ErrorDetails{Stage: gnd.StageFetch, Retryable: false, Cause: "unsupported source type"},
	}
}
