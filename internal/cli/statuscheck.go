package cli

import (
	"fmt"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
)

// UnhealthyError ends `status --check` on a lab that is not healthy, so a
// CI step fails (app.Run exits with ExitUnhealthy, 3: the lab was asked,
// unlike 1, where it could not be).
type UnhealthyError struct {
	Lab      string
	Problems []string
}

func (e *UnhealthyError) Error() string {
	return fmt.Sprintf("lab %q is not healthy (status --check): %d problem(s), the first: %s", e.Lab, len(e.Problems), first(e.Problems))
}

func first(list []string) string {
	if len(list) == 0 {
		return "none named"
	}
	return list[0]
}

// checkHealthy is what --check adds to status.
func checkHealthy(check bool, r *lab.Report) error {
	if !check || r.Healthy {
		return nil
	}
	return &UnhealthyError{Lab: r.Lab, Problems: r.Problems}
}
