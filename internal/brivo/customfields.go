package brivo

import (
	"context"
	"net/http"
)

// CustomFieldsService calls the /custom-fields endpoints.
type CustomFieldsService service

// CustomField is a custom field definition.
type CustomField struct {
	ID        int64  `json:"id"`
	FieldName string `json:"fieldName"`
	FieldType string `json:"fieldType,omitempty"`
}

// List pages GET /custom-fields until every definition is read.
func (s *CustomFieldsService) List(ctx context.Context) ([]CustomField, *Response, error) {
	return listAll[CustomField](ctx, s.client, "/custom-fields", "/custom-fields", "")
}

// Create calls POST /custom-fields for a text field.
func (s *CustomFieldsService) Create(ctx context.Context, name string) (*CustomField, *Response, error) {
	f := new(CustomField)
	resp, err := s.client.sendJSON(ctx, http.MethodPost, "/custom-fields", "/custom-fields",
		CustomField{FieldName: name, FieldType: "text"}, f)
	if err != nil {
		return nil, resp, err
	}
	return f, resp, nil
}
