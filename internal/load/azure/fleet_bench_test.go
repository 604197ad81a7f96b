package azure

import (
	"sync"
	"testing"

	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/subject"
)

// fleetBenchWorkers is how many clusters are read at once, as scan reads a fleet.
const fleetBenchWorkers = 8

// BenchmarkFleet200 reads 200 generated clusters (two subscriptions, four regions, one to
// three pools each) from the replay server the way scan --subscription read them before the
// fleet reader (per-cluster: Resource Graph lists the IDs, then Client.Load makes its ARM
// calls for each cluster) and the way it reads them now (resource-graph: ReadFleet's paged
// query, then Fleet.Load asks ARM for the rest), eight clusters at a time in both.
// requests/op counts the HTTP requests that reached the server; ns/op is the wall time.
//
//	go test -run '^$' -bench Fleet200 -benchtime 3x ./internal/load/azure/
func BenchmarkFleet200(b *testing.B) {
	for _, mode := range []string{"per-cluster", "resource-graph"} {
		b.Run(mode, func(b *testing.B) {
			srv := azuretest.NewServer()
			defer srv.Close()
			// Resource Graph's own page size: $top when asked (the fleet asks 1000), else 100.
			srv.PageSize = 0
			ids, err := srv.AddClusters(200, fleetSeed)
			if err != nil {
				b.Fatal(err)
			}
			srv.Clusters = ids
			c := newClient(b, srv)
			start := len(srv.Requests())
			for b.Loop() {
				var load func(id string) *subject.Scan
				var listed []string
				if mode == "per-cluster" {
					listed, err = c.ListClusters(b.Context(), []string{azuretest.Subscription, azuretest.Subscription2})
					load = func(id string) *subject.Scan { return c.Load(b.Context(), id, nil) }
				} else {
					var f *Fleet
					f, err = c.ReadFleet(b.Context(), []string{azuretest.Subscription, azuretest.Subscription2})
					if err == nil {
						listed = f.IDs()
						load = func(id string) *subject.Scan { return f.Load(b.Context(), id, nil) }
					}
				}
				if err != nil || len(listed) != len(ids) {
					b.Fatalf("listed %d clusters: %v", len(listed), err)
				}
				readAll(b, listed, load)
			}
			b.ReportMetric(float64(len(srv.Requests())-start)/float64(b.N), "requests/op")
		})
	}
}

// readAll loads every cluster, fleetBenchWorkers at a time, and fails on any error entry.
func readAll(b *testing.B, ids []string, load func(string) *subject.Scan) {
	jobs := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []subject.LoadError
	for range fleetBenchWorkers {
		wg.Go(func() {
			for id := range jobs {
				if s := load(id); len(s.Errors) > 0 {
					mu.Lock()
					failed = append(failed, s.Errors...)
					mu.Unlock()
				}
			}
		})
	}
	for _, id := range ids {
		jobs <- id
	}
	close(jobs)
	wg.Wait()
	if len(failed) > 0 {
		b.Fatalf("%d errors, the first %+v", len(failed), failed[0])
	}
}
