package lab

import (
	"fmt"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// keptPassword reads .sentinel-lab/password ("" when there is none) and
// holds it to the rule every password obeys: a hand-edited file must not
// carry conf lines into the confs, nor be sent as a login.
func keptPassword(dir labdir.Dir) (string, error) {
	pw, err := dir.ReadPassword()
	if err != nil || pw == "" {
		return pw, err
	}
	if p := config.PasswordProblem(pw); p != "" {
		return "", &config.Error{Problems: []string{fmt.Sprintf("%s (%s)", p, dir.Rel(dir.PasswordFile()))}}
	}
	return pw, nil
}

// PasswordSource says where the lab password comes from, for `config`.
func (l *Lab) PasswordSource() string {
	file := l.Dir.Rel(l.Dir.PasswordFile())
	switch {
	case !l.Config.Auth:
		return "auth is off"
	case l.PasswordPending():
		return "generated, to be kept in " + file
	case l.Config.Password != "":
		return l.Config.Sources["password"].String()
	}
	return file
}

// wrongPassword fails up at once when a node refuses the lab password: its
// conf holds another one (the password file was edited or replaced), and
// waiting does not change that.
func wrongPassword(l *Lab, s probe.Snapshot) error {
	var who []string
	for _, n := range s.Nodes {
		if strings.Contains(n.Error, "WRONGPASS") {
			who = append(who, n.Service)
		}
	}
	for _, v := range s.Sentinels {
		if strings.Contains(v.Error, "WRONGPASS") {
			who = append(who, v.Service)
		}
	}
	if len(who) == 0 {
		return nil
	}
	verb, confs := "refuses", "its conf under data/ holds"
	if len(who) > 1 {
		verb, confs = "refuse", "their confs under data/ hold"
	}
	return fmt.Errorf("%s %s the lab password (WRONGPASS): %s another one than %s; put back the password the confs hold, or start afresh with `sentinel-lab down --volumes`",
		strings.Join(who, ", "), verb, confs, l.Dir.Rel(l.Dir.PasswordFile()))
}
