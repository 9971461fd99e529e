/*
 * Compiling concept rules from lexicon rows: malformed rules are rejected with the file
 * and line, and a minimal lexicon matches, negates and scopes as documented.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_priv.h"
#include "test.h"

static int compile(const char *data, char *why, size_t why_size)
{
	const struct nlu_lexicon_source sources[] = {
		{"fr", "fr/test.tsv", data, strlen(data)},
	};
	struct nlu_lexicon *lex = NULL;
	struct nlu_rules *rules = NULL;
	int err;

	err = nlu_lexicon_create(&lex, sources, 1, why, why_size);
	if (!err)
		err = nlu_rules_create(&rules, lex, why, why_size);
	nlu_rules_destroy(rules);
	nlu_lexicon_destroy(lex);
	return err;
}

static void test_rules_valid(void)
{
	char why[256] = "";

	TEST_EQ_INT(compile("poitrine\tconcept\tchest\nmal\tconcept\tpain\n"
			    "pain chest\ttriage\tchest_pain.pain\tflag=chest_pain level=emergency\n"
			    "pain\tintent\tbook\tweight=0.5 expect=open,yes_no\n",
			    why, sizeof(why)),
		    0);
}

static void test_rules_unknown_concept(void)
{
	char why[256] = "";

	TEST_EQ_INT(compile("mal\tconcept\tpain\npain chets\ttriage\tx.y\tflag=chest_pain "
			    "level=urgent\n",
			    why, sizeof(why)),
		    EINVAL);
	TEST_CHECK(strstr(why, "fr/test.tsv:2") != NULL);
	TEST_CHECK(strstr(why, "chets") != NULL);
}

static void test_rules_bad_tags(void)
{
	char why[256];

	TEST_EQ_INT(compile("mal\tconcept\tpain\npain\ttriage\tx\tlevel=urgent\n", why,
			    sizeof(why)),
		    EINVAL);
	TEST_CHECK(strstr(why, "flag=") != NULL);
	TEST_EQ_INT(compile("mal\tconcept\tpain\npain\ttriage\tx\tflag=nope level=urgent\n", why,
			    sizeof(why)),
		    EINVAL);
	TEST_EQ_INT(compile("mal\tconcept\tpain\npain\tintent\tbook\tweight=2\n", why,
			    sizeof(why)),
		    EINVAL);
	TEST_EQ_INT(compile("mal\tconcept\tpain\npain\tintent\tbooking\tweight=0.5\n", why,
			    sizeof(why)),
		    EINVAL);
	TEST_CHECK(strstr(why, "booking") != NULL);
	TEST_EQ_INT(compile("mal\tconcept\tpain\npain\tintent\tbook\tweight=0.5 window=0\n", why,
			    sizeof(why)),
		    EINVAL);
	TEST_EQ_INT(compile("mal\tconcept\tpain\npain\tintent\tbook\tweight=0.5 expect=later\n",
			    why, sizeof(why)),
		    EINVAL);
	TEST_EQ_INT(compile("mal\tconcept\tpain\npain pain pain pain pain\tintent\tbook\t"
			    "weight=0.5\n",
			    why, sizeof(why)),
		    EINVAL);
}

/* The shipped lexicon compiles, and its concepts cover words as the README describes. */
static void test_rules_shipped_lexicon(void)
{
	struct nlu *nlu;
	struct nlu_tokens *t = malloc(sizeof(*t));
	struct nlu_scan *scan = malloc(sizeof(*scan));
	int nausea, pain;

	TEST_REQUIRE(t && scan);
	TEST_REQUIRE(nlu_create(&nlu, NULL) == 0);
	TEST_CHECK(nlu->rules->rule_count > 200);
	nausea = nlu_concept_id(nlu->rules, "nausea");
	pain = nlu_concept_id(nlu->rules, "pain");
	TEST_REQUIRE(nausea >= 0 && pain >= 0);
	TEST_REQUIRE(nlu_tokenize("j'ai mal au cœur", NLU_LANG_FR, t) == 0);
	nlu_scan_build(nlu, NLU_LANG_FR, t, scan);
	TEST_CHECK(scan->first_hit[nausea] >= 0);
	TEST_CHECK(scan->first_hit[pain] < 0);
	TEST_REQUIRE(nlu_tokenize("pas de fièvre, mal à la poitrine", NLU_LANG_FR, t) == 0);
	nlu_scan_build(nlu, NLU_LANG_FR, t, scan);
	TEST_CHECK(scan->clause[0] != scan->clause[t->count - 1]);
	TEST_CHECK(scan->phrase[0] == scan->phrase[t->count - 1]);
	nlu_destroy(nlu);
	free(t);
	free(scan);
}

static const struct test_case cases[] = {
	TEST_CASE(test_rules_valid),
	TEST_CASE(test_rules_unknown_concept),
	TEST_CASE(test_rules_bad_tags),
	TEST_CASE(test_rules_shipped_lexicon),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
