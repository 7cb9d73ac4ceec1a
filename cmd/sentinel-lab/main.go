// Command sentinel-lab runs a Redis master/replica/sentinel failover lab.
package main

import "github.com/sentinel-lab/sentinel-lab/internal/app"

func main() { app.Main() }
