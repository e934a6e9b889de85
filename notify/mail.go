package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// SMTPConfig is where and how e-mail is sent, read from LOA_SMTP_URL:
// smtp://user:pass@host:port?from=loa@example.gov.vn (STARTTLS whenever
// the server offers it) or smtps://… (TLS from the first byte).
type SMTPConfig struct {
	Host     string
	Port     string
	Implicit bool // smtps://
	Username string
	// Password is a secret: it never appears in String, errors or logs.
	Password string
	From     string
}

// ParseSMTPURL reads an LOA_SMTP_URL. Its errors never quote the URL,
// which holds the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return SMTPConfig{}, errors.New("LOA_SMTP_URL must be smtp://user:password@host:port?from=address or smtps://…, like smtp://loa:secret@mail.example.gov.vn:587?from=loa@example.gov.vn")
	}
	c := SMTPConfig{Host: u.Hostname(), Port: u.Port(), Implicit: u.Scheme == "smtps"}
	if c.Port == "" {
		c.Port = map[bool]string{true: "465", false: "587"}[c.Implicit]
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	from, err := CleanEmail(u.Query().Get("from"))
	if err != nil || from == "" {
		return SMTPConfig{}, errors.New("LOA_SMTP_URL needs ?from=address, the sender of Loa's e-mail, like ?from=loa@example.gov.vn")
	}
	c.From = from
	return c, nil
}

// String names the server without the password.
func (c SMTPConfig) String() string {
	scheme := map[bool]string{true: "smtps", false: "smtp"}[c.Implicit]
	user := ""
	if c.Username != "" {
		user = c.Username + "@"
	}
	return scheme + "://" + user + net.JoinHostPort(c.Host, c.Port)
}

// maxEmailBytes is the longest address SMTP carries (RFC 5321 path limit).
const maxEmailBytes = 254

// CleanEmail checks an e-mail address typed by a person: one plain
// address (no display name), at most 254 bytes; "" stays "" (no address).
func CleanEmail(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	if len(s) > maxEmailBytes || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return "", errors.New("must be one e-mail address like ten@example.gov.vn, at most 254 characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", errors.New("must be one e-mail address like ten@example.gov.vn, at most 254 characters")
	}
	return s, nil
}

// Email is one message to send.
type Email struct {
	To, ToName string
	Subject    string
	Body       string
}

// Mailer sends e-mail through one SMTP server.
type Mailer struct {
	cfg     SMTPConfig
	timeout time.Duration
	tls     *tls.Config
	now     func() time.Time
}

// MailerOptions configure a Mailer; only Config is needed.
type MailerOptions struct {
	Config SMTPConfig
	// Timeout bounds one message's whole exchange; 0 is 30 s.
	Timeout time.Duration
	// TLS, when set, replaces the default TLS settings (tests trust their own CA).
	TLS *tls.Config
	Now func() time.Time
}

// NewMailer returns a Mailer for o.Config.
func NewMailer(o MailerOptions) *Mailer {
	m := &Mailer{cfg: o.Config, timeout: o.Timeout, tls: o.TLS, now: o.Now}
	if m.timeout <= 0 {
		m.timeout = 30 * time.Second
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.tls == nil {
		m.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	m.tls = m.tls.Clone()
	m.tls.ServerName = m.cfg.Host
	return m
}

// Send delivers e to the server, upgrading to TLS whenever the server
// offers STARTTLS; credentials are never sent in the clear to a host that
// is not this machine.
func (m *Mailer) Send(ctx context.Context, e Email) error {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	conn, err := m.dial(ctx)
	if err != nil {
		return fmt.Errorf("notify: connect to %s: %w", m.cfg, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if err := m.exchange(conn, e); err != nil {
		return fmt.Errorf("notify: send through %s: %w", m.cfg, err)
	}
	return nil
}

func (m *Mailer) dial(ctx context.Context) (net.Conn, error) {
	addr := net.JoinHostPort(m.cfg.Host, m.cfg.Port)
	if m.cfg.Implicit {
		d := &tls.Dialer{Config: m.tls}
		return d.DialContext(ctx, "tcp", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

func (m *Mailer) exchange(conn net.Conn, e Email) error {
	c, err := smtp.NewClient(conn, m.cfg.Host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("loa"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !m.cfg.Implicit {
		if err := c.StartTLS(m.tls); err != nil {
			return err
		}
	}
	if m.cfg.Username != "" {
		// PlainAuth refuses to send the password unencrypted except to
		// this machine itself.
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.cfg.Host)); err != nil {
			return fmt.Errorf("sign-in refused: %w", err)
		}
	}
	if err := c.Mail(m.cfg.From); err != nil {
		return err
	}
	if err := c.Rcpt(e.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(m.message(e)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// message is e as a MIME message: UTF-8 text, quoted-printable, with
// the Vietnamese subject and names encoded (RFC 2047).
func (m *Mailer) message(e Email) []byte {
	var b bytes.Buffer
	from := mail.Address{Name: "Loa", Address: m.cfg.From}
	to := mail.Address{Name: oneLine(e.ToName), Address: oneLine(e.To)}
	id := make([]byte, 12)
	rand.Read(id)
	for _, h := range [][2]string{
		{"From", from.String()},
		{"To", to.String()},
		{"Subject", mime.BEncoding.Encode("utf-8", oneLine(e.Subject))},
		{"Date", m.now().Format(time.RFC1123Z)},
		{"Message-ID", "<" + hex.EncodeToString(id) + "@" + m.cfg.Host + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
		{"Auto-Submitted", "auto-generated"},
	} {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(e.Body, "\n", "\r\n")))
	qp.Close()
	return b.Bytes()
}

// oneLine turns control characters (line breaks above all, which would
// start a new header) into spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
