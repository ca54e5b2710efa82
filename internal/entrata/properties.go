package entrata

import (
	"context"
	"fmt"
	"strings"
)

// GetStatus calls getStatus (service "status", r1) to check the credentials
// and that the API answers. Entrata allows it only a few times a minute:
// call it at start-up, not as a heartbeat.
func (c *Client) GetStatus(ctx context.Context) (*Response, error) {
	_, resp, err := c.do(ctx, call{service: "status", method: "getStatus", version: "r1"})
	return resp, err
}

// GetProperties calls getProperties (service "properties", r1), optionally
// limited to propertyIDs. Its result is PascalCase
// (PhysicalProperty.Property[]).
func (c *Client) GetProperties(ctx context.Context, propertyIDs ...string) ([]Property, *Response, error) {
	params := map[string]string{}
	if len(propertyIDs) > 0 {
		params["propertyIds"] = strings.Join(propertyIDs, ",")
	}
	cl := call{service: "properties", method: "getProperties", version: "r1", params: params}
	result, resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, resp, err
	}
	props, err := decodeProperties(result)
	if err != nil {
		return nil, resp, &DecodeError{Service: cl.service, Method: cl.method, HTTPStatus: resp.HTTPStatus, Reason: err.Error()}
	}
	return props, resp, nil
}

func decodeProperties(result []byte) ([]Property, error) {
	r, err := parseRecord(result)
	if err != nil {
		return nil, err
	}
	phys, err := parseRecord(orEmptyObject(r.raw("PhysicalProperty")))
	if err != nil {
		return nil, fmt.Errorf("PhysicalProperty: %w", err)
	}
	items, err := oneOrMany(phys.raw("Property"))
	if err != nil {
		return nil, fmt.Errorf("PhysicalProperty.Property: %w", err)
	}
	out := make([]Property, 0, len(items))
	for i, item := range items {
		pr, err := parseRecord(item)
		if err != nil {
			return nil, fmt.Errorf("property record %d: %w", i, err)
		}
		var p Property
		var e1, e2, e3, e4, e5 error
		p.ID, e1 = pr.str("PropertyID")
		p.Name, e2 = pr.str("MarketingName")
		p.Type, e3 = pr.str("Type")
		p.Disabled, e4 = pr.flag("IsDisabled")
		p.ParentID, e5 = pr.str("ParentPropertyID")
		for _, e := range []error{e1, e2, e3, e4, e5} {
			if e != nil {
				return nil, fmt.Errorf("property %s (record %d): %w", p.ID, i, e)
			}
		}
		if p.ID == "" {
			return nil, fmt.Errorf("property record %d: PropertyID missing", i)
		}
		out = append(out, p)
	}
	return out, nil
}

func orEmptyObject(raw []byte) []byte {
	if isEmptyJSON(raw) {
		return []byte("{}")
	}
	return raw
}
