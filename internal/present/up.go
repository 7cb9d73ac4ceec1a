package present

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/readiness"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// UpView is what up says as JSON.
type UpView struct {
	Lab          string            `json:"lab"`
	AlreadyUp    bool              `json:"already_up"`
	Image        string            `json:"image"`
	ImageSource  string            `json:"image_source"`
	Created      []string          `json:"created"`
	Started      []string          `json:"started"`
	Recreated    []string          `json:"recreated"`
	HealthyAfter int64             `json:"healthy_after_ms"`
	Master       *topology.NodeRef `json:"master"`
	Nodes        []nodeLocation    `json:"nodes"`
	// Trouble is what the sentinels did while the lab started, when they
	// did more than watch.
	Trouble         *readiness.Report `json:"trouble,omitempty"`
	TroubleWaitedMS int64             `json:"trouble_waited_ms,omitempty"`
	// Timers are the sentinel periods the lab runs, and what each
	// sentinel ran and was set to.
	Timers timers.Report `json:"timers"`
}

type nodeLocation struct {
	Service   string `json:"service"`
	Role      string `json:"role"`
	Address   string `json:"address"`
	Published string `json:"published"`
}

func locations(l *lab.Lab) []nodeLocation {
	var out []nodeLocation
	for _, n := range l.Topology.Nodes {
		out = append(out, nodeLocation{
			Service: n.Service, Role: string(n.Role), Address: n.Addr.String(),
			Published: fmt.Sprintf("%s:%d", l.Config.Bind, n.HostPort),
		})
	}
	return out
}

// UpJSON is up's result as JSON shows it.
func UpJSON(res *lab.UpResult) UpView {
	l := res.Lab
	return UpView{
		Lab: l.Config.Name, AlreadyUp: res.AlreadyUp, Image: res.Image.Ref, ImageSource: string(res.Image.Source),
		Created: orEmpty(res.Created), Started: orEmpty(res.Started), Recreated: orEmpty(res.Recreated),
		HealthyAfter: res.HealthyAfter.Milliseconds(), Master: upMaster(res), Nodes: locations(l),
		Trouble: res.Trouble, TroubleWaitedMS: res.TroubleWaited.Milliseconds(), Timers: res.Timers,
	}
}

func upMaster(res *lab.UpResult) *topology.NodeRef {
	if !res.Health.HasMaster {
		return nil
	}
	ref := res.Health.Master.Ref()
	return &ref
}

// WriteUp prints what up did, where each node is and what to do next.
func WriteUp(w io.Writer, res *lab.UpResult) {
	l := res.Lab
	master := upMaster(res)
	if res.AlreadyUp {
		fmt.Fprintf(w, "Lab %q is already up and healthy; nothing to do.\n", l.Config.Name)
	} else {
		fmt.Fprintf(w, "Lab %q is up and healthy, %s after its containers started (%s in all).\n", l.Config.Name,
			res.HealthyAfter.Round(10*time.Millisecond), res.Took.Round(10*time.Millisecond))
	}
	if master != nil {
		fmt.Fprintf(w, "Master: %s at %s (sentinels monitor it as %q)\n", master.Service, master.Address, l.Config.MasterName)
	}
	fmt.Fprintf(w, "Timers: %s\n", timersText(l.Config.Timers, English))
	if res.Trouble != nil {
		fmt.Fprintln(w, "The sentinels had trouble while the lab started:")
		for _, line := range res.Trouble.Describe(l.Config.DownAfter) {
			fmt.Fprintf(w, "  - %s\n", line)
		}
		if res.TroubleWaited > 0 {
			fmt.Fprintf(w, "  up waited %s for them to be able to fail over again.\n", res.TroubleWaited.Round(100*time.Millisecond))
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nNODE\tCREATED AS\tIN-NETWORK\tON THIS HOST")
	for _, n := range locations(l) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n.Service, n.Role, n.Address, n.Published)
	}
	tw.Flush()
	if l.Config.Auth {
		fmt.Fprintf(w, "\nAuth is on; the password is in %s (sentinel-lab config --show-secrets).\n", l.Dir.Rel(l.Dir.PasswordFile()))
	}
	fmt.Fprintln(w, "Next: sentinel-lab status, sentinel-lab kill-master")
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
