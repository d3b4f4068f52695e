# shellcheck shell=bash
# bench/lib.sh: helpers the bench scripts share; sourced, not run.

# json_number KEY: the first number after "KEY": in the JSON on stdin (empty
# when it is missing or null).
json_number() {
	grep -o "\"$1\"[[:space:]]*:[[:space:]]*-\{0,1\}[0-9][0-9.eE+-]*" |
		head -n1 | sed 's/.*:[[:space:]]*//' || true
}

# median: the median of the numbers on stdin (NA lines ignored), or NA.
# sort -g, since awk's print writes large numbers as 1.79e+06.
median() {
	{ grep -v -e '^NA$' -e '^$' || true; } | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "NA"; exit }
			if (NR % 2) print v[(NR + 1) / 2]
			else print (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

# kensho_scores KENSHO_EVAL VECTORS ANALOGIES SIMILARITIES RESTRICT: prints
# "analogy_percent<TAB>covered<TAB>rho" as scored by kensho-eval: analogy
# accuracy over the RESTRICT most frequent words (a fraction of the covered
# questions), Spearman's rho over the whole vocabulary, like gensim's
# evaluate_word_pairs. The analogy totals are in the JSON's "total" object
# (the sections before it have their own "accuracy"). Fails, saying so,
# when kensho-eval fails or its JSON lacks either figure.
kensho_scores() {
	local a s total acc n rho
	a=$("$1" analogy "$2" "$3" -restrict "$5" -quiet --json) || return 1
	s=$("$1" similarity "$2" "$4" -restrict 0 -quiet --json) || return 1
	total=$(tr -d '\n' <<<"$a" | sed -n 's/.*"total"[[:space:]]*:[[:space:]]*{\([^}]*\)}.*/\1/p')
	acc=$(json_number accuracy <<<"$total")
	n=$(json_number covered <<<"$total")
	rho=$(tr -d '\n' <<<"$s" | json_number spearman)
	if [ -z "$acc" ] || [ -z "$rho" ]; then
		echo "cannot read the accuracy or the rho from kensho-eval's JSON for $2" >&2
		return 1
	fi
	awk -v a="$acc" -v n="${n:-NA}" -v r="$rho" \
		'BEGIN { printf "%.2f\t%s\t%.4f\n", 100 * a, n, r }'
}

# eval_scores KENSHO_EVAL EVALDIR VECTORS: "google sem syn ws353 mturk rg65",
# tab-separated (analogy percentages over kensho-eval's default -restrict,
# Spearman's rho over the whole vocabulary).
eval_scores() {
	local a s
	a=$("$1" analogy "$3" "$2/questions-words.txt" -quiet) || return 1
	s=$("$1" similarity "$3" "$2/EN-WS-353-ALL.txt" "$2/EN-MTurk-771.txt" \
		"$2/EN-RG-65.txt" -restrict 0 -quiet) || return 1
	printf '%s\t%s\n' \
		"$(awk '$1 == "semantic" { m = $5 } $1 == "syntactic" { y = $5 } $1 == "total" { t = $5 }
			END { gsub("%", "", t); gsub("%", "", m); gsub("%", "", y); printf "%s\t%s\t%s", t, m, y }' <<<"$a")" \
		"$(awk '$1 ~ /WS-353-ALL/ { w = $4 } $1 ~ /MTurk/ { m = $4 } $1 ~ /RG-65/ { r = $4 }
			END { printf "%s\t%s\t%s", w, m, r }' <<<"$s")"
}
