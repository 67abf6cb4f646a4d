package pool

import (
	"context"
	"fmt"
	"time"
)

// An Item is one record to write in a batch.
type Item struct {
	Key   string
	Value []byte
}

// Batcher groups items and hands them to Write in batches of up to Max
// items, or whatever has gathered after Interval.
type Batcher struct {
	In       chan Item
	Max      int
	Interval time.Duration
	Write    func(context.Context, []Item) error
}

// Run batches items until ctx ends or In is closed, then writes what it
// holds.
func (b *Batcher) Run(ctx context.Context) error {
	batch := make([]Item, 0, b.Max)
	for {
		select {
		case <-ctx.Done():
			return b.flush(context.WithoutCancel(ctx), batch)
		case it, ok := <-b.In:
			if !ok {
				return b.flush(ctx, batch)
			}
			batch = append(batch, it)
			if len(batch) < b.Max {
				continue
			}
		case <-time.After(b.Interval):
		}
		if err := b.flush(ctx, batch); err != nil {
			return err
		}
		batch = batch[:0]
	}
}

func (b *Batcher) flush(ctx context.Context, batch []Item) error {
	if len(batch) == 0 {
		return nil
	}
	if err := b.Write(ctx, batch); err != nil {
		return fmt.Errorf("writing %d items: %w", len(batch), err)
	}
	return nil
}

// Ticker calls f every period until ctx ends, never running two calls at
// once and skipping ticks that come while f runs. A call in progress when
// ctx ends finishes on its own.
func Ticker(ctx context.Context, period time.Duration, f func(context.Context)) {
	t := time.NewTicker(period)
	defer t.Stop()
	busy := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			select {
			case busy <- struct{}{}:
				go func() {
					defer func() { <-busy }()
					f(ctx)
				}()
			default:
			}
		}
	}
}
