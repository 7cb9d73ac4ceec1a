// Package present is everything sentinel-lab shows a person: the text of
// every command's output, the HTML failover report, and one table of the
// phrases both use, in English and in Chinese for the seed document's
// readers. The domain packages produce data only; nothing else writes text
// for people.
package present

import "fmt"

// Lang is the language of explanations.
type Lang string

// The languages explanations exist in: English, and Chinese for the seed
// document's readers.
const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// ParseLang accepts "en" and "zh".
func ParseLang(s string) (Lang, error) {
	switch Lang(s) {
	case English, Chinese:
		return Lang(s), nil
	}
	return "", fmt.Errorf("language %q is not available; use --lang en or --lang zh", s)
}
