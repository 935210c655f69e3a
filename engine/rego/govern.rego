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
	cheapest := cheapest_index(decided)
	result := {
		"model": model.id,
		"task": task.id,
		"profile": profile.id,
		"as_of": as_of,
		"recommendation": recommendation,
		"options": [object.union(item.decision, {"recommended": i == chosen, "cheapest": i == cheapest}) |
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

# The cheapest of two or more allowed API options when every one's cost is known (the first
# of equals), else -1: engine.core.cheapest_index.
cheapest_index(decided) := min({entry.index |
	some entry in priced
	entry.usd == min({other.usd | some other in priced})
}) if {
	priced := [{"index": i, "usd": item.decision.cost_per_task.usd} |
		some i, item in decided
		item.decision.verdict == "allowed"
		item.decision.cost_per_task != null
	]
	count(priced) >= 2
	every item in priced {
		item.usd != null
	}
} else := -1

# ---------------------------------------------------------------- one option

decide_option(option, model, task, profile, as_of, waivers) := {"option": option, "decision": {
	"deployment": option.deployment,
	"provider": option.provider,
	"verdict": verdict(findings),
	"waived": waived(findings),
	"recommended": false,
	"findings": findings,
	"cost_per_task": cost_document(ctx.records.derived),
	"cheapest": false,
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

cost_document(derived) := null if {
	derived.cost_per_task_basis == null
} else := {"usd": derived.cost_per_task_usd, "basis": derived.cost_per_task_basis}

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
# listed). A fact none of whose values is on or before as_of keeps its undated value. Only the
# API offerings offered on as_of remain (govern.dated.card_as_of).
card_as_of(model, as_of) := offered_as_of(
	json.patch(model, [op |
		some value in values_in_force(dated_values(model), as_of)
		some path in target_paths(model, value)
		op := {"op": "add", "path": path, "value": value.value}
	]),
	as_of,
)

# Only the API offerings offered on as_of (offered_since .. offered_until, each optional).
offered_as_of(model, as_of) := object.union(model, {"api_offerings": [offer |
	some offer in object.get(model, "api_offerings", [])
	not offered_later(offer, as_of)
	not offered_earlier(offer, as_of)
]})

offered_later(offer, as_of) if {
	since := object.get(offer, "offered_since", null)
	is_string(since)
	since > as_of
}

offered_earlier(offer, as_of) if {
	until := object.get(offer, "offered_until", null)
	is_string(until)
	until < as_of
}

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
	"cost_per_task_usd": cost_per_task(model, option, task),
	"cost_per_task_basis": cost_basis(model, option, task),
	"self_host_weights_gb": weights_gb(model, option, profile),
	"self_host_kv_cache_gb": kv_cache_gb(model, option, task, profile),
	"self_host_memory_gb": memory_gb(model, option, task, profile),
	"self_host_memory_basis": memory_basis(model, option, task, profile),
	"memory_shortfall_gb": memory_shortfall(model, option, task, profile),
	"memory_shortfall_devices": shortfall_devices(model, option, task, profile),
	"weights_shortfall_gb": weights_shortfall(model, option, profile),
	"weights_shortfall_devices": weights_devices(model, option, profile),
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

# ---------------------------------------------------------------- exact arithmetic
#
# Every integer below stays under 2^53 (exact_limit), where OPA's arithmetic and the core's
# agree exactly (engine.facts.EXACT_LIMIT); past it a fact is unknown, as in the core.

exact_limit := 9007199254740992

# value * scale as an integer when that is exact and abs(value) < limit: engine.facts.exact_scaled.
scaled(value, scale, limit) := result if {
	is_number(value)
	abs(value) < limit
	result := round(value * scale)
	result / scale == value
}

small(n) := n if abs(n) < exact_limit

# In thousandths of a GB, below 10^11 GB (engine.facts.SHORTFALL_MAX_GB).
thousandths(gb) := scaled(gb, 1000, 100000000000)

show(value) := conditions.render(value)

unit(1) := "byte"

unit(each) := "bytes" if each != 1

# ---------------------------------------------------------------- cost per task

# The output tokens one task takes and where the figure comes from: the task's own estimate,
# else the card's measurement (engine.facts.output_tokens_per_task).
output_tokens(model, task) := [tokens, "task"] if {
	tokens := object.get(task, ["tokens_per_task", "output"], null)
	tokens != null
} else := [measured.output, sprintf("measured: %s, %s", [measured.measured_by, measured.source])] if {
	measured := object.get(model, "tokens_per_task", null)
	measured != null
} else := null

cost_missing(model, option, task) := [name |
	some [name, known] in [
		["task.tokens_per_task.input", object.get(task, ["tokens_per_task", "input"], null) != null],
		["task.tokens_per_task.output or model.tokens_per_task.output", output_tokens(model, task) != null],
		["option.pricing.input_usd_per_mtok", object.get(option.pricing, "input_usd_per_mtok", null) != null],
		["option.pricing.output_usd_per_mtok", object.get(option.pricing, "output_usd_per_mtok", null) != null],
	]
	known == false
]

# The cost in 10^-12 dollars: tokens x millionths of a dollar per million tokens.
cost_units(model, option, task) := units if {
	option.deployment == "api"
	count(cost_missing(model, option, task)) == 0
	price_in := scaled(option.pricing.input_usd_per_mtok, 1000000, 1000000)
	price_out := scaled(option.pricing.output_usd_per_mtok, 1000000, 1000000)
	part_in := small(task.tokens_per_task.input * price_in)
	part_out := small(output_tokens(model, task)[0] * price_out)
	units := small(part_in + part_out)
}

cost_per_task(model, option, task) := units / 1000000000000 if {
	units := cost_units(model, option, task)
} else := null

cost_basis(model, option, task) := null if {
	option.deployment != "api"
} else := sprintf("unknown: %s unknown", [concat(", ", missing)]) if {
	missing := cost_missing(model, option, task)
	count(missing) > 0
} else := sprintf("%s input tokens (task) x $%s/M + %s output tokens (%s) x $%s/M = $%s", [
	show(task.tokens_per_task.input),
	show(option.pricing.input_usd_per_mtok),
	show(output[0]),
	output[1],
	show(option.pricing.output_usd_per_mtok),
	show(units / 1000000000000),
]) if {
	units := cost_units(model, option, task)
	output := output_tokens(model, task)
} else := concat("", [
	"not computed: a price has more than six decimals or is a million dollars or more, ",
	"or the cost is too large to compute exactly",
])

# ---------------------------------------------------------------- self-host memory
#
# Counted exactly in half-bytes (nibbles), as engine.facts does: parameters in thousandths
# of a billion are 10^6 parameters each; a GB is 2 x 10^9 nibbles.

nibbles_per_value := {"FP32": 8, "FP16": 4, "BF16": 4, "FP8": 2, "INT8": 2, "INT4": 1}

nibbles_per_gb := 2000000000

# The recorded total parameter count and every numeric claim of a dispute about it, sorted.
parameter_counts(model) := sort({n |
	some n in array.concat(
		[object.get(model, ["parameters", "total_billion"], null)],
		[claim.value |
			some dispute in object.get(model, "disputes", [])
			dispute.fact == "parameters.total_billion"
			some claim in dispute.claims
		],
	)
	is_number(n)
})

precision(profile) := object.get(profile.self_host, "precision", null)

# Absent (or null, as a record's JSON form has it) means FP16.
kv_precision(profile) := precision if {
	precision := object.get(profile.self_host, "kv_cache_precision", null)
	precision != null
} else := "FP16"

weights_nibbles(model, profile) := nibbles if {
	counts := parameter_counts(model)
	count(counts) > 0
	billions := thousandths(counts[count(counts) - 1])
	nibbles := small((billions * 1000000) * nibbles_per_value[precision(profile)])
}

kv_values_per_token(model) := geometry.values_per_token if {
	geometry := object.get(model, "kv_cache", null)
	object.get(geometry, "values_per_token", null) != null
} else := small(((2 * geometry.layers) * geometry.kv_heads) * geometry.head_dim) if {
	geometry := object.get(model, "kv_cache", null)
	geometry != null
}

kv_nibbles(model, task, profile) := small((values * context) * nibbles_per_value[kv_precision(profile)]) if {
	values := kv_values_per_token(model)
	context := object.get(task, "context_tokens", null)
	context != null
}

memory_nibbles(model, task, profile) := small(weights_nibbles(model, profile) + kv_nibbles(model, task, profile))

gb(nibbles) := nibbles / nibbles_per_gb

# The self-host memory facts: null on an API option, and null when a figure is unknown.
weights_gb(model, option, profile) := gb(nibbles) if {
	option.deployment == "self-host"
	nibbles := weights_nibbles(model, profile)
} else := null

kv_cache_gb(model, option, task, profile) := gb(nibbles) if {
	option.deployment == "self-host"
	nibbles := kv_nibbles(model, task, profile)
} else := null

memory_gb(model, option, task, profile) := gb(nibbles) if {
	option.deployment == "self-host"
	nibbles := memory_nibbles(model, task, profile)
} else := null

short_of_capacity(need, profile) := small(need - (have * 2000000)) if {
	have := thousandths(profile.self_host.accelerator_memory_gb)
}

shortfall_nibbles(model, task, profile) := short_of_capacity(memory_nibbles(model, task, profile), profile)

# What the weights alone lack: known even when the KV cache is not.
weights_shortfall(model, option, profile) := gb(short) if {
	option.deployment == "self-host"
	short := short_of_capacity(weights_nibbles(model, profile), profile)
} else := null

weights_devices(model, option, profile) := devices if {
	option.deployment == "self-host"
	device := thousandths(profile.self_host.accelerator.memory_gb) * 2000000
	short := short_of_capacity(weights_nibbles(model, profile), profile)
	devices := devices_for(short, device)
} else := null

memory_shortfall(model, option, task, profile) := gb(short) if {
	option.deployment == "self-host"
	short := shortfall_nibbles(model, task, profile)
} else := null

shortfall_devices(model, option, task, profile) := devices if {
	option.deployment == "self-host"
	device := thousandths(profile.self_host.accelerator.memory_gb) * 2000000
	short := shortfall_nibbles(model, task, profile)
	devices := devices_for(short, device)
} else := null

devices_for(short, _) := 0 if short <= 0

# The fewest devices that cover the shortfall, in exact integer products (a quotient of
# large integers may round): the smallest n near short / device with n x device >= short.
devices_for(short, device) := min({n |
	guess := round(short / device)
	some n in [guess - 1, guess, guess + 1]
	n >= 1
	n * device >= short
}) if short > 0

# ---------------------------------------------------------------- the memory basis

weights_text(model, profile) := sprintf("weights unknown: %s unknown", [concat(", ", missing)]) if {
	missing := [name |
		some [name, known] in [
			["model.parameters.total_billion", count(parameter_counts(model)) > 0],
			["profile.self_host.precision", precision(profile) != null],
		]
		known == false
	]
	count(missing) > 0
} else := sprintf("%s billion parameters%s x %s %s (%s) = %s GB of weights", [
	show(counts[count(counts) - 1]),
	disputed_note(counts),
	show(each),
	unit(each),
	precision(profile),
	show(gb(weights)),
]) if {
	counts := parameter_counts(model)
	weights := weights_nibbles(model, profile)
	each := nibbles_per_value[precision(profile)] / 2
} else := "weights unknown: the parameter count is not exact to a million or too large"

disputed_note(counts) := "" if {
	count(counts) < 2
} else := sprintf(" (the largest of the disputed %s)", [concat(", ", [show(c) | some c in counts])])

kv_text(model, task, profile) := sprintf("KV cache unknown: %s unknown", [concat(", ", missing)]) if {
	missing := [name |
		some [name, known] in [
			["model.kv_cache", object.get(model, "kv_cache", null) != null],
			["task.context_tokens", object.get(task, "context_tokens", null) != null],
		]
		known == false
	]
	count(missing) > 0
} else := sprintf("KV cache %s x %s tokens x %s %s (%s) = %s GB", [
	per_token_text(model.kv_cache),
	show(task.context_tokens),
	show(each),
	unit(each),
	kv_precision(profile),
	show(gb(kv)),
]) if {
	kv := kv_nibbles(model, task, profile)
	each := nibbles_per_value[kv_precision(profile)] / 2
} else := "KV cache unknown: too large to compute exactly"

per_token_text(geometry) := sprintf("%s values per token", [show(geometry.values_per_token)]) if {
	object.get(geometry, "values_per_token", null) != null
} else := sprintf("2 x %s layers x %s KV heads x %s head dim", [
	show(geometry.layers),
	show(geometry.kv_heads),
	show(geometry.head_dim),
])

memory_basis(model, option, task, profile) := null if {
	option.deployment != "self-host"
} else := concat("; ", array.concat(
	[weights_text(model, profile), kv_text(model, task, profile)],
	total_text(model, task, profile),
))

total_text(model, task, profile) := [sprintf("%s GB in all", [show(gb(total))])] if {
	total := memory_nibbles(model, task, profile)
} else := []
