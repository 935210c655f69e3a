"""``govern prove``: answers over every well-formed card, task, profile and date, not only the
catalog's records: is an edited policy set equivalent to its base, more permissive or more
restrictive anywhere, and which rules never fire, always fire, are shadowed or contradict
themselves. See docs/can-it-ever.md."""
