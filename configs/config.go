// Package configs holds Loa's typed configuration. Values come from
// defaults, then an optional TOML file, then LOA_* environment variables
// (which win), and are validated once at start so that a bad setting stops
// the service with a plain message instead of failing later mid-delivery.
package configs

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/loa-vn/loa/redisconn"

	// Embed the time zone database: the default Asia/Ho_Chi_Minh must load
	// even in minimal containers that ship without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Limits checked by Validate.
const (
	minMaxBodyBytes      = 1 << 10
	maxMaxBodyBytes      = 64 << 20
	minMaxAttempts       = 1
	maxMaxAttempts       = 50
	minRetryBase         = 100 * time.Millisecond
	maxRetryBase         = time.Hour
	minReconcileInterval = time.Second
	maxReconcileInterval = time.Hour
	minScheduleHorizon   = time.Hour
	maxScheduleHorizon   = 366 * 24 * time.Hour
	minWorkerConcurrency = 1
	maxWorkerConcurrency = 1000
	minShutdownTimeout   = time.Second
	minAttemptTimeout    = 5 * time.Second
	maxAttemptTimeout    = 10 * time.Minute
	maxShutdownTimeout   = 10 * time.Minute
	minAdminTokenRunes   = 16
	secretKeyBytes       = 32
)

// redacted replaces secrets in logs and String output; it matches what
// net/url's URL.Redacted uses for passwords.
const redacted = "xxxxx"

// Config is Loa's configuration. The toml tags are the file keys; each
// field's environment variable is LOA_ followed by the key in upper case.
type Config struct {
	Addr        string `toml:"addr"`
	DataDir     string `toml:"data_dir"`
	DatabaseURL string `toml:"database_url"`
	RedisURL    string `toml:"redis_url"`
	AdminToken  string `toml:"admin_token"`
	Timezone    string `toml:"timezone"`
	// AgencyName names the root agency when the database is created (or
	// upgraded from before agencies); later it is renamed through the API.
	AgencyName        string         `toml:"agency_name"`
	Location          *time.Location `toml:"-"` // filled by Validate from Timezone
	SecretKey         string         `toml:"secret_key"`
	PublicURL         string         `toml:"public_url"`
	MaxBodyBytes      int64          `toml:"max_body_bytes"`
	MaxAttempts       int            `toml:"max_attempts"`
	RetryBase         time.Duration  `toml:"retry_base"`
	RetryMax          time.Duration  `toml:"retry_max"`
	ReconcileInterval time.Duration  `toml:"reconcile_interval"`
	ScheduleHorizon   time.Duration  `toml:"schedule_horizon"`
	WorkerConcurrency int            `toml:"worker_concurrency"`
	ShutdownTimeout   time.Duration  `toml:"shutdown_timeout"`
	// AttemptTimeout bounds one delivery attempt; a claim's lease is
	// derived from it (ClaimLease).
	AttemptTimeout time.Duration `toml:"attempt_timeout"`
	// MetricsAddr, when set, has `loa worker` serve /metrics, /livez and
	// /readyz on it (the other commands serve them on Addr already).
	MetricsAddr string `toml:"metrics_addr"`
	LogLevel    string `toml:"log_level"`
	LogFormat   string `toml:"log_format"`
	// AllowPrivateTargets opens address ranges (CIDRs, comma-separated) that
	// the outbound guard otherwise refuses, for a CMS on a private network.
	AllowPrivateTargets string         `toml:"allow_private_targets"`
	AllowedPrivate      []netip.Prefix `toml:"-"` // filled by Validate
	// TrustedProxies are the peers (CIDRs, comma-separated) whose
	// X-Forwarded-For is believed when finding a client's address.
	TrustedProxies  string         `toml:"trusted_proxies"`
	TrustedProxyNet []netip.Prefix `toml:"-"` // filled by Validate
	// SMTPURL, when set, has notifications e-mailed through this server:
	// smtp://user:password@host:port?from=address (STARTTLS when offered)
	// or smtps://… (implicit TLS). Its password is a secret.
	SMTPURL string `toml:"smtp_url"`
}

// Defaults returns the configuration used when nothing is set. Location
// and PublicURL are left for Validate to derive.
func Defaults() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		DataDir:           "./data",
		Timezone:          "Asia/Ho_Chi_Minh",
		AgencyName:        "Cơ quan",
		MaxBodyBytes:      1 << 20,
		MaxAttempts:       8,
		RetryBase:         10 * time.Second,
		RetryMax:          time.Hour,
		ReconcileInterval: 30 * time.Second,
		ScheduleHorizon:   30 * 24 * time.Hour,
		WorkerConcurrency: 250,
		ShutdownTimeout:   15 * time.Second,
		AttemptTimeout:    time.Minute,
		LogLevel:          "info",
		LogFormat:         "text",
	}
}

