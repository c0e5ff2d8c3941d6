package mxdialog

import (
	"time"

	"github.com/mxprobe/mxprobe/internal/smtpconn"
)

// Directions of transcript lines (smtpconn's).
const (
	DirClient = smtpconn.DirClient
	DirServer = smtpconn.DirServer
	DirEvent  = smtpconn.DirEvent
)

func ms(d time.Duration) float64 { return smtpconn.MS(d) }
