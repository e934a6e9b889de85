package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
	"github.com/loa-vn/loa/content"
)

// Zalo's article limits, in characters.
const (
	maxTitleRunes       = 150
	maxDescriptionRunes = 300
	// author is shown under the title. The OA's own name is not in the
	// config, and a constant keeps every retry's request identical.
	author = "Ban biên tập"
)

// ErrNoCover: Zalo refuses articles without a cover image.
var ErrNoCover = errors.New("zalo: Zalo requires a cover image: set default_cover_url on the channel or an image on the post")

// article is the body of POST /v2.0/article/create.
type article struct {
	Type        string  `json:"type"`
	Title       string  `json:"title"`
	Author      string  `json:"author"`
	Description string  `json:"description"`
	Cover       cover   `json:"cover"`
	Body        []block `json:"body"`
	Status      string  `json:"status"`
	Comment     string  `json:"comment"`
}

type cover struct {
	CoverType string `json:"cover_type"`
	PhotoURL  string `json:"photo_url"`
	Status    string `json:"status"`
}

// block is one body element: {"type":"text","content":…} or {"type":"image","url":…}.
type block struct {
	Type    string `json:"type"`
	Content string `json:"content,omitempty"`
	URL     string `json:"url,omitempty"`
	Caption string `json:"caption,omitempty"`
}

// draft is an article plus what was changed to fit Zalo, for Preview.
type draft struct {
	article    article
	titleRunes int // before cutting
	titleCut   bool
	descRunes  int
	descCut    bool
}

// compose turns msg into the article Publish would send. It is pure, so
// every attempt and Preview produce the same request.
func (z *Zalo) compose(msg channels.Message) draft {
	title := oneLine(msg.Title)
	desc := oneLine(msg.Summary)
	if desc == "" {
		desc = content.PlainText(msg.BodyHTML)
	}
	d := draft{titleRunes: utf8.RuneCountInString(title), descRunes: utf8.RuneCountInString(desc)}
	coverURL := strings.TrimSpace(msg.ImageURL)
	if coverURL == "" {
		coverURL = z.defaultCover
	}
	d.article = article{
		Type:    "normal",
		Author:  author,
		Cover:   cover{CoverType: "photo", PhotoURL: coverURL, Status: "show"},
		Body:    bodyBlocks(msg),
		Status:  "show",
		Comment: "show",
	}
	d.article.Title, d.titleCut = cutWords(title, maxTitleRunes)
	d.article.Description, d.descCut = cutWords(desc, maxDescriptionRunes)
	return d
}

// problem reports what makes the draft unpublishable; retrying cannot help.
func (d draft) problem() error {
	if d.article.Title == "" {
		return errors.New("zalo: the post has no title, and Zalo articles need one; add a title")
	}
	if d.article.Cover.PhotoURL == "" {
		return ErrNoCover
	}
	return nil
}

// articleTitle is the title exactly as Publish sends it, for Find.
func articleTitle(msg channels.Message) string {
	title, _ := cutWords(oneLine(msg.Title), maxTitleRunes)
	return title
}

// oneLine returns s in NFC with runs of whitespace collapsed to one space.
func oneLine(s string) string {
	return content.NFC(strings.Join(strings.Fields(s), " "))
}

// cutWords shortens s to at most limit characters, ending at a word boundary
// with "…" so readers see it was cut. A single over-long word is cut hard.
func cutWords(s string, limit int) (string, bool) {
	if utf8.RuneCountInString(s) <= limit {
		return s, false
	}
	runes := []rune(s)
	head := string(runes[:limit-1]) // one character is left for "…"
	atBoundary := runes[limit-1] == ' '
	if i := strings.LastIndexByte(head, ' '); !atBoundary && i > 0 && utf8.RuneCountInString(head[:i]) >= limit/2 {
		// Cut at a space only if that keeps most of the text.
		head = head[:i]
	}
	return strings.TrimRight(head, " ,;:-–") + "…", true
}

// bodyBlocks converts the post body; with no usable body it falls back to
// the channel text or summary, because Zalo shows an empty article otherwise.
func bodyBlocks(msg channels.Message) []block {
	blocks := htmlBlocks(msg.BodyHTML)
	if len(blocks) == 0 {
		blocks = textBlocks(msg.Text)
	}
	if len(blocks) == 0 {
		blocks = textBlocks(msg.Summary)
	}
	if link := strings.TrimSpace(msg.Link); link != "" {
		blocks = append(blocks, block{Type: "text", Content: "Xem chi tiết: " + link})
	}
	return blocks
}

// textBlocks makes one text block per paragraph of plain text (blank-line separated).
func textBlocks(text string) []block {
	var blocks []block
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p := cleanParagraph(para); p != "" {
			blocks = append(blocks, block{Type: "text", Content: p})
		}
	}
	return blocks
}