// Load builds the configuration: Defaults, then the TOML file at path (if
// path is not empty), then every non-empty LOA_* variable from getenv
// (os.Getenv if nil), then Validate. All problems are reported together.
func Load(path string, getenv func(string) string) (Config, error) {
	cfg := Defaults()
	if path != "" {
		if err := decodeFile(path, &cfg); err != nil {
			return Config{}, err
		}
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if err := errors.Join(applyEnv(&cfg, getenv), cfg.Validate()); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// decodeFile reads the TOML file strictly: a misspelt key would otherwise
// be ignored and leave a default silently in place.
func decodeFile(path string, c *Config) error {
	md, err := toml.DecodeFile(path, c)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.String()
		}
		return fmt.Errorf("config file %s: unknown keys: %s", path, strings.Join(names, ", "))
	}
	return durationsAreStrings(path, md)
}

// durationsAreStrings rejects bare numbers for durations: the TOML decoder
// would read retry_base = 10 as 10 nanoseconds, never what was meant.
func durationsAreStrings(path string, md toml.MetaData) error {
	var errs []error
	for _, key := range []string{"retry_base", "retry_max", "reconcile_interval", "schedule_horizon", "shutdown_timeout", "attempt_timeout"} {
		if md.IsDefined(key) && md.Type(key) != "String" {
			errs = append(errs, fmt.Errorf("config file %s: %s must be a duration string like \"30s\"", path, key))
		}
	}
	return errors.Join(errs...)
}

// envReader applies LOA_* variables and collects parse errors, so that one
// bad variable does not hide the next.
type envReader struct {
	getenv func(string) string
	errs   []error
}

func applyEnv(c *Config, getenv func(string) string) error {
	e := &envReader{getenv: getenv}
	envValue(e, "LOA_ADDR", &c.Addr, parseString, "")
	envValue(e, "LOA_DATA_DIR", &c.DataDir, parseString, "")
	envValue(e, "LOA_DATABASE_URL", &c.DatabaseURL, parseString, "")
	envValue(e, "LOA_REDIS_URL", &c.RedisURL, parseString, "")
	envValue(e, "LOA_ADMIN_TOKEN", &c.AdminToken, parseString, "")
	envValue(e, "LOA_TIMEZONE", &c.Timezone, parseString, "")
	envValue(e, "LOA_AGENCY_NAME", &c.AgencyName, parseString, "")
	envValue(e, "LOA_SECRET_KEY", &c.SecretKey, parseString, "")
	envValue(e, "LOA_PUBLIC_URL", &c.PublicURL, parseString, "")
	envValue(e, "LOA_MAX_BODY_BYTES", &c.MaxBodyBytes, parseInt64, "a whole number")
	envValue(e, "LOA_MAX_ATTEMPTS", &c.MaxAttempts, strconv.Atoi, "a whole number")
	envValue(e, "LOA_RETRY_BASE", &c.RetryBase, time.ParseDuration, "a duration like 10s or 1m30s")
	envValue(e, "LOA_RETRY_MAX", &c.RetryMax, time.ParseDuration, "a duration like 10s or 1m30s")
	envValue(e, "LOA_RECONCILE_INTERVAL", &c.ReconcileInterval, time.ParseDuration, "a duration like 10s or 1m30s")
	envValue(e, "LOA_SCHEDULE_HORIZON", &c.ScheduleHorizon, time.ParseDuration, "a duration like 720h")
	envValue(e, "LOA_WORKER_CONCURRENCY", &c.WorkerConcurrency, strconv.Atoi, "a whole number")
	envValue(e, "LOA_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout, time.ParseDuration, "a duration like 10s or 1m30s")
	envValue(e, "LOA_ATTEMPT_TIMEOUT", &c.AttemptTimeout, time.ParseDuration, "a duration like 30s or 2m")
	envValue(e, "LOA_METRICS_ADDR", &c.MetricsAddr, parseString, "")
	envValue(e, "LOA_LOG_LEVEL", &c.LogLevel, parseString, "")
	envValue(e, "LOA_LOG_FORMAT", &c.LogFormat, parseString, "")
	envValue(e, "LOA_ALLOW_PRIVATE_TARGETS", &c.AllowPrivateTargets, parseString, "")
	envValue(e, "LOA_TRUSTED_PROXIES", &c.TrustedProxies, parseString, "")
	envValue(e, "LOA_SMTP_URL", &c.SMTPURL, parseString, "")
	return errors.Join(e.errs...)
}

// envValue sets *dst from the variable name when it is set and parses.
// The parse error itself is not wrapped: strconv's wording is noise to an
// operator, and the message already quotes the offending value.
func envValue[T any](e *envReader, name string, dst *T, parse func(string) (T, error), want string) {
	raw := strings.TrimSpace(e.getenv(name))
	if raw == "" {
		return
	}
	v, err := parse(raw)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s must be %s, got %q", name, want, raw))
		return
	}
	*dst = v
}

