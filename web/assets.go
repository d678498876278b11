// Package web holds duban's pages as templ components, their view models, the
// message catalogue for zh-CN and English, and the static assets, embedded in
// the binary and served under content-hashed names.
//
// Components do no I/O: handlers build view models and pass them in.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// Asset is one embedded static file.
type Asset struct {
	Name        string // hashed name, e.g. app.3f2a9c1b.css
	ContentType string
	Body        []byte
}

var (
	assetsByHashed = map[string]Asset{}
	hashedByName   = map[string]string{}
)

func init() {
	names, _ := fs.Glob(staticFS, "static/*")
	for _, n := range names {
		b, err := staticFS.ReadFile(n)
		if err != nil {
			panic(err)
		}
		base := path.Base(n)
		sum := sha256.Sum256(b)
		ext := path.Ext(base)
		hashed := strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
		assetsByHashed[hashed] = Asset{Name: hashed, ContentType: contentType(ext), Body: b}
		hashedByName[base] = hashed
	}
}

// AssetPath returns the URL path of the static file name ("app.css"), with the
// content hash in its name so it can be cached forever.
func AssetPath(name string) string {
	if h, ok := hashedByName[name]; ok {
		return "/static/" + h
	}
	return "/static/" + name
}

// LookupAsset finds a static file by its hashed name.
func LookupAsset(hashed string) (Asset, bool) {
	a, ok := assetsByHashed[hashed]
	return a, ok
}

func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	}
	return "application/octet-stream"
}