// createArticle sends the article and returns Zalo's processing token.
func (z *Zalo) createArticle(ctx context.Context, a article) (string, error) {
	res, err := z.do(ctx, apiRequest{op: "create article", method: http.MethodPost, path: "/v2.0/article/create", body: a, unsafe: true})
	if err != nil {
		return "", err
	}
	var data struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(res.data, &data) != nil || strings.TrimSpace(data.Token) == "" {
		return "", channels.Ambiguous(fmt.Errorf("zalo: create article: Zalo reported success but sent no token (HTTP %d, data %s); "+
			"the article may exist — Loa checks recent articles before trying again", res.status, z.snippet(res.data))).WithStatus(res.status)
	}
	return data.Token, nil
}

// waitForID polls verify until Zalo names the article. Every failure here
// is ambiguous: Zalo accepted the article, so it may appear at any moment.
func (z *Zalo) waitForID(ctx context.Context, token string) (string, int, error) {
	deadline := time.Now().Add(z.maxWait)
	var last error
	for {
		if err := sleep(ctx, z.pollInterval); err != nil {
			return "", 0, unverified("stopped waiting for the article id", err, last)
		}
		id, status, err := z.verify(ctx, token)
		switch {
		case err == nil && id != "":
			return id, status, nil
		case err != nil && (channels.AsError(err).NeedsReauth || ctx.Err() != nil):
			return "", 0, unverified("could not ask Zalo for the article id", ctx.Err(), err)
		case err != nil:
			// Zalo may answer with an error while it still processes; keep asking.
			last = err
		}
		if !time.Now().Add(z.pollInterval).Before(deadline) {
			return "", 0, unverified(fmt.Sprintf("Zalo named no article id within %s", z.maxWait), nil, last)
		}
	}
}

// unverified builds the ambiguous error of waitForID. ctxErr stays
// reachable with errors.Is; last (the latest failed answer) is quoted.
func unverified(reason string, ctxErr, last error) error {
	err := fmt.Errorf("zalo: verify article: %s; the article may exist — Loa checks recent articles before publishing again", reason)
	if last != nil {
		err = fmt.Errorf("%w (last answer: %w)", err, cause(last))
	}
	if ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w: %w", err, ctxErr)
	}
	ce := channels.Ambiguous(err)
	ce.NeedsReauth = last != nil && channels.AsError(last).NeedsReauth
	return ce
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// verify asks once whether the article behind token has an id yet.
func (z *Zalo) verify(ctx context.Context, token string) (string, int, error) {
	res, err := z.do(ctx, apiRequest{op: "verify article", method: http.MethodPost, path: "/v2.0/article/verify",
		body: map[string]string{"token": token}})
	if err != nil {
		return "", res.status, err
	}
	var data struct {
		ID any `json:"id"`
	}
	if len(res.data) > 0 && platform.DecodeNumbers(res.data, &data) != nil {
		return "", res.status, channels.Retryable(fmt.Errorf("zalo: verify article: unexpected data %s", z.snippet(res.data)), 0)
	}
	return platform.StringOrNumber(data.ID), res.status, nil
}

// broadcastArticle sends the new article to the OA's followers when the
// channel asks for it. The article already exists, so a failure is only
// logged: failing the delivery would make the worker create it again.
func (z *Zalo) broadcastArticle(ctx context.Context, id string) {
	if !z.broadcast {
		return
	}
	log := z.log.With("channel_id", z.channelID, "article_id", id)
	if local := z.now().In(z.zone); !inSendingHours(local) {
		log.Warn("zalo: article published; broadcast skipped because Zalo only sends between 06:00 and 20:00",
			"local_time", local.Format("15:04"))
		return
	}
	res, err := z.do(ctx, apiRequest{op: "broadcast article", method: http.MethodPost, path: "/v2.0/oa/message",
		body: broadcastBody(id), unsafe: true})
	if err != nil {
		log.Warn("zalo: article published, but broadcasting it to followers failed", "class", channels.ClassOf(err).String(), "err", err)
		return
	}
	var data struct {
		MessageID any `json:"message_id"`
	}
	_ = platform.DecodeNumbers(res.data, &data) // the id is only logged
	log.Info("zalo: article broadcast to followers", "message_id", platform.StringOrNumber(data.MessageID))
}

// broadcastBody is the media template that attaches an article; gender "0"
// targets all followers.
func broadcastBody(articleID string) map[string]any {
	element := map[string]any{"media_type": "article", "attachment_id": articleID}
	payload := map[string]any{"template_type": "media", "elements": []any{element}}
	return map[string]any{
		"recipient": map[string]any{"target": map[string]any{"gender": "0"}},
		"message":   map[string]any{"attachment": map[string]any{"type": "template", "payload": payload}},
	}
}

// inSendingHours reports whether t (local time) is within 06:00–20:00.
func inSendingHours(t time.Time) bool {
	minutes := t.Hour()*60 + t.Minute()
	return minutes >= 6*60 && minutes < 20*60
}
