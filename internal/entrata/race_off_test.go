//go:build !race

package entrata_test

const raceEnabled = false
