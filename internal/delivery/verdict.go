package delivery

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mxprobe/mxprobe/internal/i18n"
	"github.com/mxprobe/mxprobe/internal/provider"
)

// State is the verdict about one probe.
type State string

const (
	StateRejected           State = "rejected"              // the receiver refused it (5xx)
	StateDeferred           State = "deferred"              // the receiver said "later" (4xx); not retried
	StatePending            State = "pending"               // accepted, not found yet, still within the window
	StateDeliveredInbox     State = "delivered_inbox"       // found in the inbox in time
	StateDeliveredJunk      State = "delivered_junk"        // found in the junk folder
	StateDeliveredOther     State = "delivered_other"       // found in another folder
	StateDeliveredLate      State = "delivered_late"        // found, but it arrived after the expect window
	StateMovedAfterDelivery State = "moved_after_delivery"  // found, later in another folder or gone
	StateBouncedLate        State = "bounced_late"          // accepted with 250, then a bounce/DSN "failed"
	StateSilentDrop         State = "silent_drop_suspected" // accepted, never found, no bounce
	StateDelayed            State = "delayed"               // accepted, not found yet, a delay DSN arrived (RFC 3464 action delayed)
	StateDeliveryConfirmed  State = "delivery_confirmed"    // not found in the seed (yet), but a success DSN or an auto-reply confirms delivery
	StateComplaint          State = "complaint"             // a complaint report (ARF, JMRP) about the probe arrived
	StateInconclusive       State = "inconclusive"          // the evidence does not allow a verdict
)

// States lists every state in a stable order.
var States = []State{
	StateRejected, StateDeferred, StatePending, StateDeliveredInbox, StateDeliveredJunk,
	StateDeliveredOther, StateDeliveredLate, StateMovedAfterDelivery, StateBouncedLate,
	StateSilentDrop, StateInconclusive, StateDelayed, StateDeliveryConfirmed, StateComplaint,
}

// Delivered reports whether the probe was found in the mailbox.
func (s State) Delivered() bool {
	switch s {
	case StateDeliveredInbox, StateDeliveredJunk, StateDeliveredOther, StateDeliveredLate, StateMovedAfterDelivery:
		return true
	}
	return false
}

// Confidence of a silent-drop suspicion.
type Confidence string

const (
	// ConfidenceLow: accepted with 250, nothing in any folder after the
	// drop-after window across at least two complete scans, no bounce.
	ConfidenceLow Confidence = "low"
	// ConfidenceMedium: additionally a control probe over a known-good path
	// arrived at the same seed.
	ConfidenceMedium Confidence = "medium"
	// ConfidenceHigh: several probes in separate windows all missing while
	// their controls arrived.
	ConfidenceHigh Confidence = "high"
)

// Reason explains an inconclusive verdict.
type Reason string

const (
	ReasonSendFailed        Reason = "send_failed"             // no reply decided the send (network, TLS, auth)
	ReasonSeedNotWatched    Reason = "seed_not_watched"        // the seed mailbox was never scanned
	ReasonSeedUnreadable    Reason = "seed_unreadable"         // every scan of the seed failed
	ReasonTooFewScans       Reason = "too_few_scans"           // fewer than two complete scans, or none after the drop-after deadline
	ReasonControlMissing    Reason = "control_missing"         // the control probe is missing too
	ReasonDeliveredNotFound Reason = "dsn_delivered_not_found" // a success DSN or an auto-reply, but the message is in no folder
)

// HighConfidenceSeries is how many probes (in separate windows, all missing
// while controls arrived) raise a suspicion to high confidence.
const HighConfidenceSeries = 3

// Windows are the time windows of the verdict, measured from the acceptance
// of a probe.
type Windows struct {
	// Expect: a healthy delivery shows up within this time.
	Expect time.Duration `json:"expect"`
	// DropAfter: a probe still missing after this time (with enough scans)
	// is suspected dropped.
	DropAfter time.Duration `json:"drop_after"`
	// Final: after this time the verdict is final; watching stops.
	Final time.Duration `json:"final"`
}

// windowsJSON is the JSON form of Windows: seconds, with the unit in the
// key (the ledger and every JSON output use it).
type windowsJSON struct {
	Expect    float64 `json:"expect_s"`
	DropAfter float64 `json:"drop_after_s"`
	Final     float64 `json:"final_s"`
}

// MarshalJSON writes {"expect_s":900,"drop_after_s":86400,"final_s":259200}.
func (w Windows) MarshalJSON() ([]byte, error) {
	return json.Marshal(windowsJSON{w.Expect.Seconds(), w.DropAfter.Seconds(), w.Final.Seconds()})
}

