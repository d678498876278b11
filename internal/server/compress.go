package server

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"
	kgzip "github.com/klauspost/compress/gzip"

	"duban/web"
)

// Compression. HTML, CSS, JSON (and CSV and SVG) go out gzipped to clients
// that accept it. Pages rendered per request are compressed as they are
// written, at gzip's fastest level (compress). A body rendered once and
// served many times, a cached page's, is compressed once, at the first
// request for it that accepts gzip, as raw deflate segments (renderedBody);
// each such request then
// sends the few kilobytes of its layout (the user's name, the form token,
// the links) as stored blocks around that segment (writeGzipPage):
// a gzip stream may be made of deflate blocks from several compressors, as
// long as each ends on a byte boundary (a sync flush) and refers to nothing
// before its own start. Static assets are compressed once, at their first
// request.
//
// Compressed pages that reflect what a visitor sends next to a secret are
// open to BREACH, which guesses the secret from the compressed sizes; the
// only secret in duban's pages is the form token, and it is masked afresh on
// every page (csrf.go), so it never repeats in a compressed body.

// minCompressBytes is the smallest body worth compressing.
const minCompressBytes = 1024

// compressible reports whether a body of content type ct is worth
// compressing: text. Evidence files, spreadsheets and Word documents are
// compressed already, or are downloads whose size the browser should know.
func compressible(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "text/html", "text/css", "application/json", "text/csv", "image/svg+xml", "text/javascript", "application/javascript":
		return true
	}
	return false
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q := 1.0
			if k, val, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					q = f
				}
			}
			return q > 0
		}
	}
	return false
}

// Pages rendered per request are compressed with klauspost/compress (a
// dependency of the Prometheus client already): at its fastest level it
// compresses a 19 KB ledger page in about 43 µs of CPU, against 113 µs for
// compress/gzip's, to the same size within 3%.
//
// gzipWriters keeps idle writers. Not a sync.Pool: a writer holds large
// tables, and a pool emptied by every garbage collection (frequent under
// the server's soft memory limit) would allocate and clear one per
// response. A writer is busy only while a page is compressed, so a few per
// core suffice; more are made when needed and dropped when the list is
// full.
var gzipWriters = make(chan *kgzip.Writer, 8)

func getGzipWriter(w io.Writer) *kgzip.Writer {
	select {
	case gz := <-gzipWriters:
		gz.Reset(w)
		return gz
	default:
		gz, _ := kgzip.NewWriterLevel(w, kgzip.BestSpeed)
		return gz
	}
}

func putGzipWriter(gz *kgzip.Writer) {
	gz.Reset(io.Discard)
	select {
	case gzipWriters <- gz:
	default:
	}
}

// compress gzips compressible responses for clients that accept it. A
// handler that sets Content-Encoding itself (the cached dashboard, static
// assets) is passed through.
func (s *Server) compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !acceptsGzip(r) {
			// Nothing to decide: the answer would be compressed for
			// another client, which caches must know.
			w.Header().Add("Vary", "Accept-Encoding")
			next.ServeHTTP(w, r)
			return
		}
		cw := &compressWriter{ResponseWriter: w, accepts: true}
		next.ServeHTTP(cw, r)
		cw.close()
	})
}

// compressWriter decides at the first write, when the headers are known,
// whether to compress.
type compressWriter struct {
	http.ResponseWriter
	accepts bool
	status  int
	decided bool
	gz      *kgzip.Writer
}

func (c *compressWriter) WriteHeader(code int) {
	if c.decided || c.status != 0 {
		return
	}
	if code >= 100 && code < 200 {
		c.ResponseWriter.WriteHeader(code)
		return
	}
	c.status = code
}

func (c *compressWriter) Write(p []byte) (int, error) {
	if !c.decided {
		c.decide(len(p))
	}
	if c.gz != nil {
		return c.gz.Write(p)
	}
	return c.ResponseWriter.Write(p)
}

// decide sends the headers, compressed or not; n is the length of the
// first write, the whole body when a handler writes it at once (render
// does).
func (c *compressWriter) decide(n int) {
	c.decided = true
	status := c.status
	if status == 0 {
		status = http.StatusOK
	}
	h := c.Header()
	if compressible(h.Get("Content-Type")) && h.Get("Content-Encoding") == "" {
		if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding") {
			h.Add("Vary", "Accept-Encoding")
		}
		size := n
		if cl, err := strconv.Atoi(h.Get("Content-Length")); err == nil {
			size = cl
		}
		if c.accepts && size >= minCompressBytes && status != http.StatusNoContent && status != http.StatusNotModified {
			h.Set("Content-Encoding", "gzip")
			h.Del("Content-Length")
			c.gz = getGzipWriter(c.ResponseWriter)
		}
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *compressWriter) close() {
	if !c.decided && c.status != 0 {
		c.decide(0)
	}
	if c.gz != nil {
		_ = c.gz.Close()
		putGzipWriter(c.gz)
		c.gz = nil
	}
}

