package delivery

import (
	"time"

	"github.com/mxprobe/mxprobe/internal/smtpconn"
)

// SchemaVersion is the version of the ledger event format written by this
// build. Readers accept higher versions and ignore fields they do not know.
const SchemaVersion = 1

// Kind is the type of a ledger event.
type Kind string

const (
	// KindSent records one send attempt of a probe (accepted or not).
	KindSent Kind = "sent"
	// KindScan records one scan of a mailbox (the seed, or the DSN mailbox)
	// for a set of tokens, complete or not.
	KindScan Kind = "scan"
	// KindDSN records a delivery status notification or bounce matched to a
	// probe.
	KindDSN Kind = "dsn"
)

// Event is one line of the ledger. Events are facts, never overwritten
// state: the verdict is recomputed from them (see Verdict).
type Event struct {
	// V is the schema version the writer used.
	V    int       `json:"v"`
	Kind Kind      `json:"kind"`
	At   time.Time `json:"at"`
	// Token is the probe the event is about (sent, dsn); empty for scans,
	// which list their tokens.
	Token string `json:"token,omitempty"`

	Sent *Probe    `json:"sent,omitempty"`
	Scan *Scan     `json:"scan,omitempty"`
	DSN  *DSNMatch `json:"dsn,omitempty"`

	// Windows are the verdict windows chosen for probes: on a sent event
	// for its probe (the windows in force at send time), on a scan event
	// for the scan's tokens (windows given explicitly to confirm/watch).
	// The latest such event about a probe decides its windows; events
	// without (older ledgers) leave the probe to the windows of the
	// command that reads them. Added in schema 1 as an optional field:
	// older readers ignore it.
	Windows *Windows `json:"windows,omitempty"`
}

// Role of a probe.
type Role string

const (
	RoleProbe   Role = "probe"
	RoleControl Role = "control"
)

// Route is how a probe leaves this host.
type Route string

const (
	// RouteDirect resolves the recipient domain's MX and delivers from this
	// host (port 25).
	RouteDirect Route = "direct"
	// RouteSubmit hands the probe to a submission relay (the real sending
	// infrastructure) with TLS and AUTH.
	RouteSubmit Route = "submit"
)

// Outcome of a send attempt.
type Outcome string

const (
	OutcomeAccepted Outcome = "accepted" // 2xx after the final dot
	OutcomeRejected Outcome = "rejected" // 5xx at any stage
	OutcomeDeferred Outcome = "deferred" // 4xx at any stage
	OutcomeFailed   Outcome = "failed"   // no reply decided it: network, TLS, timeout, auth, local error
)

// Probe is the record of one send attempt: what was sent, where, and every
// reply. It never contains a password or a token of the user.
type Probe struct {
	Token string `json:"token"`
	Role  Role   `json:"role"`
	// Group is the token of the main probe; a control probe carries the
	// token of the probe it controls, a main probe its own token.
	Group        string `json:"group"`
	From         string `json:"from"`
	To           string `json:"to"`
	EnvelopeFrom string `json:"envelope_from"`
	MessageID    string `json:"message_id"`
	Subject      string `json:"subject"`
	Route        Route  `json:"route"`
	Relay        string `json:"relay,omitempty"`

	Outcome Outcome `json:"outcome"`
	// Stage is the step that produced the deciding reply or error:
	// connect, greeting, ehlo, starttls, auth, mail, rcpt, data, dot.
	Stage string `json:"stage,omitempty"`
	// Reply is the deciding reply verbatim (lines joined with "\n"); for an
	// accepted probe the final reply to the DATA dot.
	Reply    string `json:"reply,omitempty"`
	Code     int    `json:"code,omitempty"`
	Enhanced string `json:"enhanced,omitempty"`
	Error    string `json:"error,omitempty"`
	// Acceptance is what the final 250 reply tells (provider ids, echoed
	// Message-ID, queue id).
	Acceptance *Acceptance `json:"acceptance,omitempty"`

	MXHost string   `json:"mx_host,omitempty"`
	MXIP   string   `json:"mx_ip,omitempty"`
	Port   int      `json:"port,omitempty"`
	Banner string   `json:"banner,omitempty"`
	TLS    *TLSInfo `json:"tls,omitempty"`
	// DSNOffered tells whether the server advertised DSN (RFC 3461); only
	// then were NOTIFY/RET/ENVID/ORCPT sent.
	DSNOffered   bool      `json:"dsn_offered"`
	DKIMDomain   string    `json:"dkim_domain,omitempty"`
	DKIMSelector string    `json:"dkim_selector,omitempty"`
	Attempts     []Attempt `json:"attempts,omitempty"`
	Transcript   []Line    `json:"transcript,omitempty"`
	Size         int       `json:"size"`
	// Message is the message as sent (not recorded in the ledger): the
	// delivery proof re-scores the provider rulebooks with it.
	Message []byte `json:"-"`

	StartedAt   time.Time `json:"started_at"`
	ConnectedAt time.Time `json:"connected_at,omitzero"`
	DoneAt      time.Time `json:"done_at"`
}

