package delivery

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mxprobe/mxprobe/internal/dsn"
)

// Limits of a DSN maildir scan.
const (
	maxMaildirFiles = 20000
	maxMaildirRead  = 1 << 20
)

// MatchBounce matches a message from the DSN mailbox to probes. It reads it
// with internal/dsn (RFC 3464 reports, text bounces, RFC 5965 complaint
// reports, Microsoft junk-report forwards) and ties it to a probe by, in
// this order: the Original-Envelope-Id (our ENVID, RFC 3461 §4.4), the
// returned original headers (X-Mxprobe-Id, Message-ID), the VERP return path
// the report is addressed to, or the token in the text. Auto-replies (RFC
// 3834) match like reports and record format "autoreply": the recipient's
// mailbox answered, so the probe reached it. Messages that are none of
// these never match.
func MatchBounce(msg []byte, probes map[string]*Probe) []TokenMatch {
	if len(probes) == 0 {
		return nil
	}
	if len(msg) > maxMaildirRead {
		msg = msg[:maxMaildirRead]
	}
	want := map[string]bool{}
	for t := range probes {
		want[t] = true
	}
	present := findTokens(string(msg), want)
	if len(present) == 0 {
		return nil
	}
	m, err := dsn.ParseBytes(msg)
	if err != nil || m == nil {
		return nil
	}
	recips := reportsOrAutoReplies(m.Results)
	if len(recips) == 0 {
		return nil
	}
	hdr := msg
	if i := bytes.Index(hdr, []byte("\r\n\r\n")); i >= 0 {
		hdr = hdr[:i+2]
	} else if i := bytes.Index(hdr, []byte("\n\n")); i >= 0 {
		hdr = hdr[:i+1]
	}
	h := parseHeaderBlock(hdr)
	var rcptHeaders string
	for _, k := range []string{"To", "Delivered-To", "X-Original-To", "Envelope-To"} {
		rcptHeaders += " " + strings.Join(h.Values(k), " ")
	}
	arrived := time.Time{}
	if d, err := parseDate(h.Get("Date")); err == nil {
		arrived = d.UTC()
	}
	subject := clip(m.Subject, 200)

	var out []TokenMatch
	seen := map[string]bool{}
	add := func(tok, by string, r dsn.Result) {
		if seen[tok] {
			return
		}
		seen[tok] = true
		out = append(out, TokenMatch{Token: tok, DSN: dsnMatchOf(r, by, arrived, subject)})
	}
	pick := func(tok string) dsn.Result {
		if p := probes[tok]; p != nil {
			for _, r := range recips {
				if strings.EqualFold(r.Recipient, p.To) || strings.EqualFold(r.OriginalRecipient, p.To) {
					return r
				}
			}
		}
		return recips[0]
	}
	for _, r := range recips {
		if want[r.OriginalEnvelopeID] {
			add(r.OriginalEnvelopeID, "envid", pick(r.OriginalEnvelopeID))
		}
	}
	for _, r := range recips {
		if want[r.MxprobeID] {
			add(r.MxprobeID, "header", pick(r.MxprobeID))
		}
		for _, t := range findTokens(r.OriginalMessageID, want) {
			add(t, "header", pick(t))
		}
	}
	for _, t := range present {
		if strings.Contains(strings.ToLower(rcptHeaders), "+mxp-"+t) {
			add(t, "verp", pick(t))
		}
	}
	for _, t := range present {
		add(t, "body", pick(t))
	}
	return out
}

// reportsOrAutoReplies picks what a message from the DSN mailbox can say
// about a probe: its delivery and complaint reports or, when it is an
// automatic reply (RFC 3834), that reply. A report wins over an auto-reply
// in the same message (an auto-reply quoting a bounce is still a bounce).
func reportsOrAutoReplies(results []dsn.Result) []dsn.Result {
	var reports, autos []dsn.Result
	for _, r := range results {
		if r.Kind == dsn.KindUnsubscribe {
			continue // about a list mail, never about a probe
		}
		if r.Kind == dsn.KindAutoReply {
			autos = append(autos, r)
		} else {
			reports = append(reports, r)
		}
	}
	if len(reports) > 0 {
		return reports
	}
	return autos
}

