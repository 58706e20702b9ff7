package knowledge

// Emergency names the kind of medical emergency a message describes, so the
// reply can give that kind's first steps (stroke: note the time; seizure: on
// the side …). Empty for a non-medical crisis or an unknown kind.
type Emergency string

// Medical emergency kinds.
const (
	EmergencyNone        Emergency = ""
	EmergencyStroke      Emergency = "stroke"
	EmergencyChest       Emergency = "chest_pain"
	EmergencyBreathing   Emergency = "breathing"
	EmergencyChoking     Emergency = "choking"
	EmergencySeizure     Emergency = "seizure"
	EmergencyPoisoning   Emergency = "poisoning" // poison, overdose, wrong medicine, gas
	EmergencySwallowed   Emergency = "swallowed" // button battery, magnets, sharp objects
	EmergencyHeadInjury  Emergency = "head_injury"
	EmergencyDrowning    Emergency = "drowning"
	EmergencyBleeding    Emergency = "bleeding"
	EmergencyBurn        Emergency = "burn"
	EmergencyAllergy     Emergency = "allergy"
	EmergencyPregnancy   Emergency = "pregnancy"
	EmergencyInfant      Emergency = "infant" // infant red flags (very young baby, fever, limp, not feeding)
	EmergencyUnconscious Emergency = "unconscious"
)

// Person says who is at risk, relative to the writer; it decides the words of
// the reply.
type Person string

// Who is at risk.
const (
	// PersonSelf: the writer is at risk.
	PersonSelf Person = "self"
	// PersonPresent: someone who is with the writer now (我妈吃了一整瓶安眠药
	// 叫不太醒); the writer is the helper and needs the first steps.
	PersonPresent Person = "present"
	// PersonWorried: someone the writer worries about, who may not be there
	// (儿子说要跳楼): how to keep them safe now, and the lines.
	PersonWorried Person = "worried"
)

// Subject is who the message is about, as far as the words say.
type Subject string

// Subjects.
const (
	SubjectUnknown Subject = ""
	SubjectSelf    Subject = "self"
	SubjectInfant  Subject = "infant" // a baby under about 1
	SubjectChild   Subject = "child"
	SubjectTeen    Subject = "teen"
	SubjectPartner Subject = "partner"
	SubjectElder   Subject = "elder"
	SubjectOther   Subject = "other"
)

// Crisis is the crisis layer's full verdict on one message.
type Crisis struct {
	Kind      CrisisKind
	Emergency Emergency // for CrisisMedical (and an overdose under CrisisSuicide)
	Person    Person    // who is at risk, relative to the writer
	Subject   Subject
	// ChildWriter: the writer seems to be a child or teen (我才13岁, 继父摸我):
	// abuse disclosures get words for a child.
	ChildWriter bool
	// Layer is which layer fired: "rule", "model" or both ("rule+model"); empty when none.
	Layer string
}

// EmergencyBloodSugar: very high (or very low) blood sugar with drowsiness.
// Added by the concept rules; a reply that has no steps for it gives the
// general 120 steps.
const EmergencyBloodSugar Emergency = "blood_sugar"

// AssessCrisis returns the full verdict; Kind is CrisisNone when the message is
// not a crisis. DetectCrisis is AssessCrisis(text).Kind.
func AssessCrisis(text string) Crisis {
	return remembered(&crisisMemo, text, assessCrisis)
}
