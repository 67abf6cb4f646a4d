package review

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/internal/llm"
	"github.com/secondlook/secondlook/internal/llm/llmtest"
)

// BenchmarkReviewMemory reviews 1,000 and 5,000 regions against a fake
// server that answers at once, at concurrency 32, and reports the peak heap
// in use during the run (sampled every millisecond) above the heap before
// it. Memory is flat when peak-MB/region-k stays level as the region count
// grows.
//
// The fake server runs in this process; Forget keeps it from holding the
// request bodies, so the figures are review's own (fake-log-MB stays 0).
// What review keeps is its result: the findings and one small record per
// region, until Run returns; prompts are dropped as each region ends.
//
//	go test ./internal/review/ -run '^$' -bench ReviewMemory -benchtime 1x
func BenchmarkReviewMemory(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("regions%d", n), func(b *testing.B) {
			srv := llmtest.NewServer(b, noisyModel)
			srv.Forget() // measure review, not the fake's request log
			cl, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "fake"})
			if err != nil {
				b.Fatal(err)
			}
			var peak, retained uint64
			for b.Loop() {
				regs := memRegions(n)
				base := heapAfterGC()
				stop := sampleHeap()
				res := Run(context.Background(), regs, Config{Client: cl, Model: "fake", Lines: lines, Concurrency: 32})
				p := stop()
				if len(res.Failures) > 0 {
					b.Fatalf("%d failures: %v", len(res.Failures), res.Failures[0])
				}
				if len(res.Findings) != n {
					b.Fatalf("%d findings, want %d", len(res.Findings), n)
				}
				after := heapAfterGC()
				runtime.KeepAlive(res)
				runtime.KeepAlive(regs)
				peak = max(peak, p-min(p, base))
				retained = max(retained, after-min(after, base))
			}
			var log int
			for _, r := range srv.Requests() {
				log += len(r.Raw)
				for _, m := range r.Messages {
					log += len(m.Content)
				}
			}
			const mb = 1 << 20
			b.ReportMetric(float64(peak)/mb, "peak-MB")
			b.ReportMetric(float64(peak)/mb/(float64(n)/1000), "peak-MB/region-k")
			b.ReportMetric(float64(retained)/mb, "retained-MB")
			b.ReportMetric(float64(log)/mb/float64(b.N), "fake-log-MB") // the log spans every iteration
		})
	}
}

// memRegions returns n regions like (*Store).Get, each with a bug the
// noisy model reports, so every region yields a finding to hold.
func memRegions(n int) []analyzer.Region {
	rs := make([]analyzer.Region, n)
	for i := range rs {
		rs[i] = regions()[0]
		rs[i].ID = fmt.Sprint(i)
	}
	return rs
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// sampleHeap samples HeapInuse every millisecond until the returned
// function is called, which returns the highest value seen.
func sampleHeap() func() uint64 {
	var (
		wg   sync.WaitGroup
		peak uint64
		done = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}
