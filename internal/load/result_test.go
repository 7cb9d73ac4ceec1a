package load

import (
	"reflect"
	"testing"
	"time"
)

// run builds a write history: one write every 10 ms from -100 ms, failing
// in [failFrom, failTo) ms relative to the fault.
func run(failFrom, failTo, until int) ([]write, time.Time) {
	fault := time.Unix(1000, 0)
	var ws []write
	for i, ms := int64(1), -100; ms < until; i, ms = i+1, ms+10 {
		w := write{seq: i, sent: fault.Add(time.Duration(ms) * time.Millisecond)}
		if ms >= failFrom && ms < failTo {
			w.errClass = "timeout"
		} else {
			w.acked = w.sent.Add(time.Millisecond)
		}
		ws = append(ws, w)
	}
	return ws, fault
}

func TestSummarizeOutage(t *testing.T) {
	ws, fault := run(0, 2000, 3000)
	var r Result
	r.summarize(ws, fault)
	if r.Attempted != 310 || r.Failed != 200 || r.Acked != 110 || r.Failures["timeout"] != 200 {
		t.Errorf("attempted %d acked %d failed %d (%v)", r.Attempted, r.Acked, r.Failed, r.Failures)
	}
	// Last ack before the fault: sent at -10 ms; first after: sent at 2000.
	if !r.Recovered || r.OutageMS != 2010 || r.OutageStartMS != -9 || r.OutageEndMS != 2001 {
		t.Errorf("outage %d ms from %d to %d, want 2010 from -9 to 2001", r.OutageMS, r.OutageStartMS, r.OutageEndMS)
	}
	if r.LongestGapMS != 2010 {
		t.Errorf("longest gap %d", r.LongestGapMS)
	}
	// 100 ms buckets: 10 writes each; the outage buckets hold failures.
	if len(r.Series) != 31 || r.Series[0].TMS != -100 || r.Series[0].Acked != 10 || r.Series[5].Failed != 10 || r.Series[5].Acked != 0 {
		t.Errorf("series %d points, first %+v, sixth %+v", len(r.Series), r.Series[0], r.Series[5])
	}
}

// A gap before the fault is not the outage: the outage is the longest gap
// that ends after the fault took effect.
func TestOutageIgnoresGapsBeforeTheFault(t *testing.T) {
	ws, fault := run(-80, -40, 500)
	var r Result
	r.summarize(ws, fault)
	if r.OutageMS != 10 || r.LongestGapMS != 50 {
		t.Errorf("outage %d, longest gap %d; want 10 and 50", r.OutageMS, r.LongestGapMS)
	}
}

// A client that never wrote again after the fault has an open outage,
// reported as a lower bound, never as 0 ms.
func TestOutageThatNeverEnded(t *testing.T) {
	ws, fault := run(0, 3000, 3000)
	var r Result
	r.summarize(ws, fault)
	if r.Recovered || r.OutageMS != 2999 || r.OutageStartMS != -9 || r.OutageEndMS != 2990 {
		t.Errorf("recovered %v, outage %d ms from %d to %d; want an open outage of 2999 ms from -9 to 2990", r.Recovered, r.OutageMS, r.OutageStartMS, r.OutageEndMS)
	}
}

func TestRangesRoundTrip(t *testing.T) {
	seqs := []int64{9, 1, 2, 3, 5, 12, 13}
	got := Ranges(seqs)
	if want := []string{"1-3", "5", "9", "12-13"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Ranges = %v, want %v", got, want)
	}
	back, err := ParseRanges(got)
	if err != nil || !reflect.DeepEqual(back, []int64{1, 2, 3, 5, 9, 12, 13}) {
		t.Errorf("ParseRanges = %v, %v", back, err)
	}
	if len(Ranges(nil)) != 0 {
		t.Error("no sequence numbers must give no ranges")
	}
	if _, err := ParseRanges([]string{"3-x"}); err == nil {
		t.Error("a bad range parsed")
	}
}

func TestIsolatedResultCountsRefusals(t *testing.T) {
	fault := time.Unix(1000, 0)
	s := &stream{prefix: "p:isolated"}
	for i := int64(1); i <= 10; i++ {
		w := write{seq: i, sent: fault.Add(time.Duration(i) * 100 * time.Millisecond)}
		if i <= 4 {
			w.acked = w.sent.Add(time.Millisecond)
		} else {
			w.errClass = "NOREPLICAS"
		}
		s.writes = append(s.writes, w)
	}
	iso := isolatedResult(s, fault)
	if iso.Attempted != 10 || iso.Acked != 4 || iso.Refused != 6 || iso.LastAckMS != 401 ||
		!reflect.DeepEqual(iso.AckedRanges, []string{"1-4"}) {
		t.Errorf("%+v", iso)
	}
}

func TestClassify(t *testing.T) {
	for err, want := range map[string]string{
		"NOREPLICAS Not enough good replicas to write.":         "NOREPLICAS",
		"READONLY You can't write against a read only replica.": "READONLY",
		"dial tcp 1.2.3.4:6379: connect: connection refused":    "refused",
		"read tcp: connection reset by peer":                    "connection lost",
	} {
		if got := classify(errString(err)); got != want {
			t.Errorf("classify(%q) = %q, want %q", err, got, want)
		}
	}
	if classify(nil) != "" {
		t.Error("no error must classify as acknowledged")
	}
}

type errString string

func (e errString) Error() string { return string(e) }
