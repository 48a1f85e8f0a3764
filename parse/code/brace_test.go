package code

import "testing"

const tsSample = "import { Injectable } from '@angular/core';\n" + `import type { User } from "./user";

/** A user as stored. */
export interface UserRecord {
  id: string;
  name: string;
}

export type Result<T> =
  | { ok: true; value: T }
  | { ok: false; error: string };

export enum Role {
  Admin = "admin",
  Guest = "guest",
}

const OPEN = "{";

@Injectable({
  providedIn: "root",
})
export class UserService {
  private cache = new Map<string, User>();

  constructor(private readonly http: Http) {}

  /** Loads one user. */
  async getUser(id: string): Promise<User> {
    const url = ` + "`/users/${encodeURIComponent(id)}?q=${JSON.stringify({ a: \"}\" })}`" + `;
    if (/[{]+/.test(id)) {
      throw new Error("bad id: {" + id);
    }
    return this.http.get(url);
  }

  handleClick = (event: MouseEvent): void => {
    console.log("clicked }", event);
  };

  get size(): number {
    return this.cache.size;
  }
}

export const add = (a: number, b: number): number => a + b;

export const fetchAll = async <T>(urls: string[]): Promise<T[]> => {
  return Promise.all(urls.map((u) => fetch(u).then((r) => r.json())));
};

function parse(text: string): { name: string } {
  return { name: text.trim() };
}

export default function () {
  return 42;
}

describe("UserService", () => {
  it("loads", async () => {
    expect(1).toBe(1);
  });
});
`

func TestChunkTypeScriptSample(t *testing.T) {
	src := tsSample
	pieces := chunkOK(t, "src/user.service.ts", src, Options{})
	expectPieces(t, pieces, []want{
		{"user.service.ts", KindFile, 1, 2},
		{"UserRecord", KindInterface, 4, 8},
		{"Result", KindType, 10, 12},
		{"Role", KindEnum, 14, 17},
		{"user.service.ts", KindFile, 19, 19},
		{"UserService", KindClass, 21, 25},
		{"UserService.constructor", KindMethod, 27, 27},
		{"UserService.getUser", KindMethod, 29, 36},
		{"UserService.handleClick", KindMethod, 38, 40},
		{"UserService.size", KindMethod, 42, 44},
		{"add", KindFunction, 47, 47},
		{"fetchAll", KindFunction, 49, 51},
		{"parse", KindFunction, 53, 55},
		{"default", KindFunction, 57, 59},
		{"user.service.ts", KindFile, 61, 65},
	})
}

const javaSample = `package com.example.users;

import java.util.List;
import java.util.Map;

/**
 * Serves users.
 */
@Service
public class UserService implements Lookup {
    private static final String OPEN = "{";
    private final Map<String, User> users;

    public UserService(Map<String, User> users) {
        this.users = users;
    }

    /** Returns one user. */
    @Override
    public User getUser(String id) throws NotFoundException {
        char brace = '}';
        User u = users.get(id);
        if (u == null) {
            throw new NotFoundException("no user {" + id);
        }
        return u;
    }

    public <T extends Comparable<T>> List<T> sorted(
            List<T> items,
            boolean reverse) {
        return items;
    }

    static class Cache {
        void clear() {
        }
    }

    interface Listener {
        void onChange(User u);
    }
}

enum Color {
    RED, GREEN;

    Color next() {
        return GREEN;
    }
}
`

func TestChunkJavaSample(t *testing.T) {
	pieces := chunkOK(t, "UserService.java", javaSample, Options{})
	expectPieces(t, pieces, []want{
		{"UserService.java", KindFile, 1, 4},
		{"UserService", KindClass, 6, 12},
		{"UserService.UserService", KindMethod, 14, 16},
		{"UserService.getUser", KindMethod, 18, 27},
		{"UserService.sorted", KindMethod, 29, 33},
		{"UserService.Cache", KindClass, 35, 35},
		{"UserService.Cache.clear", KindMethod, 36, 37},
		{"UserService.Listener", KindInterface, 40, 42},
		{"Color", KindEnum, 45, 46},
		{"Color.next", KindMethod, 48, 50},
	})
}

