package explain

import "strings"

// Some large mailbox providers put their own error code into the reply text,
// and that code names the reason more precisely than the words around it
// ("Mail rejete. Mail rejected. OFR_506 [506]" is a spam verdict; "Service
// refused, please try later" is used for several different codes). The
// tables below hold what the providers document for their codes. An Orange
// or La Poste code decides the reason unless the text itself names one (they
// reuse some codes: La Poste's 402 is "authentication required" and "DKIM is
// not configured"); a Spectrum code always decides.

// orangeCodes are Orange's (orange.fr, wanadoo.fr: "OFR…_nnn", "OUK_nnn")
// and La Poste's (laposte.net: "LPN…_nnn") codes: the three digits after the
// label's underscore. Sources: Orange's postmaster pages as summarised at
// https://www.postmastery.com/orange-postmaster-smtp-error-codes-ofr/ and
// https://smtpfieldmanual.com/provider/orange, and the code table sisimai
// keeps for them (rhost FrancePTT); codes whose text says nothing beyond
// "please try later" (105, 107–109, 201, 423, 424, 513) are left out.
var orangeCodes = map[int]Reason{
	101: Blocked,         // sending IP on a block list (Spamhaus)
	102: Blocked,         // source IP blocked for spam incidents (Cloudmark)
	103: Blocked,         // service refused to the source IP
	104: TooManyConn,     // too many connections
	305: SecurityError,   // invalid authentication code
	401: AuthFailure,     // SPF: not allowed to send mail
	402: SecurityError,   // authentication required
	403: Rejected,        // invalid sender
	405: Rejected,        // invalid sender
	415: Rejected,        // invalid sender
	416: UserUnknown,     // invalid recipient
	417: MailboxFull,     // recipient over quota
	420: Suspend,         // archived recipient
	421: Rejected,        // MAIL FROM not owned by the user
	426: Suspend,         // recipient account blocked
	505: SystemError,     // service refused after DATA, try later
	506: SpamDetected,    // mail rejected by the content filter
	510: Blocked,         // mail from this sender blocked by La Poste
	514: MesgTooBig,      // message size limit reached
	517: AuthFailure,     // DMARC verification failed
	630: PolicyViolation, // client host rejected by policy
	999: Blocked,         // service refused (temporary block of the source IP)
}

// spectrumCodes are Charter Spectrum's "AUP#I-nnnn" (incoming) and
// "AUP#O-nnnn" (outgoing) codes, as ranges. Source: Spectrum's "Understanding
// email error codes" page,
// https://www.spectrum.net/support/internet/understanding-email-error-codes
// (also kept by sisimai, rhost Spectrum).
var spectrumCodes = []struct {
	lo, hi int
	reason Reason
}{
	{1000, 1000, Blocked},         // IP blocked for suspicious activity
	{1010, 1080, Rejected},        // the sending account is blocked or limited
	{1090, 1090, SystemError},     // the message cannot be processed now
	{1100, 1150, RequirePTR},      // no full-circle (forward-confirmed) reverse DNS
	{1160, 1190, PolicyViolation}, // against the domain's security policies
	{1200, 1250, Blocked},         // IP listed by Cloudmark CSI or Spamhaus
	{1260, 1260, NetworkError},    // IPv6 not accepted
	{1300, 1340, TooManyConn},     // too many (concurrent) connections
	{1350, 1490, Speeding},        // too many messages or recipients for the reputation
	{1500, 1520, Rejected},        // sending as another address or domain
	{1530, 1530, MesgTooBig},      // larger than 20 MB
	{1540, 1550, Speeding},        // too many messages per session or recipients per message
	{1560, 1560, PolicyViolation}, // too many invalid recipients
	{1580, 1580, Speeding},        // too many recipients in a short time
}

// providerCodeReason finds a provider's own error code in the lower-cased
// text and returns the reason it stands for. firm means the code outranks
// the words of the reply: Spectrum's texts are the same boilerplate ("sender
// rejected") for every AUP code.
func providerCodeReason(low string) (r Reason, firm bool) {
	for _, label := range [...]string{"ofr", "lpn", "ouk"} {
		for from := 0; from < len(low); {
			i := indexFrom(low, label, from)
			if i < 0 {
				break
			}
			from = i + len(label)
			if i > 0 && isWordByte(low[i-1]) {
				continue
			}
			if n, ok := orangeCode(low, i+len(label)); ok {
				if r, ok := orangeCodes[n]; ok {
					return r, false
				}
			}
		}
	}
	if i := indexFrom(low, "aup#", 0); i >= 0 {
		j := i + 4
		for j < len(low) && j < i+8 && (low[j] >= 'a' && low[j] <= 'z' || low[j] == '-') {
			j++
		}
		n, k := 0, j
		for k < len(low) && k < j+4 && isDigit(low[k]) {
			n = n*10 + int(low[k]-'0')
			k++
		}
		if k == j+4 && (k == len(low) || !isDigit(low[k])) {
			for _, c := range spectrumCodes {
				if n >= c.lo && n <= c.hi {
					return c.reason, true
				}
			}
		}
	}
	return "", false
}

// orangeCode reads the rest of an Orange or La Poste label after "ofr",
// "lpn" or "ouk": "005_505", "_506", "aaa_101" or "416". The code is the
// three digits after the underscore, or the three digits of a label without
// one.
func orangeCode(s string, i int) (int, bool) {
	j := i
	for j < len(s) && j-i < 6 && (isDigit(s[j]) || s[j] >= 'a' && s[j] <= 'z') {
		j++
	}
	if j < len(s) && s[j] == '_' {
		j++
	} else if j-i != 3 {
		return 0, false
	} else {
		j = i
	}
	n, k := 0, j
	for k < len(s) && k < j+3 && isDigit(s[k]) {
		n = n*10 + int(s[k]-'0')
		k++
	}
	if k != j+3 || (k < len(s) && isWordByte(s[k])) {
		return 0, false
	}
	return n, true
}

func indexFrom(s, sub string, from int) int {
	if from >= len(s) {
		return -1
	}
	if i := strings.Index(s[from:], sub); i >= 0 {
		return from + i
	}
	return -1
}
