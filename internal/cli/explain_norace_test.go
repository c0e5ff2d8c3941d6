//go:build !race

package cli

const explainRaceEnabled = false
