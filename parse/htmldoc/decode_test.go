package htmldoc

import (
	"os"
	"strings"
	"testing"

	"github.com/gndhq/gnd/internal/testcorpus"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/unicode"
)

// encode returns s in enc, failing the test when s cannot be encoded.
func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	out, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return out
}

func TestDecodeSources(t *testing.T) {
	const german = "Größe ändern – “Zitat”"
	const koreanText = "가상호스트 설정"
	const japaneseText = "仮想ホストの設定"
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.UseBOM)

	cases := []struct {
		name        string
		body        []byte
		contentType string
		wantText    string
		wantCharset string
	}{
		{
			name:        "utf-8 byte order mark beats header",
			body:        append([]byte{0xEF, 0xBB, 0xBF}, "<p>"+koreanText+"</p>"...),
			contentType: "text/html; charset=iso-8859-1",
			wantText:    "<p>" + koreanText + "</p>",
			wantCharset: "utf-8",
		},
		{
			name:        "utf-16le byte order mark",
			body:        encode(t, utf16le, "<p>"+japaneseText+"</p>"),
			wantText:    "<p>" + japaneseText + "</p>",
			wantCharset: "utf-16le",
		},
		{
			name:        "utf-16be byte order mark",
			body:        encode(t, utf16be, "<p>"+german+"</p>"),
			wantText:    "<p>" + german + "</p>",
			wantCharset: "utf-16be",
		},
		{
			name:        "header charset beats meta",
			body:        append([]byte(`<meta charset="utf-8"><p>`), encode(t, korean.EUCKR, koreanText)...),
			contentType: `text/html; charset="EUC-KR"`,
			wantText:    `<meta charset="utf-8"><p>` + koreanText,
			wantCharset: "euc-kr",
		},
		{
			name:        "xml prolog beats meta",
			body:        append([]byte(`<?xml version="1.0" encoding='Shift_JIS'?><meta charset="utf-8"><p>`), encode(t, japanese.ShiftJIS, japaneseText)...),
			wantText:    `<?xml version="1.0" encoding='Shift_JIS'?><meta charset="utf-8"><p>` + japaneseText,
			wantCharset: "shift_jis",
		},
		{
			name:        "meta charset",
			body:        append([]byte(`<html><head><meta charset=euc-kr></head><body>`), encode(t, korean.EUCKR, koreanText)...),
			wantText:    `<html><head><meta charset=euc-kr></head><body>` + koreanText,
			wantCharset: "euc-kr",
		},
		{
			name:        "meta http-equiv content type",
			body:        append([]byte(`<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1;"><p>`), encode(t, charmap.Windows1252, german)...),
			wantText:    `<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1;"><p>` + german,
			wantCharset: "windows-1252",
		},
		{
			name:        "unknown header label falls through to meta",
			body:        append([]byte(`<meta charset="shift_jis"><p>`), encode(t, japanese.ShiftJIS, japaneseText)...),
			contentType: "text/html; charset=no-such-charset",
			wantText:    `<meta charset="shift_jis"><p>` + japaneseText,
			wantCharset: "shift_jis",
		},
		{
			name:        "valid utf-8 without declaration",
			body:        []byte("<p>" + german + "</p>"),
			wantText:    "<p>" + german + "</p>",
			wantCharset: "utf-8",
		},
		{
			name:        "invalid utf-8 without declaration is windows-1252",
			body:        append([]byte("<p>"), encode(t, charmap.ISO8859_1, "Größe")...),
			wantText:    "<p>Größe",
			wantCharset: "windows-1252",
		},
		{
			name:        "utf-16 named in meta reads as utf-8",
			body:        []byte(`<meta charset="utf-16"><p>` + german),
			wantText:    `<meta charset="utf-16"><p>` + german,
			wantCharset: "utf-8",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text, name, err := Decode(tc.body, tc.contentType)
			if err != nil {
				t.Fatalf("Decode returned error: %v", err)
			}
			if name != tc.wantCharset {
				t.Errorf("charset = %q, want %q", name, tc.wantCharset)
			}
			if text != tc.wantText {
				t.Errorf("text = %q, want %q", text, tc.wantText)
			}
		})
	}
}

func TestDecodeReplacementCharsetFails(t *testing.T) {
	_, _, err := Decode([]byte("<p>text</p>"), "text/html; charset=iso-2022-kr")
	if err == nil {
		t.Fatal("Decode with a charset mapped to the replacement encoding returned no error")
	}
	if !strings.Contains(err.Error(), "iso-2022-kr") {
		t.Errorf("error %q does not name the declared charset", err)
	}
}

// httpdVariant is one translation of the Apache httpd "bind" manual page.
type httpdVariant struct {
	file    string
	charset string
	lang    string
	// phrase occurs in the page text and needs the right decoding.
	phrase string
}

var httpdVariants = []httpdVariant{
	{"bind.html.de", "windows-1252", "de", "Standardmäßig"},
	{"bind.html.en.utf8", "utf-8", "en", "Binding to Addresses and Ports"},
	{"bind.html.es.utf8", "utf-8", "es", "configuración"},
	{"bind.html.fr.utf8", "utf-8", "fr", "spécifiques"},
	{"bind.html.ja.utf8", "utf-8", "ja", "アドレスとポート"},
	{"bind.html.ko.euc-kr", "euc-kr", "ko", "가상호스트"},
	{"bind.html.tr.utf8", "utf-8", "tr", "yönergesi"},
}

func TestDecodeHTTPDVariants(t *testing.T) {
	for _, v := range httpdVariants {
		t.Run(v.file, func(t *testing.T) {
			body, err := os.ReadFile(testcorpus.Path(t, "html", "httpd-manual-bind-variants", v.file))
			if err != nil {
				t.Fatal(err)
			}
			text, name, err := Decode(body, "")
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if name != v.charset {
				t.Errorf("charset = %q, want %q", name, v.charset)
			}
			if n := strings.Count(text, "\uFFFD"); n != 0 {
				t.Errorf("decoded text has %d U+FFFD replacement characters, want 0", n)
			}
			if !strings.Contains(text, v.phrase) {
				t.Errorf("decoded text lacks %q, so the bytes were decoded with the wrong charset", v.phrase)
			}
		})
	}
}

func TestDecodeGermanUmlauts(t *testing.T) {
	body, err := os.ReadFile(testcorpus.Path(t, "html", "httpd-manual-bind-variants", "bind.html.de"))
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := Decode(body, "")
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	for _, r := range []string{"ä", "ö", "ü", "ß"} {
		if !strings.Contains(text, r) {
			t.Errorf("German page decodes without %q", r)
		}
	}
	if strings.Contains(text, "Ã") {
		t.Error("German page contains \"Ã\", a sign of Latin-1 bytes read as UTF-8 twice")
	}
}

func TestDecodeKoreanHangul(t *testing.T) {
	body, err := os.ReadFile(testcorpus.Path(t, "html", "httpd-manual-bind-variants", "bind.html.ko.euc-kr"))
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := Decode(body, "")
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	hangul := 0
	for _, r := range text {
		if r >= 0xAC00 && r <= 0xD7A3 {
			hangul++
		}
	}
	if hangul < 500 {
		t.Errorf("Korean page decodes to %d Hangul syllables, want at least 500", hangul)
	}
	if got := strings.Count(text, "가상호스트"); got == 0 {
		t.Error("Korean page lacks the word 가상호스트 (virtual host)")
	}
}