func parseString(s string) (string, error) { return s, nil }

func parseInt64(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

// Validate checks every setting, fills Location, normalises PublicURL,
// LogLevel and LogFormat, and returns all problems joined.
func (c *Config) Validate() error {
	return errors.Join(
		checkAddr(c.Addr),
		checkNotEmpty("LOA_DATA_DIR", c.DataDir),
		checkDatabaseURL(c.DatabaseURL),
		checkRedisURL(c.RedisURL),
		checkAdminToken(c.AdminToken),
		c.resolveTimezone(),
		checkAgencyName(c.AgencyName),
		checkSecretKey(c.SecretKey),
		c.resolvePublicURL(),
		intInRange("LOA_MAX_BODY_BYTES", c.MaxBodyBytes, minMaxBodyBytes, maxMaxBodyBytes),
		intInRange("LOA_MAX_ATTEMPTS", int64(c.MaxAttempts), minMaxAttempts, maxMaxAttempts),
		durationInRange("LOA_RETRY_BASE", c.RetryBase, minRetryBase, maxRetryBase),
		c.checkRetryMax(),
		durationInRange("LOA_RECONCILE_INTERVAL", c.ReconcileInterval, minReconcileInterval, maxReconcileInterval),
		durationInRange("LOA_SCHEDULE_HORIZON", c.ScheduleHorizon, minScheduleHorizon, maxScheduleHorizon),
		intInRange("LOA_WORKER_CONCURRENCY", int64(c.WorkerConcurrency), minWorkerConcurrency, maxWorkerConcurrency),
		durationInRange("LOA_SHUTDOWN_TIMEOUT", c.ShutdownTimeout, minShutdownTimeout, maxShutdownTimeout),
		durationInRange("LOA_ATTEMPT_TIMEOUT", c.AttemptTimeout, minAttemptTimeout, maxAttemptTimeout),
		checkMetricsAddr(c.MetricsAddr),
		oneOf("LOA_LOG_LEVEL", &c.LogLevel, "debug", "info", "warn", "error"),
		oneOf("LOA_LOG_FORMAT", &c.LogFormat, "text", "json"),
		parsePrefixes("LOA_ALLOW_PRIVATE_TARGETS", c.AllowPrivateTargets, &c.AllowedPrivate),
		parsePrefixes("LOA_TRUSTED_PROXIES", c.TrustedProxies, &c.TrustedProxyNet),
		checkSMTPURL(c.SMTPURL),
	)
}

// checkSMTPURL does not wrap url.Parse errors because they quote the
// whole URL, password included.
func checkSMTPURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return errors.New("LOA_SMTP_URL must be empty (no e-mail) or smtp://user:password@host:port?from=address or smtps://…, like smtp://loa:secret@mail.example.gov.vn:587?from=loa@example.gov.vn")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return errors.New("LOA_SMTP_URL port must be a number from 1 to 65535")
		}
	}
	if from := u.Query().Get("from"); !strings.Contains(from, "@") {
		return errors.New("LOA_SMTP_URL needs ?from=address, the sender of Loa's e-mail, like ?from=loa@example.gov.vn")
	}
	return nil
}

// parsePrefixes reads a comma-separated list of CIDRs (a bare address
// stands for itself alone) into *dst.
func parsePrefixes(name, raw string, dst *[]netip.Prefix) error {
	*dst = nil
	var bad []string
	for _, item := range strings.Split(raw, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			*dst = append(*dst, p.Masked())
		} else if a, err := netip.ParseAddr(item); err == nil {
			*dst = append(*dst, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		} else {
			bad = append(bad, strconv.Quote(item))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s must be comma-separated CIDRs like 10.0.0.0/8,fd00::/8; not valid: %s", name, strings.Join(bad, ", "))
	}
	return nil
}

func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 {
		return errors.New("LOA_ADDR must be host:port, like 127.0.0.1:8080")
	}
	return nil
}

