package notify_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/loa-vn/loa/notify"
	"github.com/loa-vn/loa/storage"
)

// smtpServer is a real SMTP server (go-smtp) on loopback that records what
// it receives, with one account.
type smtpServer struct {
	addr     string
	user     string
	password string
	mu       sync.Mutex
	received []received
}

type received struct {
	from, to string
	data     []byte
	tls      bool
}

func startSMTP(t *testing.T, tlsConfig *tls.Config) *smtpServer {
	t.Helper()
	s := &smtpServer{user: "loa", password: "mật-khẩu-SMTP-bí-mật"}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{s: s, c: c}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = tlsConfig == nil
	srv.TLSConfig = tlsConfig
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.received...)
}

// url is the LOA_SMTP_URL for this server with the given password.
func (s *smtpServer) url(scheme, password string) string {
	u := url.URL{Scheme: scheme, User: url.UserPassword(s.user, password), Host: s.addr, RawQuery: "from=loa@example.gov.vn"}
	return u.String()
}

type smtpSession struct {
	s        *smtpServer
	c        *smtp.Conn
	authed   bool
	from, to string
}

func (ss *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != ss.s.user || password != ss.s.password {
			return errors.New("invalid credentials")
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error { ss.to = to; return nil }

func (ss *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.c.TLSConnectionState()
	ss.s.mu.Lock()
	ss.s.received = append(ss.s.received, received{from: ss.from, to: ss.to, data: data, tls: isTLS})
	ss.s.mu.Unlock()
	return nil
}

func (ss *smtpSession) Reset()        {}
func (ss *smtpSession) Logout() error { return nil }

// mailWorld has a failed delivery whose notifications go to "bt a", who
// has an e-mail address (the others have none).
func mailWorld(t *testing.T) (*world, storage.Delivery) {
	w := newWorld(t)
	email := "bt.a@example.gov.vn"
	if _, err := w.store.UpdateUser(context.Background(), w.users["bt a"].ID, storage.UserChange{Email: &email}, "test"); err != nil {
		t.Fatal(err)
	}
	d := w.post("cv a", w.chA, "Thông báo lịch tiêm chủng tháng 12", "")
	w.fail(d, storage.DeliveryFailed, storage.OutcomeFailed)
	w.clock.advance(notify.DefaultSettle + time.Second)
	return w, d
}

func mailer(t *testing.T, raw string, tlsConfig *tls.Config) *notify.Mailer {
	t.Helper()
	cfg, err := notify.ParseSMTPURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return notify.NewMailer(notify.MailerOptions{Config: cfg, Timeout: 10 * time.Second, TLS: tlsConfig})
}

// A notification is e-mailed once, through a real SMTP server, to the
// user's address, with a Vietnamese subject and body and the link.
func TestNotificationEmailedOnce(t *testing.T) {
	srv := startSMTP(t, nil)
	w, d := mailWorld(t)
	n := w.notifier(notify.Options{Mailer: mailer(t, srv.url("smtp", srv.password), nil)})
	w.scan(n)
	w.scan(n)
	w.scan(w.notifier(notify.Options{Mailer: mailer(t, srv.url("smtp", srv.password), nil)})) // restarted
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.from != "loa@example.gov.vn" || m.to != "bt.a@example.gov.vn" {
		t.Errorf("envelope %s → %s", m.from, m.to)
	}
	checkMessage(t, m.data, "Loa: Gửi tin không thành công",
		"https://loa.example.gov.vn/deliveries?delivery="+itoa(d.ID), "Thông báo lịch tiêm chủng tháng 12", "Kính gửi bt a")
}

func checkMessage(t *testing.T, data []byte, subject string, body ...string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	gotSubject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || gotSubject != subject {
		t.Errorf("subject %q (%v), want %q", gotSubject, err, subject)
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil || from.Address != "loa@example.gov.vn" {
		t.Errorf("From %q", msg.Header.Get("From"))
	}
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	if err != nil || to.Address != "bt.a@example.gov.vn" || to.Name != "bt a" {
		t.Errorf("To %q", msg.Header.Get("To"))
	}
	if ct := msg.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	text, err := io.ReadAll(qpReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range body {
		if !strings.Contains(string(text), want) {
			t.Errorf("body lacks %q:\n%s", want, text)
		}
	}
}

// STARTTLS is used when the server offers it, and the password then goes
// over TLS only.
func TestMailUsesSTARTTLS(t *testing.T) {
	cert := httptest.NewTLSServer(nil)
	defer cert.Close()
	pool := x509.NewCertPool()
	pool.AddCert(cert.Certificate())
	srv := startSMTP(t, cert.TLS)
	w, _ := mailWorld(t)
	w.scan(w.notifier(notify.Options{Mailer: mailer(t, srv.url("smtp", srv.password), &tls.Config{RootCAs: pool})}))
	msgs := srv.messages()
	if len(msgs) != 1 || !msgs[0].tls {
		t.Fatalf("messages %d, over TLS: %v", len(msgs), len(msgs) == 1 && msgs[0].tls)
	}
}

// A refused sign-in sends nothing, is tried a bounded number of times,
// and the SMTP password appears in no log line.
func TestMailFailureNeverLogsThePassword(t *testing.T) {
	srv := startSMTP(t, nil)
	w, _ := mailWorld(t)
	const wrong = "sai-mat-khau-SMTP-bi-mat"
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	n := w.notifier(notify.Options{Logger: log, Mailer: mailer(t, srv.url("smtp", wrong), nil)})
	for range 5 {
		w.scan(n)
		w.clock.advance(5 * time.Minute) // past the claim's lease
	}
	if len(srv.messages()) != 0 {
		t.Fatal("a message went through with a wrong password")
	}
	if !strings.Contains(logs.String(), "e-mail not sent") {
		t.Fatalf("the failure is not logged:\n%s", logs.String())
	}
	if got := strings.Count(logs.String(), "e-mail not sent"); got != 3 {
		t.Errorf("tried %d times, want 3", got)
	}
	for _, secret := range []string{wrong, url.QueryEscape(wrong), srv.password} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs reveal the password:\n%s", logs.String())
		}
	}
	cfg, _ := notify.ParseSMTPURL(srv.url("smtps", wrong))
	if strings.Contains(cfg.String(), wrong) || !strings.Contains(cfg.String(), srv.addr) {
		t.Errorf("config prints as %q", cfg)
	}
}

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		raw      string
		ok       bool
		port     string
		implicit bool
	}{
		{"smtp://u:p@mail.example.gov.vn?from=loa@example.gov.vn", true, "587", false},
		{"smtps://u:p@mail.example.gov.vn?from=loa@example.gov.vn", true, "465", true},
		{"smtp://mail.example.gov.vn:25?from=loa@example.gov.vn", true, "25", false},
		{"smtp://u:p@mail.example.gov.vn", false, "", false},
		{"http://mail.example.gov.vn?from=loa@example.gov.vn", false, "", false},
		{"smtp://u:p@mail.example.gov.vn?from=not-an-address", false, "", false},
	}
	for _, tt := range tests {
		cfg, err := notify.ParseSMTPURL(tt.raw)
		if (err == nil) != tt.ok || tt.ok && (cfg.Port != tt.port || cfg.Implicit != tt.implicit) {
			t.Errorf("%s: %+v %v", tt.raw, cfg.String(), err)
		}
		if err != nil && strings.Contains(err.Error(), ":p@") {
			t.Errorf("error quotes the URL: %v", err)
		}
	}
}

func TestCleanEmail(t *testing.T) {
	for raw, ok := range map[string]bool{
		"": true, "ten@example.gov.vn": true, " ten@example.gov.vn ": true,
		"Tên <ten@example.gov.vn>": false, "ten@localhost": false, "a@b.vn\r\nBcc: x@y.vn": false,
		"không phải thư": false, strings.Repeat("a", 250) + "@b.vn": false,
	} {
		if _, err := notify.CleanEmail(raw); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", raw, err, ok)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// qpReader decodes the message body by its Content-Transfer-Encoding.
func qpReader(msg *mail.Message) io.Reader {
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		return quotedprintable.NewReader(msg.Body)
	}
	return msg.Body
}