// dsnMatchOf turns a dsn result into the ledger's record of it.
func dsnMatchOf(r dsn.Result, by string, arrived time.Time, subject string) DSNMatch {
	format := "bounce"
	switch r.Kind {
	case dsn.KindComplaint, dsn.KindJunkReport:
		format = "complaint"
	case dsn.KindAutoReply:
		format = "autoreply"
	default:
		if r.Format == dsn.FormatDSN {
			format = "dsn"
		}
	}
	return DSNMatch{
		MatchedBy: by, Format: format, Kind: string(r.Kind), Action: r.Action, Status: r.Status,
		DiagnosticCode: clip(r.RemoteReply, 1024), RemoteMTA: clip(r.RemoteMTA, 256),
		ReportingMTA: clip(r.ReportingMTA, 256), FinalRecipient: clip(r.Recipient, 256),
		Reason: r.Reason, FeedbackType: clip(r.FeedbackType, 64), Command: r.Command,
		Arrived: arrived, Subject: subject,
	}
}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("no date")
	}
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 -0700 (MST)"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("bad date")
}

// TokenMatch is a bounce matched to the probe Token.
type TokenMatch struct {
	Token string
	DSN   DSNMatch
}

// ScanMaildir reads a maildir (new/ and cur/, or plain files in dir) for
// bounces about the probes. File names stay stable as ids when a client
// moves a message from new/ to cur/ and appends flags (":2,S").
func ScanMaildir(ctx context.Context, dir string, probes map[string]*Probe) (*Scan, []TokenMatch) {
	abs, _ := filepath.Abs(dir)
	sc := &Scan{Purpose: PurposeDSN, Mailbox: "maildir:" + abs, Tokens: sortedTokens(probes)}
	start := time.Now()
	var files []string
	subdirs := []string{filepath.Join(dir, "new"), filepath.Join(dir, "cur")}
	if _, err := os.Stat(subdirs[0]); err != nil {
		subdirs = []string{dir}
	}
	for _, d := range subdirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			sc.Error = "maildir: " + err.Error()
			return sc, nil
		}
		for _, e := range ents {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				files = append(files, filepath.Join(d, e.Name()))
			}
			if len(files) >= maxMaildirFiles {
				break
			}
		}
	}
	var out []TokenMatch
	for _, f := range files {
		if ctx.Err() != nil {
			sc.Error = ctx.Err().Error()
			return sc, out
		}
		data, err := readLimited(f, maxMaildirRead)
		if err != nil {
			continue
		}
		sc.Messages++
		base := filepath.Base(f)
		if i := strings.Index(base, ":2,"); i >= 0 {
			base = base[:i]
		}
		for _, m := range MatchBounce(data, probes) {
			m.DSN.Source = "maildir:" + base
			m.DSN.Mailbox = sc.Mailbox
			out = append(out, m)
		}
	}
	sc.Complete = true
	sc.DurationMS = time.Since(start).Milliseconds()
	return sc, out
}

// ScanDSNIMAP searches a DSN mailbox over IMAP for reports that mention a
// probe and matches them (see MatchBounce).
func ScanDSNIMAP(ctx context.Context, o *IMAPOptions, probes map[string]*Probe, since time.Time) (*Scan, []TokenMatch) {
	start := time.Now()
	var out []TokenMatch
	sc := imapScan(ctx, o, PurposeDSN, sortedTokens(probes), since, func(f folderInfo, uv uint32, m fetched) {
		for _, d := range MatchBounce(m.data, probes) {
			d.DSN.Source = uidSource(f.name, uv, m.uid)
			d.DSN.Mailbox = o.Mailbox()
			if d.DSN.Arrived.IsZero() {
				d.DSN.Arrived = m.internal.UTC()
			}
			out = append(out, d)
		}
	})
	sc.DurationMS = time.Since(start).Milliseconds()
	return sc, out
}

func readLimited(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}

func sortedTokens(probes map[string]*Probe) []string {
	out := make([]string, 0, len(probes))
	for t := range probes {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
