package lockcheck

// Lock states: which locks are held at each point of a function, on every
// path (must) or on some path (may).

// A hold is a lock held, and the event that took it.
type hold struct {
	read bool
	ev   *event
}

// A lockset maps each lock held to how it is held.
type lockset map[lockKey]hold

func (s lockset) clone() lockset {
	t := make(lockset, len(s))
	for k, v := range s {
		t[k] = v
	}
	return t
}

// transfer applies an event to the state. A helper that locks only on some
// paths changes no must state.
func transfer(st lockset, ev *event, must bool) {
	switch ev.kind {
	case evLock:
		if must && ev.cond {
			return
		}
		st[ev.key] = hold{read: ev.read, ev: ev}
	case evUnlock:
		delete(st, ev.key)
	case evCustom:
		if ev.read {
			delete(st, ev.key)
		} else if !must {
			st[ev.key] = hold{ev: ev}
		}
	case evTransient:
		// A call that takes and releases the lock orders what follows
		// after the other holders: s.init() before reading what it set.
		st[ev.key.synced()] = hold{read: ev.read, ev: ev}
	}
}

// meet merges src into dst and reports whether dst changed: intersection
// for must states, union for may states.
func meet(dst, src lockset, must bool) bool {
	changed := false
	if must {
		for k, h := range dst {
			s, ok := src[k]
			switch {
			case !ok || s.read != h.read:
				delete(dst, k)
				changed = true
			case s.ev.pos() < h.ev.pos():
				dst[k] = s // keep the earliest site, whatever the order of visits
				changed = true
			}
		}
		return changed
	}
	for k, s := range src {
		h, ok := dst[k]
		switch {
		case !ok:
			dst[k] = s
			changed = true
		case h.read && !s.read:
			dst[k] = s
			changed = true
		}
	}
	return changed
}

// flow returns the state at the entry of each block of fn.
func flow(fn *function, entry lockset, must bool) []lockset {
	blocks := fn.g.Blocks
	in := make([]lockset, len(blocks))
	in[0] = entry.clone()
	work := []int32{0}
	queued := make([]bool, len(blocks))
	queued[0] = true
	for len(work) > 0 {
		b := work[0]
		work = work[1:]
		queued[b] = false
		st := in[b].clone()
		for i := range fn.events[b] {
			transfer(st, &fn.events[b][i], must)
		}
		for _, s := range blocks[b].Succs {
			changed := false
			if in[s.Index] == nil {
				in[s.Index] = st.clone()
				changed = true
			} else {
				changed = meet(in[s.Index], st, must)
			}
			if changed && !queued[s.Index] {
				queued[s.Index] = true
				work = append(work, s.Index)
			}
		}
	}
	return in
}

// A point is an event's place in its function's graph.
type point struct {
	block int32
	index int
}

// reach walks the events that can follow from (start) on some path, in
// no particular order, calling visit for each; a path ends where visit
// returns true.
func reach(fn *function, start point, visit func(p point, ev *event) (stop bool)) {
	seen := make(map[int32]bool)
	var stack []point
	stack = append(stack, start)
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		evs := fn.events[p.block]
		stopped := false
		for i := p.index; i < len(evs); i++ {
			if visit(point{p.block, i}, &evs[i]) {
				stopped = true
				break
			}
		}
		if stopped {
			continue
		}
		for _, s := range fn.g.Blocks[p.block].Succs {
			if !seen[s.Index] {
				seen[s.Index] = true
				stack = append(stack, point{s.Index, 0})
			}
		}
	}
}

// releases reports whether ev releases a lock with key k held in mode read,
// now or at return.
func releases(ev *event, k lockKey, read bool) bool {
	if ev.key != k {
		return false
	}
	switch ev.kind {
	case evHandoff:
		return true
	case evUnlock, evDefer:
		return ev.read == read
	}
	return false
}

// earliest returns the event with the smallest position, or nil.
func earliest(evs []*event) *event {
	var best *event
	for _, e := range evs {
		if best == nil || e.pos() < best.pos() {
			best = e
		}
	}
	return best
}
