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

# One test per example, so each gets opa test's own time limit (5s by default; tracing under
# -v makes evaluation many times slower). An example number past the end holds trivially.
example_holds(n) if {
	count(cases) < n
} else if {
	agrees(cases[n - 1])
} else := false if {
	print("decided otherwise than the native engine:", cases[n - 1].input)
}

test_example_1 if example_holds(1)

test_example_2 if example_holds(2)

test_example_3 if example_holds(3)

test_example_4 if example_holds(4)

test_example_5 if example_holds(5)

test_example_6 if example_holds(6)

test_example_7 if example_holds(7)

test_example_8 if example_holds(8)

test_there_are_examples if count(cases) > 0

test_a_batch_decides_as_one_request_at_a_time if {
	first := array.slice(cases, 0, 2)
	batch := govern.decisions with input as {"requests": [case.input | some case in first]}
	[summary(decided) | some decided in batch] == [case.expected | some case in first]
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
