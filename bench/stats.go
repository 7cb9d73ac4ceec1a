package main

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// median of xs; 0 for none. An even count gives the mean of the middle two.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// percentile is the nearest-rank p-th percentile (0 < p <= 1) of xs, the
// definition `sentinel-lab soak` uses: the smallest value with at least p
// of the values at or below it. 0 for none. With 10 values p95 is the
// largest.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// medianDuration is median over durations.
func medianDuration(ds []time.Duration) time.Duration {
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = float64(d)
	}
	return time.Duration(median(xs))
}

// pairRatios divides each measured value by the baseline run next to it.
// Pairs where either side failed (nil) are left out, so a failure never
// turns into a flattering or unflattering ratio.
func pairRatios(measured, baseline []*time.Duration) []float64 {
	var out []float64
	for i := range measured {
		if i >= len(baseline) || measured[i] == nil || baseline[i] == nil || *baseline[i] <= 0 {
			continue
		}
		out = append(out, float64(*measured[i])/float64(*baseline[i]))
	}
	return out
}

// seconds formats a duration for the tables: seconds with two decimals.
func seconds(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }
