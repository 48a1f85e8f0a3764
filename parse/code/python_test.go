package code

import "testing"

const pySample = `"""Inventory service."""
import functools
from dataclasses import dataclass

RATE = {"a": 1,
        "b": 2}


# Cache decorator used below.
def cached(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return fn(*args)
    return wrapper


@dataclass(frozen=True,
           order=True)
class Item:
    """One stock item."""

    name: str
    count: int = 0

    @property
    def label(self) -> str:
        text = f"{self.name}: {self.count}"
        return text

    # Parse from a line such as "apple 3".
    @classmethod
    def parse(cls, line):
        name, count = line.split()
        return cls(name, int(count))

    class Meta:
        table = "items"

        def describe(self):
            return """
def not_a_function():
    pass
"""


async def fetch(url,
                timeout=3):
    data = await get(url)
    # trailing comment inside fetch
    return data
# comment that belongs to nothing

if __name__ == "__main__":
    fetch("x")
`

func TestChunkPythonSample(t *testing.T) {
	pieces := chunkOK(t, "inventory.py", pySample, Options{})
	expectPieces(t, pieces, []want{
		{"inventory.py", KindFile, 1, 6},
		{"cached", KindFunction, 9, 14},
		{"Item", KindClass, 17, 23},
		{"Item.label", KindMethod, 25, 28},
		{"Item.parse", KindMethod, 30, 34},
		{"Item.Meta", KindClass, 36, 37},
		{"Item.Meta.describe", KindMethod, 39, 43},
		{"fetch", KindFunction, 46, 50},
		{"inventory.py", KindFile, 51, 54},
	})
}

func TestChunkPythonOneLiners(t *testing.T) {
	src := "class A: pass\ndef f(): return 1\n\n\ndef g():\n    return 2\n"
	pieces := chunkOK(t, "m.py", src, Options{})
	expectPieces(t, pieces, []want{
		{"A", KindClass, 1, 1},
		{"f", KindFunction, 2, 2},
		{"g", KindFunction, 5, 6},
	})
}

func TestChunkPythonUnterminatedString(t *testing.T) {
	src := "x = 'oops\ndef f():\n    return 1\n"
	pieces := chunkOK(t, "m.py", src, Options{})
	expectPieces(t, pieces, []want{
		{"m.py", KindFile, 1, 1},
		{"f", KindFunction, 2, 3},
	})
}
