/*
 * `permanence eval intents` and `permanence eval triage`: intent accuracy on the English
 * corpora (SGD, SLURP, CLINC out-of-scope) and red flags over the French patient turns.
 * Both take the arguments after the suite name; they return a CLI_EXIT_* status.
 */
#ifndef PERMANENCE_EVAL_NLU_H
#define PERMANENCE_EVAL_NLU_H

int eval_intents_main(int argc, char **argv);
int eval_triage_main(int argc, char **argv);

#endif
