//go:build unix

package openapi

import (
	"syscall"
	"time"
)

// processCPUTime returns the user and system CPU time used by the test
// process so far. Timing tests use it instead of wall time because other
// processes on a shared machine stretch wall time but not CPU time.
func processCPUTime() time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
