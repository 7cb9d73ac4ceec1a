package main

import (
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []float64
		want float64
	}{
		{"none", nil, 0},
		{"one", []float64{3}, 3},
		{"odd count, unsorted", []float64{5, 1, 3}, 3},
		{"even count: mean of the middle two", []float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("%s: median(%v) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
	in := []float64{3, 1, 2}
	median(in)
	if in[0] != 3 || in[1] != 1 {
		t.Errorf("median sorted its argument in place: %v", in)
	}
}

func TestMedianDuration(t *testing.T) {
	got := medianDuration([]time.Duration{3 * time.Second, time.Second, 2 * time.Second})
	if got != 2*time.Second {
		t.Errorf("medianDuration = %v, want 2s", got)
	}
}

func TestPairRatiosSkipFailedRuns(t *testing.T) {
	d := func(s float64) *time.Duration { v := time.Duration(s * float64(time.Second)); return &v }
	measured := []*time.Duration{d(1), nil, d(3), d(2)}
	baseline := []*time.Duration{d(2), d(4), nil, d(4)}
	got := pairRatios(measured, baseline)
	want := []float64{0.5, 0.5}
	if len(got) != len(want) {
		t.Fatalf("pairRatios = %v, want %v (a pair with a failed side is left out)", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pairRatios[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	ten := []float64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5}
	for _, tc := range []struct {
		name string
		in   []float64
		p    float64
		want float64
	}{
		{"none", nil, 0.5, 0},
		{"one", []float64{7}, 0.95, 7},
		{"p50 of ten is the fifth, not a mean", ten, 0.50, 5},
		{"p95 of ten is the largest", ten, 0.95, 10},
		{"p95 of twenty is the nineteenth", seq(20), 0.95, 19},
		{"p50 of twenty is the tenth", seq(20), 0.50, 10},
		{"p100 is the largest", ten, 1, 10},
	} {
		if got := percentile(tc.in, tc.p); got != tc.want {
			t.Errorf("%s: percentile(%v, %v) = %v, want %v", tc.name, tc.in, tc.p, got, tc.want)
		}
	}
	if ten[0] != 10 {
		t.Errorf("percentile sorted its argument in place: %v", ten)
	}
}

// seq is 1..n.
func seq(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i + 1)
	}
	return out
}
