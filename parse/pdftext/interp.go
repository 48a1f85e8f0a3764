package pdftext

import (
	"context"
	"math"

	"github.com/ledongthuc/pdf"
)

const (
	// maxGlyphsPerPage bounds memory for one page, at about 50 bytes a glyph. As an
	// estimate, a dense page of small type has under 20,000 glyphs.
	maxGlyphsPerPage = 500_000
	// maxFormDepth bounds form XObjects drawn inside form XObjects.
	maxFormDepth = 8
	// maxFormsPerPage bounds how many form XObjects one page may draw in total, so
	// forms that draw each other many times cannot take exponential time.
	maxFormsPerPage = 2_000
	// maxOperatorsPerPage bounds the work on one page. It is set well above the few
	// million path operators estimated for the most detailed vector maps and plots.
	maxOperatorsPerPage = 20_000_000
	// cancelCheckInterval is how many operators run between checks of the context.
	cancelCheckInterval = 4096
)

// matrix is a PDF transformation matrix [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m×n: the transformation that applies m first and then n.
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]
}

func translation(x, y float64) matrix {
	return matrix{1, 0, 0, 1, x, y}
}

// glyph is one character drawn on a page, in a frame turned so that its text runs left
// to right: x0 and x1 are its start and end along the baseline, y is the baseline.
type glyph struct {
	text   string
	x0, x1 float64
	y      float64
	size   float64 // font size on the page, in points
	orient uint8   // quarter turns counterclockwise of the text direction
}

// graphicsState is the part of the PDF graphics state that positions text.
type graphicsState struct {
	ctm                          matrix
	charSpace, wordSpace, hScale float64
	leading, fontSize, rise      float64
	font                         *font
}

// stopPage is raised inside the content interpreter to end a page early.
type stopPage struct{ reason string }

// interpreter runs the text operators of one page's content streams.
type interpreter struct {
	fonts     map[string]*font // every font of the document, under the keys described at interpreter.font
	glyphs    []glyph
	ctx       context.Context
	unknown   int // character codes without a Unicode mapping
	forms     int
	operators int
}

// streamState is the interpreter state while one content stream runs.
type streamState struct {
	gs        graphicsState
	saved     []graphicsState
	tm, tlm   matrix
	resources pdf.Value
	fonts     map[string]*font // fonts by resource name, for this stream

	// The stream's /Font resource dictionary and its text, read at the first Tf.
	fontResources     pdf.Value
	fontResourcesKey  string
	fontResourcesRead bool
	depth             int
}

// run interprets a content stream (a page's /Contents or a form XObject).
func (in *interpreter) run(content, resources pdf.Value, ctm matrix, depth int) {
	st := &streamState{
		gs:        graphicsState{ctm: ctm, hScale: 1},
		tm:        identity,
		tlm:       identity,
		resources: resources,
		fonts:     make(map[string]*font),
		depth:     depth,
	}
	pdf.Interpret(content, func(stk *pdf.Stack, op string) {
		in.countOperator()
		args := popOperands(stk)
		if !in.stateOperator(st, op, args) {
			in.textOperator(st, op, args)
		}
	})
}

// countOperator ends the page when it has too many operators or when ctx is done.
func (in *interpreter) countOperator() {
	in.operators++
	if in.operators > maxOperatorsPerPage {
		panic(stopPage{reason: "the page has more than 20000000 content operators, the rest is skipped"})
	}
	if in.operators%cancelCheckInterval == 0 && in.ctx != nil && in.ctx.Err() != nil {
		panic(stopPage{reason: "extraction was cancelled"})
	}
}