// checkMetricsAddr allows an empty address (no metrics listener).
func checkMetricsAddr(addr string) error {
	if addr == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 {
		return errors.New("LOA_METRICS_ADDR must be empty (no metrics listener) or host:port, like 0.0.0.0:9090")
	}
	return nil
}

// leaseMargin is how much longer than an attempt a claim is held: time to
// record the attempt's outcome after its timeout.
const leaseMargin = 30 * time.Second

// ClaimLease is how long a claimed delivery belongs to its worker. It
// outlasts AttemptTimeout, so that a live worker still finishing an
// attempt is never taken for a dead one; this is the one place of that rule.
func (c Config) ClaimLease() time.Duration { return c.AttemptTimeout + leaseMargin }

func checkNotEmpty(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("%s must not be empty", name)
	}
	return nil
}

// maxAgencyNameRunes is the longest agency name the database holds.
const maxAgencyNameRunes = 200

func checkAgencyName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("LOA_AGENCY_NAME must not be empty")
	case utf8.RuneCountInString(name) > maxAgencyNameRunes || strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("LOA_AGENCY_NAME must be one line of at most %d characters", maxAgencyNameRunes)
	}
	return nil
}

func checkDatabaseURL(raw string) error {
	if raw == "" || strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://") {
		return nil
	}
	return errors.New("LOA_DATABASE_URL must be empty (SQLite in LOA_DATA_DIR) or a postgres:// or postgresql:// URL")
}

// checkRedisURL reads the URL with the one parser that later connects
// (package redisconn), whose errors never quote the URL.
func checkRedisURL(raw string) error {
	if raw == "" {
		return nil
	}
	if _, err := redisconn.Parse(raw); err != nil {
		return fmt.Errorf("LOA_REDIS_URL must be empty (in-process server) or a redis://, rediss://, redis-sentinel:// or "+
			"redis-cluster:// URL, like redis://localhost:6379/0: %s", strings.TrimPrefix(err.Error(), redisconn.ErrBadURL.Error()+": "))
	}
	return nil
}

func checkAdminToken(token string) error {
	if token != "" && utf8.RuneCountInString(token) < minAdminTokenRunes {
		return fmt.Errorf("LOA_ADMIN_TOKEN must be at least %d characters", minAdminTokenRunes)
	}
	return nil
}

func (c *Config) resolveTimezone() error {
	// time.LoadLocation("") means UTC, which would hide a missing setting.
	if c.Timezone == "" {
		return errors.New("LOA_TIMEZONE must be an IANA time zone name like Asia/Ho_Chi_Minh")
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return fmt.Errorf("LOA_TIMEZONE must be an IANA time zone name like Asia/Ho_Chi_Minh: %w", err)
	}
	c.Location = loc
	return nil
}

func checkSecretKey(key string) error {
	if key == "" {
		return nil
	}
	_, err := decodeSecretKey(key)
	return err
}

// SecretKeyBytes returns the decoded SecretKey. Callers check for an empty
// SecretKey first and generate a key into the data directory instead.
func (c Config) SecretKeyBytes() ([]byte, error) {
	if c.SecretKey == "" {
		return nil, errors.New("LOA_SECRET_KEY is not set")
	}
	return decodeSecretKey(c.SecretKey)
}

// decodeSecretKey accepts the encodings operators get from common tools
// (openssl rand -base64 32, -hex 32, or URL-safe base64 without padding).
// No 32-byte key is valid in two of them at once, so the order is safe.
func decodeSecretKey(key string) ([]byte, error) {
	decoders := []func(string) ([]byte, error){
		base64.StdEncoding.DecodeString,
		base64.RawURLEncoding.DecodeString,
		hex.DecodeString,
	}
	for _, decode := range decoders {
		if b, err := decode(key); err == nil && len(b) == secretKeyBytes {
			return b, nil
		}
	}
	return nil, fmt.Errorf("LOA_SECRET_KEY must be %d random bytes encoded as base64 or hex, for example from: openssl rand -base64 32", secretKeyBytes)
}

