package openapi

import "strconv"

// kind is the JSON type of a node.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// indexThreshold is the number of object keys above which an object gets a
// map index, so that lookups in large maps such as components.schemas stay fast.
const indexThreshold = 8

// node is one value of a parsed JSON or YAML document. Objects keep their
// keys in document order. Every node points at the document it came from,
// so relative $refs found inside it resolve against the right URL.
type node struct {
	kind kind
	// text is the string value, the number literal in decimal, or "true"/"false".
	text  string
	items []*node // array elements
	keys  []string
	vals  []*node
	index map[string]int // key positions, only for objects with many keys
	doc   *document
}

// get returns the value of key in an object node, or nil when n is not an
// object or has no such key.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kindObject {
		return nil
	}
	if n.index != nil {
		if i, ok := n.index[key]; ok {
			return n.vals[i]
		}
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// str returns the string value of key, or "" when it is missing or not a string.
func (n *node) str(key string) string {
	v := n.get(key)
	if v == nil || v.kind != kindString {
		return ""
	}
	return v.text
}

// scalarText returns the text of a string, number or bool node, and "" otherwise.
func (n *node) scalarText() string {
	if n == nil {
		return ""
	}
	switch n.kind {
	case kindString, kindNumber, kindBool:
		return n.text
	}
	return ""
}

// boolean returns the value of key when it is the boolean true.
func (n *node) boolean(key string) bool {
	v := n.get(key)
	return v != nil && v.kind == kindBool && v.text == "true"
}

// isObject reports whether n is an object node.
func (n *node) isObject() bool { return n != nil && n.kind == kindObject }

// set adds key to an object node. A repeated key keeps its first position
// and takes the last value, as encoding/json does with duplicate keys.
func (n *node) set(key string, v *node) {
	if n.index != nil {
		if i, ok := n.index[key]; ok {
			n.vals[i] = v
			return
		}
	} else {
		for i, k := range n.keys {
			if k == key {
				n.vals[i] = v
				return
			}
		}
	}
	n.keys = append(n.keys, key)
	n.vals = append(n.vals, v)
	if n.index != nil {
		n.index[key] = len(n.keys) - 1
	} else if len(n.keys) > indexThreshold {
		n.index = make(map[string]int, len(n.keys)*2)
		for i, k := range n.keys {
			n.index[k] = i
		}
	}
}

// canonicalNumber returns a number literal in one spelling, so that the same
// value read from JSON and from YAML hashes the same. Integers that fit in 64
// bits keep their decimal digits. Other values are formatted from float64,
// and text that does not parse is kept as it is.
func canonicalNumber(text string) string {
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return strconv.FormatInt(i, 10)
	}
	if u, err := strconv.ParseUint(text, 10, 64); err == nil {
		return strconv.FormatUint(u, 10)
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return text
	}
	if f == float64(int64(f)) && f < 1e15 && f > -1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
