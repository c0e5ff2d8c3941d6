package statuscode

// Phrases that reveal a bounce reason in a reply's text, in lower case. They
// were collected for mxprobe from the texts MTAs and mailbox providers
// actually send (RFC 5321 example texts, Postfix, Exim, Sendmail, qmail,
// Exchange, Gmail, Yahoo, Outlook.com, GMX/WEB.DE, T-Online, iCloud) and
// checked against the public sisimai corpora in testdata/statuscode.
//
// A strong phrase decides the reason on its own, whatever the status code
// says. A weak phrase decides only when the code does not (no enhanced code,
// or a generic one such as x.0.0, x.5.0, x.7.0, x.7.1).
type phraseSet struct {
	strong []string
	weak   []string
	// pairs are "a … b" with b after a.
	pairs [][2]string
}

// reasonPriority orders the reasons when the text matches more than one:
// the more specific and the more actionable reason first.
var reasonPriority = []Reason{
	MailboxFull, MesgTooBig, ExceedLimit, Suspend, HasMoved, SecurityError, NoRelaying, AuthFailure, RequirePTR,
	BadReputation, VirusDetected, Filtered, UserUnknown, NotCompliantRFC, ContentError, Rejected,
	NotAccept, NetworkError, HostUnknown, SpamDetected, Speeding, TooManyConn, RateLimited, Blocked,
	PolicyViolation, FailedSTARTTLS, SystemFull, MailerError, SystemError, Expired,
	SyntaxError, OnHold, Vacation,
}