// maxWindowSeconds bounds a window read back (ten years); anything outside
// reads as zero, which Validate rejects.
const maxWindowSeconds = 10 * 366 * 24 * 3600

// UnmarshalJSON reads the form of MarshalJSON. It never fails: anything
// else (values out of range, another shape written by a newer mxprobe)
// reads as zero windows, which the verdict ignores, so an odd field never
// costs the whole ledger event.
func (w *Windows) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	*w = Windows{}
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	d := func(key string) time.Duration {
		var s float64
		if json.Unmarshal(m[key], &s) != nil || !(s > 0 && s <= maxWindowSeconds) {
			return 0
		}
		return time.Duration(math.Round(s * float64(time.Second)))
	}
	*w = Windows{Expect: d("expect_s"), DropAfter: d("drop_after_s"), Final: d("final_s")}
	return nil
}

// DefaultWindows are 15 minutes, 24 hours and 72 hours.
func DefaultWindows() Windows {
	return Windows{Expect: 15 * time.Minute, DropAfter: 24 * time.Hour, Final: 72 * time.Hour}
}

// Validate checks 0 < expect ≤ drop-after ≤ final.
func (w Windows) Validate() error {
	if w.Expect <= 0 || w.DropAfter <= 0 || w.Final <= 0 {
		return errors.New("windows must be positive")
	}
	if w.Expect > w.DropAfter || w.DropAfter > w.Final {
		return fmt.Errorf("windows must satisfy expect (%s) ≤ drop-after (%s) ≤ final (%s)", w.Expect, w.DropAfter, w.Final)
	}
	return nil
}

// ControlStatus is the state of a control probe as seen from its probe.
type ControlStatus struct {
	Token string `json:"token"`
	State State  `json:"state"`
}

// ProbeVerdict is the verdict about one probe with its reasons.
type ProbeVerdict struct {
	Token    string `json:"token"`
	Group    string `json:"group"`
	Role     Role   `json:"role"`
	To       string `json:"to"`
	Route    Route  `json:"route"`
	Relay    string `json:"relay,omitempty"`
	MXHost   string `json:"mx_host,omitempty"`
	Provider string `json:"provider"`
	// Reply is the deciding SMTP reply of the send (the refusal, or the
	// final 250), Stage the step it answered.
	Reply string `json:"reply,omitempty"`
	Stage string `json:"stage,omitempty"`

	State      State      `json:"state"`
	Confidence Confidence `json:"confidence,omitempty"`
	Reason     Reason     `json:"reason,omitempty"`
	// Final: the final window has ended (or the probe was never accepted,
	// or it bounced): no later scan can change the state. Before that a
	// scan can still reveal a move after delivery or a late arrival.
	Final bool `json:"final"`
	// Settled: there is an answer worth waiting for — final, or found, or
	// bounced. probe watch stops when every probe is settled; probe confirm
	// --pending keeps looking at everything that is not final.
	Settled bool `json:"settled"`

	SentAt   time.Time `json:"sent_at"`
	ExpectBy time.Time `json:"expect_by"`
	DropAt   time.Time `json:"drop_at"`
	FinalAt  time.Time `json:"final_at"`

	// Where it was found: the latest folder, and the first when it moved.
	Folder      string    `json:"folder,omitempty"`
	FolderRole  string    `json:"folder_role,omitempty"`
	FirstFolder string    `json:"first_folder,omitempty"`
	ArrivedAt   time.Time `json:"arrived_at,omitzero"`
	// LatencySeconds is arrival (INTERNALDATE) minus acceptance.
	LatencySeconds float64      `json:"latency_seconds,omitempty"`
	Spam           *SpamVerdict `json:"spam,omitempty"`

	ScansComplete    int       `json:"scans_complete"`
	ScansFailed      int       `json:"scans_failed"`
	LastCompleteScan time.Time `json:"last_complete_scan,omitzero"`

	Controls []ControlStatus `json:"controls,omitempty"`
	DSN      *DSNMatch       `json:"dsn,omitempty"`
	// Series is the number of probes in separate windows counted for high
	// confidence.
	Series int `json:"series,omitempty"`

	// Windows judged this probe: stored with it in the ledger, or the
	// reading command's (flags or defaults).
	Windows Windows `json:"windows"`

	// Reasons say why; Missing says what evidence would raise the
	// confidence or decide an inconclusive case.
	Reasons []i18n.Text `json:"reasons"`
	Missing []i18n.Text `json:"missing,omitempty"`
}

// VerdictResult is the verdict over a ledger.
type VerdictResult struct {
	Now time.Time `json:"now"`
	// Windows are the windows of the reading command: for every probe with
	// Override, else for the probes without stored windows.
	Windows Windows        `json:"windows"`
	Probes  []ProbeVerdict `json:"probes"`
}