// Flush sends what was written so far.
func (c *compressWriter) Flush() {
	if !c.decided {
		c.decide(0)
	}
	if c.gz != nil {
		_ = c.gz.Flush()
	}
	_ = http.NewResponseController(c.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *compressWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// renderedBody is a page body rendered once and served many times: its
// HTML, cut at the places where each reader's own form token goes (holes,
// see formTokenHole), and each piece as a raw deflate segment (flushed, not
// final, referring to nothing before its own start) that writeGzipPage
// splices into each page's gzip stream, with the reader's token sent
// stored between them. A body rendered for one class of readers (a unit's
// staff, say) thus carries nobody's token.
//
// The segments are made at the first request for the body that accepts
// gzip (deflated), and kept: a body rendered again before anyone asked for
// it compressed (a writer's report form, under reports that change its
// plan every moment; a page read without gzip) costs no compression.
type renderedBody struct {
	// title is the page's title, for pages whose title is their data's.
	title string
	// parts are the HTML between the holes: one more than the holes.
	parts [][]byte
	// shared says the body is served to many (it is cached): only then is
	// it worth compressing once.
	shared bool
	// once makes deflate, each part compressed (or err).
	once    sync.Once
	deflate [][]byte
	err     error
	// size is the bytes held, for the cache's budget, counting the
	// compressed parts before they are made (at most a quarter of the
	// HTML: pages compress to a fifth or less).
	size int
}

// newRenderedBody cuts html at its holes, for a body kept and served many
// times. What it keeps is copied to slices of their exact size: the
// buffers html was written to have room to spare, up to as much again,
// which a cache of many bodies would hold for nothing.
func newRenderedBody(title string, html []byte) *renderedBody {
	rb := &renderedBody{title: title, parts: bytes.Split(bytes.Clone(html), formTokenHole), shared: true}
	rb.size = len(html) + len(html)/4 + len(title) + 64*len(rb.parts)
	return rb
}

// onceBody is a body rendered for one request: never compressed apart
// (the response is compressed as it is written, if at all).
func onceBody(title string, html []byte) *renderedBody {
	return &renderedBody{title: title, parts: bytes.Split(html, formTokenHole)}
}

// deflated returns the body's parts compressed, thoroughly, made at the
// first call; false for a body rendered for one request.
func (rb *renderedBody) deflated() ([][]byte, bool) {
	if !rb.shared {
		return nil, false
	}
	rb.once.Do(func() { rb.deflate, rb.err = deflateParts(rb.parts) })
	return rb.deflate, rb.err == nil
}

// flateWriters are compressors at the best level (one holds about a
// megabyte of state: reused, not made per body).
var flateWriters = sync.Pool{New: func() any {
	fw, _ := flate.NewWriter(io.Discard, flate.BestCompression)
	return fw
}}

// deflateParts compresses each part as a raw deflate segment, flushed and
// referring to nothing before its own start, copied to one slice of its
// exact size.
func deflateParts(parts [][]byte) ([][]byte, error) {
	var buf bytes.Buffer
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	buf.Grow(n / 5)
	fw := flateWriters.Get().(*flate.Writer)
	defer func() {
		fw.Reset(io.Discard) // holds nothing of this body
		flateWriters.Put(fw)
	}()
	offsets := make([]int, 0, len(parts)+1)
	for _, p := range parts {
		// A fresh start for each: a segment may not refer to the one
		// before, since a token the compressor never saw lies between
		// them.
		fw.Reset(&buf)
		offsets = append(offsets, buf.Len())
		if _, err := fw.Write(p); err != nil {
			return nil, err
		}
		if err := fw.Flush(); err != nil {
			return nil, err
		}
	}
	offsets = append(offsets, buf.Len())
	all := bytes.Clone(buf.Bytes())
	out := make([][]byte, len(parts))
	for i := range parts {
		out[i] = all[offsets[i]:offsets[i+1]:offsets[i+1]]
	}
	return out, nil
}

// holes is the number of form tokens the body takes.
func (rb *renderedBody) holes() int { return len(rb.parts) - 1 }

// appendHTML appends the body's HTML with token in every hole.
func (rb *renderedBody) appendHTML(out *bytes.Buffer, token []byte) {
	for i, p := range rb.parts {
		if i > 0 {
			out.Write(token)
		}
		out.Write(p)
	}
}

// formTokenHole stands for the reader's form token in a body rendered for
// many readers (csrfTokenOf returns it in a context made by holeContext);
// random, so that no page can contain it, and made of characters that
// HTML escaping leaves alone.
var formTokenHole = func() []byte {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return []byte("csrfhole" + hex.EncodeToString(b))
}()

// bodyMarker stands for the body while the layout of a cached page is
// rendered; random, so that no page can contain it.
var bodyMarker = func() []byte {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return []byte("<!--body-" + hex.EncodeToString(b) + "-->")
}()

// formToken is what fills the holes of a body served to r: the reader's
// form token, masked afresh, escaped as templ escapes an attribute.
func formToken(r *http.Request) []byte {
	return []byte(templ.EscapeString(csrfTokenOf(r.Context())))
}

// renderCached writes rb inside the layout, like render, with the reader's
// form token in its holes. To a client that accepts gzip it sends the
// layout and the token around rb's deflate segments, so the body's
// compression is paid once per rendering, not per request.
func (s *Server) renderCached(w http.ResponseWriter, r *http.Request, status int, title, nav string, rb *renderedBody) {
	token := formToken(r)
	var deflate [][]byte
	gz := acceptsGzip(r)
	if gz {
		deflate, gz = rb.deflated()
	}
	if !gz {
		body := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
			for i, p := range rb.parts {
				if i > 0 {
					if _, err := w.Write(token); err != nil {
						return err
					}
				}
				if _, err := w.Write(p); err != nil {
					return err
				}
			}
			return nil
		})
		s.render(w, r, status, title, nav, body)
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	marker := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := w.Write(bodyMarker)
		return err
	})
	if err := web.Layout(s.pageMeta(r, title, nav), marker).Render(r.Context(), buf); err != nil {
		s.log.Error("render", "request_id", requestIDOf(r.Context()), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	page := buf.Bytes()
	i := bytes.Index(page, bodyMarker)
	if i < 0 {
		s.log.Error("render: the layout lost the body's place", "request_id", requestIDOf(r.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	out := bufPool.Get().(*bytes.Buffer)
	out.Reset()
	defer bufPool.Put(out)
	writeGzipPage(out, page[:i], rb.parts, deflate, token, page[i+len(bodyMarker):])
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Length", strconv.Itoa(out.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(out.Bytes())
}

// writeGzipPage writes head, a body's parts with token between them, and
// tail to out as one gzip stream (RFC 1952): head and the tokens as stored
// (uncompressed) deflate blocks, the parts' deflate segments as they are, tail
// as a final stored block, then the CRC-32 and size of the whole. The few
// kilobytes of layout around the body are not worth compressing per
// request: running a compressor costs more than sending them (about 60 µs
// for 4 KB, against 2 µs to copy them), and the body, compressed once, is
// nine tenths of the page. The tokens are never compressed, so their
// compressed size says nothing about them (BREACH).
func writeGzipPage(out *bytes.Buffer, head []byte, parts, deflate [][]byte, token, tail []byte) {
	// ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255 (unknown).
	out.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255})
	writeStored(out, head, false)
	crc := crc32.ChecksumIEEE(head)
	size := len(head) + len(tail)
	for i, d := range deflate {
		if i > 0 {
			writeStored(out, token, false)
			crc = crc32.Update(crc, crc32.IEEETable, token)
			size += len(token)
		}
		out.Write(d)
		crc = crc32.Update(crc, crc32.IEEETable, parts[i])
		size += len(parts[i])
	}
	writeStored(out, tail, true)
	crc = crc32.Update(crc, crc32.IEEETable, tail)
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(size))
	out.Write(trailer[:])
}

// writeStored writes b as stored deflate blocks (RFC 1951, 3.2.4), the last
// one final when final is set; the stream must be at a byte boundary, and
// is again afterwards.
func writeStored(out *bytes.Buffer, b []byte, final bool) {
	for {
		n := min(len(b), 0xFFFF)
		last := n == len(b)
		var hdr [5]byte
		if final && last {
			hdr[0] = 1 // BFINAL=1, BTYPE=00, padding to the byte boundary
		}
		binary.LittleEndian.PutUint16(hdr[1:], uint16(n))
		binary.LittleEndian.PutUint16(hdr[3:], ^uint16(n))
		out.Write(hdr[:])
		out.Write(b[:n])
		b = b[n:]
		if last {
			return
		}
	}
}

// gzipped holds static assets compressed, by hashed name.
var gzipped sync.Map

// gzippedAsset returns the asset's body compressed, once per process.
func gzippedAsset(name string, body []byte) []byte {
	if b, ok := gzipped.Load(name); ok {
		return b.([]byte)
	}
	var buf bytes.Buffer
	gw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = gw.Write(body)
	_ = gw.Close()
	b, _ := gzipped.LoadOrStore(name, buf.Bytes())
	return b.([]byte)
}
