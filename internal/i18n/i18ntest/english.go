// Package i18ntest scans German text for English words and for words the
// glossary (docs/glossary.md) replaces. Only tests import it: the finding
// catalog's test in package check and the German views' test in package
// view share one scanner.
package i18ntest

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// EnglishWords are words that betray English in German output. Words that
// are the same in both languages (Status, Service, Spam, …) are not here.
var EnglishWords = wordSet(`the and or of is are were be been not no none yes with without from for to
by at on into this that these those it its has have had can cannot could will would should may must
clean ok okay missing valid invalid unknown tried listed unlisted accepted rejected refused deferred
failed failure error errors timeout timed lookup lookups selector selectors record records found
banner greeting connection connect connected closed days day left certificate expired issued
address addresses sender recipient mailbox message messages delivered delivery policy policies
enforced published publishes reached reply replies answered answer
block list lists asked checked check checks more further less than only but because after before
does did done than which who what when where why how there here some any every each other another
our your their you we they he she his her them my me us one two three none matches match matching
through over under via about against between during until while since still already just
names seen sees see saw says said shows show shown given give gives use used uses using
forward confirmed reverse missing warning warnings`)

// GlossaryViolations are German words the glossary (docs/glossary.md)
// replaces: the other word for the same concept.
var GlossaryViolations = map[string]string{
	"Probe": "Testmail", "Probe-Nachricht": "Testmail", "Probe-Nachrichten": "Testmails", "Seed-Postfach": "Testpostfach",
	"Unzustellbarkeitsmeldung": "Unzustellbarkeitsnachricht", "Konfidenz": "Aussagekraft", "Blockliste": "Sperrliste",
	"Blocklisten": "Sperrlisten", "Blacklist": "Sperrliste", "Greylisting-Verzögerung": "Zurückstellung",
	// The glossary's "nicht" column, all of it: the test message, the seed
	// mailbox, the spam folder, confidence, delisting, block lists.
	"Proben": "Testmails", "Kontrollprobe": "Kontroll-Testmail", "Kontrollproben": "Kontroll-Testmails",
	"Testnachricht": "Testmail", "Testnachrichten": "Testmails",
	"Seed": "Testpostfach", "Seeds": "Testpostfächer", "Seed-Postfachs": "Testpostfachs", "Seed-Postfächer": "Testpostfächer",
	"Seed-Adresse": "Adresse des Testpostfachs", "Junk-Ordner": "Spam-Ordner", "Junk-Ordners": "Spam-Ordners",
	"Junk-Meldung": "Spam-Meldung", "Konfidenzen": "Aussagekraft", "Delisting": "Austragung",
	"Delisting-Formulare": "Formulare zur Austragung", "Delisting-Formular": "Formular zur Austragung",
	"Blacklists": "Sperrlisten", "Unzustellbarkeitsmeldungen": "Unzustellbarkeitsnachrichten",
	"Sicherheit": "Aussagekraft", "Urteil": "Ergebnis", "Urteile": "Ergebnisse", "Verdikt": "Ergebnis",
	"Deferral": "Zurückstellung", "Bounce": "Unzustellbarkeitsnachricht (NDR)", "Bounces": "Unzustellbarkeitsnachrichten",
	"Silent": "stilles Verwerfen", "Drop": "stilles Verwerfen", "Mailbox-Provider": "Postfachanbieter",
	"Rezipient": "Empfänger", "Evidenz": "Belege", "Beweise": "Belege", "inkomplett": "unvollständig",
}

func ProseWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '\'')
	}) {
		// Words with digits are names (selector1, k2), not prose.
		if w = strings.Trim(w, "-'"); w != "" && !strings.ContainsAny(w, "0123456789") {
			out = append(out, w)
		}
	}
	return out
}

