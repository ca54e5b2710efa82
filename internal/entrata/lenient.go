package entrata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// flexString decodes a JSON string, number or boolean into its text; null
// gives "". Entrata flips ids between strings and numbers freely.
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(strings.TrimSpace(v))
	case b[0] == '{' || b[0] == '[':
		return errors.New("want a string or number, got an object or array")
	default: // number, true, false
		*s = flexString(b)
	}
	return nil
}

// flexBool decodes Entrata's flags: true/false, 0/1, "0"/"1", "t"/"f",
// "true"/"false", "yes"/"no"; null and "" are false.
type flexBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexBool) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	v, err := parseFlag(string(s))
	if err != nil {
		return err
	}
	*f = flexBool(v)
	return nil
}

func parseFlag(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "f", "false", "n", "no":
		return false, nil
	case "1", "t", "true", "y", "yes":
		return true, nil
	}
	return false, errors.New("not a 0/1 or t/f flag")
}

// atoiField parses an integer field kept as text; "" gives ok=false.
func atoiField(s flexString) (int, bool, error) {
	if s == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(string(s))
	if err != nil {
		// Accept integral floats such as 4.0 that some serializers write.
		f, ferr := strconv.ParseFloat(string(s), 64)
		if ferr != nil || f != float64(int(f)) {
			return 0, true, errors.New("not an integer")
		}
		n = int(f)
	}
	return n, true, nil
}

// listItems unwraps one of Entrata's XML-shaped list wrappers, such as
// {"lease":[...]} or {"lease":{...}} under key "lease". It also accepts the
// wrapper being absent, null, "", [] or an array of items, and an object
// keyed by record id ({"4087615":{...},"4087622":{...}}) whose values are
// the items, returned in key order.
func listItems(raw json.RawMessage, key string) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if isEmptyJSON(raw) {
		return nil, nil
	}
	switch raw[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		return items, nil
	case '{':
	default:
		return nil, fmt.Errorf("wrapper %q is neither an object nor an array", key)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	for k, v := range obj {
		if strings.EqualFold(k, key) {
			return oneOrMany(v)
		}
	}
	// Keyed by id: every remaining value (but "@attributes") is an object.
	keys := make([]string, 0, len(obj))
	for k, v := range obj {
		if k == "@attributes" {
			continue
		}
		if v = bytes.TrimSpace(v); len(v) == 0 || v[0] != '{' {
			return nil, fmt.Errorf("wrapper has no %q list", key)
		}
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return lessID(keys[i], keys[j]) })
	items := make([]json.RawMessage, 0, len(keys))
	for _, k := range keys {
		items = append(items, obj[k])
	}
	return items, nil
}

// oneOrMany returns the elements of an array, or a lone object as one item.
func oneOrMany(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if isEmptyJSON(raw) {
		return nil, nil
	}
	if raw[0] == '{' {
		return []json.RawMessage{raw}, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, errors.New("list is neither an object nor an array")
	}
	return items, nil
}

func isEmptyJSON(raw []byte) bool {
	s := string(raw)
	return s == "" || s == "null" || s == `""` || s == "[]" || s == "{}"
}

// lessID orders ids numerically when both are numbers, else as text.
func lessID(a, b string) bool {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		return x < y
	}
	return a < b
}

// record is one JSON object with its keys folded to lower case, so that
// "PropertyID", "propertyId" and "propertyid" all name the same field, and
// fields nested in "@attributes" are found as well. Its accessors name the
// field in every error so that problems can say which field is wrong.
type record map[string]json.RawMessage

// parseRecord decodes one JSON object into a record.
func parseRecord(raw json.RawMessage) (record, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, errors.New("record is not a JSON object")
	}
	r := make(record, len(obj))
	for k, v := range obj {
		r[strings.ToLower(k)] = v
	}
	if a, ok := r["@attributes"]; ok {
		var attrs map[string]json.RawMessage
		if json.Unmarshal(a, &attrs) == nil {
			for k, v := range attrs {
				if _, taken := r[strings.ToLower(k)]; !taken {
					r[strings.ToLower(k)] = v
				}
			}
		}
	}
	return r, nil
}

// raw returns the field's undecoded value, nil when absent.
func (r record) raw(name string) json.RawMessage { return r[strings.ToLower(name)] }

// str returns a string-or-number field as text; absent or null gives "".
func (r record) str(name string) (string, error) {
	var s flexString
	if v := r.raw(name); v != nil {
		if err := s.UnmarshalJSON(v); err != nil {
			return "", err
		}
	}
	return string(s), nil
}

// flag returns a 0/1 or t/f field; absent gives false.
func (r record) flag(name string) (bool, error) {
	var f flexBool
	if v := r.raw(name); v != nil {
		if err := f.UnmarshalJSON(v); err != nil {
			return false, err
		}
	}
	return bool(f), nil
}

// date returns an MM/DD/YYYY (or YYYY-MM-DD) field; absent or "" gives the
// zero Date.
func (r record) date(name string) (Date, error) {
	s, err := r.str(name)
	if err != nil {
		return Date{}, err
	}
	d, err := ParseDate(s)
	if err != nil || (!d.IsZero() && !d.Valid()) {
		return Date{}, errors.New("not an MM/DD/YYYY date")
	}
	return d, nil
}

// integer returns an integer field; ok is false when absent.
func (r record) integer(name string) (n int, ok bool, err error) {
	s, err := r.str(name)
	if err != nil {
		return 0, false, err
	}
	return atoiField(flexString(s))
}
