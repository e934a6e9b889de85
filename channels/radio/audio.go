package radio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/loa-vn/loa/content"
)

// ErrNoSpeechEngine is returned by Synthesize when espeak-ng is not installed.
var ErrNoSpeechEngine = errors.New("radio: espeak-ng is not installed; install it (Debian: apt-get install espeak-ng) to produce audio, or use the text script")

const (
	speechEngine = "espeak-ng"
	// espeak-ng accepts 80–450 words a minute; it counts a Vietnamese
	// syllable as a word.
	minEngineRate = 80
	maxEngineRate = 450
	maxStderr     = 2000
)

// Synthesize reads script aloud with espeak-ng and returns the WAV file.
// The text goes to espeak-ng's standard input, never on its command line,
// so no text can be taken for an option and no length limit applies.
func Synthesize(ctx context.Context, script, voice string, syllablesPerMinute int) ([]byte, error) {
	if !validVoice(voice) {
		return nil, fmt.Errorf("radio: voice %q is not an espeak-ng voice name such as vi", voice)
	}
	if strings.TrimSpace(script) == "" {
		return nil, errors.New("radio: nothing to synthesize: the script is empty")
	}
	engine, err := exec.LookPath(speechEngine)
	if err != nil {
		return nil, ErrNoSpeechEngine
	}
	out, err := os.CreateTemp("", "loa-radio-*.wav")
	if err != nil {
		return nil, fmt.Errorf("radio: create audio file: %w", err)
	}
	path := out.Name()
	out.Close()
	defer os.Remove(path)

	var stderr limitedBuffer
	cmd := exec.CommandContext(ctx, engine, "-v", voice, "-s", strconv.Itoa(engineRate(syllablesPerMinute)), "-w", path, "--stdin")
	cmd.Stdin = strings.NewReader(content.NFC(script))
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("radio: espeak-ng: %w", ctx.Err())
		}
		return nil, fmt.Errorf("radio: espeak-ng failed (check that voice %q is installed: espeak-ng --voices=vi): %w: %s", voice, err, strings.TrimSpace(stderr.String()))
	}
	wav, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("radio: read audio file: %w", err)
	}
	if _, err := WAVDuration(wav); err != nil {
		return nil, fmt.Errorf("radio: espeak-ng wrote no usable audio: %w", err)
	}
	return wav, nil
}

// engineRate maps the station's reading speed to espeak-ng's -s. espeak-ng
// counts a Vietnamese syllable as a word, but its Vietnamese voice reads
// faster than the -s it is given: measured on the golden edition (350
// syllables, espeak-ng 1.51), -s 120 gave 163 syllables a minute of audio,
// -s 175 gave 244 and -s 250 gave 358, about 1.4 times -s. So -s is 72 %
// of the wanted rate: 190 → -s 136 → 187 a minute. espeak-ng cannot go
// below -s 80 (about 113 a minute), so slower stations get faster audio
// than their estimate.
func engineRate(syllablesPerMinute int) int {
	if syllablesPerMinute <= 0 {
		syllablesPerMinute = DefaultSyllablesPerMinute
	}
	rate := syllablesPerMinute * engineRatePercent / 100
	return min(max(rate, minEngineRate), maxEngineRate)
}

// engineRatePercent: see engineRate.
const engineRatePercent = 72

// limitedBuffer keeps the first maxStderr bytes written to it, so a noisy
// engine cannot fill memory.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxStderr - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// WAVDuration reads a RIFF/WAVE header and returns the length of the audio.
// A data size larger than the file (espeak-ng writing to a pipe leaves it
// at 0xFFFFFFFF) is clamped to the bytes actually present.
func WAVDuration(wav []byte) (time.Duration, error) {
	if len(wav) < 12 || string(wav[0:4]) != "RIFF" || string(wav[8:12]) != "WAVE" {
		return 0, errors.New("radio: not a RIFF/WAVE file")
	}
	var byteRate uint32
	for pos := 12; pos+8 <= len(wav); {
		id := string(wav[pos : pos+4])
		size := int64(binary.LittleEndian.Uint32(wav[pos+4 : pos+8]))
		body := int64(pos + 8)
		switch id {
		case "fmt ":
			if size < 16 || body+16 > int64(len(wav)) {
				return 0, errors.New("radio: WAV fmt chunk is truncated")
			}
			byteRate = binary.LittleEndian.Uint32(wav[body+8 : body+12])
		case "data":
			if byteRate == 0 {
				return 0, errors.New("radio: WAV data chunk comes before a usable fmt chunk")
			}
			size = min(size, int64(len(wav))-body)
			return time.Duration(size) * time.Second / time.Duration(byteRate), nil
		}
		next := body + size + size%2 // chunks are padded to an even length
		if next > int64(len(wav)) {
			break
		}
		pos = int(next)
	}
	return 0, errors.New("radio: WAV file has no data chunk")
}