// VerdictOptions say which windows judge a probe.
type VerdictOptions struct {
	// Windows judge the probes that have no windows stored in the ledger
	// (zero: DefaultWindows).
	Windows Windows
	// Override: Windows judge every probe, whatever is stored (the user
	// gave --expect, --drop-after or --final).
	Override bool
}

// StoredWindows returns the windows stored for each probe: the latest valid
// Windows of a sent event about it or a scan event listing it, in ledger
// order.
func StoredWindows(events []Event) map[string]Windows {
	out := map[string]Windows{}
	for i := range events {
		ev := &events[i]
		if ev.Windows == nil || ev.Windows.Validate() != nil {
			continue
		}
		switch {
		case ev.Kind == KindSent && ev.Sent != nil:
			out[ev.Token] = *ev.Windows
		case ev.Kind == KindScan && ev.Scan != nil:
			for _, t := range ev.Scan.Tokens {
				out[t] = *ev.Windows
			}
		}
	}
	return out
}

// Get returns the verdict of token.
func (r VerdictResult) Get(token string) (ProbeVerdict, bool) {
	for _, p := range r.Probes {
		if p.Token == token {
			return p, true
		}
	}
	return ProbeVerdict{}, false
}

// AllSettled reports whether every verdict among tokens (all when empty) is
// settled.
func (r VerdictResult) AllSettled(tokens ...string) bool {
	for _, p := range r.Probes {
		if len(tokens) > 0 && !slices.Contains(tokens, p.Token) {
			continue
		}
		if !p.Settled {
			return false
		}
	}
	return true
}

// sighting in time: a scan (complete or not) that saw or did not see a token.
type observation struct {
	at       time.Time
	complete bool
	failed   bool
	found    *Sighting
}

type facts struct {
	now  time.Time
	sent *Probe
	at   time.Time // acceptance time (DoneAt)
	obs  []observation
	dsns []*DSNMatch
}

