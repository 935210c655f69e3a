# govern's decision in Rego: the mirror of engine.core.decide, hand-written and static.
#
# Entry points:
#   data.govern.decision   one decision for input
#                          {"model", "task", "profile", "as_of"[, "waivers"][, "waiver_owners"]}
#   data.govern.decisions  one decision per item of input.requests (null where undefined)
#
# model, task and profile are ids looked up in data.govern.catalog, or inline records in
# their JSON form; waivers (ids or records) default to data.govern.catalog.waivers. With
# "waiver_owners": false the answer leaves waiver owners out (null), so personal data stays
# out of decision logs; govern asks that way. The compiled rules (govern.rules) and their
# data (data.govern.policy_set) come from `govern bundle build`.
package govern

import data.govern.conditions
import data.govern.rules

decision := decide(input, resolve_waivers(object.get(input, "waivers", catalog_waivers)))

decisions := [decide_or_null(request) |
	some request in input.requests
]

request_waivers(request) := resolve_waivers(request.waivers)

request_waivers(request) := shared_waivers if not "waivers" in object.keys(request)

# Waivers given once for every request of a batch.
shared_waivers := resolve_waivers(object.get(input, "waivers", catalog_waivers))

default catalog_waivers := []

catalog_waivers := [waiver | some waiver in data.govern.catalog.waivers]

# Every waiver as a record; undefined when an id is not in the catalog (never a silent drop).
resolve_waivers(waivers) := resolved if {
	resolved := [record("waivers", waiver) | some waiver in waivers]
	count(resolved) == count(waivers)
}

# A waiver's owner as the answer shows it: null when the input asked for no owners.
shown_owner(waiver) := waiver.owner if {
	object.get(input, "waiver_owners", true) != false
} else := null

decide_or_null(request) := decide(request, request_waivers(request))

decide_or_null(request) := null if not decide(request, request_waivers(request))

# ---------------------------------------------------------------- one decision

decide(request, waivers) := result if {
	as_of := request.as_of
	is_string(as_of)
	model := card_as_of(record("model_cards", request.model), as_of)
	task := record("tasks", request.task)
	profile := record("profiles", request.profile)
	decided := [decide_option(option, model, task, profile, as_of, waivers) |
		some option in options(model, profile)
	]
	recommendation := recommend(decided, profile)
	chosen := recommended_index(decided, recommendation)
	result := {
		"model": model.id,
		"task": task.id,
		"profile": profile.id,
		"as_of": as_of,
		"recommendation": recommendation,
		"options": [object.union(item.decision, {"recommended": i == chosen}) |
			some i, item in decided
		],
		"waivers": waiver_uses(decided, model, task, as_of, waivers),
		"policy_set_digest": data.govern.policy_set.digest,
	}
}

# An inline record, or the catalog's record with that id.
record(_, value) := value if is_object(value)

record(kind, value) := data.govern.catalog[kind][value] if is_string(value)

# Every API offering, then self-host unless the weights are known to be closed.
options(model, profile) := array.concat(api_options(model), self_host_options(model, profile))

api_options(model) := [{
	"deployment": "api",
	"provider": offer.provider,
	"host_jurisdiction": object.get(offer, "host_jurisdiction", null),
	"regions": object.get(offer, "regions", null),
	"pricing": object.get(offer, "pricing", no_pricing),
	"data_terms": object.get(offer, "data_terms", no_data_terms),
	"accelerator_memory_gb": null,
} |
	some offer in object.get(model, "api_offerings", [])
]

no_pricing := {"input_usd_per_mtok": null, "output_usd_per_mtok": null}

no_data_terms := {"retention_days": null, "trains_on_customer_data": null}

self_host_options(model, _) := [] if object.get(model, "open_weights", null) == false

self_host_options(model, profile) := [{
	"deployment": "self-host",
	"provider": null,
	"host_jurisdiction": profile.self_host.jurisdiction,
	"regions": profile.self_host.regions,
	"pricing": no_pricing,
	"data_terms": no_data_terms,
	"accelerator_memory_gb": object.get(model, ["self_hosting", "estimated_accelerator_memory_gb"], null),
}] if object.get(model, "open_weights", null) != false

# The first deployment in the profile's preference order with an allowed option.
recommend(decided, profile) := allowed[0] if {
	allowed := [deployment |
		some deployment in profile.preference
		some item in decided
		item.decision.deployment == deployment
		item.decision.verdict == "allowed"
	]
	count(allowed) > 0
} else := "disallow"

recommended_index(decided, recommendation) := min({i |
	some i, item in decided
	item.decision.deployment == recommendation
	item.decision.verdict == "allowed"
}) if recommendation != "disallow"

recommended_index(_, "disallow") := -1

# ---------------------------------------------------------------- one option

