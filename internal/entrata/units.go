package entrata

import (
	"context"
	"errors"
	"fmt"
)

// GetPropertyUnits calls getPropertyUnits (service "propertyunits", r1) for
// one property and returns its units with their unit spaces. Units may come
// as a list or as an object keyed by unit id.
func (c *Client) GetPropertyUnits(ctx context.Context, propertyID string) ([]Unit, *Response, error) {
	if propertyID == "" {
		return nil, nil, errors.New("entrata getPropertyUnits: property id is required")
	}
	cl := call{service: "propertyunits", method: "getPropertyUnits", version: "r1",
		params: map[string]string{"propertyIds": propertyID}}
	result, resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, resp, err
	}
	units, err := decodePropertyUnits(result, propertyID)
	if err != nil {
		return nil, resp, &DecodeError{Service: cl.service, Method: cl.method, HTTPStatus: resp.HTTPStatus, Reason: err.Error()}
	}
	return units, resp, nil
}

// decodePropertyUnits reads result.properties.property[].units.unit[]. Units
// of properties other than want (child properties spilling in) are skipped.
func decodePropertyUnits(result []byte, want string) ([]Unit, error) {
	r, err := parseRecord(result)
	if err != nil {
		return nil, err
	}
	props, err := listItems(r.raw("properties"), "property")
	if err != nil {
		return nil, fmt.Errorf("properties: %w", err)
	}
	var out []Unit
	for i, praw := range props {
		pr, err := parseRecord(praw)
		if err != nil {
			return nil, fmt.Errorf("property record %d: %w", i, err)
		}
		pid, err := pr.str("propertyId")
		if err != nil {
			return nil, fmt.Errorf("property record %d: propertyId: %w", i, err)
		}
		if pid != "" && pid != want {
			continue
		}
		units, err := listItems(pr.raw("units"), "unit")
		if err != nil {
			return nil, fmt.Errorf("property %s: units: %w", want, err)
		}
		for j, uraw := range units {
			u, err := decodeUnit(uraw, want)
			if err != nil {
				return nil, fmt.Errorf("property %s unit record %d: %w", want, j, err)
			}
			out = append(out, u)
		}
	}
	return out, nil
}

func decodeUnit(raw []byte, propertyID string) (Unit, error) {
	ur, err := parseRecord(raw)
	if err != nil {
		return Unit{}, err
	}
	u := Unit{PropertyID: propertyID}
	var errs []error
	get := func(dst *string, field string) {
		v, err := ur.str(field)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
		}
		*dst = v
	}
	get(&u.ID, "id")
	get(&u.Number, "unitNumber")
	get(&u.BuildingID, "buildingId")
	get(&u.BuildingName, "buildingName")
	if err := errors.Join(errs...); err != nil {
		return Unit{}, err
	}
	if u.ID == "" {
		return Unit{}, errors.New("id missing")
	}
	spaces, err := listItems(ur.raw("unitSpaces"), "unitSpace")
	if err != nil {
		return Unit{}, fmt.Errorf("unit %s: unitSpaces: %w", u.ID, err)
	}
	for _, sraw := range spaces {
		sr, err := parseRecord(sraw)
		if err != nil {
			return Unit{}, fmt.Errorf("unit %s: unitSpaces: %w", u.ID, err)
		}
		var s UnitSpace
		s.ID, err = sr.str("unitSpaceId")
		if err != nil {
			return Unit{}, fmt.Errorf("unit %s: unitSpaceId: %w", u.ID, err)
		}
		if s.Label, _ = sr.str("unitSpace"); s.Label == "" {
			s.Label, _ = sr.str("unitNumber")
		}
		u.Spaces = append(u.Spaces, s)
	}
	return u, nil
}
