package failover

// Names turns what events mention into service names.
type Names struct {
	// ByAddr maps "ip:port" to a service.
	ByAddr map[string]string
	// ByID maps a sentinel's myid to its service.
	ByID map[string]string
}

// Addr names the node at "ip:port", or returns a when no node is there.
func (n Names) Addr(a string) string {
	if s, ok := n.ByAddr[a]; ok {
		return s
	}
	return a
}

// ID names the sentinel with myid id, or shortens the id.
func (n Names) ID(id string) string {
	if s, ok := n.ByID[id]; ok {
		return s
	}
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
