package lexical

import "math"

// compactDeadFraction is the share of tombstoned ordinals (1/compactDeadFraction)
// above which a writer compacts the index.
const compactDeadFraction = 8

// noOrdinal marks a dead ordinal in a remapping table.
const noOrdinal = math.MaxUint32

// compactIfNeeded compacts the index when more than one ordinal in
// compactDeadFraction is dead. Between compactions BM25 statistics (document
// count, document frequencies, average length) still count dead documents,
// as Lucene's docFreq does until segments merge. The caller holds writeMu
// only.
func (ix *Index) compactIfNeeded() {
	if ix.deadCount == 0 || ix.deadCount*compactDeadFraction <= len(ix.ids) {
		return
	}
	ix.compact()
}

// compact rebuilds the index without dead documents and renumbers the rest.
// It builds the new columns and posting lists while searches go on, and
// takes the exclusive lock only to swap them in. The caller holds writeMu
// only.
func (ix *Index) compact() {
	remap, next := ix.compactDocs()

	total := 0
	for tid := range ix.postings {
		for _, d := range ix.postings[tid].docs {
			if remap[d] != noOrdinal {
				total++
			}
		}
	}
	// One backing array for all lists saves an allocation per term. Each list
	// is capped at its length, so a later append copies it out instead of
	// overwriting its neighbour.
	docArena := make([]uint32, 0, total)
	tfArena := make([]uint16, 0, total)
	termIDs := make(map[string]uint32, len(ix.termIDs))
	postings := make([]postingList, 0, len(ix.termIDs))
	for term, tid := range ix.termIDs {
		old := &ix.postings[tid]
		start := len(docArena)
		for i, d := range old.docs {
			if nd := remap[d]; nd != noOrdinal {
				docArena = append(docArena, nd)
				tfArena = append(tfArena, old.tfs[i])
			}
		}
		end := len(docArena)
		if end == start {
			continue
		}
		list := postingList{docs: docArena[start:end:end], tfs: tfArena[start:end:end]}
		if end-start >= frontierMinPostings {
			list.frontier = buildFrontier(list.docs, list.tfs, next.lengths)
		}
		termIDs[term] = uint32(len(postings))
		postings = append(postings, list)
	}

	ix.mu.Lock()
	ix.ids, ix.lengths, ix.groupOf, ix.dead = next.ids, next.lengths, next.groupOf, next.dead
	ix.byID, ix.groupIDs, ix.groupNames = next.byID, next.groupIDs, next.groupNames
	ix.totalLength, ix.deadCount = next.totalLength, 0
	ix.termIDs, ix.postings = termIDs, postings
	ix.compactions++
	ix.mu.Unlock()
}

// docColumns are the per-document fields of an index being rebuilt.
type docColumns struct {
	ids         []string
	lengths     []uint32
	groupOf     []uint32
	dead        []uint64
	byID        map[string]uint32
	groupIDs    map[string]uint32
	groupNames  []string
	totalLength uint64
}

// compactDocs returns the new ordinal of every old ordinal (noOrdinal when
// dead) and the document columns without dead documents. Groups that have no
// live document left are dropped.
func (ix *Index) compactDocs() ([]uint32, docColumns) {
	live := len(ix.ids) - ix.deadCount
	next := docColumns{
		ids:      make([]string, 0, live),
		lengths:  make([]uint32, 0, live),
		groupOf:  make([]uint32, 0, live),
		dead:     make([]uint64, (live+63)/64),
		byID:     make(map[string]uint32, live),
		groupIDs: make(map[string]uint32),
	}
	remap := make([]uint32, len(ix.ids))
	groupRemap := make([]uint32, len(ix.groupNames))
	for i := range groupRemap {
		groupRemap[i] = noOrdinal
	}
	for ord, id := range ix.ids {
		if ix.isDead(uint32(ord)) {
			remap[ord] = noOrdinal
			continue
		}
		g := ix.groupOf[ord]
		if groupRemap[g] == noOrdinal {
			groupRemap[g] = uint32(len(next.groupNames))
			next.groupIDs[ix.groupNames[g]] = groupRemap[g]
			next.groupNames = append(next.groupNames, ix.groupNames[g])
		}
		newOrd := uint32(len(next.ids))
		remap[ord] = newOrd
		next.ids = append(next.ids, id)
		next.lengths = append(next.lengths, ix.lengths[ord])
		next.groupOf = append(next.groupOf, groupRemap[g])
		next.byID[id] = newOrd
		next.totalLength += uint64(ix.lengths[ord])
	}
	return remap, next
}
