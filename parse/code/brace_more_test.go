package code

import "testing"

const kotlinSample = `package com.example

import kotlinx.coroutines.flow.Flow

val greeting = "hello {"

/** Repository of users. */
@Singleton
class UserRepository(
    private val api: Api,
) : Repository {
    private val template = """
        fun fake() {
    """

    override suspend fun load(id: String): User {
        val name = "user ${id.trim { it <= ' ' }} }"
        return api.get(id)
    }

    companion object {
        fun create(): UserRepository = UserRepository(Api())
    }
}

data class User(val id: String, val name: String)

fun String.shout(): String {
    return uppercase()
}

enum class State { ON, OFF }
`

func TestChunkKotlinSample(t *testing.T) {
	pieces := chunkOK(t, "UserRepository.kt", kotlinSample, Options{})
	expectPieces(t, pieces, []want{
		{"UserRepository.kt", KindFile, 1, 5},
		{"UserRepository", KindClass, 7, 14},
		{"UserRepository.load", KindMethod, 16, 19},
		{"UserRepository.Companion", KindClass, 21, 21},
		{"UserRepository.Companion.create", KindMethod, 22, 22},
		{"UserRepository.kt", KindFile, 26, 26},
		{"String.shout", KindFunction, 28, 30},
		{"State", KindEnum, 32, 32},
	})
}

const csharpSample = `using System;
using System.Collections.Generic;

namespace Shop.Orders
{
    /// <summary>Handles orders.</summary>
    [ApiController]
    [Route("api/[controller]")]
    public class OrderController : ControllerBase
    {
        private readonly string _path = @"C:\data\{orders}";

        public OrderController(IOrders orders) : base()
        {
            _orders = orders;
        }

        public int Count { get; set; }
        public int Twice() => Count * 2;

        [HttpGet("{id}")]
        public async Task<ActionResult<Order>> Get(int id)
        {
            var msg = $"order {id}";
            return Ok(msg);
        }
    }

    public interface IOrders
    {
        Order Find(int id);
    }
}
`

func TestChunkCSharpSample(t *testing.T) {
	pieces := chunkOK(t, "OrderController.cs", csharpSample, Options{})
	expectPieces(t, pieces, []want{
		{"OrderController.cs", KindFile, 1, 5},
		{"OrderController", KindClass, 6, 11},
		{"OrderController.OrderController", KindMethod, 13, 16},
		{"OrderController", KindClass, 18, 18},
		{"OrderController.Twice", KindMethod, 19, 19},
		{"OrderController.Get", KindMethod, 21, 26},
		{"IOrders", KindInterface, 29, 32},
	})
}

const swiftSample = `import Foundation

/// A counter.
public final class Counter {
    private var count = 0

    class func shared() -> Counter {
        return Counter(start: 0)
    }

    init(start: Int) {
        count = start
    }

    deinit {
        print("bye")
    }

    @discardableResult
    public func increment(by step: Int = 1) -> Int {
        let text = "count: \(count + step) }"
        let raw = #"raw "string" with { brace"#
        count += step
        return count
    }
}

extension Counter: CustomStringConvertible {
    var description: String { "Counter(\(count))" }
}

protocol Resettable {
    func reset()
}

func main() {
    let c = Counter(start: 1)
    c.increment()
}
`

func TestChunkSwiftSample(t *testing.T) {
	pieces := chunkOK(t, "Counter.swift", swiftSample, Options{})
	expectPieces(t, pieces, []want{
		{"Counter.swift", KindFile, 1, 1},
		{"Counter", KindClass, 3, 5},
		{"Counter.shared", KindMethod, 7, 9},
		{"Counter.init", KindMethod, 11, 13},
		{"Counter.deinit", KindMethod, 15, 17},
		{"Counter.increment", KindMethod, 19, 25},
		{"Counter", KindExtension, 28, 30},
		{"Resettable", KindInterface, 32, 34},
		{"main", KindFunction, 36, 39},
	})
}

const phpSample = `<html><body>{ not php }</body></html>
<?php
declare(strict_types=1);

namespace App\Http;

# A hash comment with {
#[Attribute]
final class Controller extends Base
{
    private string $open = '{';

    public function __construct(private Repo $repo) {}

    /**
     * Shows one item.
     */
    public static function show(int $id): string
    {
        $html = <<<HTML
        <div>{$id}}</div>
        HTML;
        return $html;
    }
}

function helper(array $items): int
{
    return count($items);
}
`

func TestChunkPHPSample(t *testing.T) {
	pieces := chunkOK(t, "Controller.php", phpSample, Options{})
	expectPieces(t, pieces, []want{
		{"Controller.php", KindFile, 1, 5},
		{"Controller", KindClass, 7, 11},
		{"Controller.__construct", KindMethod, 13, 13},
		{"Controller.show", KindMethod, 15, 24},
		{"helper", KindFunction, 27, 30},
	})
}

const jsSample = `'use strict';
const re = /[}{]/g;
const half = total / 2 / 3;

/**
 * Renders a list.
 */
export function List({ items }) {
  return (
    <ul className="list">
      {items.map((item) => <li key={item.id}>{item.name}</li>)}
    </ul>
  );
}

function* ids() {
  yield 1;
}

Widget.prototype.render = function () {
  return ` + "`<div class=\"${this.cls}\">}</div>`" + `;
};

module.exports.helper = async (x) => {
  return x;
};

app.get("/", (req, res) => {
  res.send("ok");
});
`

func TestChunkJavaScriptSample(t *testing.T) {
	pieces := chunkOK(t, "list.jsx", jsSample, Options{})
	expectPieces(t, pieces, []want{
		{"list.jsx", KindFile, 1, 3},
		{"List", KindFunction, 5, 14},
		{"ids", KindFunction, 16, 18},
		{"Widget.render", KindMethod, 20, 22},
		{"helper", KindFunction, 24, 26},
		{"list.jsx", KindFile, 28, 30},
	})
}
