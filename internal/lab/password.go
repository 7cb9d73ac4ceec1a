package lab

import (
	"fmt"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
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
