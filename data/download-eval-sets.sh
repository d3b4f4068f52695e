#!/bin/sh
# Downloads the public word-analogy and word-similarity test sets from the
# sites where their authors published them, and writes each in a form
# kensho-eval(1) reads as it is:
#
#   analogy:    questions-words.txt, questions-phrases.txt (Google),
#               msr.txt (MSR, "a b c d" lines)
#   similarity: wordsim353.txt, ws353-sim.txt, ws353-rel.txt, simlex999.txt,
#               men.txt, rw.txt, mturk771.txt, rg65.txt, mc30.txt
#               ("word1 TAB word2 TAB score" lines)
#
# Usage: data/download-eval-sets.sh [DIRECTORY]   (default: ./eval-sets)
#
# Needs curl or wget, unzip and tar, and internet access; the test suite
# never runs it. Some original sites have moved over the years: the URL the
# authors published comes first, then the place the same file lives now.
# A set that cannot be fetched is reported and skipped; the exit status is
# then 1. Please cite the papers named below when you publish results.
set -u

dir=${1:-eval-sets}
mkdir -p "$dir/download" || exit 1
cd "$dir" || exit 1
failed=0

if command -v curl >/dev/null 2>&1; then
	fetch_one() { curl -fsSL --retry 2 -o "$1" "$2"; }
elif command -v wget >/dev/null 2>&1; then
	fetch_one() { wget -q -O "$1" "$2"; }
else
	echo "download-eval-sets.sh: needs curl or wget" >&2
	exit 1
fi

# fetch FILE URL...: downloads FILE into download/ from the first URL that works.
fetch() {
	file=download/$1
	shift
	[ -s "$file" ] && return 0
	for url in "$@"; do
		echo "fetching $url"
		if fetch_one "$file.part" "$url" && [ -s "$file.part" ]; then
			mv "$file.part" "$file"
			return 0
		fi
	done
	rm -f "$file.part"
	echo "download-eval-sets.sh: could not fetch $(basename "$file") from: $*" >&2
	failed=1
	return 1
}

# Strips CR so that every output has plain line ends.
nocr() {
	tr -d '\r'
}

# Google analogy sets (Mikolov et al. 2013), from word2vec's Google Code
# project, kept in Google's archive of that site.
if fetch word2vec-source-archive.zip \
	https://storage.googleapis.com/google-code-archive-source/v2/code.google.com/word2vec/source-archive.zip; then
	unzip -p download/word2vec-source-archive.zip word2vec/trunk/questions-words.txt | nocr > questions-words.txt
	unzip -p download/word2vec-source-archive.zip word2vec/trunk/questions-phrases.txt | nocr > questions-phrases.txt
fi

# MSR syntactic analogies (Mikolov, Yih, Zweig, NAACL 2013): questions and
# answers come in two files, joined here into "a b c d" lines.
if fetch myz_naacl13_test_set.tgz \
	http://research.microsoft.com/en-us/um/people/gzweig/Pubs/myz_naacl13_test_set.tgz; then
	tar -xzf download/myz_naacl13_test_set.tgz -C download &&
		nocr < download/test_set/word_relationship.questions > download/msr.q &&
		nocr < download/test_set/word_relationship.answers | awk '{ print $2 }' > download/msr.a &&
		paste -d ' ' download/msr.q download/msr.a > msr.txt
fi

# WordSim-353 (Finkelstein et al. 2002): combined.tab has a header line,
# which kensho-eval skips.
if fetch wordsim353.zip \
	http://www.cs.technion.ac.il/~gabr/resources/data/wordsim353/wordsim353.zip \
	http://www.gabrilovich.com/resources/data/wordsim353/wordsim353.zip; then
	unzip -p download/wordsim353.zip combined.tab | nocr > wordsim353.txt
fi

# Its similarity and relatedness splits (Agirre et al., NAACL 2009).
if fetch ws353simrel.tar.gz http://alfonseca.org/pubs/ws353simrel.tar.gz; then
	tar -xzOf download/ws353simrel.tar.gz wordsim353_sim_rel/wordsim_similarity_goldstandard.txt | nocr > ws353-sim.txt
	tar -xzOf download/ws353simrel.tar.gz wordsim353_sim_rel/wordsim_relatedness_goldstandard.txt | nocr > ws353-rel.txt
fi

# SimLex-999 (Hill, Reichart, Korhonen 2015): word1 word2 POS score ...
if fetch SimLex-999.zip \
	http://www.cl.cam.ac.uk/~fh295/SimLex-999.zip \
	https://fh295.github.io/SimLex-999.zip; then
	unzip -p download/SimLex-999.zip SimLex-999/SimLex-999.txt | nocr |
		awk -F '\t' 'NR > 1 { print $1 "\t" $2 "\t" $4 }' > simlex999.txt
fi

# MEN (Bruni, Tran, Baroni 2014), space separated.
if fetch MEN.tar.gz \
	http://clic.cimec.unitn.it/~elia.bruni/resources/MEN.tar.gz \
	https://staff.fnwi.uva.nl/e.bruni/resources/MEN.tar.gz; then
	tar -xzOf download/MEN.tar.gz MEN/MEN_dataset_natural_form_full | nocr > men.txt
fi

# Stanford Rare Words (Luong, Socher, Manning 2013): the first three columns.
if fetch rw.zip \
	http://www-nlp.stanford.edu/~lmthang/morphoNLM/rw.zip \
	https://nlp.stanford.edu/~lmthang/morphoNLM/rw.zip; then
	unzip -p download/rw.zip rw/rw.txt | nocr | cut -f 1-3 > rw.txt
fi

# MTurk-771 (Halawi et al., KDD 2012; http://www2.mta.ac.il/~gideon/mturk771.html),
# comma separated.
if fetch MTURK-771.csv \
	http://www2.mta.ac.il/~gideon/mturk771/MTURK-771.csv \
	http://www.cs.cmu.edu/~mfaruqui/word-sim/EN-MTurk-771.txt; then
	nocr < download/MTURK-771.csv | tr ',' '\t' > mturk771.txt
fi

# Rubenstein and Goodenough (1965) and Miller and Charles (1991) were
# published in print; Faruqui and Dyer's wordvectors.org collection is the
# usual machine-readable source.
if fetch EN-RG-65.txt http://www.cs.cmu.edu/~mfaruqui/word-sim/EN-RG-65.txt \
	https://raw.githubusercontent.com/mfaruqui/eval-word-vectors/master/data/word-sim/EN-RG-65.txt; then
	nocr < download/EN-RG-65.txt > rg65.txt
fi
if fetch EN-MC-30.txt http://www.cs.cmu.edu/~mfaruqui/word-sim/EN-MC-30.txt \
	https://raw.githubusercontent.com/mfaruqui/eval-word-vectors/master/data/word-sim/EN-MC-30.txt; then
	nocr < download/EN-MC-30.txt > mc30.txt
fi

echo
echo "Sets in $(pwd):"
for f in questions-words.txt questions-phrases.txt msr.txt wordsim353.txt ws353-sim.txt \
	ws353-rel.txt simlex999.txt men.txt rw.txt mturk771.txt rg65.txt mc30.txt; do
	[ -s "$f" ] && printf '  %-24s %6s lines\n' "$f" "$(wc -l < "$f")"
done
echo "Evaluate with, e.g.:"
here=$(pwd)
echo "  kensho-eval analogy VECTORS $here/questions-words.txt $here/msr.txt"
echo "  kensho-eval similarity VECTORS $here/wordsim353.txt $here/simlex999.txt $here/men.txt"
exit $failed
