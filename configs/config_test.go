package configs

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// env returns a getenv backed by a map, so tests never see the real
// environment.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "loa.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// validDefaults returns Defaults after Validate, i.e. what Load gives when
// nothing is configured.
func validDefaults(t *testing.T) Config {
	t.Helper()
	c := Defaults()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	return c
}

// assertSameConfig compares configs, with Location compared by name since
// two loads of a zone are distinct values.
func assertSameConfig(t *testing.T, got, want Config) {
	t.Helper()
	if got.Location == nil || want.Location == nil || got.Location.String() != want.Location.String() {
		t.Errorf("Location = %v, want %v", got.Location, want.Location)
	}
	got.Location, want.Location = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config =\n%#v\nwant\n%#v", got, want)
	}
}

func errorLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

const (
	// 32 bytes, in each accepted form.
	key32Std    = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	key32RawURL = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
	key32Hex    = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
)

func TestDefaults(t *testing.T) {
	cfg, err := Load("", env(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"Addr", cfg.Addr, "127.0.0.1:8080"},
		{"DataDir", cfg.DataDir, "./data"},
		{"DatabaseURL", cfg.DatabaseURL, ""},
		{"RedisURL", cfg.RedisURL, ""},
		{"AdminToken", cfg.AdminToken, ""},
		{"Timezone", cfg.Timezone, "Asia/Ho_Chi_Minh"},
		{"Location", cfg.Location.String(), "Asia/Ho_Chi_Minh"},
		{"SecretKey", cfg.SecretKey, ""},
		{"PublicURL", cfg.PublicURL, "http://127.0.0.1:8080"},
		{"MaxBodyBytes", cfg.MaxBodyBytes, int64(1048576)},
		{"MaxAttempts", cfg.MaxAttempts, 8},
		{"RetryBase", cfg.RetryBase, 10 * time.Second},
		{"RetryMax", cfg.RetryMax, time.Hour},
		{"ReconcileInterval", cfg.ReconcileInterval, 30 * time.Second},
		{"ScheduleHorizon", cfg.ScheduleHorizon, 720 * time.Hour},
		{"WorkerConcurrency", cfg.WorkerConcurrency, 250},
		{"ShutdownTimeout", cfg.ShutdownTimeout, 15 * time.Second},
		{"LogLevel", cfg.LogLevel, "info"},
		{"LogFormat", cfg.LogFormat, "text"},
		{"SMTPURL", cfg.SMTPURL, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("%s = %#v, want %#v", tt.name, tt.got, tt.want)
			}
		})
	}
}

func TestSampleFile(t *testing.T) {
	sample, err := os.ReadFile("loa.sample.toml")
	if err != nil {
		t.Fatal(err)
	}
	// Uncommenting every setting must also give the defaults, which checks
	// that the documented values and key names are right.
	setting := regexp.MustCompile(`(?m)^# ([a-z_]+ = .*)$`)
	uncommented := setting.ReplaceAllString(string(sample), "$1")

	tests := []struct {
		name, text string
	}{
		{"as shipped", string(sample)},
		{"uncommented", uncommented},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(writeFile(t, tt.text), env(nil))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			assertSameConfig(t, cfg, validDefaults(t))
		})
	}

	t.Run("documents every key", func(t *testing.T) {
		var c Config
		md, err := toml.Decode(uncommented, &c)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range tomlKeys() {
			if !md.IsDefined(key) {
				t.Errorf("loa.sample.toml does not document %q", key)
			}
		}
	})
}

// tomlKeys lists the file keys of Config from its struct tags.
func tomlKeys() []string {
	var keys []string
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		if tag := typ.Field(i).Tag.Get("toml"); tag != "-" {
			keys = append(keys, tag)
		}
	}
	return keys
}

