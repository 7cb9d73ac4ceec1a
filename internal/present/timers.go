package present

import (
	"fmt"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/timers"
)

// timersText says which periods a lab runs: "fast (info-period 500 ms,
// ping-period 300 ms, ...; set with SENTINEL DEBUG)" or "normal
// (Sentinel's own periods)".
func timersText(m timers.Mode, lang Lang) string {
	if m == "" {
		return ""
	}
	if m != timers.Fast {
		return tr(lang, "timersNormal", m)
	}
	var parts []string
	for _, s := range m.Settings() {
		parts = append(parts, fmt.Sprintf("%s %d ms", s.Option, s.MS))
	}
	return tr(lang, "timersFast", m, strings.Join(parts, ", "))
}
