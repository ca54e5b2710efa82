//go:build race

package entrata_test

// raceEnabled: the race detector slows the pipeline test about tenfold.
const raceEnabled = true