decide_option(option, model, task, profile, as_of, waivers) := {"option": option, "decision": {
	"deployment": option.deployment,
	"provider": option.provider,
	"verdict": verdict(findings),
	"waived": waived(findings),
	"recommended": false,
	"findings": findings,
	"obligations": [{
		"obligation": data.govern.policy_set.rules[i].obligation,
		"rule": finding.rule,
		"message": finding.message,
	} |
		some [i, finding] in indexed
		finding.effect == "require"
	],
}} if {
	ctx := {
		"records": {
			"model": model,
			"option": option,
			"task": task,
			"profile": profile,
			"derived": derived(model, option, task, profile),
		},
		"as_of": as_of,
	}
	outcomes := rules.outcomes(ctx)
	indexed := [[i, waive(finding(ctx, rule, outcomes[i]), model, task, option, as_of, waivers)] |
		some i, rule in data.govern.policy_set.rules
		applies(rule.applies_to, option, task)
		outcomes[i] != false
	]
	findings := [finding | some [_, finding] in indexed]
}

applies(scope, option, task) if {
	in_scope(scope.deployments, option.deployment)
	in_scope(scope.risk_tiers, task.risk_tier)
	scope_matches(scope.business_critical, task.business_critical)
}

in_scope(null, _)

in_scope(allowed, value) if value in allowed

scope_matches(null, _)

scope_matches(wanted, value) if wanted == value

verdict(findings) := "denied" if {
	some finding in findings
	finding.effect == "deny"
	finding.waiver == null
} else := "allowed"

waived(findings) if {
	some finding in findings
	finding.effect == "deny"
	verdict(findings) == "allowed"
} else := false

# ---------------------------------------------------------------- findings

finding(ctx, rule, true) := {
	"rule": rule.id,
	"policy": rule.policy,
	"effect": rule.effect,
	"severity": rule.severity,
	"message": conditions.render_message(ctx, rule.message),
	"unknown_facts": [],
	"waiver": null,
}

finding(ctx, rule, null) := {
	"rule": rule.id,
	"policy": rule.policy,
	"effect": effect,
	"severity": rule.severity,
	"message": sprintf("%s: %s unknown (%s)", [prefix, concat(", ", unknown), rule.description]),
	"unknown_facts": unknown,
	"waiver": null,
} if {
	unknown := [path | some path in rule.facts_read; conditions.fact(ctx, path) == null]
	effect := unknown_effect(rule)
	prefix := unknown_prefix(effect)
}

unknown_effect(rule) := rule.effect if {
	rule.when_unknown == "fire"
} else := "warn"

unknown_prefix("warn") := "cannot check"

unknown_prefix(effect) := "insufficient evidence" if effect != "warn"

# ---------------------------------------------------------------- waivers

# A deny finding carries the first live matching waiver (by id), if any.
waive(finding, model, task, option, as_of, waivers) := object.union(finding, {"waiver": {
	"id": live.id,
	"owner": shown_owner(live),
	"reason": live.reason,
	"reference": live.reference,
	"expires": live.expires,
}}) if {
	finding.effect == "deny"
	candidates := [waiver |
		some waiver in waivers
		waiver_matches(waiver, finding, model, task, option)
		as_of <= waiver.expires
	]
	first := min({waiver.id | some waiver in candidates})
	live := [waiver | some waiver in candidates; waiver.id == first][0]
} else := finding

waiver_matches(waiver, finding, model, task, option) if {
	waiver.rule == finding.rule
	scope := object.get(waiver, "scope", {})
	scope_matches(object.get(scope, "model", null), model.id)
	scope_matches(object.get(scope, "task", null), task.id)
	scope_matches(object.get(scope, "deployment", null), option.deployment)
	scope_matches(object.get(scope, "provider", null), option.provider)
}

# Every waiver that matched a deny finding, applied or expired, sorted by id, with the
# indexes of the options whose deny findings it matched.
waiver_uses(decided, model, task, as_of, waivers) := [use |
	some id in sort(used)
	waiver := [waiver | some waiver in waivers; waiver.id == id][0]
	use := {
		"id": waiver.id,
		"rule": waiver.rule,
		"owner": shown_owner(waiver),
		"reason": waiver.reason,
		"reference": waiver.reference,
		"expires": waiver.expires,
		"status": waiver_status(waiver, as_of),
		"matched_options": sort({i |
			some i, item in decided
			some finding in item.decision.findings
			finding.effect == "deny"
			some same in waivers
			same.id == id
			waiver_matches(same, finding, model, task, item.option)
		}),
	}
] if {
	used := {waiver.id |
		some item in decided
		some finding in item.decision.findings
		finding.effect == "deny"
		some waiver in waivers
		waiver_matches(waiver, finding, model, task, item.option)
	}
}

waiver_status(waiver, as_of) := "applied" if {
	as_of <= waiver.expires
} else := "expired"

# ---------------------------------------------------------------- dated facts (govern.dated)

# The card with every dated fact at its value in force on as_of: revocation events, then
# dated_values; per fact the latest value on or before as_of (of two on one day, the later
# listed). A fact none of whose values is on or before as_of keeps its undated value.
card_as_of(model, as_of) := json.patch(model, [op |
	some value in values_in_force(dated_values(model), as_of)
	some path in target_paths(model, value)
	op := {"op": "add", "path": path, "value": value.value}
])

