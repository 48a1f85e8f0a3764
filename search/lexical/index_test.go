package lexical

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// hitIDs returns the IDs of hits in order.
func hitIDs(hits []Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

func TestNewParams(t *testing.T) {
	tests := []struct {
		name string
		in   Params
		want Params
	}{
		{"zero selects defaults", Params{}, DefaultParams()},
		{"valid values are kept", Params{K1: 1.2, B: 0.75}, Params{K1: 1.2, B: 0.75}},
		{"B of zero is kept when K1 is set", Params{K1: 1.2}, Params{K1: 1.2, B: 0}},
		{"negative K1 falls back", Params{K1: -1, B: 0.5}, Params{K1: DefaultParams().K1, B: 0.5}},
		{"B above one falls back", Params{K1: 1, B: 1.5}, Params{K1: 1, B: DefaultParams().B}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New(tt.in).Params(); got != tt.want {
				t.Errorf("New(%+v).Params() = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestUpsertReplacesDocument(t *testing.T) {
	ix := New(Params{})
	ix.Upsert(Doc{ID: "a", Group: "g", Text: "apple banana"}, Doc{ID: "b", Group: "g", Text: "banana split"})
	ix.Upsert(Doc{ID: "a", Group: "g", Text: "cherry pie"})

	if n := ix.Len(); n != 2 {
		t.Errorf("Len() = %d after replacing a document, want 2", n)
	}
	if hits := ix.Search("apple", SearchOptions{}); len(hits) != 0 {
		t.Errorf("Search(apple) = %v, want no hit once the text is replaced", hits)
	}
	if got := hitIDs(ix.Search("cherry", SearchOptions{})); !slices.Equal(got, []string{"a"}) {
		t.Errorf("Search(cherry) = %v, want [a]", got)
	}
	if got := hitIDs(ix.Search("banana", SearchOptions{})); !slices.Equal(got, []string{"b"}) {
		t.Errorf("Search(banana) = %v, want only [b]", got)
	}
}

func TestUpsertSameIDInOneCallKeepsLast(t *testing.T) {
	ix := New(Params{})
	ix.Upsert(Doc{ID: "a", Text: "first"}, Doc{ID: "a", Text: "second"})
	if n := ix.Len(); n != 1 {
		t.Errorf("Len() = %d, want 1", n)
	}
	if hits := ix.Search("first", SearchOptions{}); len(hits) != 0 {
		t.Errorf("Search(first) = %v, want no hit", hits)
	}
	if got := hitIDs(ix.Search("second", SearchOptions{})); !slices.Equal(got, []string{"a"}) {
		t.Errorf("Search(second) = %v, want [a]", got)
	}
}

func TestDeleteRemovesDocuments(t *testing.T) {
	ix := New(Params{})
	ix.Upsert(Doc{ID: "a", Text: "shared alpha"}, Doc{ID: "b", Text: "shared beta"}, Doc{ID: "c", Text: "shared gamma"})
	ix.Delete("a", "unknown")

	if n := ix.Len(); n != 2 {
		t.Errorf("Len() = %d after deleting one of three, want 2", n)
	}
	if hits := ix.Search("alpha", SearchOptions{}); len(hits) != 0 {
		t.Errorf("Search(alpha) = %v, want no hit after delete", hits)
	}
	if got := hitIDs(ix.Search("shared", SearchOptions{})); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("Search(shared) = %v, want [b c]", got)
	}
	ix.Delete("b", "c")
	if n := ix.Len(); n != 0 {
		t.Errorf("Len() = %d after deleting everything, want 0", n)
	}
	if hits := ix.Search("shared", SearchOptions{}); hits != nil {
		t.Errorf("Search on an emptied index = %v, want nil", hits)
	}
	ix.Upsert(Doc{ID: "a", Text: "shared again"})
	if got := hitIDs(ix.Search("shared", SearchOptions{})); !slices.Equal(got, []string{"a"}) {
		t.Errorf("Search(shared) after re-adding = %v, want [a]", got)
	}
}

func TestDeleteGroupRemovesOnlyThatGroup(t *testing.T) {
	ix := New(Params{})
	ix.Upsert(
		Doc{ID: "a1", Group: "a", Text: "widget"},
		Doc{ID: "a2", Group: "a", Text: "widget"},
		Doc{ID: "b1", Group: "b", Text: "widget"},
	)
	ix.DeleteGroup("a")
	ix.DeleteGroup("missing")

	if got := hitIDs(ix.Search("widget", SearchOptions{})); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("Search(widget) = %v after deleting group a, want [b1]", got)
	}
	if n := ix.Len(); n != 1 {
		t.Errorf("Len() = %d, want 1", n)
	}
	if hits := ix.Search("widget", SearchOptions{Groups: []string{"a"}}); hits != nil {
		t.Errorf("Search in deleted group a = %v, want nil", hits)
	}
}

func TestSearchGroupFilter(t *testing.T) {
	ix := New(Params{})
	for g := range 3 {
		for i := range 40 {
			ix.Upsert(Doc{ID: fmt.Sprintf("g%d-%02d", g, i), Group: fmt.Sprintf("g%d", g), Text: "common text number " + fmt.Sprint(i)})
		}
	}
	tests := []struct {
		name   string
		groups []string
		want   int // number of hits with K = 1000
	}{
		{"nil means all groups", nil, 120},
		{"empty means all groups", []string{}, 120},
		{"one group", []string{"g1"}, 40},
		{"two groups", []string{"g0", "g2"}, 80},
		{"unknown group", []string{"nope"}, 0},
		{"unknown and known group", []string{"nope", "g2"}, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := ix.Search("common text", SearchOptions{K: 1000, Groups: tt.groups})
			if len(hits) != tt.want {
				t.Errorf("got %d hits, want %d", len(hits), tt.want)
			}
			for _, h := range hits {
				group := h.ID[:2]
				if len(tt.groups) > 0 && !slices.Contains(tt.groups, group) {
					t.Errorf("hit %s is outside groups %v", h.ID, tt.groups)
				}
			}
		})
	}
}

func TestSearchOrdersTiesByID(t *testing.T) {
	ix := New(Params{})
	for _, id := range []string{"d", "b", "e", "a", "c"} {
		ix.Upsert(Doc{ID: id, Text: "identical text about parsers"})
	}
	ix.Upsert(Doc{ID: "z", Text: "parsers parsers parsers"})
	want := []string{"z", "a", "b", "c", "d", "e"}
	for run := range 3 {
		got := hitIDs(ix.Search("parsers", SearchOptions{K: 10}))
		if !slices.Equal(got, want) {
			t.Errorf("run %d: Search(parsers) = %v, want %v", run, got, want)
		}
	}
	top3 := hitIDs(ix.Search("parsers", SearchOptions{K: 3}))
	if !slices.Equal(top3, want[:3]) {
		t.Errorf("Search(parsers, K=3) = %v, want %v", top3, want[:3])
	}
}

func TestSearchKAndEmptyCases(t *testing.T) {
	empty := New(Params{})
	if hits := empty.Search("anything", SearchOptions{}); hits != nil {
		t.Errorf("Search on an empty index = %v, want nil", hits)
	}
	ix := New(Params{})
	for i := range 25 {
		ix.Upsert(Doc{ID: fmt.Sprintf("%02d", i), Text: "token"})
	}
	tests := []struct {
		name  string
		query string
		k     int
		want  int
	}{
		{"zero K returns DefaultK", "token", 0, DefaultK},
		{"negative K returns DefaultK", "token", -5, DefaultK},
		{"K above the document count", "token", 1000, 25},
		{"query of stop words only", "the and of", 10, 0},
		{"unknown term", "zebra", 10, 0},
		{"punctuation", "(", 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(ix.Search(tt.query, SearchOptions{K: tt.k})); got != tt.want {
				t.Errorf("Search(%q, K=%d) returned %d hits, want %d", tt.query, tt.k, got, tt.want)
			}
		})
	}
}

func TestExactIdentifierRanksFirst(t *testing.T) {
	ix := New(Params{})
	ix.Upsert(
		Doc{ID: "prose", Text: "Get the user by their id. The user id is returned when you get a user by name or by id."},
		Doc{ID: "other", Text: "getUserByName returns the user with the given name"},
		Doc{ID: "exact", Text: "func getUserById(id string) (*User, error)"},
		Doc{ID: "snake", Text: "def get_user_by_email(email): look up a user"},
	)
	hits := ix.Search("getUserById", SearchOptions{})
	if len(hits) == 0 || hits[0].ID != "exact" {
		t.Errorf("Search(getUserById) = %v, want exact first", hits)
	}
}

func TestUnspacedScriptsMatchInsideWords(t *testing.T) {
	ix := New(Params{})
	ix.Upsert(
		Doc{ID: "ko", Text: "아파치에서 가상호스트를 설정하는 방법"},
		Doc{ID: "zh", Text: "获取用户列表"},
		Doc{ID: "en", Text: "virtual host configuration"},
	)
	tests := []struct{ query, want string }{
		{"가상호스트", "ko"},
		{"获取", "zh"},
		{"用户", "zh"},
	}
	for _, tt := range tests {
		if got := hitIDs(ix.Search(tt.query, SearchOptions{})); !slices.Equal(got, []string{tt.want}) {
			t.Errorf("Search(%q) = %v, want [%s]", tt.query, got, tt.want)
		}
	}
}

func TestConcurrentUpsertDeleteSearch(t *testing.T) {
	ix := New(Params{})
	var stable []string
	for i := range 50 {
		id := fmt.Sprintf("stable-%02d", i)
		stable = append(stable, id)
		ix.Upsert(Doc{ID: id, Group: "stable", Text: "keystone document with steady content"})
	}

	var writers, readers sync.WaitGroup
	stop := make(chan struct{})
	for w := range 2 {
		writers.Go(func() {
			for round := range 200 {
				batch := make([]Doc, 20)
				for i := range batch {
					batch[i] = Doc{
						ID:    fmt.Sprintf("churn-%d-%02d", w, i),
						Group: fmt.Sprintf("churn-%d", w),
						Text:  fmt.Sprintf("churning document round %d with steady noise", round),
					}
				}
				ix.Upsert(batch...)
				switch round % 3 {
				case 0:
					ix.Delete(batch[0].ID, batch[1].ID)
				case 1:
					ix.DeleteGroup(batch[0].Group)
				}
			}
		})
	}

	errs := make(chan string, 100)
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				got := hitIDs(ix.Search("keystone", SearchOptions{K: 100}))
				if !slices.Equal(got, stable) {
					errs <- fmt.Sprintf("Search(keystone) = %d hits %v, want the %d stable documents", len(got), got, len(stable))
					return
				}
				hits := ix.Search("steady churning noise", SearchOptions{K: 30})
				for i := 1; i < len(hits); i++ {
					if hits[i-1].Score < hits[i].Score {
						errs <- fmt.Sprintf("hits out of order: %v", hits)
						return
					}
				}
			}
		})
	}

	writers.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if ix.compactions == 0 {
		t.Error("churn never triggered a compaction, so searches during compaction were not exercised")
	}
	if n := ix.Len(); n < 50 || n > 90 {
		t.Errorf("Len() = %d after churn, want the 50 stable documents plus at most 40 churn documents", n)
	}
}

func TestMatchCountReadsPostings(t *testing.T) {
	ix := New(Params{})
	ix.Upsert(Doc{ID: "a", Group: "g", Text: "getUserById returns the user record"}, Doc{ID: "b", Group: "g", Text: "deletes orders"})
	terms := QueryTerms("user record orders")
	if got := ix.MatchCount("a", terms); got != 2 {
		t.Errorf("MatchCount(a) = %d, want 2 (user, record) of %v", got, terms)
	}
	if got := ix.MatchCount("b", terms); got != 1 {
		t.Errorf("MatchCount(b) = %d, want 1 (orders) of %v", got, terms)
	}
	if got := ix.MatchCount("missing", terms); got != 0 {
		t.Errorf("MatchCount of an unknown document = %d, want 0", got)
	}
	ix.Delete("a")
	if got := ix.MatchCount("a", terms); got != 0 {
		t.Errorf("MatchCount of a deleted document = %d, want 0", got)
	}
}
