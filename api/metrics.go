package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gndhq/gnd/search"
	"github.com/gndhq/gnd/store"
)

// Metrics are the Prometheus metrics the API exports at /metrics.
type Metrics struct {
	Registry      *prometheus.Registry
	Requests      *prometheus.CounterVec
	SearchSeconds prometheus.Histogram
}

// NewMetrics registers the API's metrics, plus gauges read at scrape time:
// jobs by status from db, and the size of the search index from index.
// Either may be nil.
func NewMetrics(reg *prometheus.Registry, db *store.DB, index *search.Service) *Metrics {
	m := &Metrics{
		Registry: reg,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gnd_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		SearchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "gnd_search_duration_seconds", Help: "Time to answer a search request.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
	}
	reg.MustRegister(m.Requests, m.SearchSeconds)
	if db != nil {
		reg.MustRegister(&jobCollector{db: db, desc: prometheus.NewDesc("gnd_jobs", "Jobs by status.", []string{"status"}, nil)})
	}
	if index != nil {
		reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "gnd_search_chunks", Help: "Chunks in this process's search index.",
			}, func() float64 { return float64(index.Len()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "gnd_search_vectors_pending", Help: "Vectors waiting to be added to a graph; searches scan them exactly meanwhile.",
			}, func() float64 { return float64(index.VectorBacklog()) }),
		)
	}
	return m
}

func (m *Metrics) observeRequest(r *http.Request, status int, _ time.Duration) {
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	m.Requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
}

type jobCollector struct {
	db   *store.DB
	desc *prometheus.Desc
}

func (c *jobCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *jobCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.db.JobCounts(ctx)
	if err != nil {
		return
	}
	for status, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), status)
	}
}