dated_values(model) := array.concat(event_values(model), object.get(model, "dated_values", []))

status_after := {
	"suspended": "suspended", "withdrawn": "withdrawn", "restricted": "restricted",
	"restored": "available",
}

event_values(model) := [value |
	some event in object.get(model, ["revocation", "events"], [])
	some value in [
		{"fact": "revocation.status", "since": event.date, "value": status_after[event.action]},
		{"fact": "revocation.since", "since": event.date, "value": event.date},
		{"fact": "revocation.by", "since": event.date, "value": event.actor},
		{"fact": "revocation.scope", "since": event.date, "value": event.scope},
	]
]

values_in_force(values, as_of) := [value |
	some i, value in values
	value.since <= as_of
	not superseded(values, i, value, as_of)
]

superseded(values, i, value, as_of) if {
	some j, other in values
	j != i
	object.get(other, "offering", null) == object.get(value, "offering", null)
	other.fact == value.fact
	other.since <= as_of
	later(other.since, j, value.since, i)
}

later(since, _, other_since, _) if since > other_since

later(since, j, other_since, i) if {
	since == other_since
	j > i
}

target_paths(_, value) := [split(value.fact, ".")] if object.get(value, "offering", null) == null

target_paths(model, value) := [array.concat(["api_offerings", sprintf("%d", [i])], split(value.fact, ".")) |
	some i, offer in object.get(model, "api_offerings", [])
	offer.provider == value.offering
] if object.get(value, "offering", null) != null

# ---------------------------------------------------------------- derived facts

derived(model, option, task, profile) := {
	"data_classes_barred_at_host": barred_at_host(option, task, profile),
	"data_classes_outside_residency": outside_residency(option, task, profile),
	"memory_shortfall_gb": memory_shortfall(option, profile),
	"disputed_facts": [dispute.fact | some dispute in object.get(model, "disputes", [])],
	"lineage_licenses": lineage_licenses(model),
	"license_approved": license_approved(model, profile),
	"missing_base_models": object.get(model, ["lineage", "missing_bases"], null),
}

# The lineage as govern's loader resolved it (engine.lineage): the model's licence, then its
# bases', each with its SPDX expression in normal form (alternatives of terms of licences),
# because Rego cannot parse SPDX. A card without it (not sent by govern) has unknown licences.
lineage_entries(model) := object.get(model, ["lineage", "licenses"], [])

lineage_complete(model) if {
	missing := object.get(model, ["lineage", "missing_bases"], null)
	is_array(missing)
	count(missing) == 0
	count(lineage_entries(model)) > 0
	every entry in lineage_entries(model) {
		entry.license != null
	}
}

lineage_licenses(model) := [entry.license | some entry in lineage_entries(model)] if {
	lineage_complete(model)
} else := null

# False as soon as one known licence is not approved; else true when every one is known.
license_approved(model, profile) := false if {
	some entry in lineage_entries(model)
	entry.normal_form != null
	not form_approved(entry.normal_form, object.get(profile, "approved_licenses", []))
} else if {
	lineage_complete(model)
} else := null

# Some alternative has every licence approved.
form_approved(form, approved) if {
	some term in form
	every atom in term {
		atom_approved(atom, approved)
	}
}

# "L WITH E" is approved with L (an exception only adds permissions), or when listed itself.
atom_approved(atom, approved) if atom.license in approved

atom_approved(atom, approved) if {
	atom.exception != null
	sprintf("%s WITH %s", [atom.license, atom.exception]) in approved
}

barred_at_host(option, task, profile) := null if {
	option.host_jurisdiction == null
} else := [data_class |
	some data_class in task.data_classes
	not permitted_at(profile, data_class, option.host_jurisdiction)
]

permitted_at(profile, data_class, jurisdiction) if {
	jurisdiction in profile.data_classes[data_class].host_jurisdictions
}

outside_residency(option, task, profile) := [] if {
	count(bound_classes(task, profile)) == 0
} else := null if {
	option.regions == null
} else := [data_class |
	some data_class in bound_classes(task, profile)
	not subset(option.regions, profile.data_classes[data_class].residency_regions)
]

subset(items, allowed) if {
	every item in items {
		item in allowed
	}
}

bound_classes(task, profile) := [data_class |
	some data_class in task.data_classes
	object.get(profile.data_classes, [data_class, "residency_regions"], null) != null
]

# Exactly, in whole thousandths of a GB, as engine.facts computes it; unknown when a figure has
# more than three decimals or is 10^11 GB or more (OPA's own arithmetic is not exact decimal).
memory_shortfall(option, profile) := (need - have) / 1000 if {
	option.deployment == "self-host"
	need := thousandths(option.accelerator_memory_gb)
	have := thousandths(profile.self_host.accelerator_memory_gb)
} else := null

thousandths(gb) := scaled if {
	is_number(gb)
	abs(gb) < 100000000000
	scaled := round(gb * 1000)
	scaled / 1000 == gb
}
