package code

import "testing"

const rubySample = `# frozen_string_literal: true
require "json"

module Billing
  # An invoice with lines.
  class Invoice < Base
    attr_reader :lines

    SQL = <<~SQL
      SELECT * FROM invoices
    end
    SQL

    def initialize(lines)
      @lines = lines
    end

    # Total in cents.
    def total
      lines.sum do |l|
        l.amount
      end
    end

    def self.parse(text) = new(JSON.parse(text))

    def empty?; lines.empty?; end

    class << self
      def build
        new([])
      end
    end

    private

    def secret
      if true
        1
      end
    end
  end

  def self.version
    "1.0"
  end
end

def helper(x)
  x * 2
end

puts helper(2)
`

func TestChunkRubySample(t *testing.T) {
	pieces := chunkOK(t, "billing.rb", rubySample, Options{})
	expectPieces(t, pieces, []want{
		{"billing.rb", KindFile, 1, 2},
		{"Billing", KindModule, 4, 4},
		{"Billing.Invoice", KindClass, 5, 12},
		{"Billing.Invoice.initialize", KindMethod, 14, 16},
		{"Billing.Invoice.total", KindMethod, 18, 23},
		{"Billing.Invoice.parse", KindMethod, 25, 25},
		{"Billing.Invoice.empty?", KindMethod, 27, 27},
		{"Billing.Invoice", KindClass, 29, 29},
		{"Billing.Invoice.build", KindMethod, 30, 32},
		{"Billing.Invoice", KindClass, 33, 35},
		{"Billing.Invoice.secret", KindMethod, 37, 41},
		{"Billing.version", KindMethod, 44, 46},
		{"helper", KindFunction, 49, 51},
		{"billing.rb", KindFile, 53, 53},
	})
}

func TestChunkRubyMissingEnd(t *testing.T) {
	src := "class A\n  def f\n    1\n\nclass B\nend\n"
	pieces := chunkOK(t, "a.rb", src, Options{})
	expectPieces(t, pieces, []want{
		{"A", KindClass, 1, 1},
		{"A.f", KindMethod, 2, 3},
		{"B", KindClass, 5, 6},
	})
}
