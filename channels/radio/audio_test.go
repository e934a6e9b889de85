package radio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wav builds a RIFF/WAVE file: mono 16-bit at 22050 Hz, the extra chunks
// placed before the data chunk, and dataSize written as given.
func wav(dataLen int, dataSize uint32, extra ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(0))
	b.WriteString("WAVE")
	b.WriteString("fmt ")
	binary.Write(&b, binary.LittleEndian, uint32(16))
	binary.Write(&b, binary.LittleEndian, []uint16{1, 1})
	binary.Write(&b, binary.LittleEndian, []uint32{22050, 44100})
	binary.Write(&b, binary.LittleEndian, []uint16{2, 16})
	for _, e := range extra {
		b.Write(e)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, dataSize)
	b.Write(make([]byte, dataLen))
	return b.Bytes()
}

func chunk(id string, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString(id)
	binary.Write(&b, binary.LittleEndian, uint32(len(body)))
	b.Write(body)
	if len(body)%2 == 1 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

func TestWAVDuration(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want time.Duration
	}{
		{"one second", wav(44100, 44100), time.Second},
		{"half a second", wav(22050, 22050), 500 * time.Millisecond},
		{"empty audio", wav(0, 0), 0},
		{"chunk before data", wav(44100, 44100, chunk("LIST", []byte("INFOabcd"))), time.Second},
		{"odd chunk is padded", wav(44100, 44100, chunk("junk", []byte("abc"))), time.Second},
		{"size of a stream clamped to the bytes present", wav(44100, math.MaxUint32), time.Second},
		{"size larger than the file", wav(22050, 44100), 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WAVDuration(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("WAVDuration = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestWAVDurationErrors(t *testing.T) {
	good := wav(100, 100)
	noFmt := append([]byte("RIFF\x00\x00\x00\x00WAVE"), chunk("data", []byte{0, 0})...)
	zeroRate := wav(100, 100)
	binary.LittleEndian.PutUint32(zeroRate[28:32], 0)
	tests := []struct {
		name string
		in   []byte
	}{
		{"nil", nil},
		{"too short", []byte("RIFF")},
		{"not RIFF", append([]byte("RIFX"), good[4:]...)},
		{"not WAVE", append(append([]byte{}, good[:8]...), append([]byte("AVI "), good[12:]...)...)},
		{"no data chunk", good[:36]},
		{"data before fmt", noFmt},
		{"zero byte rate", zeroRate},
		{"truncated fmt", good[:30]},
		{"chunk running past the end", append(append([]byte{}, good[:12]...), chunk("LIST", make([]byte, 10))[:12]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d, err := WAVDuration(tt.in); err == nil {
				t.Errorf("WAVDuration = %v, want an error", d)
			}
		})
	}
}

func TestEngineRate(t *testing.T) {
	for spm, want := range map[int]int{190: 136, 0: 136, 60: 80, 120: 86, 400: 288} {
		if got := engineRate(spm); got != want {
			t.Errorf("engineRate(%d) = %d, want %d", spm, got, want)
		}
	}
}

// fakeEngine puts a shell script named espeak-ng first on PATH. It records
// its arguments and standard input and writes a one-second WAV to the -w
// path, or fails when fail is set.
func fakeEngine(t *testing.T, fail bool) (argsFile, stdinFile string) {
	t.Helper()
	dir := t.TempDir()
	argsFile, stdinFile = filepath.Join(dir, "args"), filepath.Join(dir, "stdin")
	sample := filepath.Join(dir, "sample.wav")
	if err := os.WriteFile(sample, wav(44100, 44100), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `#!/bin/sh
printf '%s\n' "$@" > ` + argsFile + `
cat > ` + stdinFile + `
`
	if fail {
		script += "echo 'unknown voice' >&2\nexit 1\n"
	} else {
		script += `while [ $# -gt 0 ]; do if [ "$1" = -w ]; then cp ` + sample + ` "$2"; fi; shift; done
`
	}
	if err := os.WriteFile(filepath.Join(dir, "espeak-ng"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return argsFile, stdinFile
}

func TestSynthesizeCommandLine(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no /bin/sh to run the fake engine")
	}
	argsFile, stdinFile := fakeEngine(t, false)
	text := "-v xx --help. Đây là Đài truyền thanh xã Tân Phú."
	out, err := Synthesize(context.Background(), text, "vi-vn-x-south", 190)
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	if d, _ := WAVDuration(out); d != time.Second {
		t.Errorf("audio lasts %v, want the fake's 1s", d)
	}
	args, _ := os.ReadFile(argsFile)
	lines := strings.Split(strings.TrimSpace(string(args)), "\n")
	if len(lines) != 7 || strings.Join(lines[:4], " ") != "-v vi-vn-x-south -s 136" || lines[4] != "-w" || lines[6] != "--stdin" {
		t.Errorf("arguments = %q, want -v vi-vn-x-south -s 136 -w <file> --stdin", lines)
	}
	if strings.Contains(string(args), "Tân Phú") {
		t.Error("the text was passed on the command line")
	}
	if _, err := os.Stat(lines[5]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary audio file %s was not removed", lines[5])
	}
	stdin, _ := os.ReadFile(stdinFile)
	if string(stdin) != text {
		t.Errorf("stdin = %q, want the script", stdin)
	}
}

func TestSynthesizeEngineFails(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no /bin/sh to run the fake engine")
	}
	fakeEngine(t, true)
	_, err := Synthesize(context.Background(), "Xin chào.", "vi", 190)
	if err == nil || !strings.Contains(err.Error(), "unknown voice") || !strings.HasPrefix(err.Error(), "radio: ") {
		t.Errorf("error = %v, want the engine's message", err)
	}
}

func TestSynthesizeErrors(t *testing.T) {
	t.Run("no engine", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		if _, err := Synthesize(context.Background(), "Xin chào.", "vi", 190); !errors.Is(err, ErrNoSpeechEngine) {
			t.Errorf("error = %v, want ErrNoSpeechEngine", err)
		}
	})
	t.Run("voice that looks like an option", func(t *testing.T) {
		if _, err := Synthesize(context.Background(), "Xin chào.", "--stdout", 190); err == nil {
			t.Error("Synthesize accepted an option as the voice")
		}
	})
	t.Run("empty script", func(t *testing.T) {
		if _, err := Synthesize(context.Background(), " \n", "vi", 190); err == nil {
			t.Error("Synthesize accepted an empty script")
		}
	})
}

// TestSynthesizeGoldenEdition runs the real espeak-ng (installed in CI) on
// the golden edition: the audio must last within 30 % of the estimate.
func TestSynthesizeGoldenEdition(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng is not installed")
	}
	e := goldenEdition(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	audio, err := Synthesize(ctx, e.SpokenText(), "vi", e.SyllablesPerMinute)
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	got, err := WAVDuration(audio)
	if err != nil {
		t.Fatalf("WAVDuration: %v", err)
	}
	want := time.Duration(e.EstimatedSeconds()) * time.Second
	if ratio := got.Seconds() / want.Seconds(); ratio < 0.7 || ratio > 1.3 {
		t.Errorf("audio lasts %v, estimate %v (ratio %.2f): tune engineRatePercent", got, want, ratio)
	}
	t.Logf("audio %v, estimate %v", got.Round(time.Second), want)

	t.Run("missing voice", func(t *testing.T) {
		if _, err := Synthesize(ctx, "Xin chào.", "zz-no-such-voice", 190); err == nil {
			t.Error("Synthesize succeeded with a voice espeak-ng does not have")
		}
	})
	t.Run("canceled", func(t *testing.T) {
		canceled, stop := context.WithCancel(context.Background())
		stop()
		if _, err := Synthesize(canceled, "Xin chào.", "vi", 190); !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
	})
}
