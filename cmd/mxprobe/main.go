// Command mxprobe diagnoses e-mail deliverability. All logic lives in internal/.
package main

import "github.com/mxprobe/mxprobe/internal/cli"

func main() { cli.Main() }