var reasonPhrases = map[Reason]phraseSet{
	UserUnknown: {strong: []string{
		"user unknown", "unknown user", "no such user", "user not found", "user does not exist", "user not exist",
		"user doesn't exist", "unknown recipient", "recipient unknown", "recipient not found", "recipnotfound",
		"recipientnotfound", "recipient does not exist", "no mailbox here by that name", "mailbox not found",
		"mailbox does not exist", "mailbox doesn't exist", "no such mailbox", "no such recipient",
		"address does not exist", "address doesn't exist", "account does not exist", "account doesn't exist",
		"account that you tried to reach does not exist", "invalid recipient", "invalid mailbox", "not a valid mailbox",
		"unknown or illegal", "not listed in domino directory", "not listed in public name", "invalid final delivery userid",
		"this user doesn't have a", "recipient address rejected: access denied", "inactive email address", "user name of email address not valid", "requested user mailbox not found", "unknown local part",
		"no such local user", "unknown address", "mailbox unknown", "rcp-p1", "no valid recipients for this mm",
		"unknown e-mail address", "bad destination mailbox address", "the recipient is not valid", "banned recipient",
		"is no longer valid", "empfänger unbekannt", "unbekannter empfänger", "postfach existiert nicht",
		"adresse existiert nicht", "benutzer unbekannt", "宛先がみつかりませんでした", "宛先が見つかりません",
	}, weak: []string{
		"address couldn't be found", "address could not be found", "mailbox unavailable", "invalid address",
		"recipient address rejected. ",
		"no valid recipients", "unable to deliver message to", "recipient rejected", "mailbox not available",
		"unknown or invalid", "invalid user",
	}},
	Filtered: {strong: []string{
		"user reject", "blocked by the recipient", "message filtered", "domain filter", "badrcptto", "rcp-p2",
		"recipient has blocked",
		"envelope blocked",
		// Japanese carriers' domain filters answer "550 : User unknown", with
		// the address left out, when the recipient's filter refuses a sender.
		"550 : user unknown", "550: : user unknown",
	}},
	MailboxFull: {strong: []string{
		"mailbox full", "mailbox is full", "mailbox is over quota", "over quota", "overquota", "quota exceeded",
		"exceeded storage allocation", "disk quota exceeded", "out of storage space", "storage quota exceeded",
		"mailfolder is full", "mailbox exceeds allowed size", "number of messages in recipient's mailbox exceeded",
		"not enough disk space", "too much mail data", "quotaexceeded", "mailbox has exceeded", "mailbox size limit",
		"inbox is full", "inbox is out of storage", "postfach ist voll", "postfach voll", "speicherplatz",
		"mailbox quota", "exceeds its quota", "exceeded its quota", "over its quota",
		"メールボックスが一杯", "容量オーバー",
	}, weak: []string{"insufficient disk space", "quota"}},
	MesgTooBig: {strong: []string{
		"message too big", "message is too big", "message size exceeds", "exceeds fixed maximum message size",
		"recipsizelimit", "message too large for this recipient", "line limit exceeded", "mail size limit exceeded",
		"message size limit", "exceeded google's message size", "message is too large", "size of your message",
		"message length exceeds the", "too big for system", "nachricht ist zu groß",
	}, weak: []string{"message too large", "too large", "too big"}},
	ExceedLimit: {strong: []string{
		"message length exceeds", "header size exceeds", "exceeds administrative limit", "exceeds the limit set by",
		"exceeds limit set by",
	}},
	Suspend: {strong: []string{
		"account is disabled", "account has been disabled", "account disabled", "disabled or discontinued",
		"account is locked", "mailbox is frozen", "recipient suspend", "currently suspended", "temporary locked",
		"temporarily locked", "disabled recipient address", "user account disabled", "account is inactive",
		"you tried to reach is inactive", "you tried to reach is disabled", "recipient account is blocked",
		"compte du destinataire est bloque", "mailbox disabled", "mailbox is disabled", "mailbox is inactive",
		"account has been suspended", "account is suspended", "account suspended", "mailbox has been disabled",
		"postfach ist deaktiviert", "konto ist gesperrt", "konto gesperrt",
	}},
	HasMoved: {strong: []string{
		"has been replaced by", "no longer on server", "not our customer", "not our user", "mailbox has moved",
		"has moved", "no forwarding address", "address has changed", "moved to a new address",
	}},
	NoRelaying: {strong: []string{
		"relaying denied", "relay denied", "relay access denied", "relay not permitted", "unable to relay",
		"not configured to relay", "insecure mail relay", "no relaying", "relaying not allowed", "relay not allowed",
		"we do not relay", "not permitted to relay", "relaying is not allowed", "email address is not verified",
		"relay access not permitted", "relaying mail to", "not allowed to relay",
	}},
	AuthFailure: {strong: []string{
		"bad spf record", "spf record with a hard fail", "per it's spf record", "spf check", "spf validation", "fails to pass spf", "failed spf", "spf fail", "spf policy",
		"spf authentication", "dmarc policy", "dmarc verification", "dmarc check", "does not pass dmarc",
		"dmarc rejection", "dmarcrejection", "dmarc record", "unauthenticated email", "sender is unauthenticated",
		"does not have authentication information", "fails to pass authentication checks",
		"authentication checks failed", "dkim = did not pass", "dkim authentication", "dkim signature",
		"dkim check", "is not allowed to send from", "sender policy framework", "sender id validation",
		"didn't pass spf", "didn't pass dkim", "authentication results", "isn't aligned with", "not aligned with",
		"required authentication level", "sender domain authentication", "must pass either spf or dkim",
		"arc validation", "unauthenticated mail", "authentication is required for",
	}},
	RequirePTR: {strong: []string{
		"ptr record", "no ptr", "reverse dns", "rdns", "reverse lookup", "ip name lookup failed",
		"unverifyable sending ip", "mismatches client ip", "bad dns ptr", "cannot find your hostname",
		"cannot find your reverse hostname", "reverse hostname", "reverse-dns", "no reverse",
		"client host name not found", "ptr resource record", "reverse name", "have a ptr",
	}},
	BadReputation: {strong: []string{
		"poor reputation", "poor email reputation", "reputation score", "low reputation", "bad reputation",
		"due to ip reputation", "[tss04]", "unexpected volume or user complaints", "sender reputation",
		"reputation of the sending", "ip reputation", "domain reputation", "none/bad reputation",
		"reputation is too low", "schlechte reputation",
	}},
	VirusDetected: {strong: []string{
		"virus detected", "virus found", "contains a virus", "prohibited virus", "infected with", "virus infected",
		"viral traffic", "malware", "trojan", "malicious attachment", "malicious file", "virus-infected", "viruses found",
		"a virus", "virusbefall", "virus gefunden",
	}},
	NotCompliantRFC: {strong: []string{
		"not rfc 5322 compliant", "not rfc5322 compliant", "rfc 5322 compliant", "rfcmessagenoncompliant",
		"multiple subject headers", "multiple addresses in from", "multiple from: headers", "multiple from headers",
		"not compliant with rfc", "headers are not rfc compliant", "not rfc compliant", "rfc 5322 section",
		"missing a valid message-id", "missing a valid address in the from", "no from: header",
		"rfc 2822 compliant", "rfc2822",
	}},
	ContentError: {strong: []string{
		"improperly-formatted binary content", "duplicate header", "headers too large", "8-bit data",
		"8bit data", "improper use of 8-bit", "media error", "invalid mime", "mime error", "malformed mime",
		"message is malformed", "invalid characters", "bare lf", "header is too long", "header too big",
		"encoded-word syntax", "unicode character in a disallowed header",
	}},
	Rejected: {strong: []string{
		"sender address rejected", "domain of sender address", "sender domain does not exist",
		"unroutable sender", "sender verify failed", "sender verification failed", "sender rejected",
		"from: domain is invalid", "not a member of this mailing list", "group you tried to contact",
		"permission to post messages to the group", "send mail as",
		// Google Groups' refusal to non-members, as it appears in other languages.
		"die gruppe, die sie kontaktieren möchten", "le groupe que vous avez essayé de contacter",
		"el grupo con el que has intentado ponerte en contacto", "il gruppo che hai tentato di contattare",
		"連絡しようとしたグループ", "您試圖聯絡的", "您尝试联系的", "skupina, kterou se pokoušíte kontaktovat",
		"η ομάδα με την οποία επιχειρείτε να επικοινωνήσετε", "група, з якою ви намагалися зв'язатися",
		"група, з якою Ви намагалися зв'язатися", "שניסית ליצור עמה קשר", "گروهی که می‌خواهید با آن ارتباط برقرار کنید",
		"المجموعة (", "التي حاولت الاتصال بها", "जिस समूह से संपर्क", "address that has been blacklisted",
		"purported responsible address", "sender denied", "invalid sender", "sender address is invalid",
		"sender domain must exist", "unresolvable rfc.5321 from domain", "unresolvable rfc.5322 from domain",
		"sender address has null mx", "envelope sender", "bad outbound sender", "banned sender",
		"absender abgelehnt",
	}},
	NotAccept: {strong: []string{
		"does not accept mail", "no mx record found", "no mx found", "mx or srv record indicated no smtp service",
		"null mx", "smtp protocol returned a permanent error", "couldn't find a mail exchanger",
		"system not accepting network messages", "name server: .: host not found", "does not accept email",
		"accepts no mail", "no smtp service here", "rfc7505", "rfc 7505",
	}},
	HostUnknown: {strong: []string{
		"host unknown", "domain does not exist", "no such domain", "domain not found", "host not found",
		"unrouteable address", "unroutable address", "domain is not reachable", "illegal host/domain name",
		"host or domain name not found", "dns lookup failure: host", "invalid domain", "couldn't find any host named",
		"unknown domain", "domain couldn't be found", "find the recipient domain", "domain name not found",
		"no such host", "nxdomain", "domain doesn't exist", "domain is invalid", "domain unknown",
	}, weak: []string{"does not exist", "doesn't exist"}},
	SpamDetected: {strong: []string{
		"spam detected", "detected as spam", "scored as spam", "considered spam", "considered as spam",
		"spam content", "blocked by our spam", "spam firewall", "message content rejected", "content rejected",
		"probable spam", "likely spam", "unsolicited", "spam score", "mail score", "messagescoringupperlimit",
		"blacklisted url", "uribl", "surbl", "identified as spam", "message rejected as spam", "rejected as spam",
		"looks like spam", "classified as spam", "spam message", "rejected by spam filter", "spam-like",
		"content filter", "spamassassin", "suspicious due to the nature of the content", "als spam", "spam classification",
		"- spam",
		"spam or virus",
	}},
	Speeding: {strong: []string{
		"please try again slower", "too many recipients this hour", "sent to too many recipients",
		"receiving mail at a rate", "receiving email at a rate", "max emails per hour", "receiving email too quickly",
		"receiving mail too quickly", "sending too fast", "too many messages in too short",
	}},
	TooManyConn: {strong: []string{
		"too many connections", "connection rate limit", "connection frequency limited", "ip frequency limited",
		"too many recipients", "too many sessions", "connection limit", "too many concurrent",
		"too many simultaneous", "too many smtp sessions", "max message per connection",
	}},
	RateLimited: {strong: []string{
		"rate limited", "rate limit", "ratelimit", "throttl", "unusual rate", "unusual amount",
		"temporarily deferred", "try again later, closing connection", "server busy", "too many messages",
		"sending limit exceeded", "limit exceeded for", "exceeded permitted limits", "daily limit",
	}},
	Blocked: {strong: []string{
		"blocked using", "blacklisted", "blocklist", "block list", "blacklist", "on our block list", "spamhaus",
		"dnsbl", "banned sending ip", "client host blocked", "service refuse", "not accepting connections",
		"invalid ip for sending", "forbidden by your ip", "access from ip address", "blocked for abuse",
		"is an open relay", "open proxy", "please use the smtp server of your isp", "dynamic ip", "dial-up",
		"dialup", "residential", "(bl)", "(dial)", "(nowl)", "weren't sent. please contact your internet service provider",
		"part of their network", "your ip", "ip address is block listed", "not accepted from this ip",
		"may not be mail exchanger", "client host rejected: blocked", "rejected because of your ip",
		"ip blocked", "blocked ip", "sending ip", "spamcop", "sorbs", "barracuda", "proofpoint.com/dnsbl",
		"refused to talk to me", "ip is in spamhaus", "listed in", "blocked by ldap", "your network",
		"mail server ip", "gesperrt",
	}, weak: []string{
		"client host rejected", "connection refused", "not allowed", "blocked", "denied",
	}},
	PolicyViolation: {strong: []string{
		"local policy violation", "denied by policy", "not accepted for policy reasons", "for policy reasons",
		"due to security policies", "protocol violation", "header error", "illegal attachment",
		"content presents a potential", "host network not allowed", "message not allowed",
		"rejected due to local policy", "policy restrictions", "prohibited attachment", "attachment type",
		"has a policy that prohibits", "policy violations", "tenant has exceeded threshold",
		"blocked by your organization",
	}},
	FailedSTARTTLS: {strong: []string{
		"starttls", "tls required", "tls is required", "requiretls", "tls negotiation", "tls handshake",
		"encryption required", "encryption needed", "must use tls", "tls connection", "not using a tls",
		"wasn't sent over a tls", "does not support tls", "not support starttls", "tlsa", "dane validation", "failed dane", "mta-sts", "certificate",
	}},
	SecurityError: {strong: []string{
		"authentication required", "authrequired", "smtp authentication", "unauthenticated senders",
		"authentication failure", "authentication failed", "delivery not authorized", "not authorized to send",
		"client was not authenticated", "sender was not authenticated", "must be authenticated",
		"authentication credentials invalid", "invalid credentials", "username and password not accepted",
		"without authentication",
	}, weak: []string{"not authorized", "unauthorized", "access denied"}},
	SystemFull: {strong: []string{
		"mail system full", "system storage", "insufficient system storage", "disk full", "disk is full",
		"queue is full", "out of disk",
	}},
	SystemError: {strong: []string{
		"system config error", "configuration error", "loops back to myself", "internal system error",
		"internal error", "system error", "queue file write error", "could not load drd", "insufficient permission",
		"unable to contact ldap", "duplicated message-id", "server configuration", "temporary system problem",
		"system problem", "mail system problem",
	}, weak: []string{"transaction failed", "temporarily unavailable", "not available", "service unavailable", "local error", "resources temporarily unavailable"}},
	NetworkError: {strong: []string{
		"no route to host", "host name lookup failure", "dns error", "too many hops",
		"hop count exceeded", "routing loop", "mail loop", "maximum hop count", "forwarded more than the maximum",
		"lost connection", "connection reset", "network error",
		"wasn't able to establish an smtp connection", "unable to establish an smtp connection", "malformed or unexpected name server reply",
		"host not found, try again", "name server timeout", "temporary dns",
		"dns query failed", "dns failure", "network is unreachable", "loop detected",
	}, weak: []string{"connection dropped", "broken pipe", "name service error"}},
	Expired: {strong: []string{
		"delivery time expired", "retry timeout exceeded", "message expired", "queue.expired", "will be retried",
		"has been delayed", "delivery incomplete", "could not deliver for the last", "envelope expired",
		"unable to deliver this message after", "not delivered within", "all hosts have been failing",
		"connection timed out", "timed out", "did not accept our requests to connect", "host not reachable",
		"remote host is not responding", "unable to connect successfully",
		"retry time exceeded", "expired", "too old",
		"this message has been in the queue too long",
	}, pairs: [][2]string{{"delivery failed", " attempts"}}, weak: []string{"queue too long", "not responding", "timeout", "giving up", "given up"}},
	MailerError: {strong: []string{
		"x-unix;", "pipe to |", "procmail", "|ifs=", "unknown mailer error", "mailer error", "command died",
		"exit 75", "operating system error", "mail.local", "child status",
	}},
	SyntaxError: {strong: []string{
		"syntax error", "command unrecognized", "command not recognized", "unrecognized command",
		"improper sequence", "command parameter not implemented", "malformed address", "invalid command",
		"line too long", "command not implemented",
	}, weak: []string{"bad sequence of commands", "need rcpt", "rcpt first", "out of sequence"}},
	OnHold: {strong: []string{"upstream error"}, weak: []string{"temporary failure"}},
	Vacation: {strong: []string{
		"away on vacation", "i am away", "out of the office", "out of office", "will be traveling",
		"auto-reply", "autoreply", "automatic reply", "abwesenheitsnotiz", "bin ich nicht im büro",
		"bin im urlaub", "außer haus",
	}},
}