func TestPrecedence(t *testing.T) {
	path := writeFile(t, `
addr = "0.0.0.0:9000"
max_attempts = 5
retry_base = "2s"
log_level = "debug"
`)
	cfg, err := Load(path, env(map[string]string{
		"LOA_MAX_ATTEMPTS": "12",
		"LOA_LOG_LEVEL":    "warn",
		"LOA_RETRY_MAX":    "5m",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"file over default", cfg.Addr, "0.0.0.0:9000"},
		{"file duration", cfg.RetryBase, 2 * time.Second},
		{"env over file int", cfg.MaxAttempts, 12},
		{"env over file string", cfg.LogLevel, "warn"},
		{"env over default", cfg.RetryMax, 5 * time.Minute},
		{"default when neither", cfg.WorkerConcurrency, 250},
		{"public URL follows addr", cfg.PublicURL, "http://0.0.0.0:9000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

// TestEveryEnvVar checks that each LOA_* variable reaches its field.
func TestEveryEnvVar(t *testing.T) {
	tests := []struct {
		name, value string
		field       func(Config) any
		want        any
	}{
		{"LOA_ADDR", "127.0.0.1:9999", func(c Config) any { return c.Addr }, "127.0.0.1:9999"},
		{"LOA_DATA_DIR", "/var/lib/loa", func(c Config) any { return c.DataDir }, "/var/lib/loa"},
		{"LOA_DATABASE_URL", "postgres://loa@db/loa", func(c Config) any { return c.DatabaseURL }, "postgres://loa@db/loa"},
		{"LOA_REDIS_URL", "redis://redis:6379/2", func(c Config) any { return c.RedisURL }, "redis://redis:6379/2"},
		{"LOA_ADMIN_TOKEN", "0123456789abcdef", func(c Config) any { return c.AdminToken }, "0123456789abcdef"},
		{"LOA_TIMEZONE", "UTC", func(c Config) any { return c.Location.String() }, "UTC"},
		{"LOA_AGENCY_NAME", "UBND tỉnh Quảng Trị", func(c Config) any { return c.AgencyName }, "UBND tỉnh Quảng Trị"},
		{"LOA_SECRET_KEY", key32Hex, func(c Config) any { return c.SecretKey }, key32Hex},
		{"LOA_PUBLIC_URL", "https://loa.example.gov.vn/", func(c Config) any { return c.PublicURL }, "https://loa.example.gov.vn"},
		{"LOA_MAX_BODY_BYTES", "2048", func(c Config) any { return c.MaxBodyBytes }, int64(2048)},
		{"LOA_MAX_ATTEMPTS", "3", func(c Config) any { return c.MaxAttempts }, 3},
		{"LOA_RETRY_BASE", "1s", func(c Config) any { return c.RetryBase }, time.Second},
		{"LOA_RETRY_MAX", "2h", func(c Config) any { return c.RetryMax }, 2 * time.Hour},
		{"LOA_RECONCILE_INTERVAL", "1m", func(c Config) any { return c.ReconcileInterval }, time.Minute},
		{"LOA_WORKER_CONCURRENCY", "7", func(c Config) any { return c.WorkerConcurrency }, 7},
		{"LOA_SHUTDOWN_TIMEOUT", "30s", func(c Config) any { return c.ShutdownTimeout }, 30 * time.Second},
		{"LOA_ATTEMPT_TIMEOUT", "10s", func(c Config) any { return c.AttemptTimeout }, 10 * time.Second},
		{"LOA_ATTEMPT_TIMEOUT", "10s", func(c Config) any { return c.ClaimLease() }, 40 * time.Second},
		{"LOA_METRICS_ADDR", "0.0.0.0:9090", func(c Config) any { return c.MetricsAddr }, "0.0.0.0:9090"},
		{"LOA_LOG_LEVEL", "DEBUG", func(c Config) any { return c.LogLevel }, "debug"},
		{"LOA_LOG_FORMAT", " json ", func(c Config) any { return c.LogFormat }, "json"},
		{"LOA_ALLOW_PRIVATE_TARGETS", "10.1.2.0/24, 127.0.0.1,fd00::/8", func(c Config) any { return fmt.Sprint(c.AllowedPrivate) }, "[10.1.2.0/24 127.0.0.1/32 fd00::/8]"},
		{"LOA_TRUSTED_PROXIES", "192.168.0.1/16", func(c Config) any { return fmt.Sprint(c.TrustedProxyNet) }, "[192.168.0.0/16]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load("", env(map[string]string{tt.name: tt.value}))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := tt.field(cfg); got != tt.want {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestEnvParseErrors(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"LOA_MAX_ATTEMPTS", "abc", `LOA_MAX_ATTEMPTS must be a whole number, got "abc"`},
		{"LOA_MAX_BODY_BYTES", "1.5", `LOA_MAX_BODY_BYTES must be a whole number, got "1.5"`},
		{"LOA_WORKER_CONCURRENCY", "many", `LOA_WORKER_CONCURRENCY must be a whole number, got "many"`},
		{"LOA_RETRY_BASE", "10", `LOA_RETRY_BASE must be a duration like 10s or 1m30s, got "10"`},
		{"LOA_RETRY_MAX", "soon", `LOA_RETRY_MAX must be a duration like 10s or 1m30s, got "soon"`},
		{"LOA_RECONCILE_INTERVAL", "x", `LOA_RECONCILE_INTERVAL must be a duration like 10s or 1m30s, got "x"`},
		{"LOA_SHUTDOWN_TIMEOUT", "1 minute", `LOA_SHUTDOWN_TIMEOUT must be a duration like 10s or 1m30s, got "1 minute"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("", env(map[string]string{tt.name: tt.value}))
			if got := errorLines(err); !slices.Equal(got, []string{tt.want}) {
				t.Fatalf("errors = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidationErrors(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want string // "" means valid
	}{
		{"addr without port", func(c *Config) { c.Addr = "localhost" }, "LOA_ADDR must be host:port, like 127.0.0.1:8080"},
		{"addr bad port", func(c *Config) { c.Addr = "localhost:http" }, "LOA_ADDR must be host:port, like 127.0.0.1:8080"},
		{"addr empty host ok", func(c *Config) { c.Addr = ":8080" }, ""},
		{"data dir empty", func(c *Config) { c.DataDir = " " }, "LOA_DATA_DIR must not be empty"},
		{"database mysql", func(c *Config) { c.DatabaseURL = "mysql://u:p@db/loa" }, "LOA_DATABASE_URL must be empty (SQLite in LOA_DATA_DIR) or a postgres:// or postgresql:// URL"},
		{"database postgresql ok", func(c *Config) { c.DatabaseURL = "postgresql://u:p@db/loa" }, ""},
		{"redis http", func(c *Config) { c.RedisURL = "http://redis:6379" }, "LOA_REDIS_URL must be empty (in-process server) or a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL, like redis://localhost:6379/0: the scheme must be redis, rediss, redis-sentinel, rediss-sentinel, redis-cluster or rediss-cluster"},
		{"redis no host", func(c *Config) { c.RedisURL = "redis://" }, "LOA_REDIS_URL must be empty (in-process server) or a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL, like redis://localhost:6379/0: it names no host"},
		{"redis bad db", func(c *Config) { c.RedisURL = "redis://redis:6379/cache" }, "LOA_REDIS_URL must be empty (in-process server) or a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL, like redis://localhost:6379/0: invalid database number: \"cache\""},
		{"redis sentinel no master", func(c *Config) { c.RedisURL = "redis-sentinel://:pw@s1:26379/0" }, "LOA_REDIS_URL must be empty (in-process server) or a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL, like redis://localhost:6379/0: a redis-sentinel URL needs ?master=name"},
		{"redis sentinel ok", func(c *Config) { c.RedisURL = "redis-sentinel://:pw@s1:26379,s2:26379/0?master=loa" }, ""},
		{"redis cluster ok", func(c *Config) { c.RedisURL = "redis-cluster://:pw@n1:7000,n2:7001" }, ""},
		{"rediss without db ok", func(c *Config) { c.RedisURL = "rediss://:pw@redis:6380" }, ""},
		{"smtp http", func(c *Config) { c.SMTPURL = "http://mail:25?from=a@b.vn" }, "LOA_SMTP_URL must be empty (no e-mail) or smtp://user:password@host:port?from=address or smtps://…, like smtp://loa:secret@mail.example.gov.vn:587?from=loa@example.gov.vn"},
		{"smtp no from", func(c *Config) { c.SMTPURL = "smtp://u:p@mail:587" }, "LOA_SMTP_URL needs ?from=address, the sender of Loa's e-mail, like ?from=loa@example.gov.vn"},
		{"smtp bad port", func(c *Config) { c.SMTPURL = "smtp://mail:99999?from=a@b.vn" }, "LOA_SMTP_URL port must be a number from 1 to 65535"},
		{"smtps ok", func(c *Config) { c.SMTPURL = "smtps://u:p@mail.example.gov.vn?from=loa@example.gov.vn" }, ""},
		{"admin token 15 chars", func(c *Config) { c.AdminToken = strings.Repeat("a", 15) }, "LOA_ADMIN_TOKEN must be at least 16 characters"},
		{"admin token 16 chars ok", func(c *Config) { c.AdminToken = strings.Repeat("a", 16) }, ""},
		{"timezone unknown", func(c *Config) { c.Timezone = "Asia/Saigon_Nope" }, "LOA_TIMEZONE must be an IANA time zone name like Asia/Ho_Chi_Minh: unknown time zone Asia/Saigon_Nope"},
		{"timezone empty", func(c *Config) { c.Timezone = "" }, "LOA_TIMEZONE must be an IANA time zone name like Asia/Ho_Chi_Minh"},
		{"agency name blank", func(c *Config) { c.AgencyName = "  " }, "LOA_AGENCY_NAME must not be empty"},
		{"agency name two lines", func(c *Config) { c.AgencyName = "Sở\nTT" }, "LOA_AGENCY_NAME must be one line of at most 200 characters"},
		{"agency name 201 chars", func(c *Config) { c.AgencyName = strings.Repeat("ơ", 201) }, "LOA_AGENCY_NAME must be one line of at most 200 characters"},
		{"agency name 200 chars ok", func(c *Config) { c.AgencyName = strings.Repeat("ơ", 200) }, ""},
		{"secret key short", func(c *Config) { c.SecretKey = "c2hvcnQ=" }, "LOA_SECRET_KEY must be 32 random bytes encoded as base64 or hex, for example from: openssl rand -base64 32"},
		{"public url relative", func(c *Config) { c.PublicURL = "/loa" }, "LOA_PUBLIC_URL must be an absolute http:// or https:// URL, like https://loa.example.gov.vn"},
		{"public url ftp", func(c *Config) { c.PublicURL = "ftp://loa.example" }, "LOA_PUBLIC_URL must be an absolute http:// or https:// URL, like https://loa.example.gov.vn"},
		{"max body below", func(c *Config) { c.MaxBodyBytes = 1023 }, "LOA_MAX_BODY_BYTES must be between 1024 and 67108864"},
		{"max body low edge", func(c *Config) { c.MaxBodyBytes = 1024 }, ""},
		{"max body high edge", func(c *Config) { c.MaxBodyBytes = 64 << 20 }, ""},
		{"max body above", func(c *Config) { c.MaxBodyBytes = 64<<20 + 1 }, "LOA_MAX_BODY_BYTES must be between 1024 and 67108864"},
		{"max attempts zero", func(c *Config) { c.MaxAttempts = 0 }, "LOA_MAX_ATTEMPTS must be between 1 and 50"},
		{"max attempts 50", func(c *Config) { c.MaxAttempts = 50 }, ""},
		{"max attempts 51", func(c *Config) { c.MaxAttempts = 51 }, "LOA_MAX_ATTEMPTS must be between 1 and 50"},
		{"retry base too small", func(c *Config) { c.RetryBase = 99 * time.Millisecond }, "LOA_RETRY_BASE must be between 100ms and 1h"},
		{"retry base too big", func(c *Config) { c.RetryBase, c.RetryMax = 2*time.Hour, 2*time.Hour }, "LOA_RETRY_BASE must be between 100ms and 1h"},
		{"retry max below base", func(c *Config) { c.RetryBase, c.RetryMax = time.Minute, 30*time.Second }, "LOA_RETRY_MAX must be at least LOA_RETRY_BASE (1m)"},
		{"retry max equal base", func(c *Config) { c.RetryBase, c.RetryMax = time.Minute, time.Minute }, ""},
		{"reconcile too small", func(c *Config) { c.ReconcileInterval = 500 * time.Millisecond }, "LOA_RECONCILE_INTERVAL must be between 1s and 1h"},
		{"reconcile too big", func(c *Config) { c.ReconcileInterval = 61 * time.Minute }, "LOA_RECONCILE_INTERVAL must be between 1s and 1h"},
		{"workers zero", func(c *Config) { c.WorkerConcurrency = 0 }, "LOA_WORKER_CONCURRENCY must be between 1 and 1000"},
		{"workers too many", func(c *Config) { c.WorkerConcurrency = 1001 }, "LOA_WORKER_CONCURRENCY must be between 1 and 1000"},
		{"shutdown zero", func(c *Config) { c.ShutdownTimeout = 0 }, "LOA_SHUTDOWN_TIMEOUT must be between 1s and 10m"},
		{"attempt timeout below", func(c *Config) { c.AttemptTimeout = 4 * time.Second }, "LOA_ATTEMPT_TIMEOUT must be between 5s and 10m"},
		{"attempt timeout low edge", func(c *Config) { c.AttemptTimeout = 5 * time.Second }, ""},
		{"attempt timeout high edge", func(c *Config) { c.AttemptTimeout = 10 * time.Minute }, ""},
		{"attempt timeout above", func(c *Config) { c.AttemptTimeout = 10*time.Minute + 1 }, "LOA_ATTEMPT_TIMEOUT must be between 5s and 10m"},
		{"metrics addr bad", func(c *Config) { c.MetricsAddr = "9090" }, "LOA_METRICS_ADDR must be empty (no metrics listener) or host:port, like 0.0.0.0:9090"},
		{"metrics addr ok", func(c *Config) { c.MetricsAddr = ":9090" }, ""},
		{"log level unknown", func(c *Config) { c.LogLevel = "trace" }, "LOA_LOG_LEVEL must be one of debug, info, warn, error"},
		{"log format unknown", func(c *Config) { c.LogFormat = "xml" }, "LOA_LOG_FORMAT must be one of text, json"},
		{"private targets not CIDRs", func(c *Config) { c.AllowPrivateTargets = "10.0.0.0/8, intranet" }, `LOA_ALLOW_PRIVATE_TARGETS must be comma-separated CIDRs like 10.0.0.0/8,fd00::/8; not valid: "intranet"`},
		{"trusted proxies not CIDRs", func(c *Config) { c.TrustedProxies = "10.0.0.0/33" }, `LOA_TRUSTED_PROXIES must be comma-separated CIDRs like 10.0.0.0/8,fd00::/8; not valid: "10.0.0.0/33"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			tt.mod(&c)
			got := errorLines(c.Validate())
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("errors = %q, want %q", got, want)
			}
		})
	}
}

func TestValidateReportsAllProblems(t *testing.T) {
	_, err := Load("", env(map[string]string{
		"LOA_MAX_ATTEMPTS":       "abc",
		"LOA_WORKER_CONCURRENCY": "0",
		"LOA_LOG_FORMAT":         "xml",
		"LOA_ADMIN_TOKEN":        "short",
	}))
	want := []string{
		`LOA_MAX_ATTEMPTS must be a whole number, got "abc"`,
		"LOA_ADMIN_TOKEN must be at least 16 characters",
		"LOA_WORKER_CONCURRENCY must be between 1 and 1000",
		"LOA_LOG_FORMAT must be one of text, json",
	}
	if got := errorLines(err); !slices.Equal(got, want) {
		t.Fatalf("errors =\n%q\nwant\n%q", got, want)
	}
}

func TestPublicURL(t *testing.T) {
	tests := []struct {
		name, addr, publicURL, want string
	}{
		{"default from addr", "127.0.0.1:8080", "", "http://127.0.0.1:8080"},
		{"empty host becomes localhost", ":8080", "", "http://localhost:8080"},
		{"ipv6 addr", "[::1]:8080", "", "http://[::1]:8080"},
		{"trailing slashes removed", "127.0.0.1:8080", "https://loa.example.gov.vn//", "https://loa.example.gov.vn"},
		{"path kept", "127.0.0.1:8080", "https://example.gov.vn/loa/", "https://example.gov.vn/loa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			c.Addr, c.PublicURL = tt.addr, tt.publicURL
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if c.PublicURL != tt.want {
				t.Fatalf("PublicURL = %q, want %q", c.PublicURL, tt.want)
			}
		})
	}
}

func TestSecretKey(t *testing.T) {
	want := make([]byte, 32)
	for i := range want {
		want[i] = byte(i)
	}
	key31 := base64.StdEncoding.EncodeToString(want[:31])
	key33Hex := hex.EncodeToString(append(slices.Clone(want), 0xff))

	tests := []struct {
		name, key string
		ok        bool
	}{
		{"base64 std 32 bytes", key32Std, true},
		{"base64 raw url 32 bytes", key32RawURL, true},
		{"hex 32 bytes", key32Hex, true},
		{"hex upper case", strings.ToUpper(key32Hex), true},
		{"base64 31 bytes", key31, false},
		{"hex 33 bytes", key33Hex, false},
		{"not encoded", "correct horse battery staple!!!!", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("", env(map[string]string{"LOA_SECRET_KEY": tt.key}))
			if (err == nil) != tt.ok {
				t.Fatalf("Load error = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && strings.Contains(err.Error(), tt.key) {
				t.Fatalf("error reveals the key: %v", err)
			}
			c := Config{SecretKey: tt.key}
			got, err := c.SecretKeyBytes()
			if (err == nil) != tt.ok {
				t.Fatalf("SecretKeyBytes error = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && !bytes.Equal(got, want) {
				t.Fatalf("SecretKeyBytes = %x, want %x", got, want)
			}
		})
	}

	t.Run("unset", func(t *testing.T) {
		if _, err := (Config{}).SecretKeyBytes(); err == nil {
			t.Fatal("SecretKeyBytes with no key: want error")
		}
	})
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // substrings of the error
	}{
		{"unknown keys", "adress = \"x:1\"\n[extra]\nfoo = 1\n", []string{"unknown keys", "adress", "extra.foo"}},
		{"duration as number", "retry_base = 10\n", []string{`retry_base must be a duration string like "30s"`}},
		{"bad duration", "retry_base = \"10\"\n", []string{"retry_base", "10"}},
		{"wrong type", "max_attempts = \"many\"\n", []string{"max_attempts"}},
		{"syntax", "addr = \n", []string{"loa.toml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tt.text), env(nil))
			if err == nil {
				t.Fatal("Load: want error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}

	t.Run("missing file", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "nope.toml"), env(nil))
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("error = %v, want one wrapping os.ErrNotExist", err)
		}
	})
}

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"no password", "postgres://loa@db:5432/loa", "postgres://loa@db:5432/loa"},
		{"password", "postgres://loa:s3cret@db:5432/loa?sslmode=require", "postgres://loa:xxxxx@db:5432/loa?sslmode=require"},
		{"redis password only", "redis://:s3cret@redis:6379/0", "redis://:xxxxx@redis:6379/0"},
		{"password in query", "postgres://db/loa?user=loa&password=s3cret", "postgres://db/loa?user=loa&password=xxxxx"},
		{"password in query after semicolon", "postgres://db/loa?a=1;password=s3cret", "postgres://db/loa?a=1;password=xxxxx"},
		{"key/value DSN", "host=db password=s3cret", "xxxxx"},
		{"unparseable", "postgres://loa:s3cret@db:port/loa", "xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redact(tt.in); got != tt.want {
				t.Fatalf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestOutputHidesSecrets(t *testing.T) {
	const (
		token  = "admin-token-0123456789"
		dbPass = "db-pass-s3cret"
		rdPass = "redis-pass-s3cret"
		smPass = "smtp-pass-s3cret"
	)
	cfg, err := Load("", env(map[string]string{
		"LOA_ADMIN_TOKEN":  token,
		"LOA_SECRET_KEY":   key32Std,
		"LOA_DATABASE_URL": "postgres://loa:" + dbPass + "@db/loa?password=" + dbPass,
		"LOA_REDIS_URL":    "redis://:" + rdPass + "@redis:6379/0",
		"LOA_SMTP_URL":     "smtp://loa:" + smPass + "@mail.example.gov.vn:587?from=loa@example.gov.vn",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	logged := func(h func(*bytes.Buffer) slog.Handler) string {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("config", "cfg", cfg, "ptr", &cfg)
		return buf.String()
	}
	outputs := map[string]string{
		"Sprint":     fmt.Sprint(cfg),
		"Sprintf v":  fmt.Sprintf("%v", cfg),
		"Sprintf +v": fmt.Sprintf("%+v", cfg),
		"Sprintf #v": fmt.Sprintf("%#v", cfg),
		"pointer":    fmt.Sprint(&cfg),
		"slog text":  logged(func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }),
		"slog json":  logged(func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }),
	}
	secrets := []string{token, key32Std, key32Std[:20], dbPass, rdPass, smPass}
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("output reveals %q:\n%s", s, out)
				}
			}
			// The output must still be useful.
			for _, s := range []string{"127.0.0.1:8080", "db/loa", "redis:6379", "Asia/Ho_Chi_Minh", "mail.example.gov.vn:587"} {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
		})
	}
}