// tr formats both languages; an i18n.Text argument gives each language its
// own wording.
func tr(en, de string, args ...any) i18n.Text {
	enArgs, deArgs := make([]any, len(args)), make([]any, len(args))
	for i, a := range args {
		enArgs[i], deArgs[i] = a, a
		if t, ok := a.(i18n.Text); ok {
			enArgs[i], deArgs[i] = t.EN, t.DE
		}
	}
	return i18n.Text{EN: fmt.Sprintf(en, enArgs...), DE: fmt.Sprintf(de, deArgs...)}
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// Verdict recomputes the verdict of every probe in events at time now. A
// probe is judged with the windows stored with it in the ledger, else with
// w. It is a pure function: same events, same now, same windows — same
// result.
func Verdict(events []Event, now time.Time, w Windows) VerdictResult {
	return VerdictWith(events, now, VerdictOptions{Windows: w})
}

// VerdictWith is Verdict with the choice of windows spelt out.
func VerdictWith(events []Event, now time.Time, o VerdictOptions) VerdictResult {
	w := o.Windows
	if w == (Windows{}) {
		w = DefaultWindows()
	}
	var stored map[string]Windows
	if !o.Override {
		stored = StoredWindows(events)
	}
	windowsOf := func(tok string) Windows {
		if sw, ok := stored[tok]; ok {
			return sw
		}
		return w
	}
	res := VerdictResult{Now: now, Windows: w}
	byToken := map[string]*facts{}
	var order []string
	for i := range events {
		ev := &events[i]
		if ev.Kind == KindSent && ev.Sent != nil {
			if _, dup := byToken[ev.Token]; dup {
				continue // a token is never reused; keep the first record
			}
			at := ev.Sent.DoneAt
			if at.IsZero() {
				at = ev.At
			}
			byToken[ev.Token] = &facts{now: now, sent: ev.Sent, at: at}
			order = append(order, ev.Token)
		}
	}
	for i := range events {
		ev := &events[i]
		switch {
		case ev.Kind == KindScan && ev.Scan != nil && ev.Scan.Purpose == PurposeSeed:
			found := map[string]*Sighting{}
			for j := range ev.Scan.Found {
				s := &ev.Scan.Found[j]
				if _, ok := found[s.Token]; !ok {
					found[s.Token] = s
				}
			}
			for _, tok := range ev.Scan.Tokens {
				f := byToken[tok]
				if f == nil {
					continue
				}
				f.obs = append(f.obs, observation{at: ev.At, complete: ev.Scan.Complete, failed: !ev.Scan.Complete, found: found[tok]})
			}
		case ev.Kind == KindDSN && ev.DSN != nil:
			if f := byToken[ev.Token]; f != nil {
				f.dsns = append(f.dsns, ev.DSN)
			}
		}
	}
	for _, f := range byToken {
		sort.SliceStable(f.obs, func(i, j int) bool { return f.obs[i].at.Before(f.obs[j].at) })
	}
	// First pass: every probe on its own (controls included).
	base := map[string]ProbeVerdict{}
	for _, tok := range order {
		base[tok] = judge(byToken[tok], now, windowsOf(tok))
	}
	// Second pass: controls raise or undo a suspicion.
	controlsOf := map[string][]string{}
	for _, tok := range order {
		p := byToken[tok].sent
		if p.Role == RoleControl && p.Group != "" && p.Group != tok {
			controlsOf[p.Group] = append(controlsOf[p.Group], tok)
		}
	}
	for _, tok := range order {
		v := base[tok]
		v.Settled = v.Settled || v.Final
		for _, c := range controlsOf[tok] {
			v.Controls = append(v.Controls, ControlStatus{Token: c, State: base[c].State})
		}
		if v.State == StateSilentDrop {
			v = applyControls(v, base, controlsOf[tok])
		}
		res.Probes = append(res.Probes, v)
	}
	applySeries(&res)
	return res
}

// judge decides one probe from its own evidence (confidence at most low).
func judge(f *facts, now time.Time, w Windows) ProbeVerdict {
	p := f.sent
	v := ProbeVerdict{
		Token: p.Token, Group: p.Group, Role: p.Role, To: p.To, Route: p.Route, Relay: p.Relay,
		MXHost: p.MXHost, Provider: provider.DestinationClass(p.MXHost, domainOf(p.To)), Reply: p.Reply, Stage: p.Stage,
		SentAt: f.at, ExpectBy: f.at.Add(w.Expect), DropAt: f.at.Add(w.DropAfter), FinalAt: f.at.Add(w.Final),
		Windows: w, Reasons: []i18n.Text{},
	}
	if v.Group == "" {
		v.Group = v.Token
	}
	if v.Role == "" {
		v.Role = RoleProbe
	}
	if p.Route == RouteSubmit {
		v.Provider = provider.DestinationClass("", domainOf(p.To))
	}
	for _, o := range f.obs {
		if o.at.Before(f.at) {
			continue // a scan before the send cannot have seen the probe
		}
		if o.complete {
			v.ScansComplete++
			v.LastCompleteScan = o.at
		} else {
			v.ScansFailed++
		}
	}
	switch p.Outcome {
	case OutcomeRejected:
		v.State, v.Final = StateRejected, true
		v.Reasons = append(v.Reasons, tr("The receiver refused the probe at %s: %s", "Der Empfänger hat die Testmail bei %s abgelehnt: %s", stageName(p.Stage), p.Reply))
		return v
	case OutcomeDeferred:
		v.State, v.Final = StateDeferred, true
		v.Reasons = append(v.Reasons, tr("The receiver deferred the probe at %s (temporary failure, not retried): %s",
			"Der Empfänger hat die Testmail bei %s zurückgestellt (vorübergehender Fehler, kein neuer Versuch): %s", stageName(p.Stage), p.Reply))
		return v
	case OutcomeFailed:
		v.State, v.Reason, v.Final = StateInconclusive, ReasonSendFailed, true
		v.Reasons = append(v.Reasons, tr("The probe could not be handed over: %s", "Die Testmail konnte nicht übergeben werden: %s", p.Error))
		v.Missing = append(v.Missing, tr("Send a new probe once the connection works.", "Senden Sie eine neue Testmail, sobald die Verbindung funktioniert."))
		return v
	}
	v.Reasons = append(v.Reasons, tr("Accepted at %s by %s: %s", "Angenommen um %s von %s: %s", ts(f.at), orDash(p.MXHost), oneLineReply(p.Reply)))

	// Sightings: where was it, and did it move?
	var first *observation
	for i := range f.obs {
		o := &f.obs[i]
		if o.found != nil && first == nil {
			first = o
		}
	}
	if d := complaintOf(f); d != nil {
		return judgeComplaint(v, d, first)
	}
	if first != nil {
		return judgeFound(v, f, first, w)
	}

	// Not found (yet).
	v, confirmed, done := judgeReports(v, f, now)
	if done {
		return v
	}
	if now.Before(v.DropAt) {
		return judgePending(v, now)
	}
	v.Final = !now.Before(v.FinalAt)
	switch {
	case v.ScansComplete == 0 && v.ScansFailed == 0:
		v.State, v.Reason = StateInconclusive, ReasonSeedNotWatched
		v.Reasons = append(v.Reasons, tr("The seed mailbox was never scanned for this probe.", "Das Testpostfach wurde für diese Testmail nie durchsucht."))
		v.Missing = append(v.Missing, tr("At least two complete scans of the seed mailbox (probe confirm --imap …), the last after %s.",
			"Mindestens zwei vollständige Durchsuchungen des Testpostfachs (probe confirm --imap …), die letzte nach %s.", ts(v.DropAt)))
		return v
	case v.ScansComplete == 0:
		v.State, v.Reason = StateInconclusive, ReasonSeedUnreadable
		v.Reasons = append(v.Reasons, tr("Every scan of the seed mailbox failed (%d); a missing message proves nothing.",
			"Jede Durchsuchung des Testpostfachs ist fehlgeschlagen (%d); eine fehlende Nachricht beweist nichts.", v.ScansFailed))
		v.Missing = append(v.Missing, tr("Working IMAP access to the seed mailbox and two complete scans.",
			"Funktionierender IMAP-Zugang zum Testpostfach und zwei vollständige Durchsuchungen."))
		return v
	case v.ScansComplete < 2 || v.LastCompleteScan.Before(v.DropAt):
		v.State, v.Reason = StateInconclusive, ReasonTooFewScans
		v.Reasons = append(v.Reasons, tr("Only %d complete scan(s), the last at %s; a suspicion needs two, the last after %s.",
			"Nur %d vollständige Durchsuchung(en), die letzte um %s; ein Verdacht braucht zwei, die letzte nach %s.",
			v.ScansComplete, ts(v.LastCompleteScan), ts(v.DropAt)))
		v.Missing = append(v.Missing, tr("Another complete scan of the seed mailbox now (probe confirm).",
			"Eine weitere vollständige Durchsuchung des Testpostfachs, jetzt (probe confirm)."))
		return v
	case confirmed != nil:
		v.State, v.Reason, v.DSN = StateInconclusive, ReasonDeliveredNotFound, confirmed
		if confirmed.Format == "autoreply" {
			v.Reasons = append(v.Reasons, tr("The recipient's mailbox sent an automatic reply, but the probe is in no folder of the seed mailbox.",
				"Das Postfach des Empfängers hat automatisch geantwortet, aber die Testmail liegt in keinem Ordner des Testpostfachs."))
		} else {
			v.Reasons = append(v.Reasons, tr("The receiver reported delivery (DSN %s), but the probe is in no folder of the seed mailbox.",
				"Der Empfänger meldete die Zustellung (DSN %s), aber die Testmail liegt in keinem Ordner des Testpostfachs.", confirmed.Action))
		}
		v.Missing = append(v.Missing, tr("Check the quarantine and mail rules of the seed mailbox; ask its admin for a message trace.",
			"Prüfen Sie Quarantäne und Regeln des Testpostfachs und bitten Sie dessen Administrator um eine Nachrichtenverfolgung."))
		return v
	}
	v.State, v.Confidence = StateSilentDrop, ConfidenceLow
	v.Reasons = append(v.Reasons, tr("Not found in any folder in %d complete scans (the last at %s, after the drop-after deadline %s), and no bounce.",
		"In %d vollständigen Durchsuchungen in keinem Ordner gefunden (die letzte um %s, nach der Frist %s), und keine Unzustellbarkeitsnachricht (NDR).",
		v.ScansComplete, ts(v.LastCompleteScan), ts(v.DropAt)))
	if !v.Final {
		v.Reasons = append(v.Reasons, tr("Until %s a late arrival can still reopen this verdict.", "Bis %s kann eine späte Zustellung dieses Ergebnis noch ändern.", ts(v.FinalAt)))
	}
	v.Missing = append(v.Missing, tr("A control probe over a known-good path (probe send --control-via …) that arrives at the same seed.",
		"Eine Kontroll-Testmail über einen bewährten Weg (probe send --control-via …), die im selben Testpostfach ankommt."))
	return v
}

func judgeFound(v ProbeVerdict, f *facts, first *observation, w Windows) ProbeVerdict {
	s := first.found
	v.Final = !f.now.Before(v.FinalAt)
	v.Settled = true
	v.FirstFolder = s.Folder
	v.Folder, v.FolderRole, v.Spam = s.Folder, s.Role, s.Spam
	arrived := s.Arrived
	approx := false
	if arrived.IsZero() {
		arrived, approx = first.at, true
	}
	v.ArrivedAt = arrived
	lat := arrived.Sub(f.at)
	if lat < 0 {
		lat = 0 // clocks differ; the message cannot arrive before it was sent
	}
	v.LatencySeconds = lat.Seconds()
	// The latest complete scan after the first sighting decides where it is now.
	var now *observation
	for i := range f.obs {
		o := &f.obs[i]
		if o.at.Before(first.at) {
			continue
		}
		if o.complete || o.found != nil {
			now = o
		}
	}
	where := folderText(s.Folder, s.Role)
	if approx {
		v.Reasons = append(v.Reasons, tr("Found in %s by the scan at %s (no arrival time from the server).",
			"Gefunden in %s bei der Durchsuchung um %s (der Server nannte keine Ankunftszeit).", where, ts(first.at)))
	} else {
		v.Reasons = append(v.Reasons, tr("Found in %s; it arrived at %s, %s after acceptance.",
			"Gefunden in %s; angekommen um %s, %s nach der Annahme.", where, ts(arrived), lat.Round(time.Second)))
	}
	if sum := v.Spam.Summary(); sum != "" {
		v.Reasons = append(v.Reasons, tr("The receiver's spam verdict: %s.", "Die Spam-Bewertung des Empfängers: %s.", sum))
	}
	if v.Spam != nil && v.Spam.Junk() && s.Role != RoleJunk {
		v.Reasons = append(v.Reasons, tr("The receiver's headers classify it as spam.", "Die Kopfzeilen des Empfängers stufen sie als Spam ein."))
	}
	switch {
	case now != nil && now.found == nil && now.complete:
		v.State = StateMovedAfterDelivery
		v.Folder, v.FolderRole = "", ""
		v.Reasons = append(v.Reasons, tr("The complete scan at %s no longer found it: deleted, or moved out of reach (e.g. quarantine by zero-hour auto purge).",
			"Die vollständige Durchsuchung um %s fand sie nicht mehr: gelöscht oder außer Reichweite verschoben (z. B. Quarantäne durch Zero-Hour Auto Purge).", ts(now.at)))
	case now != nil && now.found != nil && now.found.Folder != s.Folder:
		v.State = StateMovedAfterDelivery
		v.Folder, v.FolderRole = now.found.Folder, now.found.Role
		v.Reasons = append(v.Reasons, tr("Later (scan at %s) it was in %s.", "Später (Durchsuchung um %s) lag sie in %s.", ts(now.at), folderText(now.found.Folder, now.found.Role)))
	case !approx && lat > w.Expect:
		v.State = StateDeliveredLate
		v.Reasons = append(v.Reasons, tr("That is later than the expect window (%s).", "Das ist später als das erwartete Zeitfenster (%s).", w.Expect))
	case s.Role == RoleInbox:
		v.State = StateDeliveredInbox
	case s.Role == RoleJunk:
		v.State = StateDeliveredJunk
	default:
		v.State = StateDeliveredOther
	}
	return v
}

// applyControls sets the confidence of a suspicion from the controls.
func applyControls(v ProbeVerdict, base map[string]ProbeVerdict, controls []string) ProbeVerdict {
	if len(controls) == 0 {
		return v
	}
	var arrived, missing, open []string
	for _, c := range controls {
		cv := base[c]
		switch {
		case cv.State.Delivered():
			arrived = append(arrived, c)
		case cv.State == StateSilentDrop:
			missing = append(missing, c)
		default:
			open = append(open, c+" ("+string(cv.State)+")")
		}
	}
	switch {
	case len(arrived) > 0:
		v.Confidence = ConfidenceMedium
		v.Reasons = append(v.Reasons, tr("The control probe %s arrived at the same seed over another path.",
			"Die Kontroll-Testmail %s kam über einen anderen Weg im selben Testpostfach an.", strings.Join(arrived, ", ")))
		v.Missing = []i18n.Text{tr("%d more probes in separate windows, all missing while their controls arrive.",
			"%d weitere Testmails in getrennten Zeitfenstern, die alle fehlen, während ihre Kontroll-Testmails ankommen.", HighConfidenceSeries-1)}
	case len(missing) > 0:
		v.State, v.Confidence, v.Reason = StateInconclusive, "", ReasonControlMissing
		v.Reasons = append(v.Reasons, tr("The control probe %s is missing too: the seed or its scanning may be at fault, not the path.",
			"Die Kontroll-Testmail %s fehlt ebenfalls: Eher liegt es am Testpostfach oder an seiner Durchsuchung, nicht am Weg.", strings.Join(missing, ", ")))
		v.Missing = []i18n.Text{tr("A control probe that arrives at the seed (check the seed mailbox and its rules).",
			"Eine Kontroll-Testmail, die im Testpostfach ankommt (prüfen Sie das Testpostfach und seine Regeln).")}
	default:
		v.Reasons = append(v.Reasons, tr("The control probe gives no comparison yet: %s.", "Die Kontroll-Testmail erlaubt noch keinen Vergleich: %s.", strings.Join(open, ", ")))
	}
	return v
}

// applySeries raises medium suspicions to high when several probes to the
// same seed over the same route, sent in separate windows (at least the
// expect window apart), are all missing while their controls arrived, and no
// probe of that route reached the seed in between.
func applySeries(res *VerdictResult) {
	type key struct{ to, route, relay string }
	groups := map[key][]int{}
	for i, p := range res.Probes {
		if p.Role != RoleProbe {
			continue
		}
		k := key{strings.ToLower(p.To), string(p.Route), p.Relay}
		groups[k] = append(groups[k], i)
	}
	for _, idx := range groups {
		var medium []int
		for _, i := range idx {
			if res.Probes[i].State == StateSilentDrop && res.Probes[i].Confidence == ConfidenceMedium {
				medium = append(medium, i)
			}
		}
		if len(medium) < HighConfidenceSeries {
			continue
		}
		sort.Slice(medium, func(a, b int) bool { return res.Probes[medium[a]].SentAt.Before(res.Probes[medium[b]].SentAt) })
		var series []int
		for _, i := range medium {
			if len(series) == 0 {
				series = append(series, i)
				continue
			}
			// Separate windows: at least the previous probe's expect window apart.
			prev := res.Probes[series[len(series)-1]]
			if !res.Probes[i].SentAt.Before(prev.SentAt.Add(prev.Windows.Expect)) {
				series = append(series, i)
			}
		}
		if len(series) < HighConfidenceSeries {
			continue
		}
		from, to := res.Probes[series[0]].SentAt, res.Probes[series[len(series)-1]].SentAt
		intermittent := false
		for _, i := range idx {
			p := res.Probes[i]
			if p.State.Delivered() && !p.SentAt.Before(from) && !p.SentAt.After(to) {
				intermittent = true
			}
		}
		if intermittent {
			for _, i := range series {
				res.Probes[i].Reasons = append(res.Probes[i].Reasons, tr("Other probes of this route arrived in the same period: the losses are intermittent.",
					"Andere Testmails dieses Weges kamen im selben Zeitraum an: Die Verluste treten nur zeitweise auf."))
			}
			continue
		}
		for _, i := range series {
			p := &res.Probes[i]
			p.Confidence = ConfidenceHigh
			p.Series = len(series)
			p.Reasons = append(p.Reasons, tr("%d probes to this seed over this route, in separate windows between %s and %s, are all missing while their controls arrived.",
				"%d Testmails an dieses Testpostfach über diesen Weg, in getrennten Zeitfenstern zwischen %s und %s, fehlen alle, während ihre Kontroll-Testmails ankamen.",
				len(series), ts(from), ts(to)))
			p.Missing = nil
		}
	}
}

// folderText names a folder with its role: "Junk Email (junk)" in English,
// "Junk Email (Spam-Ordner)" in German; the folder name is the server's.
func folderText(folder, role string) i18n.Text {
	de, ok := map[string]string{RoleInbox: "Posteingang", RoleJunk: "Spam-Ordner", RoleOther: "anderer Ordner"}[role]
	if !ok {
		de = role
	}
	return i18n.Text{EN: fmt.Sprintf("%s (%s)", folder, role), DE: fmt.Sprintf("%s (%s)", folder, de)}
}

func stageName(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func oneLineReply(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	return strings.ReplaceAll(s, "\n", " | ")
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(strings.TrimSuffix(addr[i+1:], ">"))
	}
	return ""
}

// judgeReports weighs the reports that arrived about a probe not found in
// the seed: a bounce settles it (bounced_late); a success DSN (RFC 3464
// §2.3.3 "delivered": the receiving MTA put it into the mailbox) or an
// automatic reply of the recipient's mailbox (RFC 3834) confirms delivery
// while the seed has not been searched to the end; a delay notice is kept
// in v.DSN. confirmed is the report that speaks for delivery (a success,
// relay or expansion DSN, else an auto-reply), for the later judgement
// when the seed scans end without the probe. done says v is the verdict.
func judgeReports(v ProbeVerdict, f *facts, now time.Time) (out ProbeVerdict, confirmed *DSNMatch, done bool) {
	for _, d := range f.dsns {
		if d.Action == "failed" || strings.HasPrefix(d.Status, "5") {
			v.State, v.Final, v.Settled, v.DSN = StateBouncedLate, true, true, d
			v.Reasons = append(v.Reasons, tr("A bounce arrived after the 250 acceptance (%s %s): %s",
				"Nach der Annahme mit 250 kam eine Unzustellbarkeitsnachricht (NDR) (%s %s): %s", orDash(d.Action), orDash(d.Status), orDash(d.DiagnosticCode)))
			return v, nil, true
		}
	}
	var delivered, delayed, autoReply *DSNMatch
	for _, d := range f.dsns {
		switch {
		case d.Format == "autoreply":
			autoReply = d
		case d.Action == "delivered" || d.Action == "relayed" || d.Action == "expanded":
			delivered = d
		case d.Action == "delayed":
			delayed = d
		}
	}
	confirmed = delivered
	if confirmed == nil {
		confirmed = autoReply
	}
	v.DSN = nil
	if delayed != nil {
		v.DSN = delayed
		v.Reasons = append(v.Reasons, tr("A delay notification arrived (%s): %s", "Eine Verzögerungsmeldung (DSN, Action: delayed) ist eingegangen (%s): %s", orDash(delayed.Status), orDash(delayed.DiagnosticCode)))
	}
	open := now.Before(v.DropAt) || v.ScansComplete == 0 && v.ScansFailed == 0
	switch {
	case !open:
	case delivered != nil && delivered.Action == "delivered":
		v.State, v.Settled, v.DSN = StateDeliveryConfirmed, true, delivered
		v.Reasons = append(v.Reasons, tr("The receiver confirmed delivery with a success DSN (%s %s).",
			"Der Empfänger bestätigte die Zustellung mit einer Erfolgsmeldung (DSN %s %s).", delivered.Action, orDash(delivered.Status)))
		return v, confirmed, true
	case autoReply != nil:
		// An out-of-office reply comes from the recipient's mailbox (its
		// rules or the server's responder): the probe got there. It tells
		// no folder, and responders may stay quiet for mail filed as junk.
		v.State, v.Settled, v.DSN = StateDeliveryConfirmed, true, autoReply
		v.Reasons = append(v.Reasons, tr("The recipient's mailbox sent an automatic reply (RFC 3834) from %s: the probe reached it; in which folder, the reply does not say.",
			"Das Postfach des Empfängers hat automatisch geantwortet (RFC 3834, von %s): Die Testmail ist dort angekommen; in welchem Ordner, sagt die Antwort nicht.", orDash(autoReply.FinalRecipient)))
		return v, confirmed, true
	}
	return v, confirmed, false
}

// judgePending is the verdict of a probe not found (yet) before its
// drop-after deadline: pending, or delayed when a delay notice is in v.DSN.
func judgePending(v ProbeVerdict, now time.Time) ProbeVerdict {
	delayed := v.DSN
	v.State = StatePending
	if delayed != nil {
		v.State = StateDelayed
	}
	switch {
	case now.Before(v.ExpectBy):
		v.Reasons = append(v.Reasons, tr("Not found yet; a delivery is expected by %s.", "Noch nicht gefunden; die Zustellung wird bis %s erwartet.", ts(v.ExpectBy)))
	default:
		v.Reasons = append(v.Reasons, tr("Overdue: not found by %s; a silent drop is only suspected after %s.",
			"Überfällig: bis %s nicht gefunden; stilles Verwerfen wird erst nach %s vermutet.", ts(v.ExpectBy), ts(v.DropAt)))
	}
	if v.ScansComplete == 0 && v.ScansFailed > 0 {
		v.Reasons = append(v.Reasons, tr("The seed mailbox could not be read (%d failed scans).", "Das Testpostfach konnte nicht gelesen werden (%d fehlgeschlagene Durchsuchungen).", v.ScansFailed))
	}
	v.Missing = append(v.Missing, tr("Scan the seed mailbox again after %s (probe confirm or probe watch).",
		"Durchsuchen Sie das Testpostfach nach %s erneut (probe confirm oder probe watch).", ts(v.DropAt)))
	return v
}

// complaintOf is the first complaint report about the probe, if any.
func complaintOf(f *facts) *DSNMatch {
	for _, d := range f.dsns {
		if d.Format == "complaint" {
			return d
		}
	}
	return nil
}

// judgeComplaint: a complaint report about the probe says it was delivered,
// and the recipient (or the provider's filter on its behalf) called it spam.
func judgeComplaint(v ProbeVerdict, d *DSNMatch, first *observation) ProbeVerdict {
	v.State, v.Final, v.Settled, v.DSN = StateComplaint, true, true, d
	v.Reasons = append(v.Reasons, tr("A complaint report about the probe arrived (%s, feedback type %s).",
		"Eine Beschwerde über die Testmail ist eingegangen (%s, Art %s).", orDash(d.Kind), orDash(d.FeedbackType)))
	if first != nil {
		v.Folder, v.FolderRole, v.FirstFolder = first.found.Folder, first.found.Role, first.found.Folder
	}
	return v
}
