package tokens

import "testing"

func TestCountKnownStrings(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"hello world", 2},
		{"GET /users/{id}", 6},
	}
	for _, c := range cases {
		if got := Count(c.in); got != c.want {
			t.Errorf("Count(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestCountInvalidUTF8(t *testing.T) {
	if got := Count("ab\xffcd"); got <= 0 {
		t.Errorf("Count of invalid UTF-8 = %d, want > 0", got)
	}
}
