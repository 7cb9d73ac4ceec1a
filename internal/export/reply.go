package export

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Pairs is a Redis reply of alternating fields and values (SENTINEL MASTER),
// written as a JSON object in the order Redis gave.
type Pairs [][2]string

// PairsFrom reads a flat field/value reply; anything else becomes one
// "reply" field, so nothing the node said is lost.
func PairsFrom(reply any) Pairs {
	list, ok := reply.([]any)
	if !ok || len(list)%2 != 0 {
		return Pairs{{"reply", fmt.Sprint(reply)}}
	}
	out := make(Pairs, 0, len(list)/2)
	for i := 0; i < len(list); i += 2 {
		out = append(out, [2]string{fmt.Sprint(list[i]), fmt.Sprint(list[i+1])})
	}
	return out
}

// PairsList reads a list of field/value replies (SENTINEL REPLICAS, SENTINELS).
func PairsList(reply any) []Pairs {
	list, ok := reply.([]any)
	if !ok {
		return []Pairs{PairsFrom(reply)}
	}
	out := make([]Pairs, 0, len(list))
	for _, item := range list {
		out = append(out, PairsFrom(item))
	}
	return out
}

// MarshalJSON writes the pairs as an object, in order.
func (p Pairs) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range p {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[0])
		v, _ := json.Marshal(kv[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