// Accepted reports whether the probe was accepted with a 2xx reply.
func (p *Probe) Accepted() bool { return p != nil && p.Outcome == OutcomeAccepted }

// Attempt is one connection tried while sending (an MX host address).
type Attempt struct {
	Host  string `json:"host"`
	IP    string `json:"ip,omitempty"`
	Port  int    `json:"port"`
	Error string `json:"error,omitempty"`
	Reply string `json:"reply,omitempty"`
}

// TLSInfo describes the TLS of the session (smtpconn's one TLS record;
// it still reads the fields of ledgers written before it existed).
type TLSInfo = smtpconn.TLSInfo

// Line is one line of the SMTP dialogue (smtpconn's one transcript line).
// Dir is "S" (server), "C" (client) or "*" (a note of ours). AUTH exchanges
// are redacted.
type Line = smtpconn.Line

// Scan purposes.
const (
	PurposeSeed = "seed" // the seed mailbox: INBOX, junk and every folder
	PurposeDSN  = "dsn"  // the DSN mailbox where bounces arrive
)

// Scan is one pass over a mailbox looking for a set of tokens.
type Scan struct {
	Purpose string `json:"purpose"`
	// Mailbox identifies the mailbox without secrets, e.g.
	// "imaps://seed@imap.example:993" or "maildir:/var/mail/dsn".
	Mailbox string   `json:"mailbox"`
	Tokens  []string `json:"tokens"`
	// Complete is set only when every selectable folder was searched
	// without error. Only complete scans count as "not found".
	Complete bool         `json:"complete"`
	Error    string       `json:"error,omitempty"`
	Folders  []FolderScan `json:"folders,omitempty"`
	Found    []Sighting   `json:"found,omitempty"`
	// Messages is the number of messages in all scanned folders.
	Messages   int   `json:"messages"`
	DurationMS int64 `json:"duration_ms"`
}

// Folder roles.
const (
	RoleInbox = "inbox"
	RoleJunk  = "junk"
	RoleOther = "other"
)

// FolderScan is the result for one folder of a scan.
type FolderScan struct {
	Name       string `json:"name"`
	Role       string `json:"role"`
	SpecialUse string `json:"special_use,omitempty"`
	Messages   uint32 `json:"messages"`
	Matches    int    `json:"matches"`
	Error      string `json:"error,omitempty"`
}

// Sighting is a probe found in a folder.
type Sighting struct {
	Token       string    `json:"token"`
	Folder      string    `json:"folder"`
	Role        string    `json:"role"`
	UIDValidity uint32    `json:"uid_validity,omitempty"`
	UID         uint32    `json:"uid"`
	Arrived     time.Time `json:"arrived,omitzero"` // INTERNALDATE
	MessageID   string    `json:"message_id,omitempty"`
	// MatchedBy tells which header carried the token: x-mxprobe-id,
	// message-id or subject.
	MatchedBy string       `json:"matched_by"`
	Spam      *SpamVerdict `json:"spam,omitempty"`
	// Received is the copy's topmost Received field (RFC 5321 §4.4), the
	// receiver's record of the session (not recorded in the ledger).
	Received string `json:"-"`
}

// DSNMatch is a delivery status notification (RFC 3464) or a plain bounce
// matched to a probe.
type DSNMatch struct {
	// Source identifies the message in the DSN mailbox (maildir file name or
	// IMAP uidvalidity/uid) so the same report is recorded once.
	Source  string `json:"source"`
	Mailbox string `json:"mailbox"`
	// MatchedBy: envid, verp, header (original Message-ID/X-Mxprobe-Id) or
	// body.
	MatchedBy string `json:"matched_by"`
	// Format: "dsn" for multipart/report delivery-status, "bounce" for a
	// plain-text non-delivery report, "complaint" for a complaint report
	// (RFC 5965 ARF, Microsoft JMRP, a junk-report forward), "autoreply" for
	// an automatic reply of the recipient's mailbox (RFC 3834).
	Format string `json:"format"`
	// Kind is internal/dsn's result kind: recipient, complaint, junkreport or autoreply.
	Kind string `json:"kind,omitempty"`
	// Reason is the cause in mxprobe explain's vocabulary; FeedbackType the
	// ARF feedback type (abuse, fraud, …); Command the SMTP command the
	// remote reply answered.
	Reason         string    `json:"reason,omitempty"`
	FeedbackType   string    `json:"feedback_type,omitempty"`
	Command        string    `json:"command,omitempty"`
	Action         string    `json:"action,omitempty"` // failed, delayed, delivered, relayed, expanded
	Status         string    `json:"status,omitempty"` // RFC 3463 code, e.g. 5.7.1
	DiagnosticCode string    `json:"diagnostic_code,omitempty"`
	RemoteMTA      string    `json:"remote_mta,omitempty"`
	ReportingMTA   string    `json:"reporting_mta,omitempty"`
	FinalRecipient string    `json:"final_recipient,omitempty"`
	Arrived        time.Time `json:"arrived,omitzero"`
	Subject        string    `json:"subject,omitempty"`
}
