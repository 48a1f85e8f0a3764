package code

import (
	"slices"
	"testing"
)

// TestChunkSymbolsPerLanguage checks the symbols found in short samples of
// language features that the longer samples do not show.
func TestChunkSymbolsPerLanguage(t *testing.T) {
	cases := []struct {
		name string
		path string
		src  string
		want []string // symbols of the non-file pieces, in order
	}{
		{"scala object and case class", "Main.scala", `object Main extends App {
  def run(args: Array[String]): Unit = {
    println("}")
  }
}

case class Point(x: Int, y: Int) {
  def norm: Double = math.sqrt(x * x + y * y)
  def shift(d: Int) = Point(x + d, y + d)
}
`, []string{"Main", "Main.run", "Point", "Point.norm", "Point.shift"}},
		{"dart class", "main.dart", `class Greeter {
  final String name;
  Greeter(this.name);

  String greet(String other) {
    return 'Hi ${other.trim()} from $name }';
  }
}

void main() {
  print(Greeter('a').greet('b'));
}
`, []string{"Greeter", "Greeter.greet", "main"}},
		{"ruby rescue at def indentation", "r.rb", `def load
  read
rescue IOError => e
  warn e
ensure
  close
end

def after; end
`, []string{"load", "after"}},
		{"javascript regex and division", "m.js", `const a = b / c / d;
const r = /}/;
function f() {
  return x.replace(/[{]/g, "") / 2;
}
`, []string{"f"}},
		{"rust lifetimes and char literals", "l.rs", `fn longest<'a>(x: &'a str, y: &'a str) -> &'a str {
    let open = '{';
    if x.len() > y.len() { x } else { y }
}

struct Wrapper<'a>(&'a str);
`, []string{"longest"}},
		{"c++ raw string and digit separator", "r.cpp", `const char* s = R"json({"a": 1})json";
int big = 1'000'000;
void f() {
    auto t = R"(})";
}
`, []string{"f"}},
		{"c function pointer typedef and macro block", "m.c", `typedef int (*cmp_fn)(const void *, const void *);
EXPORT int api_call(int x)
{
    return x;
}
`, []string{"api_call"}},
		{"typescript abstract class and overloads", "a.ts", "export abstract class Shape {\n" +
			"  abstract area(): number;\n" +
			"  describe(): string {\n" +
			"    return `${this.area()} }`;\n" +
			"  }\n" +
			"}\n" +
			"function pick(x: string): string;\n" +
			"function pick(x: any) {\n" +
			"  return x;\n" +
			"}\n", []string{"Shape", "Shape.describe", "pick"}},
		{"java generic interface with default method", "I.java", `public interface Repo<T> {
    T find(long id);
    default T first() {
        return find(1);
    }
}
`, []string{"Repo"}},
		{"python decorated async method", "s.py", `class Service:
    @staticmethod
    @cache
    async def fetch(url):
        return url
`, []string{"Service", "Service.fetch"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pieces := chunkOK(t, c.path, c.src, Options{})
			var got []string
			for _, p := range pieces {
				if p.Kind != KindFile && (len(got) == 0 || got[len(got)-1] != p.Symbol) {
					got = append(got, p.Symbol)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("symbols = %q, want %q\n%s", got, c.want, outline(pieces))
			}
		})
	}
}
