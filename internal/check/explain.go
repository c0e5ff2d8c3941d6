package check

import (
	"net"
	"os"
	"strings"

	"github.com/mxprobe/mxprobe/internal/smtpprobe"
)

type Explanation struct {
	Command                    string `json:"command"`
	Session                    string `json:"session"`
	Reply                      string `json:"reply"`
	Title, Description, Advice string
}

func explainAll(o Options, host string, rs ...*smtpprobe.Result) []Explanation { return nil }

func defaultHELO() string {
	h, err := os.Hostname()
	if err != nil || h == "" || !strings.Contains(h, ".") || strings.HasPrefix(strings.ToLower(h), "localhost") {
		if cname, err := net.LookupCNAME(h); err == nil && strings.Count(strings.TrimSuffix(cname, "."), ".") > 0 {
			return strings.TrimSuffix(cname, ".")
		}
		return ""
	}
	return strings.TrimSuffix(h, ".")
}
