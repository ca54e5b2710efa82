package entratasim

import (
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

var genToday = entrata.MustDate(2026, time.March, 10)

func TestGenerateIsDeterministic(t *testing.T) {
	o := GenOptions{Seed: 42, Properties: 3, UnitsPerProperty: 50, Today: genToday}
	a, b := Generate(o), Generate(o)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same options gave different portfolios")
	}
	o.Seed = 43
	if reflect.DeepEqual(a, Generate(o)) {
		t.Fatal("a different seed gave the same portfolio")
	}
}

func TestGenerateMix(t *testing.T) {
	p := Generate(GenOptions{Seed: 9, Properties: 4, UnitsPerProperty: 60, Today: genToday, FirstPropertyID: 500})
	count := map[string]int{}
	leaseIDs, customerIDs, unitIDs, emails := map[string]bool{}, map[string]string{}, map[string]bool{}, map[string]string{}
	unitNumber := regexp.MustCompile(`^[1-9][0-9]*(0[1-9]|1[0-9]|20)$`)
	occupied := 0
	for i, pd := range p.Properties {
		if want := 500 + i; pd.Property.ID != itoa(want) {
			t.Errorf("property %d id = %s, want %d", i, pd.Property.ID, want)
		}
		if len(pd.Units) != 60 {
			t.Errorf("property %s has %d units", pd.Property.ID, len(pd.Units))
		}
		for _, u := range pd.Units {
			if unitIDs[u.ID] || !unitNumber.MatchString(u.Number) || len(u.Spaces) != 1 {
				t.Errorf("unit %+v: duplicate id or odd number", u)
			}
			unitIDs[u.ID] = true
		}
		occ := map[string]bool{}
		for _, l := range pd.Leases {
			if leaseIDs[l.ID] {
				t.Errorf("lease id %s repeats", l.ID)
			}
			leaseIDs[l.ID] = true
			count[l.Status.String()]++
			switch {
			case l.Status == entrata.LeaseCurrent || l.Status == entrata.LeaseNotice:
				occ[l.UnitID] = true
			}
			if l.Status == entrata.LeaseNotice && (l.MoveOutDate.Before(genToday) || l.MoveOutDate.After(genToday.AddDays(60))) {
				t.Errorf("notice lease %s moves out %s", l.ID, l.MoveOutDate)
			}
			if l.Status == entrata.LeasePast && (l.MoveOutDate.After(genToday) || l.MoveOutDate.Before(genToday.AddDays(-30))) {
				t.Errorf("past lease %s moved out %s", l.ID, l.MoveOutDate)
			}
			if l.Status == entrata.LeaseFuture && l.ParentLeaseID == "" && (l.MoveInDate.Before(genToday) || l.MoveInDate.After(genToday.AddDays(66))) {
				t.Errorf("future lease %s moves in %s", l.ID, l.MoveInDate)
			}
			if l.IsMonthToMonth {
				count["month-to-month"]++
				if !l.MoveOutDate.IsZero() {
					t.Errorf("month-to-month lease %s has a move-out date", l.ID)
				}
			}
			if l.ParentLeaseID != "" {
				count["transfer"]++
				if l.TransferDate.IsZero() || l.Intervals[0].TypeID != entrata.IntervalTransfer {
					t.Errorf("transfer lease %s: %+v", l.ID, l)
				}
			}
			for _, iv := range l.Intervals {
				if iv.TypeID == entrata.IntervalRenewal {
					count["renewal "+iv.StatusName]++
				}
			}
			for _, c := range l.Customers {
				count[c.Type]++
				if c.Status == "Cancelled" && l.Status == entrata.LeaseCurrent {
					count["cancelled on current"]++
				}
				key := c.FirstName + c.LastName + c.Type
				if prev, ok := customerIDs[c.ID]; ok && prev != key {
					t.Errorf("customer id %s names two people", c.ID)
				}
				customerIDs[c.ID] = key
				if c.Type != "Guarantor" && c.Email == "" {
					t.Errorf("resident %s has no e-mail", c.ID)
				}
				if c.Email != "" {
					if other, ok := emails[c.Email]; ok && other != c.ID {
						t.Errorf("e-mail shared by %s and %s", c.ID, other)
					}
					emails[c.Email] = c.ID
				}
			}
		}
		occupied += len(occ)
	}
	for _, k := range []string{"Current", "Notice", "Future", "Past", "Primary", "Co-Applicant", "Occupant", "Guarantor",
		"month-to-month", "transfer", "renewal Current", "renewal Future", "cancelled on current"} {
		if count[k] == 0 {
			t.Errorf("the mix has no %s (counts %v)", k, count)
		}
	}
	if share := float64(occupied) / 240; share < 0.78 || share > 0.92 {
		t.Errorf("occupancy %.2f, want about 0.85", share)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
