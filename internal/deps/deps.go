// Package deps pins modules until real code imports them (temporary).
package deps

import (
	_ "github.com/emersion/go-imap/v2"
	_ "github.com/emersion/go-imap/v2/imapclient"
	_ "github.com/emersion/go-imap/v2/imapserver"
	_ "github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	_ "github.com/emersion/go-message/mail"
	_ "github.com/emersion/go-msgauth/dkim"
	_ "github.com/emersion/go-sasl"
	_ "github.com/emersion/go-smtp"
	_ "github.com/fatih/color"
	_ "github.com/mattn/go-isatty"
	_ "github.com/miekg/dns"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/cobra/doc"
	_ "go.etcd.io/bbolt"
	_ "golang.org/x/net/idna"
	_ "golang.org/x/net/publicsuffix"
	_ "gopkg.in/yaml.v3"
)
