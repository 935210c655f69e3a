# govern's condition language in Rego: facts, the operators of engine.conditions.OPERATORS,
# Kleene three-valued logic and message rendering. Hand-written and static: the compiled
# rules module (govern.rules) calls these functions with tests it reads from
# data.govern.policy_set, so nothing from a policy's YAML is ever part of Rego source.
#
# A three-valued outcome is true, false, or null for unknown (engine.conditions.Tri).
# ctx is {"records": {"model", "option", "task", "profile", "derived"}, "as_of": "YYYY-MM-DD"}.
package govern.conditions

# ---------------------------------------------------------------- facts

# The value at a dotted fact path; null when unknown, as engine.facts.read_facts gives None.
fact(ctx, path) := object.get(ctx.records, split(path, "."), null)

# A test's operand: the literal, or the value of the fact it names ({fact: path}).
operand(ctx, t) := fact(ctx, t.ref) if {
	t.ref != null
} else := t.value

# Either side unknown makes an ordinary test unknown.
unknown(ctx, t) if fact(ctx, t.fact) == null

unknown(ctx, t) if operand(ctx, t) == null

# ---------------------------------------------------------------- Kleene logic

kleene_all(xs) := false if {
	false in xs
} else := null if {
	null in xs
} else := true

kleene_any(xs) if {
	true in xs
} else := null if {
	null in xs
} else := false

kleene_not(x) := null if {
	x == null
} else := false if {
	x == true
} else := true

# ---------------------------------------------------------------- the operators

op_equals(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	fact(ctx, t.fact) == operand(ctx, t)
} else := false

op_not_equals(ctx, t) := null if {
	unknown(ctx, t)
} else := false if {
	fact(ctx, t.fact) == operand(ctx, t)
} else := true

op_in(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	fact(ctx, t.fact) in operand(ctx, t)
} else := false

op_not_in(ctx, t) := null if {
	unknown(ctx, t)
} else := false if {
	fact(ctx, t.fact) in operand(ctx, t)
} else := true

op_contains(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	operand(ctx, t) in fact(ctx, t.fact)
} else := false

op_intersects(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	some item in fact(ctx, t.fact)
	item in operand(ctx, t)
} else := false

op_subset_of(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	allowed := operand(ctx, t)
	every item in fact(ctx, t.fact) {
		item in allowed
	}
} else := false

op_gt(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	fact(ctx, t.fact) > operand(ctx, t)
} else := false

op_gte(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	fact(ctx, t.fact) >= operand(ctx, t)
} else := false

op_lt(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	fact(ctx, t.fact) < operand(ctx, t)
} else := false

op_lte(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	fact(ctx, t.fact) <= operand(ctx, t)
} else := false

# Never unknown: the test is about knowing.
op_exists(ctx, t) := (fact(ctx, t.fact) != null) == t.value

op_empty(ctx, t) := null if {
	unknown(ctx, t)
} else := (count(fact(ctx, t.fact)) == 0) == t.value

# Dates are ISO strings with four-digit years, so their order is the strings' order.
op_before(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	fact(ctx, t.fact) < operand(ctx, t)
} else := false

op_after(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	fact(ctx, t.fact) > operand(ctx, t)
} else := false

op_older_than_days(ctx, t) := null if {
	unknown(ctx, t)
} else if {
	day_number(ctx.as_of) - day_number(fact(ctx, t.fact)) > t.value
} else := false

# Days since 1970-01-01 of an ISO date, for any year 0001-9999 (time.parse_ns only covers
# 1678-2262). Howard Hinnant's days_from_civil, in exact integer arithmetic.
day_number(date) := days if {
	[y, m, d] := [to_number(part) | some part in split(date, "-")]
	year := y - to_number(m <= 2)
	era := floor(year / 400)
	yoe := year - (era * 400)
	doy := (floor(((153 * ((m + 9) % 12)) + 2) / 5) + d) - 1
	doe := (((yoe * 365) + floor(yoe / 4)) - floor(yoe / 100)) + doy
	days := ((era * 146097) + doe) - 719468
}

# ---------------------------------------------------------------- messages

# How a fact reads in a message: engine.core.render_value, case for case.
render(value) := "none" if {
	value == []
} else := sprintf("%d recorded", [count(value)]) if {
	is_object(value[0])
} else := concat(", ", [render_scalar(item) | some item in value]) if {
	is_array(value)
} else := render_scalar(value)

render_scalar(value) := "unknown" if {
	value == null
} else := "true" if {
	value == true
} else := "false" if {
	value == false
} else := format_int(value, 10) if {
	# an integral number reads as an integer (744.0 -> "744"), as Python's int(value) does
	is_number(value)
	value == floor(value)
} else := python_repr(sprintf("%v", [value])) if {
	# the shortest round-trip digits, as Python's repr has them; only the layout differs
	is_number(value)
} else := value

# OPA writes a non-integral number with an exponent from 1e6 up ("4.5035996273704955e+15"),
# Python's repr only from 1e16, which no non-integral double reaches: move the point back
# ("4503599627370495.5"). Small numbers ("1e-05") are written alike by both.
python_repr(text) := fixed if {
	[mantissa, exponent] := split(text, "e+")
	sign := substring(mantissa, 0, count(mantissa) - count(trim_prefix(mantissa, "-")))
	digits := replace(trim_prefix(mantissa, "-"), ".", "")
	point := to_number(exponent) + 1
	count(digits) > point
	fixed := concat("", [sign, substring(digits, 0, point), ".", substring(digits, point, -1)])
} else := text

# A message template's parts ([kind, text] pairs, see engine.core.template_parts) filled in.
render_message(ctx, parts) := concat("", [render_part(ctx, part) | some part in parts])

render_part(_, ["text", text]) := text

render_part(ctx, ["fact", path]) := render(fact(ctx, path))
