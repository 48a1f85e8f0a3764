//go:build !unix

package lexical

import "time"

// processCPUTime reports false because this platform has no getrusage.
func processCPUTime() (time.Duration, bool) { return 0, false }
