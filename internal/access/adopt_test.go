package access

import (
	"reflect"
	"slices"
	"testing"
)

func TestProposeAdoption(t *testing.T) {
	dana := AdoptionResident{ExternalID: "entrata-1", FirstName: "Dana", LastName: "Miles", Email: "dana@example.com", UnitGroupIDs: []int64{601}}
	eli := AdoptionResident{ExternalID: "entrata-2", FirstName: "Eli", LastName: "Ng", Email: "eli@example.com", UnitGroupIDs: []int64{602}}
	eliTwin := AdoptionResident{ExternalID: "entrata-3", FirstName: "Eli", LastName: "Ng", UnitGroupIDs: []int64{603}}
	shared1 := AdoptionResident{ExternalID: "entrata-4", FirstName: "Ann", LastName: "Roe", Email: "family@example.com", UnitGroupIDs: []int64{604}}
	shared2 := AdoptionResident{ExternalID: "entrata-5", FirstName: "Bob", LastName: "Roe", Email: "Family@example.com", UnitGroupIDs: []int64{604}}
	synced := AdoptionResident{ExternalID: "entrata-6", FirstName: "Cy", LastName: "Po", Email: "cy@example.com", UnitGroupIDs: []int64{605}, HasUser: true}
	noMail := AdoptionResident{ExternalID: "entrata-7", FirstName: "Flo", LastName: "Day", UnitGroupIDs: []int64{606}}
	all := []AdoptionResident{dana, eli, eliTwin, shared1, shared2, synced, noMail}

	for _, tc := range []struct {
		name  string
		users []HandMadeUser
		want  AdoptionProposal
	}{
		{name: "e-mail, case and spaces ignored, whatever the name",
			users: []HandMadeUser{{BrivoID: 10, FirstName: "D.", LastName: "M", Emails: []string{" DANA@Example.com "}}},
			want:  AdoptionProposal{Matches: []AdoptionMatch{{BrivoID: 10, ExternalID: "entrata-1", By: MatchByEmail}}}},
		{name: "second address matches",
			users: []HandMadeUser{{BrivoID: 10, Emails: []string{"old@example.com", "eli@example.com"}}},
			want:  AdoptionProposal{Matches: []AdoptionMatch{{BrivoID: 10, ExternalID: "entrata-2", By: MatchByEmail}}}},
		{name: "name with the unit group",
			users: []HandMadeUser{{BrivoID: 11, FirstName: "flo", LastName: "DAY ", GroupIDs: []int64{500, 606}}},
			want:  AdoptionProposal{Matches: []AdoptionMatch{{BrivoID: 11, ExternalID: "entrata-7", By: MatchByName}}}},
		{name: "name without the unit group is ambiguous",
			users: []HandMadeUser{{BrivoID: 11, FirstName: "Flo", LastName: "Day", GroupIDs: []int64{500}}},
			want: AdoptionProposal{Ambiguous: []AdoptionAmbiguity{{BrivoID: 11, Candidates: []string{"entrata-7"},
				Reason: "the name matches but the user is not in the resident's unit group"}}}},
		{name: "name and unit picks the twin in that unit",
			users: []HandMadeUser{{BrivoID: 12, FirstName: "Eli", LastName: "Ng", GroupIDs: []int64{603}}},
			want:  AdoptionProposal{Matches: []AdoptionMatch{{BrivoID: 12, ExternalID: "entrata-3", By: MatchByName}}}},
		{name: "name and unit matching two residents is ambiguous",
			users: []HandMadeUser{{BrivoID: 12, FirstName: "Eli", LastName: "Ng", GroupIDs: []int64{602, 603}}},
			want: AdoptionProposal{Ambiguous: []AdoptionAmbiguity{{BrivoID: 12, Candidates: []string{"entrata-2", "entrata-3"},
				Reason: "the name and unit match 2 residents"}}}},
		{name: "an e-mail two residents share matches neither",
			users: []HandMadeUser{{BrivoID: 13, FirstName: "Ann", LastName: "Roe", Emails: []string{"family@example.com"}, GroupIDs: []int64{604}}},
			want: AdoptionProposal{Ambiguous: []AdoptionAmbiguity{{BrivoID: 13, Candidates: []string{"entrata-4", "entrata-5"},
				Reason: "its e-mail matches 2 residents"}}}},
		{name: "two users for one resident: both ambiguous",
			users: []HandMadeUser{{BrivoID: 14, Emails: []string{"dana@example.com"}}, {BrivoID: 15, Emails: []string{"DANA@example.com"}}},
			want: AdoptionProposal{Ambiguous: []AdoptionAmbiguity{
				{BrivoID: 14, Candidates: []string{"entrata-1"}, Reason: "2 Brivo users match the same resident"},
				{BrivoID: 15, Candidates: []string{"entrata-1"}, Reason: "2 Brivo users match the same resident"}}}},
		{name: "a name match for a resident already matched by e-mail",
			users: []HandMadeUser{{BrivoID: 16, Emails: []string{"dana@example.com"}}, {BrivoID: 17, FirstName: "Dana", LastName: "Miles", GroupIDs: []int64{601}}},
			want: AdoptionProposal{Matches: []AdoptionMatch{{BrivoID: 16, ExternalID: "entrata-1", By: MatchByEmail}},
				Ambiguous: []AdoptionAmbiguity{{BrivoID: 17, Candidates: []string{"entrata-1"},
					Reason: "the resident is already matched by e-mail to another Brivo user"}}}},
		{name: "a resident the sync already manages is a duplicate, not adopted",
			users: []HandMadeUser{{BrivoID: 18, Emails: []string{"cy@example.com"}}},
			want: AdoptionProposal{Ambiguous: []AdoptionAmbiguity{{BrivoID: 18, Candidates: []string{"entrata-6"},
				Reason: "the resident already has a Brivo user the sync manages: a duplicate to review"}}}},
		{name: "not in Entrata, with or without e-mail",
			users: []HandMadeUser{{BrivoID: 20, FirstName: "Zed", LastName: "Q", Emails: []string{"zed@example.com"}}, {BrivoID: 19, FirstName: "Flo"}},
			want:  AdoptionProposal{NotInEntrata: []int64{19, 20}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ProposeAdoption(all, tc.users)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
			rev := slices.Clone(tc.users)
			slices.Reverse(rev)
			resRev := slices.Clone(all)
			slices.Reverse(resRev)
			if again := ProposeAdoption(resRev, rev); !reflect.DeepEqual(again, got) {
				t.Fatalf("order changes the verdict:\n%+v\n%+v", again, got)
			}
		})
	}
}
