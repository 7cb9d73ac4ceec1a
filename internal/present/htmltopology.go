package present

import (
	"fmt"
	"math"
	"sort"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
)

// topoView is one picture of who replicates whom: the master on top, the
// other data nodes below with an arrow to what they follow, the sentinels
// at the bottom.
type topoView struct {
	Title         string
	Width, Height float64
	Nodes         []topoBox
	Links         []topoLink
	Sentinels     []topoBox
	SentinelsY    float64
	SentinelLabel string
}

type topoBox struct {
	X, Y, W, H       float64
	CX               float64
	Service, Address string
	Role, Class      string
}

type topoLink struct {
	X1, Y1, X2, Y2 float64
	Head           string // arrowhead polygon points
	Label          string
	LX, LY         float64
	Class          string
}

const (
	topoW       = 560
	topoBoxW    = 170
	topoBoxH    = 54
	topoMasterY = 14
	topoRowY    = 150
	topoSentY   = 248
)

// topologies draws the lab before the fault (the old master and the
// replicas following it) and after the failover (the new master, the
// replicas that followed it with their resync, the faulted old master).
func topologies(r *failover.Report, lang Lang) (before, after topoView) {
	var data []string
	for _, n := range r.Nodes {
		data = append(data, n.Service)
	}
	addr := map[string]string{r.OldMaster.Service: r.OldMaster.Address, r.NewMaster.Service: r.NewMaster.Address}
	for _, n := range r.Nodes {
		addr[n.Service] = n.Address
		if n.Announced != "" { // the box has room for one: what clients are handed
			addr[n.Service] = n.Announced
		}
	}
	if len(data) == 0 { // a report saved before Nodes existed
		data = append(data, r.OldMaster.Service, r.NewMaster.Service)
		for _, rs := range r.Resyncs {
			data = append(data, rs.Service)
		}
	}
	var sentinels []string
	for _, s := range r.Sentinels {
		sentinels = append(sentinels, s.Service)
	}
	if len(sentinels) == 0 {
		sentinels = append([]string{r.Leader}, r.Followers...)
		sort.Strings(sentinels)
	}
	resync := map[string]string{}
	for _, rs := range r.Resyncs {
		resync[rs.Service] = rs.Resync
	}

	var others []string
	for _, s := range data {
		if s != r.OldMaster.Service {
			others = append(others, s)
		}
	}
	before = topoView{Title: tr(lang, "before")}
	master := box(r.OldMaster.Service, addr, tr(lang, "roleMaster"), "master")
	row := make([]topoBox, len(others))
	for i, s := range others {
		row[i] = box(s, addr, tr(lang, "roleReplica"), "replica")
	}
	before.place(master, row)
	for _, b := range before.Nodes[1:] {
		before.link(b, before.Nodes[0], tr(lang, "replicates"), "")
	}
	before.sentinels(sentinels, "", lang)

	after = topoView{Title: tr(lang, "after")}
	master = box(r.NewMaster.Service, addr, tr(lang, "roleMaster"), "master new")
	row = row[:0]
	var follows []bool
	for _, s := range data {
		switch {
		case s == r.NewMaster.Service:
			continue
		case s == r.OldMaster.Service:
			row = append(row, box(s, addr, faultedRole(lang, r.Mode), "down"))
			follows = append(follows, false)
		case resync[s] != "":
			row = append(row, box(s, addr, tr(lang, "roleReplica"), "replica"))
			follows = append(follows, true)
		default:
			row = append(row, box(s, addr, tr(lang, "roleUnknown"), "unknown"))
			follows = append(follows, false)
		}
	}
	after.place(master, row)
	for i, b := range after.Nodes[1:] {
		if follows[i] {
			kind := resync[b.Service]
			after.link(b, after.Nodes[0], resyncShort(lang, kind), "resync-"+kind)
		}
	}
	after.sentinels(sentinels, r.Leader, lang)
	return before, after
}

// faultedRole says what the old master is after the failover: a
// disconnected one is not down, it still acts as a master on its side.
func faultedRole(lang Lang, m fault.Mode) string {
	return trNamed(lang, "faulted", string(m), tr(lang, "roleDown")+": "+string(m))
}

func box(service string, addr map[string]string, role, class string) topoBox {
	return topoBox{Service: service, Address: addr[service], Role: role, Class: class}
}

// place puts the master centred on top and the row evenly below it.
func (t *topoView) place(master topoBox, row []topoBox) {
	t.Width = topoW
	master.W, master.H = topoBoxW, topoBoxH
	master.X, master.Y = (topoW-topoBoxW)/2, topoMasterY
	master.CX = master.X + master.W/2
	t.Nodes = append(t.Nodes, master)
	n := float64(len(row))
	if n == 0 {
		return
	}
	gap := 14.0
	w := math.Min(topoBoxW, (topoW-20-(n-1)*gap)/n)
	x := (topoW - (n*w + (n-1)*gap)) / 2
	for _, b := range row {
		b.W, b.H, b.X, b.Y = w, topoBoxH, x, topoRowY
		b.CX = b.X + b.W/2
		t.Nodes = append(t.Nodes, b)
		x += w + gap
	}
}

// link draws an arrow from a replica up to the master it follows.
func (t *topoView) link(from, to topoBox, label, class string) {
	x1, y1 := from.CX, from.Y
	x2, y2 := to.CX, to.Y+to.H
	// Stop short of the master's box so the arrowhead stays visible.
	dx, dy := x2-x1, y2-y1
	l := math.Hypot(dx, dy)
	ux, uy := dx/l, dy/l
	x2, y2 = x2-ux*3, y2-uy*3
	bx, by := x2-ux*10, y2-uy*10
	head := fmt.Sprintf("%.1f,%.1f %.1f,%.1f %.1f,%.1f", x2, y2, bx-uy*5, by+ux*5, bx+uy*5, by-ux*5)
	t.Links = append(t.Links, topoLink{
		X1: round1(x1), Y1: round1(y1), X2: round1(bx), Y2: round1(by), Head: head,
		Label: label, LX: round1(x1 + dx*0.35), LY: round1(y1 + dy*0.35), Class: class,
	})
}

func (t *topoView) sentinels(names []string, leader string, lang Lang) {
	t.SentinelsY = topoSentY
	t.SentinelLabel = tr(lang, "sentinels")
	// Each box fits its text; when they do not fit side by side, they share
	// the width.
	gap, x0 := 10.0, 90.0
	widths, total := make([]float64, len(names)), 0.0
	for i, s := range names {
		text := s
		if s == leader && leader != "" {
			text += " ★ " + tr(lang, "roleLeader")
		}
		widths[i] = math.Max(96, textWidth(text, 11.5)+18)
		total += widths[i] + gap
	}
	scale := math.Min(1, (topoW-x0-10)/math.Max(total, 1))
	x := x0
	for i, s := range names {
		w := widths[i] * scale
		b := topoBox{Service: s, X: round1(x), Y: topoSentY, W: round1(w), H: 26, Class: "sentinel"}
		if s == leader && leader != "" {
			b.Class += " leader"
			b.Role = tr(lang, "roleLeader")
		}
		b.CX = round1(x + w/2)
		t.Sentinels = append(t.Sentinels, b)
		x += w + gap*scale
	}
	t.Height = topoSentY + 26 + 10
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