// stateOperator applies an operator that changes the graphics or text state, and
// reports whether op was one.
func (in *interpreter) stateOperator(st *streamState, op string, args []pdf.Value) bool {
	gs := &st.gs
	switch op {
	case "q":
		st.saved = append(st.saved, *gs)
	case "Q":
		if n := len(st.saved); n > 0 {
			*gs = st.saved[n-1]
			st.saved = st.saved[:n-1]
		}
	case "cm":
		if m, ok := matrixOperand(args); ok {
			gs.ctm = m.mul(gs.ctm)
		}
	case "Tc":
		gs.charSpace = number(args, 0)
	case "Tw":
		gs.wordSpace = number(args, 0)
	case "Tz":
		gs.hScale = number(args, 0) / 100
	case "TL":
		gs.leading = number(args, 0)
	case "Ts":
		gs.rise = number(args, 0)
	case "Tf":
		if len(args) == 2 {
			gs.font = in.font(st, args[0].Name())
			gs.fontSize = args[1].Float64()
		}
	default:
		return false
	}
	return true
}

// textOperator applies an operator that moves the text position or shows text.
func (in *interpreter) textOperator(st *streamState, op string, args []pdf.Value) {
	switch op {
	case "BT":
		st.tm, st.tlm = identity, identity
	case "Td", "TD":
		if len(args) == 2 {
			if op == "TD" {
				st.gs.leading = -args[1].Float64()
			}
			st.tlm = translation(args[0].Float64(), args[1].Float64()).mul(st.tlm)
			st.tm = st.tlm
		}
	case "Tm":
		if m, ok := matrixOperand(args); ok {
			st.tm, st.tlm = m, m
		}
	case "T*":
		st.nextLine()
	case "Tj":
		if len(args) == 1 {
			st.tm = in.show(&st.gs, st.tm, args[0].RawString())
		}
	case "'":
		if len(args) == 1 {
			st.nextLine()
			st.tm = in.show(&st.gs, st.tm, args[0].RawString())
		}
	case "\"":
		if len(args) == 3 {
			st.gs.wordSpace, st.gs.charSpace = args[0].Float64(), args[1].Float64()
			st.nextLine()
			st.tm = in.show(&st.gs, st.tm, args[2].RawString())
		}
	case "TJ":
		if len(args) == 1 {
			st.tm = in.showArray(&st.gs, st.tm, args[0])
		}
	case "Do":
		if len(args) == 1 {
			in.drawForm(st.resources, args[0].Name(), st.gs.ctm, st.depth)
		}
	}
}

func (st *streamState) nextLine() {
	st.tlm = translation(0, -st.gs.leading).mul(st.tlm)
	st.tm = st.tlm
}

// showArray shows the strings of a TJ array, moving back by the numbers between them.
func (in *interpreter) showArray(gs *graphicsState, tm matrix, array pdf.Value) matrix {
	for i := 0; i < array.Len(); i++ {
		item := array.Index(i)
		if item.Kind() == pdf.String {
			tm = in.show(gs, tm, item.RawString())
			continue
		}
		shift := -item.Float64() / 1000 * gs.fontSize * gs.hScale
		tm = translation(shift, 0).mul(tm)
	}
	return tm
}

// show records the glyphs of one string and returns the text matrix after it.
func (in *interpreter) show(gs *graphicsState, tm matrix, raw string) matrix {
	f := gs.font
	if f == nil {
		return tm
	}
	for len(raw) > 0 {
		code, n := f.nextCode(raw)
		raw = raw[n:]
		w0 := f.width(code) * f.scale
		m := tm.mul(gs.ctm)
		trm := matrix{gs.fontSize * gs.hScale, 0, 0, gs.fontSize, 0, gs.rise}.mul(m)
		text, ok := f.text(code)
		if !ok {
			in.unknown++
		} else {
			x0, y0 := trm.apply(0, 0)
			x1, y1 := trm.apply(w0, 0)
			size := math.Abs(gs.fontSize) * math.Hypot(m[2], m[3])
			in.add(text, x0, y0, x1, y1, trm, size)
		}
		advance := w0*gs.fontSize + gs.charSpace
		if n == 1 && code == ' ' {
			advance += gs.wordSpace
		}
		tm = translation(advance*gs.hScale, 0).mul(tm)
	}
	return tm
}

