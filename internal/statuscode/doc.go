// Package statuscode is the code catalog of SMTP: basic reply codes
// (RFC 5321 §4.2 and later RFCs), enhanced status codes (RFC 3463, the IANA
// registry), and the parser that takes a reply out of an MTA's bounce
// wrapping (ParseReply). What a reply means for the sender — reason, advice,
// provider knowledge — is package explain's; reading bounce messages is
// package dsn's.
package statuscode
