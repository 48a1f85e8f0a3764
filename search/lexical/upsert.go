package lexical

import (
	"math"
	"runtime"
	"strings"
	"sync"
)

const (
	// analyzeBatch is the number of documents Upsert analyses before it
	// applies them, which bounds the memory held by analysed documents.
	analyzeBatch = 2048
	// applyBatch is the number of documents applied per exclusive lock, which
	// bounds how long a Search waits for a writer.
	applyBatch = 64
	// parallelAnalyzeMin is the batch size from which analysis uses all CPUs.
	parallelAnalyzeMin = 64
)

// analyzedDoc is a document reduced to what the index stores.
type analyzedDoc struct {
	id, group string
	length    uint32
	terms     []termFreq
}

// termFreq is a term with its frequency in one document.
type termFreq struct {
	term string
	tf   uint32
	id   uint32 // index into Index.postings, or newTerm
}

// newTerm is the termFreq.id of a term that the index did not contain when
// the document was analysed.
const newTerm = math.MaxUint32

// analyzeDoc counts the terms of d and looks up their IDs in termIDs.
// counts is scratch space, cleared first. The terms may share memory with
// d.Text.
func (a *analyzer) analyzeDoc(d Doc, counts map[string]uint32, termIDs map[string]uint32) analyzedDoc {
	clear(counts)
	length := 0
	a.analyze(d.Text, func(term string) {
		length++
		counts[term]++
	})
	terms := make([]termFreq, 0, len(counts))
	for term, tf := range counts {
		id, ok := termIDs[term]
		if !ok {
			id = newTerm
		}
		terms = append(terms, termFreq{term, tf, id})
	}
	return analyzedDoc{id: d.ID, group: d.Group, length: uint32(min(length, math.MaxUint32)), terms: terms}
}

// analyzeDocs analyses docs into out, which has the same length, using all
// CPUs for large batches. It only reads termIDs, so the caller must keep
// writers out of it, and may let readers in.
func analyzeDocs(docs []Doc, out []analyzedDoc, termIDs map[string]uint32) {
	workers := runtime.GOMAXPROCS(0)
	if len(docs) < parallelAnalyzeMin || workers == 1 {
		a := getAnalyzer()
		defer putAnalyzer(a)
		counts := make(map[string]uint32)
		for i, d := range docs {
			out[i] = a.analyzeDoc(d, counts, termIDs)
		}
		return
	}
	var wg sync.WaitGroup
	per := (len(docs) + workers - 1) / workers
	for lo := 0; lo < len(docs); lo += per {
		hi := min(lo+per, len(docs))
		wg.Go(func() {
			a := getAnalyzer()
			defer putAnalyzer(a)
			counts := make(map[string]uint32)
			for i := lo; i < hi; i++ {
				out[i] = a.analyzeDoc(docs[i], counts, termIDs)
			}
		})
	}
	wg.Wait()
}

// Upsert adds docs to the index, replacing any document with the same ID.
// When docs repeats an ID, the last one wins. Each document becomes visible
// to Search atomically, and all of them are visible when Upsert returns.
// Text is analysed and terms are looked up while searches go on. A Search
// waits only while the postings of up to 64 documents are appended.
func (ix *Index) Upsert(docs ...Doc) {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()

	analyzed := make([]analyzedDoc, min(len(docs), analyzeBatch))
	for start := 0; start < len(docs); start += analyzeBatch {
		batch := docs[start:min(start+analyzeBatch, len(docs))]
		out := analyzed[:len(batch)]
		analyzeDocs(batch, out, ix.termIDs) // safe without mu: only writers change termIDs
		for lo := 0; lo < len(out); lo += applyBatch {
			ix.mu.Lock()
			for _, d := range out[lo:min(lo+applyBatch, len(out))] {
				ix.apply(d)
			}
			ix.mu.Unlock()
		}
		clear(out)
	}
	ix.compactIfNeeded()
}

// apply stores one analysed document under a new ordinal and tombstones the
// document it replaces. The caller holds both locks.
func (ix *Index) apply(d analyzedDoc) {
	if old, ok := ix.byID[d.id]; ok {
		ix.markDead(old)
	}
	ord := uint32(len(ix.ids))
	ix.ids = append(ix.ids, d.id)
	ix.lengths = append(ix.lengths, d.length)
	ix.groupOf = append(ix.groupOf, ix.groupID(d.group))
	if int(ord>>6) >= len(ix.dead) {
		ix.dead = append(ix.dead, 0)
	}
	ix.byID[d.id] = ord
	ix.totalLength += uint64(d.length)

	for _, t := range d.terms {
		tid := t.id
		if tid == newTerm {
			tid = ix.addTerm(t.term)
		}
		ix.postings[tid].add(ord, t.tf, ix.lengths)
	}
}

// addTerm returns the ID of term, adding an empty posting list when the
// term is new. An earlier document of the same batch may have added it
// already. The caller holds both locks.
func (ix *Index) addTerm(term string) uint32 {
	if tid, ok := ix.termIDs[term]; ok {
		return tid
	}
	tid := uint32(len(ix.postings))
	ix.termIDs[strings.Clone(term)] = tid // the term may share memory with a document's text
	ix.postings = append(ix.postings, postingList{})
	return tid
}

// groupID returns the ordinal of group, adding it when new. The caller holds
// both locks.
func (ix *Index) groupID(group string) uint32 {
	if gid, ok := ix.groupIDs[group]; ok {
		return gid
	}
	gid := uint32(len(ix.groupNames))
	ix.groupIDs[group] = gid
	ix.groupNames = append(ix.groupNames, group)
	return gid
}
