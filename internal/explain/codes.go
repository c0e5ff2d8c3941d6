package explain

// codeReasons maps an enhanced status code (class 4 and 5; key
// subject*1000+detail) to the reason its registry meaning implies (RFC 3463,
// RFC 5248 and the RFCs named in the registry). Generic codes (x.0.0, x.5.0,
// x.7.0 …) are absent; for x.7.1 see genericCodes.
var codeReasons = map[int]Reason{
	1000: UserUnknown,    // other address status: used for unknown recipients
	1001: UserUnknown,    // bad destination mailbox address
	1002: HostUnknown,    // bad destination system address
	1003: UserUnknown,    // bad destination mailbox address syntax
	1004: UserUnknown,    // destination mailbox address ambiguous
	1006: HasMoved,       // mailbox has moved, no forwarding address
	1007: Rejected,       // bad sender's mailbox address syntax
	1008: Rejected,       // bad sender's system address
	1009: SystemError,    // message relayed to non-compliant mailer
	1010: NotAccept,      // recipient address has null MX (RFC 7505)
	2000: Filtered,       // other mailbox status
	2001: Suspend,        // mailbox disabled
	2002: MailboxFull,    // mailbox full
	2003: ExceedLimit,    // message length exceeds administrative limit
	2004: SystemError,    // mailing list expansion problem
	3000: SystemError,    // other mail system status
	3001: SystemFull,     // mail system full
	3002: NotAccept,      // system not accepting network messages (RFC 7504)
	3003: SystemError,    // system not capable of selected features
	3004: MesgTooBig,     // message too big for system
	3005: SystemError,    // system incorrectly configured
	4000: NetworkError,   // other network or routing status
	4001: NetworkError,   // no answer from host
	4002: NetworkError,   // bad connection
	4003: SystemError,    // directory server failure
	4004: HostUnknown,    // unable to route
	4005: SystemFull,     // mail system congestion
	4006: NetworkError,   // routing loop detected
	4007: Expired,        // delivery time expired
	5001: SyntaxError,    // invalid command
	5002: SyntaxError,    // syntax error
	5003: TooManyConn,    // too many recipients
	5004: SyntaxError,    // invalid command arguments
	5005: SystemError,    // wrong protocol version
	5006: SyntaxError,    // AUTH line too long (RFC 4954)
	6000: ContentError,   // other media error
	6001: ContentError,   // media not supported
	6002: ContentError,   // conversion required and prohibited
	6003: ContentError,   // conversion required but not supported
	6005: ContentError,   // conversion failed
	6006: ContentError,   // message content not available (RFC 4468)
	6007: ContentError,   // non-ASCII addresses not permitted (RFC 6531)
	6008: ContentError,   // UTF-8 reply required (RFC 6531)
	6009: ContentError,   // UTF-8 header cannot be transferred (RFC 6531)
	6010: ContentError,   // deprecated duplicate of x.6.8
	7002: SecurityError,  // mailing list expansion prohibited
	7003: SecurityError,  // security conversion not possible
	7004: SecurityError,  // security features not supported
	7005: SecurityError,  // cryptographic failure
	7006: SecurityError,  // cryptographic algorithm not supported
	7007: SecurityError,  // message integrity failure
	7008: SecurityError,  // authentication credentials invalid (RFC 4954)
	7009: SecurityError,  // authentication mechanism too weak
	7010: FailedSTARTTLS, // encryption needed (RFC 5248)
	7011: SecurityError,  // encryption required for AUTH mechanism
	7012: SecurityError,  // password transition needed
	7013: Suspend,        // user account disabled (RFC 5248)
	7014: SecurityError,  // trust relationship required
	7015: SecurityError,  // priority level too low (RFC 6710)
	7016: MesgTooBig,     // message too big for the priority (RFC 6710)
	7017: HasMoved,       // mailbox owner has changed (RFC 7293)
	7018: HasMoved,       // domain owner has changed (RFC 7293)
	7019: SecurityError,  // RRVS test cannot be completed
	7020: AuthFailure,    // no passing DKIM signature (RFC 7372)
	7021: AuthFailure,    // no acceptable DKIM signature
	7022: AuthFailure,    // no author-matched DKIM signature
	7023: AuthFailure,    // SPF validation failed (RFC 7208 §8.4)
	7024: AuthFailure,    // SPF validation error (RFC 7208 §8.6, §8.7)
	7025: RequirePTR,     // reverse DNS validation failed (RFC 7372 §3.3)
	7026: AuthFailure,    // multiple authentication checks failed
	7027: Rejected,       // sender address has null MX (RFC 7505 §4.2): the sender is refused
	7028: SpamDetected,   // mail flood detected
	7029: AuthFailure,    // ARC validation failure (RFC 8617)
	7030: FailedSTARTTLS, // REQUIRETLS support required (RFC 8689)
	7000: SecurityError,  // other or undefined security status (generic)
	7001: SecurityError,  // delivery not authorised (generic, see genericCodes)
}

// genericCodes are registered codes that say too little to decide the
// reason against a weak hint in the text.
var genericCodes = map[int]bool{0: true, 1000: true, 2000: true, 3000: true, 4000: true, 5000: true, 6000: true, 7000: true, 7001: true}

// transientCodeReasons override codeReasons for class 4 where the transient
// reading differs (RFC 3463: x.4.1 as a transient failure means the delivery
// is still being retried; bounce processors count it as expired).
var transientCodeReasons = map[int]Reason{
	3000: SystemError, // 4.3.0 "other mail system status": the receiving system has a temporary problem
	4001: Expired,
	7001: Blocked, // 4.7.1 is mostly a temporary policy block or greylisting
}

// subjectReasons are the fallback when only the subject is known (an
// unregistered detail such as x.7.606 with no provider rule and no hint in
// the text).
var subjectReasons = [8]Reason{
	0: "",
	1: UserUnknown,
	2: Filtered,
	3: SystemError,
	4: NetworkError,
	5: SyntaxError,
	6: ContentError,
	7: SecurityError,
}

// basicReasons are the fallback for a basic reply code alone (RFC 5321
// §4.2.2 and §4.2.3, RFC 4954, RFC 7504).
var basicReasons = map[int]Reason{
	450: OnHold,        // mailbox unavailable, temporarily
	451: SystemError,   // local error in processing
	452: SystemFull,    // insufficient system storage
	454: SecurityError, // temporary authentication failure / TLS not available
	455: SyntaxError,
	500: SyntaxError,
	501: SyntaxError,
	502: SyntaxError,
	503: SyntaxError,
	504: SyntaxError,
	521: NotAccept, // RFC 7504
	523: FailedSTARTTLS,
	525: Suspend,
	530: SecurityError,
	534: SecurityError,
	535: SecurityError,
	538: SecurityError,
	551: HasMoved,    // user not local
	552: MailboxFull, // exceeded storage allocation
	553: UserUnknown, // mailbox name not allowed
	555: SyntaxError,
	556: NotAccept, // RFC 7504
}