const rustSample = `//! Geometry helpers.
use std::fmt;

/// A point in the plane.
#[derive(Debug, Clone)]
pub struct Point<'a> {
    pub x: f64,
    pub label: &'a str,
}

impl<'a> Point<'a> {
    /// Creates a point.
    pub fn new(x: f64, label: &'a str) -> Self {
        let brace = '{';
        let raw = r#"a "quoted" } brace"#;
        Point { x, label }
    }

    pub(crate) fn norm(&self) -> f64
    where
        Self: Sized,
    {
        self.x.abs()
    }
}

impl<'a> fmt::Display for Point<'a> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({})", self.x)
    }
}

pub trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> String {
        "shape".to_string()
    }
}

macro_rules! square {
    ($x:expr) => { $x * $x };
}

pub async fn load<T: Default>(path: &str) -> Result<T, Error> {
    /* block comment with { brace /* nested } */ still comment */
    Ok(T::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_works() {
        assert_eq!(square!(2), 4);
    }
}
`

func TestChunkRustSample(t *testing.T) {
	pieces := chunkOK(t, "geo.rs", rustSample, Options{})
	expectPieces(t, pieces, []want{
		{"geo.rs", KindFile, 1, 2},
		{"Point", KindStruct, 4, 9},
		{"Point", KindImpl, 11, 11},
		{"Point.new", KindMethod, 12, 17},
		{"Point.norm", KindMethod, 19, 24},
		{"Point", KindImpl, 27, 27},
		{"Point.fmt", KindMethod, 28, 30},
		{"Shape", KindTrait, 33, 38},
		{"square", KindMacro, 40, 42},
		{"load", KindFunction, 44, 47},
		{"tests", KindModule, 49, 51},
		{"tests.it_works", KindFunction, 53, 56},
	})
}

const cSample = `#include <stdio.h>
#include "list.h"

#define OPEN_BRACE '{'
#define BLOCK(x) do { x; } while (0)

/* A node of the list. */
struct node {
    int value;
    struct node *next;
};

typedef struct {
    int count;
} stats_t;

static const char *names[] = {"a{", "b}"};

/* Makes a node. */
struct node *node_new(int value)
{
    struct node *n = malloc(sizeof *n);
#ifdef DEBUG
    if (n == NULL) {
#else
    if (!n) {
#endif
        return NULL;
    }
    n->value = value;
    return n;
}

#if 0
void disabled(void) {
#endif

int
main(int argc, char **argv)
{
    printf("%c\n", '}');
    return 0;
}
`

func TestChunkCSample(t *testing.T) {
	pieces := chunkOK(t, "list.c", cSample, Options{})
	expectPieces(t, pieces, []want{
		{"list.c", KindFile, 1, 5},
		{"node", KindStruct, 7, 11},
		{"stats_t", KindStruct, 13, 15},
		{"list.c", KindFile, 17, 17},
		{"node_new", KindFunction, 19, 32},
		{"list.c", KindFile, 34, 36},
		{"main", KindFunction, 38, 43},
	})
}

const cppSample = `#include <string>

namespace geo {

/// A shape with a name.
class Shape : public Base {
public:
    explicit Shape(std::string name) : name_(std::move(name)) {}
    virtual ~Shape() = default;

    virtual double area() const {
        return 0;
    }

private:
    std::string name_;
};

template <typename T>
T Stack<T>::pop() {
    auto raw = R"(a } raw)";
    return items_.back();
}

bool operator==(const Shape& a, const Shape& b) {
    return a.area() == b.area();
}

}  // namespace geo

TEST(ShapeTest, Area) {
    EXPECT_EQ(1'000, 1000);
}
`

func TestChunkCppSample(t *testing.T) {
	pieces := chunkOK(t, "shape.cc", cppSample, Options{})
	expectPieces(t, pieces, []want{
		{"shape.cc", KindFile, 1, 3},
		{"Shape", KindClass, 5, 7},
		{"Shape.Shape", KindMethod, 8, 8},
		{"Shape", KindClass, 9, 9},
		{"Shape.area", KindMethod, 11, 13},
		{"Shape", KindClass, 15, 17},
		{"Stack.pop", KindMethod, 19, 23},
		{"operator==", KindFunction, 25, 27},
		{"TEST(ShapeTest, Area)", KindFunction, 31, 33},
	})
}
