# Tests of data.govern.decision for `opa test`: run `opa test .` where the bundle is unpacked
# (or on `govern export rego` output). Hand-written and static, in its own root (govern_test),
# so nothing on the decision path reads it.
#
# data.govern_test.cases holds what the native engine decided when the bundle was
# built, for every model x task x profile of the catalog on examples.as_of: the Rego must give
# the same recommendation and the same verdict for every option. The expectations are data, not
# Rego source, so a team catalog gets tests that hold for its own records and policies.
package govern_test.decision

import data.govern

cases := data.govern_test.examples.cases

# The parts of a decision the examples record.
summary(decision) := {
	"recommendation": decision.recommendation,
	"options": [[option.deployment, option.provider, option.verdict] |
		some option in decision.options
	],
}

agrees(case) if {
	decided := govern.decision with input as case.input
	summary(decided) == case.expected
}

disagreeing contains case.input if {
	some case in cases
	not agrees(case)
}

test_every_example_decides_as_the_native_engine if {
	count(cases) > 0
	count(disagreeing) == 0
} else := false if {
	print("decided otherwise than the native engine:", disagreeing)
}

test_a_batch_decides_as_one_request_at_a_time if {
	first := array.slice(cases, 0, 5)
	batch := govern.decisions with input as {"requests": [case.input | some case in first]}
	one_by_one := [decided |
		some case in first
		decided := govern.decision with input as case.input
	]
	count(batch) == count(first)
	batch == one_by_one
}

test_an_unknown_model_has_no_decision if {
	request := object.union(cases[0].input, {"model": "no-such-model"})
	not govern.decision with input as request
	[null] == govern.decisions with input as {"requests": [request]}
}

test_an_unknown_waiver_id_has_no_decision if {
	request := object.union(cases[0].input, {"waivers": ["no-such-waiver"]})
	not govern.decision with input as request
}

test_a_missing_date_has_no_decision if {
	request := object.remove(cases[0].input, ["as_of"])
	not govern.decision with input as request
}
