package export

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
)

// Masked replaces a secret in what an export writes.
const Masked = "********"

// Masker replaces a secret wherever it appears, as it is and in the escaped
// forms JSON and Redis's own conf rewrite give it, so a password with
// quotes or backslashes is masked in inspect JSON and sentinel.conf too.
type Masker struct {
	forms [][]byte
}

// NewMasker masks secret; an empty secret (auth off) masks nothing.
func NewMasker(secret string) *Masker {
	m := &Masker{}
	if secret == "" {
		return m
	}
	add := func(s string) {
		for _, f := range m.forms {
			if string(f) == s {
				return
			}
		}
		if s != "" {
			m.forms = append(m.forms, []byte(s))
		}
	}
	add(secret)
	js, _ := json.Marshal(secret)
	add(string(js[1 : len(js)-1]))
	// HTML-safe JSON (<, >, & as \u003c...) is what encoding/json writes by default.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(secret)
	raw := bytes.TrimSpace(buf.Bytes())
	add(string(raw[1 : len(raw)-1]))
	q := strconv.Quote(secret)
	add(q[1 : len(q)-1])
	// Longest first: an escaped form may contain the plain one.
	sort.SliceStable(m.forms, func(i, j int) bool { return len(m.forms[i]) > len(m.forms[j]) })
	return m
}

// Mask returns b with every form of the secret replaced.
func (m *Masker) Mask(b []byte) []byte {
	for _, f := range m.forms {
		b = bytes.ReplaceAll(b, f, []byte(Masked))
	}
	return b
}
