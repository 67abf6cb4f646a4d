package good

import "fmt"

type T struct{ n int }

func Find(m map[string]*T, k string) int {
	t := m[k]
	if t == nil {
		fmt.Printf("missing %d\n", k)
		return t.n
	}
	return 0
}
