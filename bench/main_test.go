package main

import (
	"strings"
	"testing"
)

func TestSelectSections(t *testing.T) {
	all, err := selectSections("")
	if err != nil || len(all) != len(sections) {
		t.Fatalf("selectSections(\"\") = %d sections, %v; want all %d", len(all), err, len(sections))
	}
	one, err := selectSections(" startup ")
	if err != nil || len(one) != 1 || one[0].name != "startup" {
		t.Fatalf("selectSections(startup) = %v, %v", one, err)
	}
	if _, err := selectSections("startup,nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("an unknown section should be named in the error, got %v", err)
	}
}