// add stores a glyph drawn from (x0, y0) to (x1, y1) in page space, turned into the
// frame in which its text runs left to right.
func (in *interpreter) add(text string, x0, y0, x1, y1 float64, trm matrix, size float64) {
	if len(in.glyphs) >= maxGlyphsPerPage {
		panic(stopPage{reason: "the page has more than 500000 characters, the rest is skipped"})
	}
	dx, dy := x1-x0, y1-y0
	if dx == 0 && dy == 0 {
		dx, dy = trm[0], trm[1]
	}
	var orient uint8
	switch {
	case math.Abs(dx) >= math.Abs(dy) && dx >= 0:
		orient = 0
	case math.Abs(dx) >= math.Abs(dy):
		orient = 2
	case dy > 0:
		orient = 1
	default:
		orient = 3
	}
	fx0, fy := turn(orient, x0, y0)
	fx1, _ := turn(orient, x1, y1)
	if fx1 < fx0 {
		fx1 = fx0
	}
	in.glyphs = append(in.glyphs, glyph{text: text, x0: fx0, x1: fx1, y: fy, size: size, orient: orient})
}

// turn maps a page point into the frame of text turned by orient quarter turns.
func turn(orient uint8, x, y float64) (float64, float64) {
	switch orient {
	case 1:
		return y, -x
	case 2:
		return -x, -y
	case 3:
		return -y, x
	}
	return x, y
}

// font returns the font that the stream's resources name, or nil for a missing font,
// whose text is then skipped. Fonts are cached per document twice: by the text of the
// resource dictionary that names them, which saves resolving the font object on every
// page, and by the text of the font dictionary, so each font is loaded once.
func (in *interpreter) font(st *streamState, name string) *font {
	if f, ok := st.fonts[name]; ok {
		return f
	}
	if !st.fontResourcesRead {
		st.fontResources = st.resources.Key("Font")
		st.fontResourcesKey = "resources:" + st.fontResources.String() + "\x00"
		st.fontResourcesRead = true
	}
	byResource := st.fontResourcesKey + name
	f, ok := in.fonts[byResource]
	if !ok {
		dict := st.fontResources.Key(name)
		if dict.Kind() == pdf.Dict {
			byDict := "font:" + dict.String()
			f = in.fonts[byDict]
			if f == nil {
				f = loadFont(dict)
				in.fonts[byDict] = f
			}
		}
		in.fonts[byResource] = f
	}
	st.fonts[name] = f
	return f
}

// drawForm interprets a form XObject, whose text is part of the page.
func (in *interpreter) drawForm(resources pdf.Value, name string, ctm matrix, depth int) {
	xobj := resources.Key("XObject").Key(name)
	if xobj.Kind() != pdf.Stream || xobj.Key("Subtype").Name() != "Form" {
		return
	}
	if depth >= maxFormDepth || in.forms >= maxFormsPerPage {
		return
	}
	in.forms++
	m, ok := matrixOperand(arrayValues(xobj.Key("Matrix")))
	if !ok {
		m = identity
	}
	formResources := xobj.Key("Resources")
	if formResources.Kind() != pdf.Dict {
		formResources = resources
	}
	in.run(xobj, formResources, m.mul(ctm), depth+1)
}

// popOperands pops every operand of the current operator, first operand first.
func popOperands(stk *pdf.Stack) []pdf.Value {
	args := make([]pdf.Value, stk.Len())
	for i := len(args) - 1; i >= 0; i-- {
		args[i] = stk.Pop()
	}
	return args
}

func arrayValues(v pdf.Value) []pdf.Value {
	values := make([]pdf.Value, v.Len())
	for i := range values {
		values[i] = v.Index(i)
	}
	return values
}

func matrixOperand(args []pdf.Value) (matrix, bool) {
	if len(args) != 6 {
		return matrix{}, false
	}
	var m matrix
	for i := range m {
		m[i] = args[i].Float64()
	}
	return m, true
}

// number returns operand i as a number, or 0 when it is missing.
func number(args []pdf.Value, i int) float64 {
	if i >= len(args) {
		return 0
	}
	return args[i].Float64()
}