func allIn(ws []string, set map[string]bool) bool {
	for _, w := range ws {
		if !set[strings.ToLower(w)] {
			return false
		}
	}
	return true
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Parts of a German view that are not German text and may hold English:
// server replies (verbatim after their code), protocol values (mode none,
// p=reject, SPF results in parentheses), ids in brackets, quoted strings,
// URLs, host and record names.
var notProse = []*regexp.Regexp{
	regexp.MustCompile(`\b[245]\d\d[ -][0-9.]*.*$`),         // a server reply, to the end of the line
	regexp.MustCompile(`\[[a-z0-9_.]+\]`),                   // finding ids
	regexp.MustCompile(`\bmxprobe (probe |lab )?[a-z]+`),    // command lines
	regexp.MustCompile(`\b(DSN|Action:?) [a-z]+\b`),         // a DSN's action (RFC 3464 §2.3.3), a protocol value
	regexp.MustCompile(`--[a-z0-9-]+`),                      // flags
	regexp.MustCompile(`\S+…`),                              // a word cut short (shortened reply)
	regexp.MustCompile(`„[^“]*“|"[^"]*"|«[^»]*»`),           // quotations
	regexp.MustCompile(`\b(Modus|mode|p|sp|pct|id)[ =]\S+`), // protocol values
	regexp.MustCompile(`\((pass|fail|softfail|neutral|none|permerror|temperror)\)`),
	regexp.MustCompile(`\bSPF (pass|fail|softfail|neutral|none|permerror|temperror)\b`),
	regexp.MustCompile(`\S*[./@=:<>_\\\[\]]\S*`), // host names, addresses, URLs, tags
}

// EnglishIn returns the English words and glossary violations in a German
// text view (with the line they stand in). replyWords are the words of the
// server replies shown in it: a line made of them only is a wrapped reply,
// which is quoted verbatim.
func EnglishIn(text string, replyWords map[string]bool) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "·") {
			continue // evidence: data quoted verbatim; its labels are scanned by check's TestGermanEvidenceLabels
		}
		prose := strings.ReplaceAll(line, "’", "'")
		for _, re := range notProse {
			prose = re.ReplaceAllString(prose, " ")
		}
		words := ProseWords(prose)
		if len(words) > 0 && allIn(words, replyWords) {
			continue
		}
		for _, w := range words {
			if EnglishWords[strings.ToLower(w)] && w != strings.ToUpper(w) || EnglishWords[w] {
				out = append(out, w+"  ⟵ "+strings.TrimSpace(line))
			}
			if alt, bad := GlossaryViolations[w]; bad {
				out = append(out, w+" (Glossar: "+alt+")  ⟵ "+strings.TrimSpace(line))
			}
		}
	}
	return out
}

func Uniq(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// instructionVerbs are verbs an instruction ends with when it is written
// as an infinitive ("Den Ruf der IP prüfen.") instead of addressing the
// reader ("Prüfen Sie den Ruf der IP.").
var instructionVerbs = wordSet(`prüfen senden angeben beantragen kontaktieren eintragen beobachten aufbewahren
beheben lesen durchsuchen bitten finden verwenden veröffentlichen einrichten setzen entfernen anlegen ausfüllen
registrieren beilegen anschreiben austragen weiterleiten legen behandeln weitergeben löschen ändern korrigieren
erneuern aktivieren deaktivieren ergänzen hinzufügen abwarten warten wiederholen nutzen melden reduzieren senken`)

// modal words make an infinitive at the clause's end part of a statement
// ("… kann die Austragung beantragen.", "… um Ruf und Spamrate zu sehen.").
var modalWords = wordSet(`Sie Ihnen kann können muss müssen sollte sollten soll sollen darf dürfen lässt lassen
wird werden will wollen zu um bittet möchte möchten`)

// subordinate are the lower-case words a subordinate clause starts with.
var subordinate = wordSet(`die der das deren dessen denen wenn weil dass ob wie sobald bevor damit falls solange während nachdem wo womit`)

// InfinitiveInstructions returns the clauses of a German advice text that
// give an instruction as a bare infinitive at the clause's end instead of
// addressing the reader with "Sie" (docs/glossary.md: „Prüfen Sie …“, not
// „… prüfen.“).
func InfinitiveInstructions(text string) []string {
	var out []string
	for _, clause := range regexp.MustCompile(`[.;:!?,]\s|[.;:!?]$|\n`).Split(text, -1) {
		words := ProseWords(clause)
		if len(words) < 2 || !instructionVerbs[words[len(words)-1]] || subordinate[words[0]] {
			continue // a subordinate clause ends with its verb: "…, die diese Liste nutzen"
		}
		modal := false
		for _, w := range words {
			modal = modal || modalWords[w]
		}
		if !modal {
			out = append(out, strings.TrimSpace(clause))
		}
	}
	return out
}
