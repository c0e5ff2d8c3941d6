package dsn

import (
	"encoding/json"
	"strings"
)

// Amazon SES notifications: SES sends bounce, complaint and delivery
// notifications as JSON, through SNS to an e-mail subscription or as the
// body of a mail ("Contents of notifications for Amazon SES", SES developer
// guide): notificationType (or eventType for event publishing) Bounce,
// Complaint or Delivery, the recipients under bounce.bouncedRecipients,
// complaint.complainedRecipients or delivery.recipients, and the original
// mail under mail (messageId is SES's own id, commonHeaders.messageId the
// Message-ID header). An SNS envelope carries the notification as a JSON
// string in its Message field.
type sesNotification struct {
	Type             string          `json:"Type"`
	Message          string          `json:"Message"`
	NotificationType string          `json:"notificationType"`
	EventType        string          `json:"eventType"`
	Bounce           *sesBounce      `json:"bounce"`
	Complaint        *sesComplaint   `json:"complaint"`
	Delivery         *sesDelivery    `json:"delivery"`
	Mail             json.RawMessage `json:"mail"`
}

type sesBounce struct {
	BounceType        string `json:"bounceType"`
	BouncedRecipients []struct {
		EmailAddress   string `json:"emailAddress"`
		Action         string `json:"action"`
		Status         string `json:"status"`
		DiagnosticCode string `json:"diagnosticCode"`
	} `json:"bouncedRecipients"`
	Timestamp    string `json:"timestamp"`
	ReportingMTA string `json:"reportingMTA"`
	RemoteMtaIP  string `json:"remoteMtaIp"`
}

type sesComplaint struct {
	ComplainedRecipients []struct {
		EmailAddress string `json:"emailAddress"`
	} `json:"complainedRecipients"`
	Timestamp             string `json:"timestamp"`
	UserAgent             string `json:"userAgent"`
	ComplaintFeedbackType string `json:"complaintFeedbackType"`
	ArrivalDate           string `json:"arrivalDate"`
}

type sesDelivery struct {
	Recipients   []string `json:"recipients"`
	Timestamp    string   `json:"timestamp"`
	SMTPResponse string   `json:"smtpResponse"`
	ReportingMTA string   `json:"reportingMTA"`
	RemoteMtaIP  string   `json:"remoteMtaIp"`
}

type sesMail struct {
	MessageID     string `json:"messageId"`
	CommonHeaders struct {
		MessageID string `json:"messageId"`
		Subject   string `json:"subject"`
	} `json:"commonHeaders"`
}

// sesResults reads an SES notification out of a text part, if it is one.
func sesResults(t string) []Result {
	i := strings.IndexByte(t, '{')
	if i < 0 || !strings.Contains(t, "otificationType") && !strings.Contains(t, "eventType") {
		return nil
	}
	j := strings.LastIndexByte(t, '}')
	if j < i {
		return nil
	}
	// Long lines in the corpus of real mails are broken as "!\n " by the
	// MTA that carried them (RFC 5322 §2.1.1 line limit); join them.
	js := strings.NewReplacer("!\r\n ", "", "!\n ", "").Replace(t[i : j+1])
	var n sesNotification
	if err := json.Unmarshal([]byte(js), &n); err != nil {
		return nil
	}
	if n.Type == "Notification" && n.Message != "" {
		if err := json.Unmarshal([]byte(n.Message), &n); err != nil {
			return nil
		}
	}
	var mail sesMail
	_ = json.Unmarshal(n.Mail, &mail)
	msgID := cleanAddr(mail.CommonHeaders.MessageID)
	kind := firstOf(n.NotificationType, n.EventType)
	var out []Result
	switch {
	case strings.EqualFold(kind, "bounce") && n.Bounce != nil:
		for _, r := range n.Bounce.BouncedRecipients {
			res := Result{Kind: KindRecipient, Format: FormatSES, Recipient: cleanAddr(r.EmailAddress),
				Action: strings.ToLower(r.Action), Status: r.Status, ReportingMTA: cleanHost(stripType(n.Bounce.ReportingMTA)),
				LastAttemptDate: n.Bounce.Timestamp, RemoteMTA: n.Bounce.RemoteMtaIP, OriginalMessageID: msgID, Subject: mail.CommonHeaders.Subject}
			res.DiagnosticType, res.RemoteReply = splitType(r.DiagnosticCode)
			if res.Action == "" {
				res.Action = "failed"
			}
			out = append(out, res)
		}
	case strings.EqualFold(kind, "complaint") && n.Complaint != nil:
		for _, r := range n.Complaint.ComplainedRecipients {
			out = append(out, Result{Kind: KindComplaint, Format: FormatSES, Recipient: cleanAddr(r.EmailAddress),
				FeedbackType: n.Complaint.ComplaintFeedbackType, UserAgent: n.Complaint.UserAgent,
				ArrivalDate: firstOf(n.Complaint.ArrivalDate, n.Complaint.Timestamp), OriginalMessageID: msgID, Subject: mail.CommonHeaders.Subject})
		}
	case strings.EqualFold(kind, "delivery") && n.Delivery != nil:
		for _, r := range n.Delivery.Recipients {
			res := Result{Kind: KindRecipient, Format: FormatSES, Recipient: cleanAddr(r), Action: "delivered",
				RemoteReply: n.Delivery.SMTPResponse, ReportingMTA: n.Delivery.ReportingMTA, RemoteMTA: n.Delivery.RemoteMtaIP,
				LastAttemptDate: n.Delivery.Timestamp, OriginalMessageID: msgID, Subject: mail.CommonHeaders.Subject}
			out = append(out, res)
		}
	}
	if len(out) > maxRecipients {
		out = out[:maxRecipients]
	}
	return out
}
