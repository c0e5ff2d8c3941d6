package statuscode

import "strings"

// Hints say which MTA wrappers' literals occur in a reply's lower-cased
// text. ParseReply tries a wrapper's regular expression only when its
// literal is present; a caller that already scanned the text for these
// literals (the explainer's one-pass scan) passes them to ParseReplyHinted
// and saves the second look.
type Hints uint16

// The wrapper literals' bits.
const (
	HintInReplyTo Hints = 1 << iota
	HintSaid
	HintExim
	HintGmail
	HintExchange
	HintAfter
	// HintsUnknown: not scanned yet; ParseReplyHinted looks itself.
	HintsUnknown = 1<<iota - 1
)

// HintPhrase is one wrapper literal (lower case) and the bit it sets.
type HintPhrase struct {
	Text string
	Bit  Hints
}

// HintPhrases are the wrapper literals (Postfix "in reply to" and "said:",
// Exim "smtp error from remote", Gmail "other server returned", Exchange
// "returned '" and "remoteserver", the "after <command>" of several MTAs).
var HintPhrases = []HintPhrase{
	{"in reply to", HintInReplyTo}, {"said:", HintSaid}, {"smtp error from remote", HintExim},
	{"other server returned", HintGmail}, {"returned '", HintExchange}, {"remoteserver", HintExchange},
	{"after ", HintAfter},
}

// hintsOf computes the wrapper hints of a lower-cased text.
func hintsOf(low string) Hints {
	var h Hints
	for _, p := range HintPhrases {
		if strings.Contains(low, p.Text) {
			h |= p.Bit
		}
	}
	return h
}

// CommandMarker is a phrase (lower case) that names the SMTP command a
// reply answered, and that command.
type CommandMarker struct {
	Marker, Command string
}

// CommandMarkers name the SMTP command in the phrasing of various MTAs'
// bounces: Exim/Postfix ("after RCPT TO", "in reply to end of DATA"),
// DragonFly ("did not like our RCPT TO"), sendmail transcripts (">>> RCPT
// To:"), qmail ("does not like recipient", "sender was rejected", "my name
// was rejected", "failed after I sent the message") and qmail-ldap
// ("[RCPT_TO]"). The first marker present wins. Read-only.
var CommandMarkers = []CommandMarker{
	{"did not like our rcpt", "RCPT TO"},
	{"did not like our final data", "DATA"},
	{"did not like our data", "DATA"},
	{"did not like our mail", "MAIL FROM"},
	{"does not like recipient", "RCPT TO"},
	{"sender was rejected", "MAIL FROM"},
	{"my name was rejected", "EHLO"},
	{"failed after i sent the message", "DATA"},
	{"[rcpt_to]", "RCPT TO"},
	{"[mail_from]", "MAIL FROM"},
	{">>> rcpt", "RCPT TO"},
	{">>> mail", "MAIL FROM"},
	{">>> data", "DATA"},
	{"error following rcpt", "RCPT TO"},
	{"refused to talk to me", "CONNECT"},
	// Transcripts that go on after a rejected recipient: the rejection came at RCPT.
	{"no valid recipients", "RCPT TO"},
	{"need rcpt", "RCPT TO"},
	{"no recipients specified", "RCPT TO"},
	{"rcpt commands were rejected", "RCPT TO"},
	{"most progress was rcpt", "RCPT TO"},
}

func commandFromText(s, l string, hints Hints, cmd int) string {
	if hints&(HintAfter|HintInReplyTo) != 0 {
		if m := reCommand.FindStringSubmatch(s); m != nil {
			return NormCommand(m[1])
		}
	}
	if cmd > 0 {
		return CommandMarkers[cmd-1].Command
	}
	if cmd == 0 {
		return ""
	}
	for _, cm := range CommandMarkers {
		if strings.Contains(l, cm.Marker) {
			return cm.Command
		}
	}
	return ""
}
