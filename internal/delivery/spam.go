package delivery

import (
	"bufio"
	"bytes"
	"net/textproto"
	"strconv"
	"strings"
)

// SpamVerdict is the receiver's own spam classification, read from the
// headers it added.
type SpamVerdict struct {
	// Microsoft (Exchange Online Protection / Outlook.com), see "Anti-spam
	// message headers in Microsoft 365",
	// https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo:
	// X-Forefront-Antispam-Report carries SCL (spam confidence level, -1…9;
	// 5 and above go to junk), SFV (filter verdict: NSPM not spam, SPM spam,
	// SKS/SKA/SKB/SKI/SKN/SKQ skipped for a reason, BLK blocked sender) and
	// CAT (protection category such as SPM, HSPM, PHSH, BULK).
	SCL *int   `json:"scl,omitempty"`
	SFV string `json:"sfv,omitempty"`
	CAT string `json:"cat,omitempty"`
	// Dest is from X-Microsoft-Antispam-Mailbox-Delivery: "I" inbox, "J"
	// junk; OFR is its override reason (e.g. SpamFilterPassed,
	// ExclusiveSettings).
	Dest string `json:"dest,omitempty"`
	OFR  string `json:"ofr,omitempty"`
	// SpamAssassin-style headers (X-Spam-Flag: YES, X-Spam-Status: Yes,
	// score=…), used by many providers and by Rspamd's milter.
	SpamFlag   string `json:"spam_flag,omitempty"`
	SpamStatus string `json:"spam_status,omitempty"`
	// AuthResults is the receiver's Authentication-Results (RFC 8601), the
	// first one only (the receiver's own, on top).
	AuthResults string `json:"auth_results,omitempty"`
}

// IsZero reports whether no spam header was seen.
func (v *SpamVerdict) IsZero() bool {
	return v == nil || (v.SCL == nil && v.SFV == "" && v.CAT == "" && v.Dest == "" && v.OFR == "" &&
		v.SpamFlag == "" && v.SpamStatus == "" && v.AuthResults == "")
}

// Junk reports whether the receiver's headers say it classified the message
// as spam (Microsoft dest:J or SCL ≥ 5 or SFV:SPM, or X-Spam-Flag: YES).
func (v *SpamVerdict) Junk() bool {
	if v == nil {
		return false
	}
	return strings.EqualFold(v.Dest, "J") || (v.SCL != nil && *v.SCL >= 5) ||
		strings.EqualFold(v.SFV, "SPM") || strings.EqualFold(v.SpamFlag, "yes")
}

const maxHeaderValue = 1024

// parseHeaderBlock parses a message header block (bounded by the caller),
// tolerating a missing final blank line and broken lines: what was read
// before an error is kept.
func parseHeaderBlock(b []byte) textproto.MIMEHeader {
	if !bytes.HasSuffix(b, []byte("\r\n\r\n")) && !bytes.HasSuffix(b, []byte("\n\n")) {
		b = append(append([]byte(nil), b...), "\r\n\r\n"...)
	}
	h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(b))).ReadMIMEHeader()
	if h == nil {
		h = textproto.MIMEHeader{}
	}
	return h
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n]
	}
	return s
}

// SpamVerdictOf reads the spam headers of h; nil when there are none.
func SpamVerdictOf(h textproto.MIMEHeader) *SpamVerdict {
	v := &SpamVerdict{}
	if r := h.Get("X-Forefront-Antispam-Report"); r != "" {
		for k, val := range semicolonPairs(r) {
			switch k {
			case "SCL":
				if n, err := strconv.Atoi(val); err == nil && n >= -1 && n <= 9 {
					v.SCL = &n
				}
			case "SFV":
				v.SFV = clip(val, 16)
			case "CAT":
				v.CAT = clip(val, 16)
			}
		}
	}
	if r := h.Get("X-Microsoft-Antispam-Mailbox-Delivery"); r != "" {
		for k, val := range semicolonPairs(r) {
			switch k {
			case "DEST":
				v.Dest = clip(val, 4)
			case "OFR":
				v.OFR = clip(val, 64)
			}
		}
	}
	v.SpamFlag = clip(h.Get("X-Spam-Flag"), 16)
	v.SpamStatus = clip(h.Get("X-Spam-Status"), maxHeaderValue)
	v.AuthResults = clip(h.Get("Authentication-Results"), maxHeaderValue)
	if v.IsZero() {
		return nil
	}
	return v
}

// semicolonPairs yields "KEY:value" items of a "a:b;c:d" header with upper
// case keys (bounded: at most 64 items).
func semicolonPairs(s string) func(func(string, string) bool) {
	return func(yield func(string, string) bool) {
		for i, item := range strings.Split(s, ";") {
			if i >= 64 {
				return
			}
			k, v, ok := strings.Cut(strings.TrimSpace(item), ":")
			if !ok {
				continue
			}
			if !yield(strings.ToUpper(strings.TrimSpace(k)), strings.TrimSpace(v)) {
				return
			}
		}
	}
}

// Summary is a short data line of the verdict ("SCL 6, SFV SPM, dest J"),
// empty when there is none.
func (v *SpamVerdict) Summary() string {
	if v == nil {
		return ""
	}
	var parts []string
	if v.SCL != nil {
		parts = append(parts, "SCL "+strconv.Itoa(*v.SCL))
	}
	if v.SFV != "" {
		parts = append(parts, "SFV "+v.SFV)
	}
	if v.CAT != "" {
		parts = append(parts, "CAT "+v.CAT)
	}
	if v.Dest != "" {
		parts = append(parts, "dest "+v.Dest)
	}
	if v.SpamFlag != "" {
		parts = append(parts, "X-Spam-Flag "+v.SpamFlag)
	}
	if v.SpamStatus != "" {
		st, _, _ := strings.Cut(v.SpamStatus, ",")
		parts = append(parts, "X-Spam-Status "+clip(st, 16))
	}
	return strings.Join(parts, ", ")
}
