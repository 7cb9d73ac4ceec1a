// Package configs holds the templates sentinel-lab renders into a lab
// directory. They are embedded so the binary works in an empty directory.
package configs

import "embed"

// Templates holds every *.tmpl file of this directory.
//
//go:embed *.tmpl
var Templates embed.FS
