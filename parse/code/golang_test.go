package code

import (
	"strings"
	"testing"
)

const goSample = `// Package store keeps users in memory.
package store

import (
	"errors"
	"sync"
)

// ErrNotFound is returned when a user is missing.
var ErrNotFound = errors.New("not found")

const maxUsers = 100

// User is one account.
type User struct {
	ID   int
	Name string
}

type (
	// ID identifies a user.
	ID int

	// Lister lists users.
	Lister interface {
		List() []User
	}
)

// List is a generic list.
type List[T any] struct {
	items []T
}

// Push appends v.
func (l *List[T]) Push(v T) {
	l.items = append(l.items, v)
}

func (l List[T]) Len() int { return len(l.items) }

// Store holds users.
type Store struct {
	mu    sync.Mutex
	users map[int]User
}

// Get returns the user with the given id.
//
// It locks the store.
func (s *Store) Get(id int) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return User{}, ErrNotFound
	}
	return u, nil
}

//go:noinline
func helper() {}

func Map[T, U any](in []T, f func(T) U) []U {
	out := make([]U, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}
`

func TestChunkGoSample(t *testing.T) {
	pieces := chunkOK(t, "store/store.go", goSample, Options{})
	expectPieces(t, pieces, []want{
		{"store", KindFile, 1, 12},
		{"User", KindStruct, 14, 18},
		{"ID", KindType, 20, 22},
		{"Lister", KindInterface, 24, 28},
		{"List", KindStruct, 30, 33},
		{"List.Push", KindMethod, 35, 38},
		{"List.Len", KindMethod, 40, 40},
		{"Store", KindStruct, 42, 46},
		{"Store.Get", KindMethod, 48, 59},
		{"helper", KindFunction, 61, 62},
		{"Map", KindFunction, 64, 70},
	})
}

func TestChunkGoSplitsLongFunction(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("package big\n\n// Long does many things.\nfunc Long(a int,\n\tb int) int {\n")
	for i := 0; i < 200; i++ {
		sb.WriteString("\ta = a*31 + b // step\n")
		if i%20 == 19 {
			sb.WriteString("\n")
		}
	}
	sb.WriteString("\treturn a\n}\n")
	src := sb.String()
	pieces := chunkOK(t, "big.go", src, Options{MaxTokens: 300})

	var parts []Piece
	for _, p := range pieces {
		if p.Symbol == "Long" {
			parts = append(parts, p)
		}
	}
	if len(parts) < 2 {
		t.Fatalf("got %d pieces for Long, want it split into parts\n%s", len(parts), outline(pieces))
	}
	lines := sourceLines(src)
	if parts[0].StartLine != 3 {
		t.Errorf("first part starts at line %d, want 3 (the doc comment)", parts[0].StartLine)
	}
	if last := parts[len(parts)-1]; last.EndLine != len(lines) {
		t.Errorf("last part ends at line %d, want %d (the closing brace)", last.EndLine, len(lines))
	}
	for i, p := range parts {
		if p.Part != i+1 {
			t.Errorf("part %d has Part = %d", i+1, p.Part)
		}
		if i > 0 && p.StartLine != parts[i-1].EndLine+1 {
			t.Errorf("part %d starts at line %d, want %d: parts must cover the function without gaps", i+1, p.StartLine, parts[i-1].EndLine+1)
		}
		if i > 0 && !strings.HasPrefix(p.Content, "func Long(a int,\n\tb int) int {\n") {
			t.Errorf("part %d does not start with the two signature lines:\n%s", i+1, p.Content)
		}
		if n := tokensOf(p.Content); n > 300+10 {
			t.Errorf("part %d has %d tokens, want at most about 300", i+1, n)
		}
	}
}

func TestChunkGoInvalidFallsBack(t *testing.T) {
	src := "package broken\n\nfunc f( {\n\treturn\n}\n\nfunc g() {}\n"
	pieces := chunkOK(t, "broken.go", src, Options{})
	if len(pieces) == 0 {
		t.Fatal("got no pieces for a Go file that does not parse, want the text cut as unknown code")
	}
	for _, p := range pieces {
		if p.Kind != KindFile || p.Symbol != "broken.go" {
			t.Errorf("piece %s %q, want kind file named after the file", p.Kind, p.Symbol)
		}
	}
}

func TestChunkGoGroupOnOneLine(t *testing.T) {
	src := "package p\n\ntype (A int; B string)\n"
	pieces := chunkOK(t, "p.go", src, Options{})
	expectPieces(t, pieces, []want{
		{"p", KindFile, 1, 1},
		{"A", KindType, 3, 3},
	})
}
