package api

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pb33f/go-yaml"
)

// openAPIYAML is the API's OpenAPI 3.1 description, written by hand next
// to the handlers; openapi_test.go checks it against the route table and
// every response of the API tests.
//
//go:embed openapi.yaml
var openAPIYAML []byte

// openAPIDoc is the description converted to JSON once, at start-up, with
// its ETag.
type openAPIDoc struct {
	body []byte
	etag string
}

// loadOpenAPIDoc converts the embedded description, once per process: it is
// the same for every server. It can only fail if the file in the binary is
// broken, which the tests rule out; so it panics.
var loadOpenAPIDoc = sync.OnceValue(convertOpenAPIDoc)

func convertOpenAPIDoc() openAPIDoc {
	body, err := yamlToJSON(openAPIYAML)
	if err != nil {
		panic(fmt.Sprintf("api: embedded openapi.yaml: %v", err))
	}
	sum := sha256.Sum256(body)
	return openAPIDoc{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// serveOpenAPI serves the description: public (it describes, it holds
// nothing secret) and cacheable, revalidated by its ETag.
func (s *Server) serveOpenAPI(c echo.Context) error {
	h := c.Response().Header()
	h.Set("ETag", s.openAPI.etag)
	h.Set("Cache-Control", "public, max-age=300")
	if notModified(c.Request(), s.openAPI.etag, time.Time{}) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.JSONBlob(http.StatusOK, s.openAPI.body)
}

// yamlToJSON converts a YAML document to compact JSON, keeping the order
// of mapping keys (so the JSON reads like the YAML). Keys must be scalars.
func yamlToJSON(in []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(in, &doc); err != nil {
		return nil, fmt.Errorf("api: parse YAML: %w", err)
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, &doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return errors.New("api: YAML: want one document")
		}
		return writeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Value == "<<" {
				return fmt.Errorf("api: YAML line %d: keys must be plain scalars", k.Line)
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			key, _ := json.Marshal(k.Value)
			buf.Write(key)
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, item); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		var v any = n.Value // strings, and timestamps kept as written
		switch n.ShortTag() {
		case "!!null":
			v = nil
		case "!!bool", "!!int", "!!float":
			if err := n.Decode(&v); err != nil {
				return fmt.Errorf("api: YAML line %d: %w", n.Line, err)
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("api: YAML line %d: %w", n.Line, err)
		}
		buf.Write(b)
		return nil
	}
	return fmt.Errorf("api: YAML line %d: unexpected node", n.Line)
}