// resolvePublicURL defaults PublicURL from Addr and stores it without a
// trailing slash so callers can append paths directly.
func (c *Config) resolvePublicURL() error {
	if c.PublicURL == "" {
		c.PublicURL = defaultPublicURL(c.Addr)
		return nil
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("LOA_PUBLIC_URL must be an absolute http:// or https:// URL, like https://loa.example.gov.vn")
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return nil
}

// defaultPublicURL is "http://" + addr, with "localhost" for an empty host
// (":8080") because "http://:8080" is not a usable URL. A bad addr gives ""
// since LOA_ADDR already reports it.
func defaultPublicURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if host == "" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func intInRange(name string, v, lo, hi int64) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s must be between %d and %d", name, lo, hi)
	}
	return nil
}

func durationInRange(name string, v, lo, hi time.Duration) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s must be between %s and %s", name, shortDuration(lo), shortDuration(hi))
	}
	return nil
}

func (c *Config) checkRetryMax() error {
	if c.RetryMax < c.RetryBase {
		return fmt.Errorf("LOA_RETRY_MAX must be at least LOA_RETRY_BASE (%s)", shortDuration(c.RetryBase))
	}
	return nil
}

// shortDuration prints 1h rather than 1h0m0s, as an operator would write it.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// oneOf lower-cases *v (so "INFO" works) and checks it is allowed.
func oneOf(name string, v *string, allowed ...string) error {
	*v = strings.ToLower(strings.TrimSpace(*v))
	if slices.Contains(allowed, *v) {
		return nil
	}
	return fmt.Errorf("%s must be one of %s", name, strings.Join(allowed, ", "))
}

// LogValue makes slog print the configuration with secrets hidden.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(c.safeAttrs()...)
}

// String prints the configuration with secrets hidden, so fmt.Print(cfg)
// and %v are safe in logs.
func (c Config) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, a := range c.safeAttrs() {
		if i > 0 {
			b.WriteByte(' ')
		}
		v := a.Value.String()
		if a.Value.Kind() == slog.KindString {
			v = strconv.Quote(v)
		}
		b.WriteString(a.Key + "=" + v)
	}
	b.WriteByte('}')
	return b.String()
}

// GoString keeps %#v from bypassing String and printing raw fields.
func (c Config) GoString() string {
	return "configs.Config" + c.String()
}

// safeAttrs lists every setting with secrets replaced. Tokens and keys show
// only whether they are set; URLs keep everything but their passwords.
func (c Config) safeAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String("addr", c.Addr),
		slog.String("data_dir", c.DataDir),
		slog.String("database_url", Redact(c.DatabaseURL)),
		slog.String("redis_url", Redact(c.RedisURL)),
		slog.String("admin_token", setOrNot(c.AdminToken)),
		slog.String("timezone", c.Timezone),
		slog.String("secret_key", setOrNot(c.SecretKey)),
		slog.String("public_url", Redact(c.PublicURL)),
		slog.Int64("max_body_bytes", c.MaxBodyBytes),
		slog.Int("max_attempts", c.MaxAttempts),
		slog.Duration("retry_base", c.RetryBase),
		slog.Duration("retry_max", c.RetryMax),
		slog.Duration("reconcile_interval", c.ReconcileInterval),
		slog.Duration("schedule_horizon", c.ScheduleHorizon),
		slog.Int("worker_concurrency", c.WorkerConcurrency),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.Duration("attempt_timeout", c.AttemptTimeout),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("log_level", c.LogLevel),
		slog.String("log_format", c.LogFormat),
		slog.String("allow_private_targets", c.AllowPrivateTargets),
		slog.String("trusted_proxies", c.TrustedProxies),
		slog.String("smtp_url", Redact(c.SMTPURL)),
	}
}

func setOrNot(secret string) string {
	if secret == "" {
		return "(not set)"
	}
	return "(set)"
}

// Redact returns rawURL with its password, and any password-like query
// parameter (PostgreSQL accepts ?password=), replaced by "xxxxx". A value
// that does not parse as a URL with a scheme is replaced entirely, since
// there is no telling where a password might be in it.
func Redact(rawURL string) string {
	if rawURL == "" {
		return ""
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return redacted
	}
	u.RawQuery = redactQuery(u.RawQuery)
	return u.Redacted()
}

// redactQuery works on the raw query rather than url.Values, which drops
// pairs it cannot parse (such as ones split by ";") and would let them
// through unredacted.
func redactQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	re := regexp.MustCompile(`(?i)((?:^|[&;])[^&;=]*pass[^&;=]*=)[^&;]*`)
	return re.ReplaceAllString(rawQuery, "${1}"+redacted)
}
