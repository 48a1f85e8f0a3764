package code

import (
	"go/ast"
	"go/parser"
	"go/token"
)

// goSpans returns one span per function, method and type spec of a Go file,
// each starting at its doc comment, and the package name as the symbol for
// file-level pieces. A file that does not parse yields no spans, so that it is
// cut like unknown text, and fallback as that symbol.
func goSpans(path string, s *source, fallback string) ([]span, string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, s.text, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil || f.Name == nil {
		return nil, fallback
	}
	line := func(p token.Pos) int { return fset.Position(p).Line }
	var spans []span
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			spans = append(spans, goFunc(d, line))
		case *ast.GenDecl:
			if d.Tok == token.TYPE {
				spans = append(spans, goTypes(d, line)...)
			}
		}
	}
	return spans, f.Name.Name
}

func goFunc(d *ast.FuncDecl, line func(token.Pos) int) span {
	sp := span{symbol: d.Name.Name, kind: KindFunction, start: line(d.Pos()), end: line(d.End() - 1)}
	if d.Recv != nil && len(d.Recv.List) > 0 {
		sp.kind = KindMethod
		sp.symbol = qualify(receiverType(d.Recv.List[0].Type), d.Name.Name)
	}
	sp.head = header{sp.start, sp.start}
	if d.Body != nil {
		sp.head.to = line(d.Body.Lbrace)
	}
	if d.Doc != nil {
		sp.start = line(d.Doc.Pos())
	}
	return sp
}

// receiverType returns the type name of a method receiver, without pointer,
// parentheses or type parameters: "List" for `*List[T]`.
func receiverType(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return receiverType(t.X)
	case *ast.ParenExpr:
		return receiverType(t.X)
	case *ast.IndexExpr:
		return receiverType(t.X)
	case *ast.IndexListExpr:
		return receiverType(t.X)
	}
	return ""
}

// goTypes returns one span per type spec. In a grouped declaration the first
// spec's span starts at the `type (` line (and the group's doc comment) and
// the last one ends at the closing parenthesis. When two specs share a line,
// the whole group becomes one span named after its first spec.
func goTypes(d *ast.GenDecl, line func(token.Pos) int) []span {
	specs := make([]span, 0, len(d.Specs))
	for _, s := range d.Specs {
		ts, ok := s.(*ast.TypeSpec)
		if !ok {
			continue
		}
		sp := span{symbol: ts.Name.Name, kind: goTypeKind(ts.Type), start: line(ts.Pos()), end: line(ts.End() - 1)}
		sp.head = header{sp.start, sp.start}
		if ts.Doc != nil {
			sp.start = line(ts.Doc.Pos())
		}
		specs = append(specs, sp)
	}
	if len(specs) == 0 {
		return nil
	}
	declStart := line(d.Pos())
	if d.Doc != nil {
		declStart = line(d.Doc.Pos())
	}
	declEnd := line(d.End() - 1)
	if !d.Lparen.IsValid() || len(specs) == 1 {
		specs[0].start, specs[0].end = declStart, declEnd
		return specs[:1]
	}
	for i := 1; i < len(specs); i++ {
		if specs[i].start <= specs[i-1].end {
			return []span{{symbol: specs[0].symbol, kind: KindType, start: declStart, end: declEnd,
				head: header{line(d.Pos()), line(d.Pos())}}}
		}
	}
	specs[0].start = min(specs[0].start, declStart)
	specs[len(specs)-1].end = max(specs[len(specs)-1].end, declEnd)
	return specs
}

func goTypeKind(e ast.Expr) string {
	switch e.(type) {
	case *ast.StructType:
		return KindStruct
	case *ast.InterfaceType:
		return KindInterface
	}
	return KindType
}
