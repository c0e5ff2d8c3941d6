package mxdialog_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab/smtplab"
	"github.com/mxprobe/mxprobe/internal/mxdialog"
)

// Talk to one MX address up to RCPT, then turn the result into findings.
func ExampleRun() {
	srv, err := smtplab.Start("127.0.0.1:0", smtplab.Scenario{Style: smtplab.StyleMicrosoft, Rcpt: smtplab.RcptRejectS3150})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := mxdialog.Run(ctx, mxdialog.Options{
		Host:   "hotmail-com.olc.protection.outlook.com",
		Addr:   srv.Addr(),
		HELO:   "mail.example.test",
		RcptTo: "postmaster@example.test",
	})
	fmt.Println(res.Phase, res.RcptOutcome(), res.Rcpt.Code, res.Rcpt.EnhancedCode)
	fmt.Println("client IP seen by the server:", res.ClientIP, "from", res.ClientIPSource)
	for _, f := range mxdialog.Findings([]*mxdialog.Result{res}, mxdialog.FindingsOptions{DNSWorks: true}) {
		fmt.Println(f.ID, f.Severity)
	}
	// Output:
	// done rejected 550 5.7.1
	// client IP seen by the server: 127.0.0.1 from ehlo
	// smtp.starttls_missing warn
	// smtp.rcpt_rejected fail
}
