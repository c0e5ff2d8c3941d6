//go:build race

package cli

// explainRaceEnabled shortens the large --lines test under the race detector.
const explainRaceEnabled = true
