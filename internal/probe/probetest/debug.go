package probetest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/server"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// sentinelDefaults are what SENTINEL DEBUG lists on a sentinel that was
// never told otherwise (Redis 7.0's defaults).
var sentinelDefaults = map[string]int64{
	"info-period": 10000, "ping-period": 1000, "ask-period": 1000, "publish-period": 2000,
	"default-down-after": 30000, "default-failover-timeout": 180000, "tilt-trigger": 2000,
	"tilt-period": 30000, "slave-reconf-timeout": 10000, "min-link-reconnect-period": 15000,
	"election-timeout": 10000, "script-max-runtime": 60000, "script-retry-delay": 30000,
}

// errNoDebug is what Redis 6.2 answers to SENTINEL DEBUG.
var errNoDebug = errors.New("ERR Unknown subcommand or wrong number of arguments for 'DEBUG'. Try SENTINEL HELP.")

// Restart makes sentinels answer again as freshly started processes: the
// periods SENTINEL DEBUG set are gone, as in a real restart.
func (s *State) Restart(sentinels ...string) {
	for _, name := range sentinels {
		sn := s.sentinel(name)
		sn.down, sn.debug = false, nil
	}
}

// Debug is the value of one SENTINEL DEBUG option on a sentinel now.
func (s *State) Debug(sentinel, option string) int64 {
	if v, ok := s.sentinel(sentinel).debug[option]; ok {
		return v
	}
	return sentinelDefaults[option]
}

// isSentinelDebug tells a SENTINEL DEBUG call to a sentinel, which the
// model answers itself.
func isSentinelDebug(n topology.Node, args []any) bool {
	return n.IsSentinel() && len(args) >= 2 && strings.EqualFold(fmt.Sprint(args[0]), "SENTINEL") && strings.EqualFold(fmt.Sprint(args[1]), "DEBUG")
}

// sentinelDebug answers SENTINEL DEBUG as Redis 7 does: without options
// the list of every option and value (RESP2: names and values in turn),
// with options OK once each is set; the caller holds mu.
func (s *State) sentinelDebug(name string, opts []any) (any, error) {
	if !s.server.Has(server.SentinelDebug) {
		return nil, errNoDebug
	}
	sn := s.sentinel(name)
	if len(opts) == 0 {
		var out []any
		for _, k := range debugOrder {
			out = append(out, strings.ToUpper(k), s.Debug(name, k))
		}
		return out, nil
	}
	if len(opts)%2 != 0 {
		return nil, fmt.Errorf("ERR Unknown option or number of arguments for SENTINEL DEBUG '%v'", opts[len(opts)-1])
	}
	set := map[string]int64{}
	for i := 0; i < len(opts); i += 2 {
		k := strings.ToLower(fmt.Sprint(opts[i]))
		if _, ok := sentinelDefaults[k]; !ok {
			return nil, fmt.Errorf("ERR Unknown option or number of arguments for SENTINEL DEBUG '%s'", k)
		}
		v, err := strconv.ParseInt(fmt.Sprint(opts[i+1]), 10, 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("ERR Invalid argument '%v' for SENTINEL DEBUG '%s'", opts[i+1], k)
		}
		set[k] = v
	}
	if sn.debug == nil {
		sn.debug = map[string]int64{}
	}
	for k, v := range set {
		sn.debug[k] = v
	}
	return "OK", nil
}

var debugOrder = []string{"info-period", "ping-period", "ask-period", "publish-period", "default-down-after",
	"default-failover-timeout", "tilt-trigger", "tilt-period", "slave-reconf-timeout", "min-link-reconnect-period",
	"election-timeout", "script-max-runtime", "script-retry-delay"}
