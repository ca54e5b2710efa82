package entrata

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// leasePage builds a getLeases result with leases first..first+n-1.
func leasePage(first, n int) []byte {
	var ls []string
	for i := first; i < first+n; i++ {
		ls = append(ls, fmt.Sprintf(`{"id":"%d","leaseStatusTypeId":"4","propertyId":"1","unitId":%d,"moveInDate":"01/02/2025",
			"customers":{"customer":{"id":%d,"customerType":"Primary","leaseCustomerStatus":"Current"}}}`, i, i, 1000+i))
	}
	return []byte(`{"response":{"requestId":"1","code":200,"result":{"leases":{"lease":[` + strings.Join(ls, ",") + `]}}}}`)
}

func TestGetLeasesStopsOnShortPage(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body requestBody) {
		var page int
		fmt.Sscan(r.URL.Query().Get("page_no"), &page)
		n := 5
		if page == 4 {
			n = 2
		}
		writeBody(w, 200, leasePage((page-1)*5+1, n))
	})
	leases, _, _, err := f.client(WithPerPage(5)).GetLeases(context.Background(), LeaseQuery{PropertyID: "1"})
	if err != nil || len(leases) != 17 || f.hits.Load() != 4 {
		t.Fatalf("leases %d, hits %d, err %v", len(leases), f.hits.Load(), err)
	}
	for i, l := range leases {
		if l.ID != fmt.Sprint(i+1) {
			t.Fatalf("lease %d has id %s", i, l.ID)
		}
	}
}

func TestGetLeasesStopsAtTotalCount(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body requestBody) {
		var page int
		fmt.Sscan(r.URL.Query().Get("page_no"), &page)
		w.Header().Set("X-Total-Count", "15")
		writeBody(w, 200, leasePage((page-1)*5+1, 5))
	})
	leases, _, resp, err := f.client(WithPerPage(5)).GetLeases(context.Background(), LeaseQuery{PropertyID: "1"})
	if err != nil || len(leases) != 15 || f.hits.Load() != 3 || resp.TotalCount != 15 {
		t.Fatalf("leases %d, hits %d, err %v", len(leases), f.hits.Load(), err)
	}
}

func TestGetLeasesServerRepeatingAPage(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body requestBody) {
		writeBody(w, 200, leasePage(1, 5)) // ignores page_no
	})
	leases, _, _, err := f.client(WithPerPage(5)).GetLeases(context.Background(), LeaseQuery{PropertyID: "1"})
	if !errors.Is(err, ErrPageRepeated) || leases != nil {
		t.Fatalf("err %v, %d leases", err, len(leases))
	}
	if f.hits.Load() != 2 {
		t.Errorf("hits = %d, want 2", f.hits.Load())
	}
}

func TestGetLeasesErrorMidwayReturnsNoLeases(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body requestBody) {
		if r.URL.Query().Get("page_no") == "2" {
			writeBody(w, 503, nil)
			return
		}
		writeBody(w, 200, leasePage(1, 5))
	})
	leases, _, _, err := f.client(WithPerPage(5)).GetLeases(context.Background(), LeaseQuery{PropertyID: "1"})
	if !IsRetryable(err) || leases != nil {
		t.Fatalf("err %v, %d leases", err, len(leases))
	}
}
