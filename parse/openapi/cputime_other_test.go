//go:build !unix

package openapi

import "time"

var processStart = time.Now()

// processCPUTime falls back to wall time where getrusage is not available.
func processCPUTime() time.Duration {
	return time.Since(processStart)
}
